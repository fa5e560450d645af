"""Slotwise web application: create_app() builds a configured Flask app."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from .config import settings_from_environment
from .models.types import MAX_ID
from .extensions import compress, csrf, db, htmx, limiter, login_manager, migrate, oauth

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")
# What leaves compressed (when the client accepts it): pages, API JSON, CSV, schedule files, calendars, assets.
COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                    "application/problem+json", "text/csv", "text/xml", "application/xml", "text/calendar",
                    "image/svg+xml"]


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in URLs: an id no id column can hold becomes 0, an id no row has, so it is a plain 404
    and never a database error. (Rejecting it here, with `max`, makes werkzeug answer 405 for some
    paths; longer numbers do not match at all.)"""

    regex = r"\d{1,10}"

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ID else 0


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings_from_environment(app.instance_path))
    app.url_map.converters["int"] = DatabaseIdConverter
    app.json.sort_keys = False  # sorting every key of a large schedule costs more than it helps anyone
    if test_config:
        app.config.from_mapping(test_config)

    from .input_guard import apply_body_limit

    app.before_request(apply_body_limit)  # first: CSRF protection reads a form body as soon as it runs
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_STREAMS", False)  # files sent as streams (static ones) stay as they are
    compress.init_app(app)  # first after-request hook, so it runs last: it compresses the final body
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    htmx.init_app(app)
    oauth.init_app(app)
    _configure_login(app)
    from .security import init_security

    init_security(app)

    from . import models  # noqa: F401  (register every table with the metadata)
    from .services import schedule_versions  # noqa: F401  (its session event keeps cached grids honest)
    from .api import bp as api_bp
    from .api import openapi  # noqa: F401
    from .auth import bp as auth_bp
    from .auth.oauth_views import register_provider
    from .errors import register_error_handlers
    from .input_guard import register_input_guard
    from .main import bp as main_bp
    from . import allocation, attending, catalogue, conventions, exchange, hosts, scheduling, tracks, users, workshops  # noqa: F401  (JSON routes)

    csrf.exempt(api_bp)  # JSON clients send no form token; api/__init__.py checks the origin of cookie writes
    app.register_blueprint(api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(scheduling.bp)
    app.register_blueprint(conventions.bp)
    from .catalogue.views import bp as catalogue_pages_bp

    app.register_blueprint(catalogue_pages_bp)
    from .attending.views import bp as attending_pages_bp
    from .hosts.views import bp as host_pages_bp
    from .workshops.views import bp as workshop_pages_bp

    app.register_blueprint(workshop_pages_bp)
    app.register_blueprint(attending_pages_bp)
    app.register_blueprint(host_pages_bp)
    from .admin import bp as admin_pages_bp

    app.register_blueprint(admin_pages_bp)
    app.register_blueprint(exchange.bp)
    app.register_blueprint(allocation.bp)
    register_error_handlers(app)
    register_input_guard(app)
    register_provider(app)
    if app.config.get("REDIS_URL"):
        from worker.celery_setup import celery_init_app

        celery_init_app(app)
    return app


def _configure_login(app: Flask) -> None:
    from .errors import render_error
    from .auth.sessions import bearer_token, current_session_token
    from .services.accounts import user_for_api_token, user_for_session

    login_manager.login_view = "auth.sign_in"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        # a cookie names a session the server must still hold: sign-out and password changes end it
        return user_for_session(user_id, current_session_token())

    @login_manager.request_loader
    def load_user_from_bearer(req):
        token = bearer_token()
        return user_for_api_token(token) if token else None

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import redirect, url_for

        if request.path.startswith("/api/"):
            return render_error(401, "unauthorized", "Sign in first.")
        return redirect(url_for("auth.sign_in", next=request.full_path))


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL and a busy timeout let the background solver write while pages read."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
