"""Access rules have one home (the models' can_* methods and their SQL forms, applied by
services/access.py): every way of reaching a convention or workshop answers the same."""
import itertools

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Convention, Workshop
from webapp.models.conventions import CONVENTION_STATUSES
from webapp.models.workshops import WORKSHOP_STATUSES

from . import factories as f
from . import factories_attending as fa


@pytest.fixture
def world(make_user, admin):
    """An open convention with one published and one draft workshop, each placed in one slot."""
    host = make_user(roles=("host",), name="Hana")
    cohost = make_user(roles=("host",), name="Cai")
    stranger = make_user(roles=("host",), name="Sam")
    attendee = make_user(name="Ada")
    con = f.convention()
    room = f.location(con)
    shown = f.workshop(con, host, title="Knots")
    hidden = f.workshop(con, host, title="Secret Draft", cohosts=[cohost])
    hidden.status = "draft"
    shown_slot = fa.run(shown, room, fa.at(0))[0]
    hidden_slot = fa.run(hidden, room, fa.at(2))[0]
    db.session.commit()
    return type("World", (), dict(host=host, cohost=cohost, stranger=stranger, attendee=attendee, admin=admin,
                                  con=con, shown=shown, hidden=hidden, shown_slot=shown_slot,
                                  hidden_slot=hidden_slot))


def _headers(auth_headers, user):
    return auth_headers(user) if user is not None else {}


def _slot_rows(client, headers, con_id):
    by_convention = client.get(f"/api/conventions/{con_id}/event-slots", headers=headers)
    by_query = client.get(f"/api/event-slots?convention_id={con_id}", headers=headers)
    assert by_convention.status_code == by_query.status_code == 200
    assert by_convention.get_json() == by_query.get_json()
    return {row["id"]: row for row in by_convention.get_json()["items"]}


def test_slot_list_does_not_name_a_draft_workshop_to_anonymous(client, world):
    rows = _slot_rows(client, {}, world.con.id)
    hidden = rows[world.hidden_slot.id]
    assert (hidden["workshop_id"], hidden["run_index"], hidden["taken"]) == (None, None, True)
    shown = rows[world.shown_slot.id]
    assert (shown["workshop_id"], shown["run_index"], shown["taken"]) == (world.shown.id, 0, True)
    assert "Secret Draft" not in client.get(f"/api/conventions/{world.con.id}/event-slots").get_data(as_text=True)


@pytest.mark.parametrize("who, sees_draft", [
    (None, False), ("attendee", False), ("stranger", False), ("host", True), ("cohost", True), ("admin", True),
])
def test_slot_list_grid_and_slot_workshop_agree(client, auth_headers, world, who, sees_draft):
    headers = _headers(auth_headers, getattr(world, who) if who else None)
    listed = _slot_rows(client, headers, world.con.id)[world.hidden_slot.id]["workshop_id"]
    grid = client.get(f"/api/conventions/{world.con.id}/schedule", headers=headers).get_json()
    cells = [c for row in grid["rows"] for c in row["cells"] if c and c["event_slot_id"] == world.hidden_slot.id]
    in_slot = client.get(f"/api/event-slots/{world.hidden_slot.id}/workshop", headers=headers)
    workshop = client.get(f"/api/workshops/{world.hidden.id}", headers=headers)
    expected = world.hidden.id if sees_draft else None
    assert listed == expected
    assert cells[0]["workshop_id"] == expected and cells[0]["taken"] is True
    assert in_slot.status_code == (200 if sees_draft else 404)
    assert workshop.status_code == (200 if sees_draft else 404)


def test_cancelled_workshop_is_not_found_everywhere_for_an_attendee(client, auth_headers, world):
    world.shown.status = "cancelled"
    f.registration(world.attendee, world.con)
    db.session.commit()
    headers = auth_headers(world.attendee)
    shown_id = world.shown.id
    answers = [
        client.get(f"/api/workshops/{shown_id}", headers=headers),
        client.post(f"/api/workshops/{shown_id}/show-interest", json={}, headers=headers),
        client.post(f"/api/workshops/{shown_id}/register", json={"event_slot_id": world.shown_slot.id},
                    headers=headers),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert all("Knots" not in a.get_data(as_text=True) for a in answers)
    # the same as for an id that never existed
    missing = client.post("/api/workshops/999999/show-interest", json={}, headers=headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == answers[1].get_json()["error"]["code"]


def test_selection_for_a_hidden_workshop_reads_like_an_unknown_one(client, auth_headers, world):
    f.registration(world.attendee, world.con)
    db.session.commit()
    headers = auth_headers(world.attendee)
    hidden = client.post("/api/attendees/selections", json={"workshop_id": world.hidden.id}, headers=headers)
    unknown = client.post("/api/attendees/selections", json={"workshop_id": 999999}, headers=headers)
    assert hidden.status_code == unknown.status_code == 422
    assert set(hidden.get_json()["error"]["fields"]) == set(unknown.get_json()["error"]["fields"]) == {"workshop_id"}
    assert "Secret Draft" not in hidden.get_data(as_text=True)


def test_attendee_list_of_a_hidden_workshop_is_not_found_not_forbidden(client, auth_headers, world):
    headers = auth_headers(world.stranger)
    assert client.get(f"/api/workshops/{world.hidden.id}/attendees", headers=headers).status_code == 404
    assert client.get("/api/workshops/999999/attendees", headers=headers).status_code == 404
    # a workshop they can see but do not host: forbidden
    assert client.get(f"/api/workshops/{world.shown.id}/attendees", headers=headers).status_code == 403
    assert client.get(f"/api/workshops/{world.hidden.id}/attendees",
                      headers=auth_headers(world.cohost)).status_code == 200


def test_draft_convention_is_not_found_on_every_read(client, auth_headers, world):
    world.con.status = "draft"
    db.session.commit()
    con_id = world.con.id
    paths = [f"/api/conventions/{con_id}", f"/api/conventions/{con_id}/event-slots",
             f"/api/event-slots?convention_id={con_id}", f"/api/conventions/{con_id}/schedule",
             f"/api/conventions/{con_id}/locations", f"/api/equipment?convention_id={con_id}",
             f"/api/event-slots/{world.shown_slot.id}/workshop", f"/api/workshops/{world.shown.id}",
             f"/conventions/{con_id}", f"/conventions/{con_id}/schedule"]
    for user in (None, world.attendee, world.host):
        headers = _headers(auth_headers, user)
        assert [client.get(p, headers=headers).status_code for p in paths] == [404] * len(paths), user
    assert [client.get(p, headers=auth_headers(world.admin)).status_code for p in paths] == [200] * len(paths)


def test_sql_forms_agree_with_the_predicates(app, make_user, admin):
    """Every convention status x workshop status x kind of reader: `visible_to` selects exactly the
    rows `can_view` allows, so lists and single reads cannot disagree."""
    host = make_user(roles=("host",))
    cohost = make_user(roles=("host",))
    other = make_user()
    for con_status in CONVENTION_STATUSES:
        con = f.convention(name=f"C-{con_status}", status=con_status)
        for ws_status in WORKSHOP_STATUSES:
            ws = f.workshop(con, host, title=f"{con_status}-{ws_status}", cohosts=[cohost])
            ws.status = ws_status
    db.session.commit()
    workshops = db.session.scalars(sa.select(Workshop)).all()
    conventions = db.session.scalars(sa.select(Convention)).all()
    checked = 0
    for actor in (None, host, cohost, other, admin):
        listed = set(db.session.scalars(sa.select(Workshop.id).where(Workshop.visible_to(actor))))
        assert listed == {w.id for w in workshops if w.can_view(actor)}
        listed = set(db.session.scalars(sa.select(Convention.id).where(Convention.visible_to(actor))))
        assert listed == {c.id for c in conventions if c.can_view(actor)}
        checked += 1
    assert checked == 5
    # the rules themselves, spelled out for the three statuses of each
    anonymous_sees = {(c, w) for c, w in itertools.product(CONVENTION_STATUSES, WORKSHOP_STATUSES)
                      if any(x.title == f"{c}-{w}" and x.can_view(None) for x in workshops)}
    assert anonymous_sees == {("open", "published"), ("closed", "published")}
    assert all(w.can_view(host) == (w.convention.status != "draft") for w in workshops)
    assert all(w.can_edit(cohost) and not w.can_delete(cohost) and w.can_delete(host) for w in workshops)
    assert not any(w.can_edit(other) for w in workshops)
