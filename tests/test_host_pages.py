"""Hosts' pages through the test client: applying, availability in the convention's local time, proposing
and editing own workshops; form errors beside the inputs with nothing written; attendees refused."""
from __future__ import annotations

import html
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import HostApplication, HostAvailability, Workshop

from . import factories as f
from .conftest import PASSWORD


def sign_in(client, user) -> None:
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def berlin(app):
    con = f.convention(name="Makerfest", tz="Europe/Berlin")
    db.session.commit()
    return con


@pytest.fixture
def host(make_user):
    return make_user(roles=("host",), name="Hana Host")


# applying -------------------------------------------------------------------------------------


def test_attendee_applies_and_sees_the_pending_status(client, make_user, berlin):
    attendee = make_user(name="Ann")
    sign_in(client, attendee)
    assert "Apply to host" in text(client.get("/host/apply"))

    response = client.post("/host/apply", data={"convention_id": str(berlin.id), "motivation": "I teach knots"})

    assert response.status_code == 200
    assert 'data-status="pending"' in text(response) and "your application is" in text(response)
    row = db.session.scalar(sa.select(HostApplication))
    assert (row.user_id, row.convention_id, row.motivation, row.status) == (attendee.id, berlin.id, "I teach knots", "pending")

    again = client.post("/host/apply", data={"motivation": "please"})
    assert again.status_code == 409
    assert "pending application already" in text(again)
    assert count(HostApplication) == 1


def test_apply_with_a_bad_convention_shows_the_field_error_and_writes_nothing(client, make_user):
    sign_in(client, make_user())

    response = client.post("/host/apply", data={"convention_id": "abc", "motivation": "x"})

    assert response.status_code == 422
    page = text(response)
    assert 'id="convention_id-error"' in page and "Enter a whole number." in page
    assert count(HostApplication) == 0


def test_a_host_is_told_they_host_already(client, host):
    sign_in(client, host)
    page = text(client.get("/host/apply"))
    assert "You are a host already" in page and "Apply to host" not in page


def test_host_pages_need_signing_in(client):
    for url in ("/host/apply", "/host/availability", "/host/workshops"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url


# availability ---------------------------------------------------------------------------------


def test_attendees_cannot_open_or_write_availability(client, make_user, berlin):
    sign_in(client, make_user())
    assert client.get(f"/host/availability?convention_id={berlin.id}").status_code == 403
    response = client.post("/host/availability", data={"convention_id": berlin.id, "start": "2027-05-01T10:00",
                                                       "end": "2027-05-01T12:00"})
    assert response.status_code == 403
    assert count(HostAvailability) == 0


def test_no_windows_means_always_available_and_a_window_is_read_in_local_time(client, host, berlin):
    sign_in(client, host)
    page = text(client.get(f"/host/availability?convention_id={berlin.id}"))
    assert "always available" in page and 'min="2027-05-01T00:00"' in page

    response = client.post("/host/availability", data={
        "convention_id": berlin.id, "start": "2027-05-01T10:00", "end": "2027-05-01T12:30"})

    assert response.status_code == 302
    row = db.session.scalar(sa.select(HostAvailability))
    assert (row.user_id, row.convention_id) == (host.id, berlin.id)
    assert row.start == datetime(2027, 5, 1, 8, 0, tzinfo=timezone.utc)  # 10:00 in Berlin (CEST)
    assert row.end == datetime(2027, 5, 1, 10, 30, tzinfo=timezone.utc)
    page = text(client.get(response.headers["Location"]))
    assert "Window added." in page and "always available" not in page
    assert "Sat 01 May 10:00" in page and "Sat 01 May 12:30" in page


def test_touching_windows_are_merged_and_the_page_says_so(client, host, berlin):
    f.availability(host, berlin, datetime(2027, 5, 1, 8, 0, tzinfo=timezone.utc), hours=2)
    db.session.commit()
    sign_in(client, host)

    response = client.post("/host/availability", data={
        "convention_id": berlin.id, "start": "2027-05-01T12:00", "end": "2027-05-01T14:00"}, follow_redirects=True)

    assert "merged" in text(response)
    rows = db.session.scalars(sa.select(HostAvailability)).all()
    assert [(r.start.hour, r.end.hour) for r in rows] == [(8, 12)]


@pytest.mark.parametrize("start, end, field, message", [
    ("2027-05-01T12:00", "2027-05-01T10:00", "end", "must be after start"),
    ("2027-06-01T10:00", "2027-06-01T12:00", "start", "must be within the convention"),
    ("tomorrow", "2027-05-01T10:00", "start", "Enter a date and time"),
    ("", "2027-05-01T10:00", "start", "Fill this in."),
])
def test_a_bad_window_is_shown_beside_the_input_and_nothing_is_written(client, host, berlin, start, end, field,
                                                                       message):
    sign_in(client, host)

    response = client.post("/host/availability", data={"convention_id": berlin.id, "start": start, "end": end})

    assert response.status_code == 422
    page = text(response)
    error = page[page.index(f'id="{field}-error"'):]
    assert message in error[:error.index("</p>")]
    assert f'value="{end}"' in page  # what was typed stays
    assert count(HostAvailability) == 0


def test_delete_own_window_but_not_anothers(client, host, make_user, berlin):
    mine = f.availability(host, berlin, datetime(2027, 5, 1, 8, 0, tzinfo=timezone.utc))
    other_host = make_user(roles=("host",))
    theirs = f.availability(other_host, berlin, datetime(2027, 5, 2, 8, 0, tzinfo=timezone.utc))
    db.session.commit()
    mine_id, theirs_id = mine.id, theirs.id
    sign_in(client, host)

    assert client.post(f"/host/availability/{theirs_id}/delete", data={"convention_id": berlin.id}).status_code == 403
    response = client.post(f"/host/availability/{mine_id}/delete", data={"convention_id": berlin.id},
                           follow_redirects=True)

    assert "Window removed." in text(response) and "always available" in text(response)
    assert [r.id for r in db.session.scalars(sa.select(HostAvailability))] == [theirs_id]


def test_unknown_convention_on_the_availability_page_is_not_found(client, host):
    sign_in(client, host)
    assert client.get("/host/availability?convention_id=999").status_code == 404
    assert client.get("/host/availability?convention_id=nope").status_code == 422


# own workshops --------------------------------------------------------------------------------


def test_host_sees_own_workshops_with_placed_runs_and_registered_counts(client, host, make_user, berlin):
    room = f.location(berlin, name="Hall 1", capacity=10)
    slots = f.slots(room, 2)
    mine = f.workshop(berlin, host, title="Knots", runs=2)
    f.place(mine, slots[:1])
    someone_elses = f.workshop(berlin, make_user(roles=("host",)), title="Not mine")
    for _ in range(3):
        attendee = make_user()
        f.registration(attendee, berlin)
        f.selection(attendee, mine, status="registered", slot=slots[0])
    db.session.commit()
    sign_in(client, host)

    page = text(client.get("/host/workshops"))

    row = page[page.index(f'<tr id="workshop-{mine.id}"'):]
    row = row[:row.index("</tr>")]
    assert "Knots" in row and "Makerfest" in row and "Sat 01 May 11:00, Hall 1" in row
    assert "1 of 2 placed" in row
    assert '<td class="registered" data-label="Registered">3' in row
    assert "Not mine" not in page and f"workshop-{someone_elses.id}" not in page


def test_attendee_cannot_open_or_post_to_my_workshops(client, make_user, berlin):
    sign_in(client, make_user())
    assert client.get("/host/workshops").status_code == 403
    response = client.post("/host/workshops", data={"convention_id": berlin.id, "title": "X", "max_attendees": "5"})
    assert response.status_code == 403
    assert count(Workshop) == 0


def test_propose_a_workshop(client, host, berlin):
    sign_in(client, host)

    response = client.post("/host/workshops", data={
        "convention_id": str(berlin.id), "title": "  Knots  ", "description": "Bowline and more",
        "max_attendees": "12", "duration_slots": "2", "runs": "", })

    assert response.status_code == 302
    row = db.session.scalar(sa.select(Workshop))
    assert (row.title, row.description, row.max_attendees, row.duration_slots, row.runs, row.host_id) == \
        ("Knots", "Bowline and more", 12, 2, 1, host.id)  # a blank "runs" takes the API's default
    page = text(client.get(response.headers["Location"]))
    assert "Workshop 'Knots' proposed." in page and f'<tr id="workshop-{row.id}"' in page


def test_propose_with_bad_fields_shows_each_error_and_writes_nothing(client, host, berlin):
    sign_in(client, host)

    response = client.post("/host/workshops", data={
        "convention_id": str(berlin.id), "title": "   ", "max_attendees": "0", "duration_slots": "two", "runs": "21"})

    assert response.status_code == 422
    page = text(response)
    for field in ("title", "max_attendees", "duration_slots", "runs"):
        assert f'id="{field}-error"' in page, field
    assert "Enter a whole number." in page and "greater than or equal to 1" in page
    assert 'value="21"' in page
    assert count(Workshop) == 0


def test_propose_in_a_closed_convention_is_a_friendly_409(client, host):
    closed = f.convention(status="closed")
    db.session.commit()
    sign_in(client, host)

    response = client.post("/host/workshops", data={"convention_id": closed.id, "title": "Late", "max_attendees": "3"})

    assert response.status_code == 409
    assert "The convention is closed" in text(response)
    assert count(Workshop) == 0


def test_edit_own_workshop(client, host, berlin):
    ws = f.workshop(berlin, host, title="Knots", max_attendees=5)
    ws.description = "old"
    db.session.commit()
    sign_in(client, host)
    form = text(client.get(f"/host/workshops/{ws.id}/edit"))
    assert 'value="Knots"' in form and ">old</textarea>" in form

    response = client.post(f"/host/workshops/{ws.id}/edit", data={
        "title": "Knots II", "description": "", "max_attendees": "8", "duration_slots": "1", "runs": "2"})

    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(Workshop, ws.id)
    assert (row.title, row.description, row.max_attendees, row.runs) == ("Knots II", "", 8, 2)


def test_edit_with_a_blank_field_writes_nothing(client, host, berlin):
    ws = f.workshop(berlin, host, title="Knots", max_attendees=5)
    db.session.commit()
    sign_in(client, host)

    response = client.post(f"/host/workshops/{ws.id}/edit", data={
        "title": "Renamed", "max_attendees": "", "duration_slots": "1", "runs": "1"})

    assert response.status_code == 422
    page = text(response)
    assert 'id="max_attendees-error"' in page and "Fill this in." in page and 'value="Renamed"' in page
    db.session.expire_all()
    assert db.session.get(Workshop, ws.id).title == "Knots"


def test_another_host_cannot_edit(client, host, make_user, berlin):
    ws = f.workshop(berlin, host, title="Knots")
    db.session.commit()
    sign_in(client, make_user(roles=("host",)))

    assert client.get(f"/host/workshops/{ws.id}/edit").status_code == 403
    response = client.post(f"/host/workshops/{ws.id}/edit", data={
        "title": "Mine now", "max_attendees": "5", "duration_slots": "1", "runs": "1"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Workshop, ws.id).title == "Knots"


def test_every_post_form_on_the_host_pages_carries_the_csrf_token(client, host, berlin):
    ws = f.workshop(berlin, host, title="Knots")
    f.availability(host, berlin, datetime(2027, 5, 1, 8, 0, tzinfo=timezone.utc))
    db.session.commit()
    sign_in(client, host)
    for url in (f"/host/workshops/new?convention_id={berlin.id}", f"/host/availability?convention_id={berlin.id}",
                f"/host/workshops/{ws.id}/edit", f"/host/workshops/{ws.id}/cancel"):
        page = text(client.get(url))
        posts = [form[:form.index("</form>")] for form in page.split("<form")[1:] if 'method="post"' in form[:200]]
        assert len(posts) >= 2, url
        assert all('name="csrf_token"' in form for form in posts), url


def test_host_sees_who_registered_and_who_waits_others_do_not(client, host, make_user, berlin):
    room = f.location(berlin, name="Hall 1", capacity=1)
    slot = f.slots(room, 1)[0]
    ws = f.workshop(berlin, host, title="Knots")
    f.place(ws, [slot])
    ann, bob = make_user(name="Ann Attendee"), make_user(name="Bob Waiting")
    for user in (ann, bob):
        f.registration(user, berlin)
    f.selection(ann, ws, status="registered", slot=slot)
    waiting = f.selection(bob, ws, status="waitlisted", slot=slot)
    waiting.queued_at = datetime(2027, 1, 1, tzinfo=timezone.utc)
    db.session.commit()

    sign_in(client, ann)
    assert client.get(f"/host/workshops/{ws.id}/attendees").status_code == 403
    client.post("/sign-out")
    sign_in(client, host)
    page = text(client.get(f"/host/workshops/{ws.id}/attendees"))

    assert page.index("Ann Attendee") < page.index("Bob Waiting")
    assert "waitlist, position 1" in page and "Sat 01 May 11:00, Hall 1" in page
    assert f'href="/host/workshops/{ws.id}/attendees"' in text(client.get("/host/workshops"))


def test_apply_page_shows_a_pending_application_on_a_later_visit(client, make_user):
    person = make_user(name="Pat Pending")
    db.session.add(HostApplication(user_id=person.id, motivation="I teach knots"))
    db.session.commit()
    client.post("/sign-in", data={"email": person.email, "password": PASSWORD})
    page = client.get("/host/apply").get_data(as_text=True)
    assert 'data-status="pending"' in page
    assert "<form" not in page.split('id="host-application"')[1].split("</section>")[0]


def test_a_rejected_applicant_may_apply_again(client, make_user):
    person = make_user()
    db.session.add(HostApplication(user_id=person.id, motivation="first try", status="rejected"))
    db.session.commit()
    client.post("/sign-in", data={"email": person.email, "password": PASSWORD})
    page = client.get("/host/apply").get_data(as_text=True)
    assert 'data-status="rejected"' in page and "apply again" in page
    assert 'action="/host/apply"' in page
