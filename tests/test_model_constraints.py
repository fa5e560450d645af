"""The database itself refuses rows that break the domain's integrity rules."""
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import (
    Convention, EventSlot, Location, ScheduleRun, Selection, User, UserRole, Workshop,
)

T0 = datetime(2027, 5, 1, 9, tzinfo=timezone.utc)


def _convention(name="Con") -> Convention:
    convention = Convention(name=name, start_date=date(2027, 5, 1), end_date=date(2027, 5, 3), timezone="Europe/Berlin")
    db.session.add(convention)
    db.session.flush()
    return convention


def _location(convention, name="Room A", capacity=20) -> Location:
    location = Location(convention_id=convention.id, name=name, capacity=capacity)
    db.session.add(location)
    db.session.flush()
    return location


def _assert_rejected(row) -> None:
    db.session.add(row)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_slot_end_must_follow_start(app):
    convention = _convention()
    location = _location(convention)
    db.session.commit()
    _assert_rejected(EventSlot(convention_id=convention.id, location_id=location.id, start=T0, end=T0))


def test_slot_convention_must_be_its_locations(app):
    first, second = _convention("First"), _convention("Second")
    location = _location(first)
    db.session.commit()
    _assert_rejected(EventSlot(convention_id=second.id, location_id=location.id, start=T0, end=T0 + timedelta(hours=1)))
    ok = EventSlot(convention_id=first.id, location_id=location.id, start=T0, end=T0 + timedelta(hours=1))
    db.session.add(ok)
    db.session.commit()
    assert ok.id is not None


def test_two_slots_cannot_start_together_in_one_room(app):
    convention = _convention()
    location = _location(convention)
    db.session.add(EventSlot(convention_id=convention.id, location_id=location.id, start=T0, end=T0 + timedelta(hours=1)))
    db.session.commit()
    _assert_rejected(EventSlot(convention_id=convention.id, location_id=location.id, start=T0, end=T0 + timedelta(hours=2)))


def test_capacity_and_convention_dates_are_checked(app):
    convention = _convention()
    db.session.commit()
    _assert_rejected(Location(convention_id=convention.id, name="Broom cupboard", capacity=-1))
    _assert_rejected(Convention(name="Backwards", start_date=date(2027, 5, 3), end_date=date(2027, 5, 1)))
    _assert_rejected(Convention(name="Unknown status", start_date=date(2027, 5, 1), end_date=date(2027, 5, 1), status="maybe"))


def test_email_is_unique_and_lower_case(app, make_user):
    make_user(email="ana@example.org")
    _assert_rejected(User(email="ana@example.org", display_name="Ana again"))
    _assert_rejected(User(email="Bob@Example.org", display_name="Bob"))


def test_unknown_role_is_refused(app, make_user):
    user = make_user()
    _assert_rejected(UserRole(user_id=user.id, role="superuser"))


def test_workshop_needs_positive_duration_and_runs(app, make_user):
    host = make_user(roles=("host",))
    convention = _convention()
    db.session.commit()
    base = dict(convention_id=convention.id, host_id=host.id, title="Knots", max_attendees=10)
    _assert_rejected(Workshop(**base, duration_slots=0))
    _assert_rejected(Workshop(**base, runs=0))
    _assert_rejected(Workshop(**base | {"max_attendees": -5}))


def test_one_selection_per_user_and_workshop(app, make_user):
    host, attendee = make_user(roles=("host",)), make_user()
    convention = _convention()
    workshop = Workshop(convention_id=convention.id, host_id=host.id, title="Knots", max_attendees=10)
    db.session.add(workshop)
    db.session.flush()
    db.session.add(Selection(user_id=attendee.id, workshop_id=workshop.id, rank=1))
    db.session.commit()
    _assert_rejected(Selection(user_id=attendee.id, workshop_id=workshop.id, rank=2))
    _assert_rejected(Selection(user_id=host.id, workshop_id=workshop.id, rank=0))


def test_at_most_one_active_schedule_run_per_convention(app):
    convention = _convention()
    db.session.add(ScheduleRun(convention_id=convention.id, status="succeeded"))
    db.session.add(ScheduleRun(convention_id=convention.id, status="running"))
    db.session.commit()
    _assert_rejected(ScheduleRun(convention_id=convention.id, status="queued"))
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ScheduleRun))
    assert count == 2


def test_naive_datetimes_are_refused_and_times_come_back_in_utc(app):
    convention = _convention()
    location = _location(convention)
    db.session.commit()
    slot = EventSlot(convention_id=convention.id, location_id=location.id,
                     start=datetime(2027, 5, 1, 9), end=datetime(2027, 5, 1, 10))
    db.session.add(slot)
    with pytest.raises(Exception, match="naive datetime"):
        db.session.flush()
    db.session.rollback()
    berlin = timezone(timedelta(hours=2))
    slot = EventSlot(convention_id=convention.id, location_id=location.id,
                     start=datetime(2027, 5, 1, 11, tzinfo=berlin), end=datetime(2027, 5, 1, 12, tzinfo=berlin))
    db.session.add(slot)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(EventSlot, slot.id)
    assert stored.start == T0 and stored.start.tzinfo == timezone.utc
