"""The cached schedule grid: every change it shows reaches the next reader at once, unchanged grids
answer 304, registrations leave the cache warm, and who sees what is the same as without a cache."""
from __future__ import annotations

from datetime import timedelta

import pytest

from webapp.extensions import db
from webapp.models import Convention, Workshop

from . import factories as f
from .query_count import count_queries


@pytest.fixture
def grid(client):
    def read(con, headers=None):
        response = client.get(f"/api/conventions/{con.id}/schedule", headers=headers or {})
        assert response.status_code == 200, response.data
        return response

    return read


@pytest.fixture
def setup(host):
    con = f.convention()
    room = f.location(con, name="A")
    slots = f.slots(room, count=3)
    ws = f.workshop(con, host, title="Knots")
    f.place(ws, [slots[0]])
    db.session.commit()
    return con, room, slots, ws


def titles(response) -> list[str | None]:
    return [cell["workshop"]["title"] if cell and cell["workshop"] else None
            for row in response.get_json()["rows"] for cell in row["cells"]]


def version(con) -> int:
    return db.session.scalar(db.select(Convention.schedule_version).where(Convention.id == con.id))


def test_a_second_read_is_served_from_the_cache(grid, setup):
    con, *_ = setup
    first = grid(con)
    assert con.id  # refresh `con` now: the test's own query is not the request's
    with count_queries() as reads:
        second = grid(con)
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    assert reads.count == 1, reads.statements  # the version lookup: no grid queries


def test_if_none_match_answers_304_until_the_grid_changes(client, grid, setup, auth_headers, host):
    con, _, slots, ws = setup
    etag = grid(con).headers["ETag"]
    url = f"/api/conventions/{con.id}/schedule"
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    moved = client.post(f"/api/workshops/{ws.id}/assign-slot", json={"event_slot_id": slots[2].id, "run_index": 0},
                        headers=auth_headers(host))
    assert moved.status_code == 409  # run 0 is placed: nothing changed, the copy is still good
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.delete(f"/api/workshops/{ws.id}/unassign-slot/{slots[0].id}",
                         headers=auth_headers(host)).status_code == 200
    fresh = client.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    assert titles(fresh) == [None, None, None]


def test_placing_and_unplacing_show_at_once(client, grid, setup, auth_headers, host):
    con, _, slots, ws = setup
    other = f.workshop(con, host, title="Splices")
    db.session.commit()
    assert titles(grid(con)) == ["Knots", None, None]
    assert client.post(f"/api/workshops/{other.id}/assign-slot", json={"event_slot_id": slots[1].id},
                       headers=auth_headers(host)).status_code == 201
    assert titles(grid(con)) == ["Knots", "Splices", None]
    assert client.delete(f"/api/workshops/{ws.id}/unassign-slot/{slots[0].id}",
                         headers=auth_headers(host)).status_code == 200
    assert titles(grid(con)) == [None, "Splices", None]


def test_renaming_a_workshop_a_room_or_a_host_shows_at_once(client, grid, setup, auth_headers, host, admin):
    con, room, _, ws = setup
    grid(con)
    assert client.put(f"/api/workshops/{ws.id}", json={"title": "Bowlines"},
                      headers=auth_headers(host)).status_code == 200
    assert titles(grid(con))[0] == "Bowlines"
    assert client.put(f"/api/conventions/{con.id}/locations/{room.id}", json={"name": "Great Hall"},
                      headers=auth_headers(admin)).status_code == 200
    assert grid(con).get_json()["locations"][0]["name"] == "Great Hall"
    assert client.put(f"/api/users/{host.id}", json={"display_name": "Ana B."},
                      headers=auth_headers(host)).status_code == 200
    assert grid(con).get_json()["rows"][0]["cells"][0]["workshop"]["hosts"] == ["Ana B."]


def test_a_new_cohost_and_a_new_slot_show_at_once(client, grid, setup, auth_headers, host, admin, make_user):
    con, room, _, ws = setup
    grid(con)
    cy = make_user(roles=("host",), name="Cy")
    assert client.put(f"/api/workshops/{ws.id}", json={"cohost_ids": [cy.id]},
                      headers=auth_headers(host)).status_code == 200
    assert grid(con).get_json()["rows"][0]["cells"][0]["workshop"]["hosts"] == ["Ana", "Cy"]
    f.slots(room, count=1, start=f.T0 + timedelta(hours=5))
    db.session.commit()
    assert len(grid(con).get_json()["rows"]) == 4


def test_unpublishing_hides_the_workshop_from_everyone_but_its_hosts_and_admins(
        grid, setup, auth_headers, host, admin, make_user):
    con, _, _, ws = setup
    stranger = auth_headers(make_user())
    assert titles(grid(con, stranger))[0] == "Knots"
    db.session.get(Workshop, ws.id).status = "draft"
    db.session.commit()
    assert titles(grid(con, stranger))[0] is None
    assert titles(grid(con))[0] is None
    assert titles(grid(con, auth_headers(host)))[0] == "Knots"
    assert titles(grid(con, auth_headers(admin)))[0] == "Knots"
    assert titles(grid(con, stranger))[0] is None  # the host's own view was not shared


def test_a_convention_back_in_draft_is_hidden_even_when_cached(client, grid, setup, auth_headers, admin):
    con, *_ = setup
    grid(con)
    assert client.put(f"/api/conventions/{con.id}", json={"status": "draft"},
                      headers=auth_headers(admin)).status_code == 200
    assert client.get(f"/api/conventions/{con.id}/schedule").status_code == 404
    assert grid(con, auth_headers(admin)).status_code == 200


def test_registering_and_cancelling_leave_the_grid_version_alone(client, setup, auth_headers, make_user):
    con, _, slots, ws = setup
    attendee = make_user()
    f.registration(attendee, con)
    db.session.commit()
    before = version(con)
    registered = client.post(f"/api/workshops/{ws.id}/register", json={"event_slot_id": slots[0].id},
                             headers=auth_headers(attendee))
    assert registered.status_code == 201, registered.data
    assert client.delete(f"/api/attendees/selections/{registered.get_json()['id']}",
                         headers=auth_headers(attendee)).status_code in (200, 204)
    assert version(con) == before


def test_a_change_in_one_convention_leaves_the_other_alone(client, setup, auth_headers, host):
    con, *_ = setup
    other = f.convention(name="Other")
    (slot,) = f.slots(f.location(other), count=1)
    ws = f.workshop(other, host, title="Elsewhere")
    db.session.commit()
    before = version(con)
    assert client.post(f"/api/workshops/{ws.id}/assign-slot", json={"event_slot_id": slot.id},
                       headers=auth_headers(host)).status_code == 201
    assert version(con) == before
    assert version(other) > 0


# -- the workshop list: static parts cached per version, counts always live -----------------


@pytest.fixture
def listing(client):
    def read(con, headers=None, **params):
        query = "&".join(f"{k}={v}" for k, v in {"convention_id": con.id, **params}.items())
        response = client.get(f"/api/workshops?{query}", headers=headers or {})
        assert response.status_code == 200, response.data
        return {item["id"]: item for item in response.get_json()["items"]}

    return read


def test_a_repeated_list_reads_only_ids_and_counts(listing, setup):
    con, *_ = setup
    first = listing(con)
    assert con.id  # refresh `con` now: the test's own query is not the request's
    with count_queries() as reads:
        assert listing(con) == first
    assert reads.count <= 4, reads.statements  # version, the page's ids, the total, the counts


def test_every_change_to_a_listed_workshop_shows_at_once(client, listing, setup, auth_headers, host, admin):
    con, room, slots, ws = setup
    saw = f.equipment(con, name="Saw", quantity=3)
    knots = f.capability(name="Knotting")
    db.session.commit()
    assert listing(con)[ws.id]["title"] == "Knots"
    assert client.put(f"/api/workshops/{ws.id}", json={
        "title": "Bowlines", "max_attendees": 8, "prerequisite_ids": [knots.id],
        "equipment": [{"equipment_id": saw.id, "quantity": 1}]}, headers=auth_headers(host)).status_code == 200
    item = listing(con)[ws.id]
    assert (item["title"], item["max_attendees"], item["prerequisite_ids"]) == ("Bowlines", 8, [knots.id])
    assert item["equipment"] == [{"equipment_id": saw.id, "quantity": 1}]
    assert item["placed_runs"][0]["seats"] == 8
    assert client.put(f"/api/workshops/{ws.id}", json={"equipment": [{"equipment_id": saw.id, "quantity": 2}]},
                      headers=auth_headers(host)).status_code == 200
    assert listing(con)[ws.id]["equipment"] == [{"equipment_id": saw.id, "quantity": 2}]
    assert client.put(f"/api/conventions/{con.id}/locations/{room.id}", json={"capacity": 5},
                      headers=auth_headers(admin)).status_code == 200
    assert listing(con)[ws.id]["placed_runs"][0]["seats"] == 5
    assert client.put(f"/api/users/{host.id}", json={"display_name": "Ana B."},
                      headers=auth_headers(host)).status_code == 200
    assert listing(con)[ws.id]["hosts"][0]["display_name"] == "Ana B."
    assert client.delete(f"/api/workshops/{ws.id}/unassign-slot/{slots[0].id}",
                         headers=auth_headers(host)).status_code == 200
    item = listing(con)[ws.id]
    assert item["placed_runs"] == [] and item["unplaced_runs"] == 1


def test_counts_in_a_cached_list_are_live(client, listing, setup, auth_headers, make_user):
    con, _, slots, ws = setup
    listing(con)
    attendee = make_user()
    f.registration(attendee, con)
    db.session.commit()
    assert client.post(f"/api/workshops/{ws.id}/register", json={"event_slot_id": slots[0].id},
                       headers=auth_headers(attendee)).status_code == 201
    item = listing(con)[ws.id]
    assert item["counts"]["registered"] == 1
    assert (item["placed_runs"][0]["registered"], item["placed_runs"][0]["seats_left"]) == (1, 9)


def test_a_cached_list_still_hides_what_each_reader_may_not_see(listing, setup, auth_headers, host, make_user):
    con, _, _, ws = setup
    secret = f.workshop(con, host, title="Secret")
    secret.status = "draft"
    db.session.commit()
    stranger = auth_headers(make_user())
    assert set(listing(con, stranger)) == {ws.id}
    assert set(listing(con, auth_headers(host))) == {ws.id, secret.id}
    assert set(listing(con, stranger)) == {ws.id}
    assert set(listing(con, stranger, q="secret")) == set()


def test_deletions_that_cascade_in_the_database_show_at_once(
        client, grid, listing, setup, auth_headers, host, admin, make_user):
    """Deleting a capability, an item or a co-host removes rows by ON DELETE CASCADE, unseen by the session."""
    con, _, _, ws = setup
    saw = f.equipment(con, name="Saw", quantity=3)
    knots = f.capability(name="Knotting")
    cy = make_user(roles=("host",), name="Cy")
    db.session.commit()
    assert client.put(f"/api/workshops/{ws.id}", json={
        "prerequisite_ids": [knots.id], "equipment": [{"equipment_id": saw.id, "quantity": 1}], "cohost_ids": [cy.id]},
        headers=auth_headers(host)).status_code == 200
    item = listing(con)[ws.id]
    assert (item["prerequisite_ids"], len(item["equipment"]), item["cohost_ids"]) == ([knots.id], 1, [cy.id])
    assert grid(con).get_json()["rows"][0]["cells"][0]["workshop"]["hosts"] == ["Ana", "Cy"]
    as_admin = auth_headers(admin)
    assert client.delete(f"/api/capabilities/{knots.id}?cascade=true", headers=as_admin).status_code == 204
    assert listing(con)[ws.id]["prerequisite_ids"] == []
    assert client.delete(f"/api/equipment/{saw.id}?cascade=true", headers=as_admin).status_code == 204
    assert listing(con)[ws.id]["equipment"] == []
    assert client.delete(f"/api/users/{cy.id}", headers=as_admin).status_code == 204
    assert listing(con)[ws.id]["cohost_ids"] == []
    assert grid(con).get_json()["rows"][0]["cells"][0]["workshop"]["hosts"] == ["Ana"]
