"""Issue 12 items 6 and 7 in the services: what can never fit (the solver's own static reasons, judged on the
form's values), co-hosts named by email, what cancelling takes with it, why the latest auto-schedule run left
a workshop out, and one run's attendees as CSV; each with its permission refusals."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from solver.explain import static_reasons
from solver.instance import Weights, build_instance
from webapp.errors import Conflict, Forbidden, NotFound, ValidationFailed
from webapp.extensions import db
from webapp.models import HostAvailability, ScheduleRun, ScheduleRunUnplaced, Selection, Workshop
from webapp.services import csv_exports, workshop_advice, workshops
from webapp.services.snapshot import build_problem

from . import factories as f
from .factories_hosts import room_slots


@pytest.fixture
def con(app):
    """Makerfest in Berlin: Hall (30 seats, a fixed projector) and Nook (8 seats), four hour-long slots each
    (09:00 UTC on), a pool of two soldering irons."""
    con = f.convention(name="Makerfest", tz="Europe/Berlin")
    projector = f.equipment(con, name="Projector", quantity=0)
    irons = f.equipment(con, name="Soldering iron", quantity=2)
    hall = f.location(con, name="Hall", capacity=30, equipment={projector.id: 1})
    nook = f.location(con, name="Nook", capacity=8)
    for room in (hall, nook):
        f.slots(room, count=4)
    db.session.commit()
    return {"con": con, "hall": hall, "nook": nook, "projector": projector, "irons": irons}


@pytest.fixture
def host(make_user):
    return make_user(roles=("host",), name="Hana Host", email="hana@example.org")


def fits(actor, world, **values):
    values.setdefault("max_attendees", 10)
    return workshop_advice.never_fits(actor, world["con"].id, **values)


# what can never fit ----------------------------------------------------------------------------


def test_a_workshop_that_fits_has_no_reasons(host, con):
    assert fits(host, con, max_attendees=30, duration_slots=4, equipment=[(con["irons"].id, 2)]) == []


def test_more_seats_than_the_largest_room_or_the_allowed_rooms(host, con):
    assert fits(host, con, max_attendees=31) == ["no room seats 31 (largest: Hall, 30 seats)"]
    assert fits(host, con, max_attendees=9, location_ids=[con["nook"].id]) == [
        "no allowed room seats 9 (largest: Nook, 8 seats)"]


def test_longer_than_any_run_of_consecutive_slots(host, con):
    assert fits(host, con, duration_slots=5) == ["no 5 consecutive slots in any suitable room"]


def test_equipment_the_convention_lacks(host, con):
    assert fits(host, con, equipment=[(con["irons"].id, 3)]) == [
        "no room has a Soldering iron and the pool holds 2, needed 3"]
    assert fits(host, con, equipment=[(con["projector"].id, 2)]) == [
        "needs 2 Projector: the best room (Hall) has 1 and the pool holds 0"]


def test_host_availability_that_covers_no_slot_counts_for_a_new_workshop_and_its_cohosts(host, con, make_user):
    late = datetime(2027, 5, 2, 15, 0, tzinfo=timezone.utc)  # the slots are on 1 May
    f.availability(host, con["con"], late, hours=2)
    ana = make_user(roles=("host",), name="Ana", email="ana@example.org")
    f.availability(ana, con["con"], datetime(2027, 5, 1, 9, 0, tzinfo=timezone.utc), hours=1)
    db.session.commit()

    (reason,) = fits(host, con)  # Hana has no workshop yet: her windows count all the same
    assert reason.startswith("host Hana Host's availability windows (Sun 17:00-Sun 19:00) meet no 1 consecutive")

    db.session.delete(db.session.scalar(sa.select(HostAvailability)
                                        .where(HostAvailability.user_id == host.id)))
    db.session.commit()
    assert fits(host, con, cohost_emails=["ANA@example.org"]) == []
    assert fits(host, con, duration_slots=2, cohost_emails=["ana@example.org"])[0].startswith(
        "host Ana's availability windows (Sat 11:00-Sat 12:00) meet no 2 consecutive")
    assert fits(host, con, duration_slots=2, cohost_emails=["nobody@example.org"]) == []  # saving says who is unknown


def test_a_saved_workshop_gets_the_reasons_a_solve_gives_it(host, con):
    ws = f.workshop(con["con"], host, title="Big soldering", max_attendees=12, duration_slots=2,
                    needs={con["irons"].id: 3}, allowed=[con["hall"]])
    db.session.commit()
    problem = build_problem(con["con"].id)
    instance = build_instance(problem, Weights())
    solver_said = static_reasons(instance, instance.workshops[ws.id])

    said = workshop_advice.never_fits(host, None, workshop_id=ws.id, max_attendees=12, duration_slots=2,
                                      location_ids=[con["hall"].id], equipment=[(con["irons"].id, 3)])

    assert said == solver_said == ["no room has a Soldering iron and the pool holds 2, needed 3"]


def test_who_may_ask_what_can_never_fit(host, con, make_user):
    attendee = make_user()
    with pytest.raises(Forbidden):
        fits(attendee, con)
    hidden = f.convention(name="Draft con", status="draft")
    db.session.commit()
    with pytest.raises(ValidationFailed):
        workshop_advice.never_fits(host, hidden.id, max_attendees=5)
    ws = f.workshop(con["con"], host)
    db.session.commit()
    stranger = make_user(roles=("host",))
    with pytest.raises(Forbidden):
        workshop_advice.never_fits(stranger, None, workshop_id=ws.id, max_attendees=5)
    with pytest.raises(Forbidden):
        workshop_advice.saved_never_fits(stranger, ws.id)
    assert workshop_advice.saved_never_fits(host, ws.id) == []


# co-hosts by email -----------------------------------------------------------------------------


def test_cohosts_are_named_by_email_and_every_refusal_names_the_address(host, con, make_user):
    ana = make_user(roles=("host",), email="ana@example.org")
    make_user(email="pat@example.org")  # an attendee, not a host
    base = {"convention_id": con["con"].id, "title": "Knots", "max_attendees": 5}
    refusals = {
        ("nobody@example.org",): "no account uses nobody@example.org: a co-host signs up first, then you add them",
        ("pat@example.org",):
            "pat@example.org is not a host yet: only hosts can co-host (they can apply to host first)",
        ("hana@example.org",): "hana@example.org is the workshop's host already",
        ("ana@example.org", "ANA@example.org"): "given twice: ana@example.org",
    }
    for emails, message in refusals.items():
        with pytest.raises(ValidationFailed) as refused:
            workshops.create_workshop(host, **base, cohost_emails=list(emails))
        assert refused.value.fields == {"cohost_emails": message}
        db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Workshop)) == 0

    view = workshops.create_workshop(host, **base, cohost_emails=[" Ana@Example.org "])
    assert [u.id for u in view.workshop.cohosts] == [ana.id]
    workshops.update_workshop(host, view.workshop.id, cohost_emails=[])
    assert db.session.get(Workshop, view.workshop.id).cohosts == []


# cancelling ------------------------------------------------------------------------------------


def two_placed_runs(con, host, cohost):
    """A workshop of host and cohost with its runs in the Hall's first and third slots."""
    slots = room_slots(con["hall"])
    ws = f.workshop(con["con"], host, runs=2, cohosts=[cohost])
    f.place(ws, slots[:1], 0)
    f.place(ws, slots[2:3], 1)
    return ws, slots


def test_cancellation_impact_counts_who_is_affected_and_only_the_owner_or_an_admin_may_ask(host, con, make_user,
                                                                                           admin):
    cohost = make_user(roles=("host",))
    ws, slots = two_placed_runs(con, host, cohost)
    for status in ("registered", "registered", "waitlisted", "interested"):
        f.selection(make_user(), ws, status, slot=slots[0] if status != "interested" else None)
    db.session.commit()

    for actor in (host, admin):
        _, impact = workshops.cancellation_impact(actor, ws.id)
        assert (impact.registered, impact.waitlisted, impact.placed_runs) == (2, 1, 2)
        db.session.rollback()
    with pytest.raises(Forbidden):
        workshops.cancellation_impact(cohost, ws.id)
    db.session.rollback()
    workshops.delete_workshop(host, ws.id)
    db.session.commit()
    with pytest.raises(Conflict):
        workshops.cancellation_impact(host, ws.id)


# why it was not placed -------------------------------------------------------------------------


def _run(con, status, unplaced, finished_at):
    run = ScheduleRun(convention_id=con.id, status=status, finished_at=finished_at)
    run.unplaced = [ScheduleRunUnplaced(workshop_id=w, run_index=i, reasons=r) for w, i, r in unplaced]
    db.session.add(run)
    db.session.flush()
    return run


def test_the_latest_runs_reasons_for_the_hosts_own_workshops(host, con, make_user, admin):
    mine = f.workshop(con["con"], host, title="Mine", runs=2)
    theirs = f.workshop(con["con"], make_user(roles=("host",)), title="Theirs")
    t = datetime(2027, 4, 1, 10, 0, tzinfo=timezone.utc)
    _run(con["con"], "rejected", [(mine.id, None, ["an old reason"])], t)
    latest = _run(con["con"], "succeeded", [(mine.id, 1, ["no room seats 40"]), (theirs.id, None, ["theirs"])],
                  t + timedelta(hours=1))
    _run(con["con"], "failed", [], t + timedelta(hours=2))  # a failed run has no reasons; it does not count
    db.session.commit()

    notes = workshop_advice.latest_unplaced_reasons(host, [mine.id, theirs.id])

    assert list(notes) == [mine.id]
    (note,) = notes[mine.id]
    assert (note.run_id, note.run_index, note.reasons) == (latest.id, 1, ("no room seats 40",))
    assert set(workshop_advice.latest_unplaced_reasons(admin, [mine.id, theirs.id])) == {mine.id, theirs.id}
    assert workshop_advice.latest_unplaced_reasons(make_user(), [mine.id]) == {}


# one run's attendees as CSV --------------------------------------------------------------------


def test_one_runs_attendee_list_for_its_hosts_and_admins_only(host, con, make_user, admin):
    cohost = make_user(roles=("host",))
    ws, slots = two_placed_runs(con, host, cohost)
    first = make_user(name="Ann First", email="ann@example.org")
    second = make_user(name="=Bob Second", email="bob@example.org")
    f.selection(first, ws, "registered", slot=slots[0])
    f.selection(second, ws, "registered", slot=slots[2])
    db.session.commit()

    for actor in (host, cohost, admin):
        rows = list(csv.reader(io.StringIO(csv_exports.attendees_csv(actor, ws.id, 1))))
        assert rows == [["run start", "room", "name", "email", "status", "waitlist position"],
                        ["2027-05-01 13:00", "Hall", "'=Bob Second", "bob@example.org", "registered", ""]]
    with pytest.raises(Forbidden):
        csv_exports.attendees_csv(first, ws.id, 0)
    with pytest.raises(NotFound):
        csv_exports.attendees_csv(host, ws.id, 5)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Selection)) == 2
