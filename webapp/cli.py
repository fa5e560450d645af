"""The `slotwise` command line: serve, create-admin, seed-demo, plus Flask's own (db, routes, shell)."""
from __future__ import annotations

import getpass
import ipaddress
import os

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext


def _make_app():
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_make_app, add_version_option=False, load_dotenv=False)
def main() -> None:
    """Slotwise: convention scheduling."""


def upgrade_database() -> None:
    from flask_migrate import upgrade

    from . import MIGRATIONS_DIR

    upgrade(directory=MIGRATIONS_DIR)


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
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int, threads: int) -> None:
    """Apply migrations and serve Slotwise with waitress (a production WSGI server)."""
    from waitress import serve as waitress_serve

    app = current_app._get_current_object()
    if _is_loopback(host) and "SESSION_COOKIE_SECURE" not in os.environ:
        # Plain http on this machine only: a Secure cookie would never come back from the browser.
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
    upgrade_database()
    click.echo(f"Slotwise on http://{host}:{port}/ (database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]})")
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
            if password is None:
                password = getpass.getpass("Password: ")
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
