"""Tracks: a convention's tracks over JSON (admins change them), a workshop's track in and out, the
host's form field, the workshop list filter, and what deleting a track leaves behind."""
from __future__ import annotations

import html

import pytest

from webapp.extensions import db
from webapp.models import Convention, Track, Workshop

from . import factories as f
from .conftest import PASSWORD
from .factories_conventions import assert_error, assert_refused, count_rows, headers_for, people  # noqa: F401  (people: a fixture)


def _track(con, name="Embedded", colour="#ff8800") -> Track:
    row = Track(convention_id=con.id, name=name, colour=colour)
    db.session.add(row)
    db.session.flush()
    return row


def sign_in(client, user) -> None:
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_admin_creates_renames_recolours_and_deletes_a_track(client, people, auth_headers):
    con = f.convention()
    admin = auth_headers(people["admin"])
    created = client.post(f"/api/conventions/{con.id}/tracks", json={"name": " Rust ", "colour": "#A0B1C2"},
                          headers=admin)
    assert created.status_code == 201, created.get_json()
    track = created.get_json()
    assert (track["name"], track["colour"], track["convention_id"]) == ("Rust", "#a0b1c2", con.id)
    changed = client.put(f"/api/tracks/{track['id']}", json={"name": "Rust devroom"}, headers=admin)
    assert changed.get_json()["name"] == "Rust devroom" and changed.get_json()["colour"] == "#a0b1c2"
    listed = client.get(f"/api/conventions/{con.id}/tracks").get_json()
    assert listed == {"items": [changed.get_json()], "total": 1}
    assert client.delete(f"/api/tracks/{track['id']}", headers=admin).status_code == 204
    assert count_rows(Track) == 0


@pytest.mark.parametrize("actor", ["anonymous", "attendee", "host"])
def test_only_admins_change_tracks(client, people, auth_headers, actor):
    con = f.convention()
    track = _track(con)
    headers = headers_for(actor, people, auth_headers)
    assert_refused(client.post(f"/api/conventions/{con.id}/tracks", json={"name": "X"}, headers=headers), actor)
    assert_refused(client.put(f"/api/tracks/{track.id}", json={"name": "X"}, headers=headers), actor)
    assert_refused(client.delete(f"/api/tracks/{track.id}", headers=headers), actor)
    assert db.session.get(Track, track.id).name == "Embedded"


@pytest.mark.parametrize("colour", ["red", "#fff", "#12345g", "#1234567", ""])
def test_a_colour_must_be_rrggbb(client, people, auth_headers, colour):
    con = f.convention()
    response = client.post(f"/api/conventions/{con.id}/tracks", json={"name": "X", "colour": colour},
                           headers=auth_headers(people["admin"]))
    assert "colour" in assert_error(response, 422, "validation_failed")["fields"]
    assert count_rows(Track) == 0


def test_a_track_name_is_unique_in_its_convention_ignoring_case(client, people, auth_headers):
    con, other = f.convention(), f.convention(name="Other")
    _track(con, "Rust")
    admin = auth_headers(people["admin"])
    taken = client.post(f"/api/conventions/{con.id}/tracks", json={"name": "rust"}, headers=admin)
    assert assert_error(taken, 409, "track_name_taken")["fields"] == {"name": "already used by 'Rust'"}
    assert client.post(f"/api/conventions/{other.id}/tracks", json={"name": "Rust"}, headers=admin).status_code == 201


def test_a_draft_conventions_tracks_are_hidden_from_all_but_admins(client, people, auth_headers):
    con = f.convention(status="draft")
    _track(con)
    assert_error(client.get(f"/api/conventions/{con.id}/tracks"), 404, "not_found")
    shown = client.get(f"/api/conventions/{con.id}/tracks", headers=auth_headers(people["admin"]))
    assert shown.get_json()["total"] == 1


def test_a_workshop_takes_a_track_of_its_own_convention_and_can_leave_it(client, people, auth_headers):
    con, other = f.convention(), f.convention(name="Other")
    mine, foreign = _track(con, "Mine"), _track(other, "Foreign")
    host = auth_headers(people["host"])
    refused = client.post("/api/workshops", json={"convention_id": con.id, "title": "K", "max_attendees": 5,
                                                  "track_id": foreign.id}, headers=host)
    assert "track_id" in assert_error(refused, 422)["fields"]
    assert count_rows(Workshop) == 0
    created = client.post("/api/workshops", json={"convention_id": con.id, "title": "K", "max_attendees": 5,
                                                  "track_id": mine.id}, headers=host)
    assert created.status_code == 201 and created.get_json()["track_id"] == mine.id
    workshop_id = created.get_json()["id"]
    moved = client.put(f"/api/workshops/{workshop_id}", json={"track_id": foreign.id}, headers=host)
    assert "track_id" in assert_error(moved, 422)["fields"]
    cleared = client.put(f"/api/workshops/{workshop_id}", json={"track_id": None}, headers=host)
    assert cleared.status_code == 200 and cleared.get_json()["track_id"] is None
    still_null_refused = client.put(f"/api/workshops/{workshop_id}", json={"title": None}, headers=host)
    assert "title" in assert_error(still_null_refused, 422)["fields"]


def test_deleting_a_track_keeps_its_workshops_without_a_track_and_moves_the_schedule_version(
        client, people, auth_headers):
    con = f.convention()
    track = _track(con)
    ws = f.workshop(con, people["host"])
    ws.track_id = track.id
    db.session.commit()
    version = db.session.get(Convention, con.id).schedule_version
    assert client.delete(f"/api/tracks/{track.id}", headers=auth_headers(people["admin"])).status_code == 204
    db.session.expire_all()
    assert db.session.get(Workshop, ws.id).track_id is None
    assert db.session.get(Convention, con.id).schedule_version > version


def test_the_workshop_list_filters_by_track_in_the_api_and_the_page(client, people):
    con = f.convention()
    rust, go = _track(con, "Rust"), _track(con, "Go")
    for title, track in (("Borrowing", rust), ("Lifetimes", rust), ("Goroutines", go), ("Loose", None)):
        ws = f.workshop(con, people["host"], title=title)
        ws.track_id = track.id if track else None
    db.session.commit()
    listed = client.get(f"/api/workshops?convention_id={con.id}&track_id={rust.id}").get_json()
    assert sorted(w["title"] for w in listed["items"]) == ["Borrowing", "Lifetimes"] and listed["total"] == 2
    page = html.unescape(client.get(f"/conventions/{con.id}/workshops?track_id={go.id}").get_data(as_text=True))
    assert "Goroutines" in page and "Borrowing" not in page and "Loose" not in page
    assert f'<option value="{go.id}" selected>Go</option>' in page
    bad = client.get(f"/conventions/{con.id}/workshops?track_id=abc")
    assert bad.status_code == 422


def test_hosts_choose_a_track_when_proposing_and_editing(client, people):
    con = f.convention()
    rust, go = _track(con, "Rust"), _track(con, "Go")
    db.session.commit()
    sign_in(client, people["host"])
    form = client.get(f"/host/workshops/new?convention_id={con.id}").get_data(as_text=True)
    assert f'<option value="{rust.id}" >Rust</option>' in form and f'<option value="{go.id}" >Go</option>' in form
    proposed = client.post("/host/workshops", data={"convention_id": con.id, "title": "Borrowing",
                                                    "max_attendees": "10", "track_id": str(rust.id)})
    assert proposed.status_code == 302
    ws = db.session.scalar(db.select(Workshop))
    assert ws.track_id == rust.id
    edit_page = client.get(f"/host/workshops/{ws.id}/edit").get_data(as_text=True)
    assert f'<option value="{rust.id}" selected>Rust</option>' in edit_page
    fields = {"title": "Borrowing", "max_attendees": "10", "duration_slots": "1", "runs": "1"}
    assert client.post(f"/host/workshops/{ws.id}/edit", data={**fields, "track_id": str(go.id)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Workshop, ws.id).track_id == go.id
    assert client.post(f"/host/workshops/{ws.id}/edit", data={**fields, "track_id": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Workshop, ws.id).track_id is None


# the admins' tracks page (the browser test, tests/browser/test_tracks_page.py, walks through it) -----------------


@pytest.mark.parametrize("actor,status", [("attendee", 403), ("host", 403)])
def test_only_admins_open_or_post_the_tracks_page(client, people, actor, status):
    con = f.convention()
    track = _track(con)
    db.session.commit()
    assert client.get(f"/admin/conventions/{con.id}/tracks").status_code == 302  # signed out: to sign in
    sign_in(client, people[actor])
    assert client.get(f"/admin/conventions/{con.id}/tracks").status_code == status
    for url, data in ((f"/admin/conventions/{con.id}/tracks", {"name": "X", "colour": "#000000"}),
                      (f"/admin/conventions/{con.id}/tracks/{track.id}", {"name": "X", "colour": "#000000"}),
                      (f"/admin/conventions/{con.id}/tracks/{track.id}/delete", {"confirmed": "1"})):
        assert client.post(url, data=data).status_code == status
    db.session.expire_all()
    assert [(t.name, t.colour) for t in db.session.scalars(db.select(Track))] == [("Embedded", "#ff8800")]


def test_the_tracks_page_refuses_in_words_and_keeps_to_its_convention(client, people):
    con, other = f.convention(), f.convention(name="Other")
    track, elsewhere = _track(con, "Rust"), _track(other, "Go")
    db.session.commit()
    sign_in(client, people["admin"])
    page = client.get(f"/conventions/{con.id}").get_data(as_text=True)
    assert f'href="/admin/conventions/{con.id}/tracks" id="tracks-link"' in page
    bad = client.post(f"/admin/conventions/{con.id}/tracks", data={"name": "", "colour": "red"})
    text = html.unescape(bad.get_data(as_text=True))
    assert bad.status_code == 422 and "Fill this in." in text and "a colour such as #ff8800" in text
    taken = client.post(f"/admin/conventions/{con.id}/tracks/{track.id}", data={"name": "Rust", "colour": "#00ff00"})
    assert taken.status_code == 302  # its own name, recoloured
    # another convention's track is not this page's to change (404), and stays as it was
    assert client.post(f"/admin/conventions/{con.id}/tracks/{elsewhere.id}",
                       data={"name": "Stolen", "colour": "#000000"}).status_code == 404
    assert client.post(f"/admin/conventions/{con.id}/tracks/{elsewhere.id}/delete",
                       data={"confirmed": "1"}).status_code == 404
    asked = client.post(f"/admin/conventions/{con.id}/tracks/{track.id}/delete", data={})
    assert asked.status_code == 200 and "No workshop is in it." in html.unescape(asked.get_data(as_text=True))
    db.session.expire_all()
    assert [(t.name, t.colour) for t in db.session.scalars(db.select(Track).order_by(Track.id))] == [
        ("Rust", "#00ff00"), ("Go", "#ff8800")]
