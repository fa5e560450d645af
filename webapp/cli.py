"""The `slotwise` command line: serve, create-admin, seed-demo, import, plus Flask's own (db, routes, shell)."""
from __future__ import annotations

import ipaddress
import os

import click
from flask import current_app
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext


def _make_app():
    from . import create_app

    return create_app()


# add_default_commands=False: no `run`, Flask's development server is never how Slotwise is served
@click.group(cls=FlaskGroup, create_app=_make_app, add_default_commands=False, add_version_option=False,
             load_dotenv=False)
def main() -> None:
    """Slotwise: convention scheduling."""


main.add_command(shell_command)
main.add_command(routes_command)


def upgrade_database() -> None:
    from flask_migrate import upgrade

    from . import MIGRATIONS_DIR

    upgrade(directory=MIGRATIONS_DIR)


def _refuse_unsafe_start(app, host: str, port: int) -> None:
    """Checks made before anything touches the database; each failure is one line and exit code 1."""
    import socket

    if not app.config.get("SLOTWISE_BASE_URL"):
        if not _is_loopback(host):
            raise click.ClickException(
                f"Set SLOTWISE_BASE_URL to the address people open (https://…): serving on {host} without it, "
                "mailed links could not be trusted.")
        # mailed links point at this server itself, never at whatever Host a request names
        os.environ["SLOTWISE_BASE_URL"] = app.config["SLOTWISE_BASE_URL"] = f"http://{host}:{port}"
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: only a listener blocks
        try:
            probe.bind((host, port))
        except OSError as error:
            raise click.ClickException(f"Cannot serve on {host}:{port}: {error.strerror.lower()} "
                                       "(is another Slotwise already running there? pick another --port).") from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Request threads per process.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes (gunicorn); more than one needs REDIS_URL, since auto-schedule "
                   "runs then go to Celery workers.")
@with_appcontext
def serve(host: str, port: int, threads: int, workers: int) -> None:
    """Apply migrations and serve Slotwise (waitress; gunicorn with --workers above 1)."""
    from .extensions import db

    app = current_app._get_current_object()
    _refuse_unsafe_start(app, host, port)
    if workers > 1 and not app.config.get("REDIS_URL"):
        raise click.UsageError("--workers above 1 needs REDIS_URL: the embedded auto-schedule worker lives in "
                               "one process, so several processes hand runs to Celery workers instead.")
    if _is_loopback(host) and "SESSION_COOKIE_SECURE" not in os.environ:
        # Plain http on this machine only: a Secure cookie would never come back from the browser.
        os.environ["SESSION_COOKIE_SECURE"] = "false"  # read by every worker process's app too
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
    upgrade_database()
    if not app.config.get("REDIS_URL"):
        from worker.embedded import start_embedded_worker

        resumed = start_embedded_worker(app)
        click.echo(f"Embedded worker started (no REDIS_URL); {resumed} queued run(s) resumed.")
    else:
        # Fail fast on an unreachable Redis, and pay the broker's first connection now, not in a request.
        with app.extensions["celery"].connection_for_write() as connection:
            connection.ensure_connection(max_retries=3)
        click.echo("Auto-schedule runs go to Celery workers on REDIS_URL (start them with `slotwise worker`).")
    click.echo(f"Slotwise on http://{host}:{port}/ (database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}, "
               f"{workers} process(es) x {threads} threads)")
    if workers > 1:
        from .serving import serve_with_workers

        db.engine.dispose()  # the workers open their own connections after the fork
        serve_with_workers(host, port, workers, threads)
    else:
        from waitress import serve as waitress_serve

        waitress_serve(app, host=host, port=port, threads=threads)


@main.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", default=None, help="Prompted for when left out.")
@click.option("--name", "display_name", default="Admin")
@with_appcontext
def create_admin(email: str, password: str | None, display_name: str) -> None:
    """Create the first admin (or make an existing user admin)."""
    from .errors import DomainError
    from .extensions import db
    from .services import accounts
    from .services.users import grant_role

    upgrade_database()
    user = accounts.find_user_by_email(email)
    try:
        if user is None:
            if password is None:  # asked twice: a typo here would lock the only admin out
                password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat it")
            user = accounts.create_user(email, password, display_name, {"admin"})
        else:
            grant_role(user, "admin")
            if password is not None:
                accounts.set_password(user, password)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"{user.email} is an admin (user {user.id}).")


@main.command("seed-demo")
@click.option("--size", type=click.Choice(["small", "large"]), default="small", show_default=True)
@click.option("--seed", type=int, default=2027, show_default=True, help="Same seed, same convention.")
@with_appcontext
def seed_demo_command(size: str, seed: int) -> None:
    """Create a realistic demo convention (large: 1,000 workshops, 60 rooms, 5,000 attendees)."""
    import time

    from .demo import DEMO_PASSWORD, seed_demo
    from .extensions import db

    upgrade_database()
    started = time.monotonic()
    convention = seed_demo(size, seed)
    db.session.commit()
    click.echo(f"Convention {convention.id} '{convention.name}' created in {time.monotonic() - started:.1f} s.")
    click.echo(f"Demo accounts: demo-admin-0@example.org, demo-host-N@…, demo-attendee-N@… (password {DEMO_PASSWORD})")


@main.command("worker")
@click.option("--concurrency", default=1, show_default=True, type=int, help="Runs solved at once by this process.")
@click.option("--pool", default="solo", show_default=True, type=click.Choice(["solo", "prefork", "threads"]))
@click.option("--loglevel", default="INFO", show_default=True)
@with_appcontext
def worker(concurrency: int, pool: str, loglevel: str) -> None:
    """Serve the auto-schedule queue on REDIS_URL (start as many as you like, on any machines)."""
    celery = current_app.extensions.get("celery")
    if celery is None:
        raise click.ClickException("REDIS_URL is not set; embedded mode needs no worker (`slotwise serve` runs one).")
    from worker import tasks  # noqa: F401  (register the task; loads OR-Tools before the first run)

    celery.worker_main(["worker", f"--loglevel={loglevel}", f"--pool={pool}", f"--concurrency={concurrency}"])


class CommandLineOperator:
    """Whoever runs `slotwise` on the server: trusted as an admin, as the database itself would be."""

    id = None
    is_authenticated = True
    is_admin = True
    display_name = "command line"

    def has_role(self, role: str) -> bool:
        return True


@main.command("import")
@click.argument("schedule_file", type=click.File("rb"))
@click.option("--convention-id", type=int, default=None, help="Import into this convention instead of a new one.")
@click.option("--keep-placements", is_flag=True, help="Place each event where the file published it.")
@click.option("--timezone", "timezone_name", default=None,
              help="IANA time zone for files that name none (FOSDEM's does not), e.g. Europe/Brussels.")
@with_appcontext
def import_command(schedule_file, convention_id: int | None, keep_placements: bool, timezone_name: str | None) -> None:
    """Import a frab schedule.xml or a frab/pretalx schedule.json; prints the report as JSON."""
    import json

    from .errors import DomainError
    from .extensions import db
    from .services.schedule_import import import_schedule_file

    upgrade_database()
    app = current_app._get_current_object()
    raw = schedule_file.read()
    # mailed links need an address; outside a request it is the configured one
    with app.test_request_context("/", base_url=app.config.get("SLOTWISE_BASE_URL") or "http://localhost:5000"):
        try:
            report = import_schedule_file(CommandLineOperator(), raw, convention_id=convention_id,
                                          keep_placements=keep_placements, timezone_name=timezone_name)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            problems = error.fields.get("problems") or []
            raise click.ClickException("\n".join([error.message, *problems])) from None
    click.echo(json.dumps(report.as_dict(), indent=2))


def _register_solver_command() -> None:
    from solver.allocation.cli import allocate_command
    from solver.cli import solve_command

    main.add_command(solve_command)
    main.add_command(allocate_command)


_register_solver_command()
