"""Fixtures: a migrated database (SQLite by default, PostgreSQL when SLOTWISE_TEST_DATABASE_URL is set),
an app and client per test on it, and helpers to make users and sign them in."""
from __future__ import annotations

import contextvars
import os
import uuid

import pytest
import sqlalchemy as sa

from flask import has_app_context
from flask.testing import FlaskClient

from webapp import create_app
from webapp.extensions import db

TEST_DATABASE_URL = os.environ.get("SLOTWISE_TEST_DATABASE_URL")
ON_POSTGRES = bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"))
PASSWORD = "correct horse battery"


def base_config(database_url: str, instance_path: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST_KIB": 1024,
        "SERVER_NAME": None,
    }


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does.

    The test body holds an app context of its own (for db.session); without this, requests
    would share its `g` and its session, hiding a missing commit or a cached signed-in user.
    """

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect being followed: already isolated
            return super().open(*args, **kwargs)
        db.session.commit()  # what the test set up is visible to the request
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            db.session.commit()  # end the test's transaction, so it then sees what the request wrote
            db.session.expire_all()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """A database migrated to head once per test session."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app(base_config(url, ""))
    with app.app_context():
        from flask_migrate import downgrade, upgrade

        from webapp import MIGRATIONS_DIR

        if ON_POSTGRES:
            downgrade(directory=MIGRATIONS_DIR, revision="base")
        upgrade(directory=MIGRATIONS_DIR)
        db.engine.dispose()
    return url


def _empty_all_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if ON_POSTGRES:
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def make_app(database_url):
    """Builds apps on the shared test database; extra config per call."""
    created = []

    def factory(**overrides):
        config = base_config(database_url, "")
        config.update(overrides)
        app = create_app(config)
        app.test_client_class = IsolatedClient
        created.append(app)
        return app

    yield factory
    for app in created:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    from webapp.services.accounts import create_user

    def factory(roles=("attendee",), email=None, password=PASSWORD, name=None):
        email = email or f"user-{uuid.uuid4().hex[:8]}@example.org"
        user = create_user(email, password, name or email.split("@")[0], set(roles))
        db.session.commit()
        return user

    return factory


@pytest.fixture
def token_for(client):
    def get_token(user, password=PASSWORD) -> str:
        response = client.post("/api/auth/token", json={"email": user.email, "password": password})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["access_token"]

    return get_token


@pytest.fixture
def host(make_user):
    """A host named Ana (test modules may define their own)."""
    return make_user(roles=("host",), name="Ana")


@pytest.fixture
def admin(make_user):
    return make_user(roles=("admin",), name="Root")


@pytest.fixture
def auth_headers(token_for):
    def headers(user) -> dict:
        return {"Authorization": f"Bearer {token_for(user)}"}

    return headers


@pytest.fixture
def stop_embedded_worker(app):
    """Auto-schedule tests without Redis: cancel what is still running and stop the server's worker thread."""
    yield
    from webapp.models import ScheduleRun

    worker = app.extensions.get("slotwise_embedded_worker")
    if worker is not None:
        for run in db.session.scalars(sa.select(ScheduleRun).where(ScheduleRun.status.in_(("queued", "running")))):
            run.cancel_requested = True
        db.session.commit()
        worker.stop(timeout=30)
