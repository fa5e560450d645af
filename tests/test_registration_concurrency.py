"""Capacity holds under concurrent registrations: many threads, each a request of its own (own app
context, own session, own connection), registering different attendees for one run at once.

On PostgreSQL the run's first slot row is locked with SELECT ... FOR UPDATE before seats are
counted; on SQLite the first write of the transaction takes the single write lock. Both are
exercised here; each test runs only on its own database."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import OutboxMessage, Selection
from webapp.services.accounts import issue_api_token

from . import factories as f
from . import factories_attending as fa
from .conftest import ON_POSTGRES


def _all_at_once(app, jobs):
    """Run each (method, url, token, body) as a request in its own thread, released together."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def work(index, method, url, token, body):
        client = app.test_client()  # no app context in this thread: the request makes its own
        try:
            barrier.wait(timeout=30)
            response = client.open(url, method=method, json=body, headers={"Authorization": f"Bearer {token}"})
            results[index] = (response.status_code, response.get_json())
        except Exception as exc:  # recorded, so the assertion below shows it
            results[index] = (None, repr(exc))

    threads = [threading.Thread(target=work, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return results


def _statuses(ws) -> dict[int, str]:
    db.session.expire_all()
    return dict(db.session.execute(sa.select(Selection.user_id, Selection.status).where(Selection.workshop_id == ws.id)).all())


def _assert_capacity_holds(app, make_user, *, people: int, seats: int, cancels: int):
    host = make_user(roles=("host",))
    con = f.convention()
    room = f.location(con, capacity=500)
    ws = f.workshop(con, host, title="Popular", max_attendees=seats)
    first = fa.run(ws, room, fa.at(0))[0]
    users = [make_user() for _ in range(people)]
    for user in users:
        f.registration(user, con)
    tokens = {user.id: issue_api_token(user)[0] for user in users}
    db.session.commit()

    url = f"/api/workshops/{ws.id}/register"
    results = _all_at_once(app, [("POST", url, tokens[u.id], {"event_slot_id": first.id}) for u in users])
    assert all(code == 201 for code, _ in results), results
    answered = [body["status"] for _, body in results]
    assert answered.count("registered") == seats and answered.count("waitlisted") == people - seats

    statuses = _statuses(ws)
    assert len(statuses) == people  # one row per attendee, no duplicates
    assert list(statuses.values()).count("registered") == seats
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Selection)) == people
    queue = db.session.execute(
        sa.select(Selection.user_id, Selection.id).where(Selection.workshop_id == ws.id, Selection.status == "waitlisted")
        .order_by(Selection.queued_at, Selection.id)
    ).all()
    assert len(queue) == people - seats

    seated = [uid for uid, status in statuses.items() if status == "registered"][:cancels]
    selection_ids = dict(db.session.execute(
        sa.select(Selection.user_id, Selection.id).where(Selection.workshop_id == ws.id)).all())
    results = _all_at_once(app, [("DELETE", f"/api/attendees/selections/{selection_ids[uid]}", tokens[uid], None)
                                 for uid in seated])
    assert all(code == 200 and body["status"] == "cancelled" for code, body in results), results

    after = _statuses(ws)
    promoted = {uid for uid, _ in queue[:cancels]}
    assert {uid for uid, status in after.items() if status == "registered"} == \
        ({uid for uid, s in statuses.items() if s == "registered"} - set(seated)) | promoted
    assert [uid for uid, _ in queue[cancels:]] == [
        uid for uid, _ in db.session.execute(
            sa.select(Selection.user_id, Selection.id).where(Selection.workshop_id == ws.id,
                                                             Selection.status == "waitlisted")
            .order_by(Selection.queued_at, Selection.id)).all()]
    emails = {u.id: u.email for u in users}
    assert sorted(db.session.scalars(sa.select(OutboxMessage.recipient))) == sorted(emails[uid] for uid in promoted)


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks (SELECT ... FOR UPDATE) need PostgreSQL: "
                    "set SLOTWISE_TEST_DATABASE_URL to a PostgreSQL URL to run this")
def test_forty_concurrent_registrations_fill_ten_seats_on_postgres(app, make_user):
    _assert_capacity_holds(app, make_user, people=40, seats=10, cancels=5)


@pytest.mark.skipif(ON_POSTGRES, reason="exercises SQLite's single-writer lock; the PostgreSQL variant runs instead")
def test_concurrent_registrations_respect_capacity_on_sqlite(app, make_user):
    _assert_capacity_holds(app, make_user, people=16, seats=4, cancels=3)


def test_one_person_registering_many_times_at_once_gets_one_row(app, make_user):
    """Runs on either database: simultaneous first requests of one person leave one row each."""
    from webapp.models import ConventionRegistration

    host, user = make_user(roles=("host",)), make_user()
    con = f.convention()
    ws = f.workshop(con, host)
    token = issue_api_token(user)[0]
    db.session.commit()
    results = _all_at_once(app, [("POST", f"/api/conventions/{con.id}/register", token, None)] * 8)
    codes = sorted(code for code, _ in results)
    assert codes.count(201) == 1 and set(codes) <= {200, 201, 409}, results
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConventionRegistration)) == 1
    results = _all_at_once(app, [("POST", f"/api/workshops/{ws.id}/show-interest", token, {"rank": 2})] * 8)
    codes = sorted(code for code, _ in results)
    assert codes.count(201) == 1 and set(codes) <= {200, 201, 409}, results
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Selection)) == 1
