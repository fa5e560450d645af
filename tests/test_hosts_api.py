"""Hosts over JSON: applying, admins reviewing, own workshops, availability windows (merged)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import HostApplication, HostAvailability, OutboxMessage, User

from . import factories as f
from .query_count import count_queries


def _error(response, status):
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]


def at(hour: int, minute: int = 0, day: int = 1) -> str:
    return datetime(2027, 5, day, hour, minute, tzinfo=timezone.utc).isoformat()


# -- applications ---------------------------------------------------------------------------


def test_apply_review_and_become_host(client, auth_headers, make_user):
    applicant = make_user(email="ann@example.org", name="Ann")
    admin = make_user(roles=("admin",))
    con = f.convention()
    response = client.post("/api/hosts/apply", json={"convention_id": con.id, "motivation": "I teach knots"},
                           headers=auth_headers(applicant))
    assert response.status_code == 201, response.get_json()
    application = response.get_json()
    assert (application["status"], application["convention_id"], application["user_id"]) == (
        "pending", con.id, applicant.id)
    pending = client.get("/api/hosts/pending", headers=auth_headers(admin)).get_json()
    assert pending["total"] == 1 and pending["items"][0]["motivation"] == "I teach knots"
    assert pending["items"][0]["email"] == "ann@example.org"
    response = client.post(f"/api/hosts/{application['id']}/approve", headers=auth_headers(admin))
    assert response.status_code == 200 and response.get_json()["status"] == "approved"
    assert response.get_json()["reviewed_by_id"] == admin.id
    assert db.session.get(User, applicant.id).has_role("host")
    mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == "ann@example.org")).one()
    assert "approved" in mail.body
    assert client.get("/api/hosts/pending", headers=auth_headers(admin)).get_json()["total"] == 0
    assert _error(client.post(f"/api/hosts/{application['id']}/reject", headers=auth_headers(admin)), 409)[
        "code"] == "application_reviewed"
    # a host now: may propose a workshop
    response = client.post("/api/workshops", json={"convention_id": con.id, "title": "Knots", "max_attendees": 5},
                           headers=auth_headers(applicant))
    assert response.status_code == 201


def test_reject_keeps_the_role_and_mails(client, auth_headers, make_user):
    applicant = make_user(email="bo@example.org")
    admin = make_user(roles=("admin",))
    app_id = client.post("/api/hosts/apply", json={}, headers=auth_headers(applicant)).get_json()["id"]
    response = client.post(f"/api/hosts/{app_id}/reject", headers=auth_headers(admin))
    assert response.status_code == 200 and response.get_json()["status"] == "rejected"
    assert not db.session.get(User, applicant.id).has_role("host")
    to_applicant = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == "bo@example.org"))
    assert "not approved" in to_applicant.one().body
    # rejected: may apply again
    assert client.post("/api/hosts/apply", json={"motivation": "again"}, headers=auth_headers(applicant)).status_code == 201


def test_one_pending_application_at_a_time(client, auth_headers, make_user):
    applicant = make_user()
    headers = auth_headers(applicant)
    assert client.post("/api/hosts/apply", json={"motivation": "one"}, headers=headers).status_code == 201
    assert _error(client.post("/api/hosts/apply", json={"motivation": "two"}, headers=headers), 409)[
        "code"] == "application_pending"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HostApplication)) == 1


def test_apply_bad_input(client, auth_headers, make_user):
    headers = auth_headers(make_user())
    assert _error(client.post("/api/hosts/apply", json={"convention_id": 77}, headers=headers), 422)["fields"] == {
        "convention_id": "unknown: 77"}
    assert "motivation" in _error(client.post("/api/hosts/apply", json={"motivation": "m" * 5001}, headers=headers),
                                  422)["fields"]
    assert "motivation" in _error(client.post("/api/hosts/apply", json={"motivation": 5}, headers=headers),
                                  422)["fields"]
    assert client.post("/api/hosts/apply", data=b"{", content_type="application/json", headers=headers).status_code == 400
    assert _error(client.post("/api/hosts/apply", json={}, headers=auth_headers(make_user(roles=("host",)))), 409)[
        "code"] == "already_host"
    assert client.post("/api/hosts/apply", json={}).status_code == 401


@pytest.mark.parametrize("who,status", [(None, 401), ("attendee", 403), ("host", 403), ("admin", 200)])
def test_only_admins_review(client, auth_headers, make_user, who, status):
    people = {"attendee": make_user(), "host": make_user(roles=("host",)), "admin": make_user(roles=("admin",))}
    application = HostApplication(user_id=make_user().id, motivation="x")
    db.session.add(application)
    db.session.commit()
    headers = auth_headers(people[who]) if who else {}
    assert client.get("/api/hosts/pending", headers=headers).status_code == status
    assert client.post(f"/api/hosts/{application.id}/approve", headers=headers).status_code == status
    db.session.refresh(application)
    assert (application.status == "approved") == (status == 200)


def test_unknown_application_is_404(client, auth_headers, make_user):
    headers = auth_headers(make_user(roles=("admin",)))
    assert client.post("/api/hosts/999/approve", headers=headers).status_code == 404
    assert client.post("/api/hosts/999/reject", headers=headers).status_code == 404


# -- my workshops ---------------------------------------------------------------------------


def test_my_workshops_lists_hosted_and_cohosted_with_runs_and_counts(client, auth_headers, make_user):
    host, other = make_user(roles=("host",)), make_user(roles=("host",))
    con = f.convention()
    s = f.slots(f.location(con), count=2)
    own = f.workshop(con, host, title="Own")
    shared = f.workshop(con, other, title="Shared", cohosts=[host])
    f.workshop(con, other, title="Not mine")
    f.place(own, [s[0]])
    f.selection(make_user(), own, status="registered", slot=s[0])
    f.selection(make_user(), own, status="registered", slot=s[0])
    data = client.get("/api/hosts/my-workshops", headers=auth_headers(host)).get_json()
    assert data["total"] == 2
    by_title = {w["title"]: w for w in data["items"]}
    assert set(by_title) == {"Own", "Shared"}
    assert by_title["Own"]["counts"]["registered"] == 2
    assert by_title["Own"]["placed_runs"][0]["event_slot_ids"] == [s[0].id]
    assert by_title["Shared"]["id"] == shared.id
    assert client.get("/api/hosts/my-workshops", headers=auth_headers(make_user())).status_code == 403
    assert client.get("/api/hosts/my-workshops").status_code == 401


def test_my_workshops_query_count_does_not_grow(client, auth_headers, make_user):
    host = make_user(roles=("host",))
    con = f.convention()
    headers = auth_headers(host)

    def add(count):
        for _ in range(count):
            ws = f.workshop(con, host, cohosts=[make_user(roles=("host",))])
            f.selection(make_user(), ws)
        db.session.commit()

    add(1)
    with count_queries() as few:
        client.get("/api/hosts/my-workshops", headers=headers)
    add(8)
    with count_queries() as many:
        assert client.get("/api/hosts/my-workshops", headers=headers).get_json()["total"] == 9
    assert many.count == few.count


# -- availability ---------------------------------------------------------------------------


@pytest.fixture
def host(make_user):
    return make_user(roles=("host",))


def _add(client, headers, con, start, end, **extra):
    return client.post("/api/hosts/availability", json={"convention_id": con.id, "start": start, "end": end, **extra},
                       headers=headers)


def _windows(user, con):
    return [(w.start, w.end) for w in db.session.scalars(
        sa.select(HostAvailability).where(HostAvailability.user_id == user.id, HostAvailability.convention_id == con.id)
        .order_by(HostAvailability.start))]


def test_add_and_list_availability(client, auth_headers, host):
    con = f.convention()
    headers = auth_headers(host)
    listed = client.get(f"/api/hosts/availability?convention_id={con.id}", headers=headers).get_json()
    assert listed == {"items": [], "total": 0, "always_available": True}
    response = _add(client, headers, con, at(9), at(12))
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["start"], response.get_json()["end"]) == (at(9), at(12))
    _add(client, headers, con, at(14), at(16))
    listed = client.get(f"/api/hosts/availability?convention_id={con.id}", headers=headers).get_json()
    assert [(w["start"], w["end"]) for w in listed["items"]] == [(at(9), at(12)), (at(14), at(16))]
    assert listed["always_available"] is False


def test_overlapping_and_touching_windows_merge(client, auth_headers, host):
    con = f.convention()
    headers = auth_headers(host)
    _add(client, headers, con, at(9), at(10))
    _add(client, headers, con, at(11), at(12))
    _add(client, headers, con, at(14), at(15))
    # touches the first at 10:00 and overlaps the second: the three become one
    response = _add(client, headers, con, at(10), at(11, 30))
    assert (response.get_json()["start"], response.get_json()["end"]) == (at(9), at(12))
    hours = [(s.hour, e.hour) for s, e in _windows(host, con)]
    assert hours == [(9, 12), (14, 15)]
    # inside an existing window: nothing new
    _add(client, headers, con, at(9, 30), at(10))
    assert len(_windows(host, con)) == 2
    # an offset other than UTC is the same instant
    response = _add(client, headers, con, "2027-05-01T17:00:00+02:00", "2027-05-01T18:00:00+02:00")
    assert response.get_json()["start"] == at(14) and response.get_json()["end"] == at(16)
    assert [(s.hour, e.hour) for s, e in _windows(host, con)] == [(9, 12), (14, 16)]


def test_windows_of_other_hosts_and_conventions_do_not_merge(client, auth_headers, host, make_user):
    con, other_con = f.convention(), f.convention(name="Other")
    other = make_user(roles=("host",))
    _add(client, auth_headers(other), con, at(9), at(12))
    _add(client, auth_headers(host), other_con, at(9), at(12))
    _add(client, auth_headers(host), con, at(11), at(13))
    assert [(s.hour, e.hour) for s, e in _windows(host, con)] == [(11, 13)]
    assert [(s.hour, e.hour) for s, e in _windows(other, con)] == [(9, 12)]


@pytest.mark.parametrize(
    "start,end,field",
    [
        (at(12), at(9), "end"),
        (at(9), at(9), "end"),
        ("2027-04-30T20:00:00+00:00", at(9), "start"),  # before the first day
        (at(9, day=3), "2027-05-04T01:00:00+00:00", "end"),  # after the last day
        ("2027-05-01T09:00:00", at(12), "start"),  # no offset
        ("tomorrow", at(12), "start"),
    ],
)
def test_bad_windows_are_422(client, auth_headers, host, start, end, field):
    con = f.convention(days=3)
    assert field in _error(_add(client, auth_headers(host), con, start, end), 422)["fields"]
    assert _windows(host, con) == []


def test_bounds_follow_the_conventions_time_zone(client, auth_headers, host):
    con = f.convention(days=1, tz="Europe/Berlin")  # 1 May 00:00 Berlin = 30 April 22:00 UTC
    headers = auth_headers(host)
    assert _add(client, headers, con, "2027-04-30T22:00:00+00:00", "2027-04-30T23:00:00+00:00").status_code == 201
    assert _add(client, headers, con, "2027-04-30T21:00:00+00:00", "2027-04-30T22:00:00+00:00").status_code == 422
    assert _add(client, headers, con, "2027-05-01T21:00:00+00:00", "2027-05-01T22:00:00+00:00").status_code == 201
    assert _add(client, headers, con, "2027-05-01T21:00:00+00:00", "2027-05-01T22:30:00+00:00").status_code == 422


def test_availability_permissions(client, auth_headers, host, make_user):
    con = f.convention()
    admin, attendee, other = make_user(roles=("admin",)), make_user(), make_user(roles=("host",))
    assert _add(client, {}, con, at(9), at(10)).status_code == 401
    assert _add(client, auth_headers(attendee), con, at(9), at(10)).status_code == 403
    assert _add(client, auth_headers(other), con, at(9), at(10), user_id=host.id).status_code == 403
    response = _add(client, auth_headers(admin), con, at(9), at(10), user_id=host.id)
    assert response.status_code == 201 and response.get_json()["user_id"] == host.id
    assert _error(_add(client, auth_headers(admin), con, at(9), at(10), user_id=9999), 422)["fields"] == {
        "user_id": "unknown: 9999"}
    assert client.get(f"/api/hosts/availability?user_id={host.id}", headers=auth_headers(admin)).get_json()[
        "total"] == 1
    assert client.get(f"/api/hosts/availability?user_id={host.id}", headers=auth_headers(other)).status_code == 403
    window_id = response.get_json()["id"]
    assert client.delete(f"/api/hosts/availability/{window_id}", headers=auth_headers(other)).status_code == 403
    assert client.delete(f"/api/hosts/availability/{window_id}", headers=auth_headers(host)).status_code == 204
    assert _windows(host, con) == []
    again = _add(client, auth_headers(host), con, at(9), at(10)).get_json()["id"]
    assert client.delete(f"/api/hosts/availability/{again}", headers=auth_headers(admin)).status_code == 204
    assert client.delete(f"/api/hosts/availability/{again}", headers=auth_headers(admin)).status_code == 404


def test_availability_in_unknown_draft_or_closed_convention(client, auth_headers, host):
    headers = auth_headers(host)
    draft, closed = f.convention(name="Draft", status="draft"), f.convention(name="Closed", status="closed")
    assert _error(_add(client, headers, draft, at(9), at(10)), 422)["fields"] == {"convention_id": f"unknown: {draft.id}"}
    assert _error(_add(client, headers, closed, at(9), at(10)), 409)["code"] == "convention_closed"
    body = {"convention_id": 4242, "start": at(9), "end": at(10)}
    assert "convention_id" in _error(client.post("/api/hosts/availability", json=body, headers=headers), 422)["fields"]


def test_availability_feeds_placement(client, auth_headers, host, make_user):
    """A window entered here is the one placement judges."""
    con = f.convention()
    s = f.slots(f.location(con), count=3)
    ws = f.workshop(con, host)
    _add(client, auth_headers(host), con, at(9), at(10))
    admin = auth_headers(make_user(roles=("admin",)))
    late = client.post(f"/api/workshops/{ws.id}/assign-slot", json={"event_slot_id": s[2].id}, headers=admin)
    assert late.status_code == 409
    assert late.get_json()["error"]["fields"]["violations"][0]["code"] == "host_unavailable"
    assert client.post(f"/api/workshops/{ws.id}/assign-slot", json={"event_slot_id": s[0].id},
                       headers=admin).status_code == 201
