"""The migrations build exactly the models' schema from an empty database, and tear it down again."""
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from webapp import MIGRATIONS_DIR
from webapp.extensions import db

from .conftest import ON_POSTGRES, TEST_DATABASE_URL


@pytest.fixture
def empty_database_url(tmp_path):
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"slotwise_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield TEST_DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_empty_database_upgrades_to_head_matching_the_models(make_app, empty_database_url):
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        upgrade(directory=MIGRATIONS_DIR)
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"users", "conventions", "event_slots", "workshops", "selections", "schedule_runs"} <= tables
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        downgrade(directory=MIGRATIONS_DIR, revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}


NAME_KEY_REVISION = "b3e91c5d2a47"
# a host and an open convention (id 1), as raw rows a migration's test starts from
HOST_AND_CONVENTION = [
    "INSERT INTO users (id, email, display_name, password_hash, created_at, is_active) "
    "VALUES (1, 'h@example.org', 'H', 'x', '2027-01-01 00:00:00', true)",
    "INSERT INTO conventions (id, name, description, start_date, end_date, timezone, status, "
    "registration_fee, created_at) VALUES (1, 'Fest', '', '2027-05-01', '2027-05-02', 'UTC', 'open', 0, "
    "'2027-01-01 00:00:00')",
]


def _just_before(revision: str, statements: list[str]) -> str:
    """Upgrade to the revision before `revision`, write `statements` there, and return that revision's id."""
    from alembic.script import ScriptDirectory

    before = ScriptDirectory(MIGRATIONS_DIR).get_revision(revision).down_revision
    upgrade(directory=MIGRATIONS_DIR, revision=before)
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
    return before


def test_name_keys_are_filled_and_old_case_duplicates_renamed_without_losing_what_refers_to_them(
        make_app, empty_database_url):
    """Rows the ASCII-only check let in twice ("Élan", "élan") get a suffix; SQLite's batch copy of the tables
    (foreign keys switched off for it) keeps every slot, prerequisite and fixed equipment that refers to them."""
    from webapp.models.names import name_key

    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        before = _just_before(NAME_KEY_REVISION, HOST_AND_CONVENTION + [
            "INSERT INTO capabilities (id, name, description) VALUES (1, 'Élan', ''), (2, 'élan', ''), "
            "(3, 'ÉLAN', ''), (4, 'élan (2)', ''), (5, 'Knots', '')",
            "INSERT INTO equipment (id, convention_id, name, quantity) VALUES (1, 1, 'Écran', 1), (2, 1, 'écran', 2)",
            "INSERT INTO locations (id, convention_id, name, capacity) VALUES (1, 1, 'Ägypten', 10), "
            "(2, 1, 'ägypten', 20)",
            "INSERT INTO location_equipment (location_id, equipment_id, quantity) VALUES (2, 2, 1)",
            "INSERT INTO event_slots (id, convention_id, location_id, start, \"end\") VALUES "
            "(1, 1, 1, '2027-05-01 09:00:00', '2027-05-01 10:00:00'), "
            "(2, 1, 2, '2027-05-01 09:00:00', '2027-05-01 10:00:00')",
            "INSERT INTO workshops (id, convention_id, host_id, title, description, max_attendees, duration_slots, "
            "runs, priority, status, created_at, updated_at) VALUES (1, 1, 1, 'W', '', 5, 1, 1, 1, 'published', "
            "'2027-01-01 00:00:00', '2027-01-01 00:00:00')",
            "INSERT INTO workshop_prerequisites (workshop_id, capability_id) VALUES (1, 2), (1, 3)",
        ])
        upgrade(directory=MIGRATIONS_DIR, revision=NAME_KEY_REVISION)
        with db.engine.connect() as connection:
            def rows(table):
                return connection.execute(sa.text(f"SELECT id, name, name_key FROM {table} ORDER BY id")).all()

            capabilities = rows("capabilities")
            assert [name for _, name, _ in capabilities] == ["Élan", "élan (3)", "ÉLAN (4)", "élan (2)", "Knots"]
            assert [name for _, name, _ in rows("equipment")] == ["Écran", "écran (2)"]
            assert [name for _, name, _ in rows("locations")] == ["Ägypten", "ägypten (2)"]
            for table in ("capabilities", "equipment", "locations"):
                assert all(key == name_key(name) for _, name, key in rows(table))
            assert connection.execute(sa.text("SELECT count(*) FROM event_slots")).scalar() == 2
            assert connection.execute(sa.text("SELECT count(*) FROM location_equipment")).scalar() == 1
            assert connection.execute(sa.text(
                "SELECT capability_id FROM workshop_prerequisites ORDER BY capability_id")).scalars().all() == [2, 3]
            with pytest.raises(sa.exc.IntegrityError):
                connection.execute(sa.text("INSERT INTO capabilities (name, description, name_key) "
                                           "VALUES ('ÉLAN', '', :key)"), {"key": name_key("ÉLAN")})
        downgrade(directory=MIGRATIONS_DIR, revision=before)
        downgrade(directory=MIGRATIONS_DIR, revision="base")


TRACK_NAME_KEY_REVISION = "c7d2e9a4f160"


def test_track_name_keys_are_filled_and_old_case_duplicates_renamed_keeping_their_workshops(
        make_app, empty_database_url):
    """Tracks were unique on lower() (ASCII-only on SQLite): "Éco" and "éco" could both be in one convention."""
    from webapp.models.names import name_key

    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        before = _just_before(TRACK_NAME_KEY_REVISION, HOST_AND_CONVENTION + [
            "INSERT INTO conventions (id, name, description, start_date, end_date, timezone, status, "
            "registration_fee, created_at) VALUES (2, 'Other', '', '2027-05-01', '2027-05-02', 'UTC', 'open', 0, "
            "'2027-01-01 00:00:00')",
            "INSERT INTO tracks (id, convention_id, name, colour) VALUES (1, 1, 'Éco', '#112233'), "
            "(2, 1, 'éco', '#445566'), (3, 2, 'ÉCO', '#778899')",
            "INSERT INTO workshops (id, convention_id, host_id, title, description, max_attendees, duration_slots, "
            "runs, priority, status, created_at, updated_at, track_id) VALUES (1, 1, 1, 'W', '', 5, 1, 1, 1, "
            "'published', '2027-01-01 00:00:00', '2027-01-01 00:00:00', 2)",
        ])
        upgrade(directory=MIGRATIONS_DIR, revision=TRACK_NAME_KEY_REVISION)
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT id, name, name_key FROM tracks ORDER BY id")).all()
            assert [name for _, name, _ in rows] == ["Éco", "éco (2)", "ÉCO"]  # another convention's stays
            assert all(key == name_key(name) for _, name, key in rows)
            assert connection.execute(sa.text("SELECT track_id FROM workshops")).scalar() == 2
            with pytest.raises(sa.exc.IntegrityError):
                connection.execute(sa.text("INSERT INTO tracks (convention_id, name, colour, name_key) "
                                           "VALUES (1, 'ÉCO', '#000000', :key)"), {"key": name_key("ÉCO")})
        downgrade(directory=MIGRATIONS_DIR, revision=before)
        downgrade(directory=MIGRATIONS_DIR, revision="base")
