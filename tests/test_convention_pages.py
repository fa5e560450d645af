"""Organisers' convention pages through the test client: who sees what, form errors beside the inputs with
nothing written, domain refusals as messages, htmx requests answered with partials."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Capability, Convention, Equipment, EventSlot, Location

from . import factories as f
from .conftest import PASSWORD

HX = {"HX-Request": "true"}


def sign_in(client, user) -> None:
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def admin_client(client, make_user):
    sign_in(client, make_user(roles=("admin",), name="Ada Admin"))
    return client


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def text(response) -> str:
    return response.get_data(as_text=True)


NEW_CONVENTION = {
    "name": "Makerfest", "description": "Hands on", "start_date": "2027-05-01", "end_date": "2027-05-03",
    "timezone": "Europe/Berlin", "registration_fee": "12.50", "status": "open",
}


# the list ------------------------------------------------------------------------------------


def test_list_hides_drafts_from_non_admins_and_shows_the_new_form_to_admins_only(app, client, make_user):
    f.convention(name="Open One", status="open")
    f.convention(name="Secret Draft", status="draft")
    db.session.commit()

    page = text(client.get("/conventions"))
    assert "Open One" in page and "Secret Draft" not in page
    assert "New convention" not in page

    sign_in(client, make_user(roles=("admin",)))
    page = text(client.get("/conventions"))
    assert "Open One" in page and "Secret Draft" in page
    assert 'id="new-convention"' in page
    assert 'href="/conventions"' in page  # the nav link


def test_htmx_search_answers_only_the_rows(app, client):
    f.convention(name="Knitting Days")
    f.convention(name="Robot Camp")
    db.session.commit()

    response = client.get("/conventions?q=robot", headers=HX)

    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body and "<tr id=\"convention-" in body
    assert "Robot Camp" in body and "Knitting Days" not in body


def test_admin_creates_a_convention_through_the_form(admin_client):
    response = admin_client.post("/conventions", data=NEW_CONVENTION)

    assert response.status_code == 302
    row = db.session.scalars(sa.select(Convention)).one()
    assert response.headers["Location"].endswith(f"/conventions/{row.id}")
    assert (row.name, row.timezone, str(row.registration_fee), row.status) == ("Makerfest", "Europe/Berlin", "12.50", "open")


@pytest.mark.parametrize("field, value, message", [
    ("end_date", "2027-04-01", "end_date must be on or after start_date"),
    ("timezone", "Mars/Olympus", "IANA time zone"),
    ("registration_fee", "twelve", "a sum such as"),
    ("start_date", "", "Fill this in."),
    ("name", "   ", "Fill this in."),
])
def test_bad_convention_form_shows_the_error_beside_the_input_and_writes_nothing(admin_client, field, value, message):
    response = admin_client.post("/conventions", data={**NEW_CONVENTION, field: value})

    assert response.status_code == 422
    body = text(response)
    error = re.search(rf'<p class="field-error" data-field="{field}">([^<]*)</p>', body)
    assert error and message in error.group(1), body
    assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', body)
    assert ">Hands on</textarea>" in body  # the form keeps what was typed
    assert 'value="2027-05-01"' in body or field == "start_date"
    assert count(Convention) == 0


def test_non_admin_cannot_create_and_anonymous_is_sent_to_sign_in(client, make_user):
    response = client.post("/conventions", data=NEW_CONVENTION)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]

    sign_in(client, make_user(roles=("host",)))
    response = client.post("/conventions", data=NEW_CONVENTION)
    assert response.status_code == 403
    assert "Not allowed" in text(response)
    assert count(Convention) == 0


def test_draft_is_not_found_for_attendees(app, client, make_user):
    con = f.convention(status="draft")
    db.session.commit()
    sign_in(client, make_user())
    assert client.get(f"/conventions/{con.id}").status_code == 404
    assert client.get(f"/conventions/{con.id}/schedule").status_code == 404


def test_edit_refused_by_the_service_is_a_message_on_the_page(admin_client):
    con = f.convention(start=f.DAY1, days=3)
    room = f.location(con)
    f.slots(room, count=1, start=datetime(2027, 5, 3, 9, tzinfo=timezone.utc))
    db.session.commit()

    response = admin_client.post(f"/conventions/{con.id}/edit", data={
        **NEW_CONVENTION, "timezone": "UTC", "start_date": "2027-05-01", "end_date": "2027-05-02"})

    assert response.status_code == 409
    assert "would fall outside the convention" in text(response)
    db.session.expire_all()
    assert db.session.get(Convention, con.id).end_date.isoformat() == "2027-05-03"


def test_delete_in_use_needs_the_cascade_box(admin_client, make_user):
    con = f.convention()
    room = f.location(con)
    f.place(f.workshop(con, make_user(roles=("host",))), f.slots(room, count=1))
    db.session.commit()

    response = admin_client.post(f"/conventions/{con.id}/delete", data={})
    assert response.status_code == 409
    assert "placed workshop" in text(response)
    assert count(Convention) == 1

    response = admin_client.post(f"/conventions/{con.id}/delete", data={"cascade": "on"})
    assert response.status_code == 302
    assert count(Convention) == 0


# the convention page: rooms, equipment, slots ----------------------------------------------


def test_convention_page_shows_admin_sections_to_admins_only(app, client, make_user):
    con = f.convention(name="Makerfest")
    f.location(con, name="Great Hall", capacity=80)
    db.session.commit()

    page = text(client.get(f"/conventions/{con.id}"))
    assert "Great Hall" in page and "Makerfest" in page
    assert 'id="new-location"' not in page and 'id="bulk-form"' not in page

    sign_in(client, make_user(roles=("admin",)))
    page = text(client.get(f"/conventions/{con.id}"))
    assert 'id="new-location"' in page and 'id="bulk-form"' in page and 'id="new-equipment"' in page
    assert f'href="/conventions/{con.id}/auto-schedule"' in page
    assert f'href="/conventions/{con.id}/schedule"' in page


def test_add_room_with_fixed_equipment_by_htmx_returns_the_section(admin_client):
    con = f.convention()
    projector = f.equipment(con, "Projector", quantity=2)
    db.session.commit()

    response = admin_client.post(f"/conventions/{con.id}/locations", headers=HX,
                                 data={"name": "Room A", "capacity": "30", f"equipment-{projector.id}": "1"})

    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="card" id="locations"')
    assert "Room A" in body and "1 × Projector" in body
    assert response.headers["HX-Trigger"] == "locations-changed"
    room = db.session.scalars(sa.select(Location)).one()
    assert [(e.equipment_id, e.quantity) for e in room.equipment] == [(projector.id, 1)]


def test_bad_room_form_shows_errors_in_the_section_and_writes_nothing(admin_client):
    con = f.convention()
    projector = f.equipment(con, "Projector")
    db.session.commit()

    response = admin_client.post(f"/conventions/{con.id}/locations", headers=HX,
                                 data={"name": "Room A", "capacity": "-3", f"equipment-{projector.id}": "lots"})

    body = text(response)
    assert response.status_code == 422
    assert '<p class="field-error" data-field="capacity">' in body
    assert f'<p class="field-error" data-field="equipment-{projector.id}">' in body
    assert count(Location) == 0


def test_duplicate_room_name_is_a_friendly_conflict(admin_client):
    con = f.convention()
    f.location(con, name="Room A")
    db.session.commit()

    response = admin_client.post(f"/conventions/{con.id}/locations", data={"name": "room a", "capacity": "5"})

    assert response.status_code == 409
    page = html.unescape(text(response))
    assert "already has a room named 'Room A'" in page
    assert '<p class="field-error" data-field="name">already used by \'Room A\'</p>' in page
    assert count(Location) == 1


def test_edit_and_delete_a_room(admin_client):
    con = f.convention()
    room = f.location(con, name="Room A", capacity=10)
    db.session.commit()

    response = admin_client.post(f"/conventions/{con.id}/locations/{room.id}", data={"name": "Studio", "capacity": "12"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (db.session.get(Location, room.id).name, db.session.get(Location, room.id).capacity) == ("Studio", 12)

    response = admin_client.post(f"/conventions/{con.id}/locations/{room.id}/delete", headers=HX)
    assert response.status_code == 200 and "Delete the room 'Studio' and its 0 slots?" in text(response)
    assert count(Location) == 1  # asked first
    response = admin_client.post(f"/conventions/{con.id}/locations/{room.id}/delete", headers=HX,
                                 data={"confirmed": "1"})
    assert response.status_code == 200 and "Room deleted." in text(response)
    assert count(Location) == 0


def test_equipment_pool_add_edit_delete_and_foreign_item_is_not_found(admin_client):
    con, other = f.convention(), f.convention(name="Other")
    foreign = f.equipment(other, "Saw")
    db.session.commit()

    response = admin_client.post(f"/conventions/{con.id}/equipment", headers=HX, data={"name": "Projector", "quantity": "3"})
    assert response.status_code == 200 and "Projector" in text(response)
    item = db.session.scalars(sa.select(Equipment).where(Equipment.convention_id == con.id)).one()

    response = admin_client.post(f"/conventions/{con.id}/equipment/{item.id}", data={"name": "Beamer", "quantity": "x"})
    assert response.status_code == 422
    assert '<p class="field-error" data-field="quantity">' in text(response)

    response = admin_client.post(f"/conventions/{con.id}/equipment/{foreign.id}", data={"name": "Mine now", "quantity": "1"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Equipment, foreign.id).name == "Saw"

    response = admin_client.post(f"/conventions/{con.id}/equipment/{item.id}/delete")
    assert response.status_code == 200 and "Delete 'Projector'?" in text(response) and "Nothing uses it." in text(response)
    assert count(Equipment) == 2  # asked first
    response = admin_client.post(f"/conventions/{con.id}/equipment/{item.id}/delete", data={"confirmed": "1"})
    assert response.status_code == 302
    assert count(Equipment) == 1


def test_bulk_slots_report_created_and_skipped(admin_client):
    con = f.convention(start=f.DAY1, days=2, tz="Europe/Berlin")
    a, b = f.location(con, name="Room A"), f.location(con, name="Room B")
    db.session.commit()
    form = {"days": ["2027-05-01", "2027-05-02"], "range_start": ["09:00", "", ""], "range_end": ["12:00", "", ""],
            "slot_minutes": "60", "gap_minutes": "0", "location_ids": [str(a.id), str(b.id)]}

    response = admin_client.post(f"/conventions/{con.id}/bulk-slots", headers=HX, data=form)
    body = text(response)
    assert response.status_code == 200
    assert re.search(r"<strong>12</strong> slot\(s\) created, <strong>0</strong> skipped", body), body
    first = db.session.scalars(sa.select(EventSlot).order_by(EventSlot.start)).first()
    assert first.start == datetime(2027, 5, 1, 7, tzinfo=timezone.utc)  # 09:00 in Berlin (CEST)

    response = admin_client.post(f"/conventions/{con.id}/bulk-slots", headers=HX, data=form)
    body = text(response)
    assert re.search(r"<strong>0</strong> slot\(s\) created, <strong>12</strong> skipped", body)
    assert "exists (slot" in body
    assert count(EventSlot) == 12


def test_bad_bulk_form_shows_errors_and_writes_nothing(admin_client):
    con = f.convention()
    f.location(con)
    db.session.commit()

    response = admin_client.post(f"/conventions/{con.id}/bulk-slots", data={
        "range_start": ["12:00"], "range_end": ["09:00"], "slot_minutes": "2"})

    body = text(response)
    assert response.status_code == 422
    for name in ("days", "location_ids", "slot_minutes", "time_ranges"):
        assert f'data-field="{name}"' in body, name
    assert "range 1" in body and "end must be after start" in body
    assert count(EventSlot) == 0


def test_non_admin_posts_to_the_sections_are_forbidden(app, client, make_user):
    con = f.convention()
    db.session.commit()
    sign_in(client, make_user(roles=("host",)))

    assert client.post(f"/conventions/{con.id}/locations", data={"name": "X", "capacity": "3"}).status_code == 403
    assert client.post(f"/conventions/{con.id}/equipment", data={"name": "X", "quantity": "3"}).status_code == 403
    assert count(Location) == 0 and count(Equipment) == 0


# the schedule grid ---------------------------------------------------------------------------


@pytest.fixture
def grid(app, make_user):
    con = f.convention(tz="Europe/Berlin")
    small, big = f.location(con, name="Small", capacity=5), f.location(con, name="Big", capacity=50)
    small_slots, big_slots = f.slots(small, count=2), f.slots(big, count=2)
    host = make_user(roles=("host",), name="Hana Host")
    knots = f.workshop(con, host, title="Knots", max_attendees=10)
    db.session.commit()
    return con, small_slots, big_slots, knots, host


def test_grid_shows_rooms_times_in_the_convention_zone_and_placed_titles(app, client, grid, make_user):
    con, small_slots, big_slots, knots, _ = grid
    f.place(knots, [big_slots[0]])
    db.session.commit()

    page = text(client.get(f"/conventions/{con.id}/schedule"))
    assert "Small" in page and "Big" in page
    assert "11:00–12:00" in page  # 09:00 UTC in Berlin summer time
    assert re.search(rf'id="slot-{big_slots[0].id}".*?Knots', page, re.S)
    assert "Place…" not in page and "Unplace" not in page  # anonymous: read only

    response = client.get(f"/conventions/{con.id}/schedule", headers=HX)
    assert text(response).lstrip().startswith('<section class="card" id="schedule-grid"')


def test_admin_places_by_htmx_and_gets_the_grid(admin_client, grid):
    con, small_slots, big_slots, knots, _ = grid

    picker = admin_client.get(f"/conventions/{con.id}/schedule/slots/{big_slots[1].id}", headers=HX)
    assert picker.headers["HX-Retarget"] == f"#slot-{big_slots[1].id}"
    assert f'<option value="{knots.id}"' in text(picker)

    response = admin_client.post(f"/conventions/{con.id}/schedule/slots/{big_slots[1].id}/assign", headers=HX,
                                 data={"workshop_id": str(knots.id)})
    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="card" id="schedule-grid"')
    assert re.search(rf'id="slot-{big_slots[1].id}".*?Knots', body, re.S)
    db.session.expire_all()
    assert db.session.get(EventSlot, big_slots[1].id).workshop_id == knots.id


def test_too_small_room_answers_409_with_every_violation_in_the_cell(admin_client, grid):
    con, small_slots, _, knots, _ = grid

    response = admin_client.post(f"/conventions/{con.id}/schedule/slots/{small_slots[0].id}/assign", headers=HX,
                                 data={"workshop_id": str(knots.id)})

    body = text(response)
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == f"#slot-{small_slots[0].id}"
    assert body.lstrip().startswith(f'<td id="slot-{small_slots[0].id}"')
    items = re.findall(r"<li>([^<]+)</li>", body.split('class="violations')[1])
    assert items and any("5" in item and "10" in item for item in items), items
    db.session.expire_all()
    assert db.session.get(EventSlot, small_slots[0].id).workshop_id is None


def test_place_without_choosing_is_a_422_in_the_cell(admin_client, grid):
    con, small_slots, *_ = grid
    response = admin_client.post(f"/conventions/{con.id}/schedule/slots/{small_slots[0].id}/assign", data={})
    assert response.status_code == 422
    assert "Fill this in." in text(response)


def test_unplace_frees_the_slot(admin_client, grid):
    con, _, big_slots, knots, _ = grid
    f.place(knots, [big_slots[0]])
    db.session.commit()

    response = admin_client.post(f"/conventions/{con.id}/schedule/slots/{big_slots[0].id}/unassign", headers=HX)

    assert response.status_code == 200 and "Unplaced: 1 slot(s) freed." in text(response)
    db.session.expire_all()
    assert db.session.get(EventSlot, big_slots[0].id).workshop_id is None


def test_deleting_a_free_slot_asks_first_then_deletes_and_a_placed_one_is_refused(admin_client, grid):
    con, small_slots, big_slots, knots, _ = grid
    free_id = big_slots[1].id
    picker = text(admin_client.get(f"/conventions/{con.id}/schedule/slots/{free_id}", headers=HX))
    assert "Delete this slot…" in picker
    asking = admin_client.get(f"/conventions/{con.id}/schedule/slots/{free_id}?delete=1", headers=HX)
    assert "Delete this slot? Nothing is placed in it" in text(asking) and "Keep it" in text(asking)
    assert count(EventSlot) == 4  # asking changes nothing
    page = text(admin_client.get(f"/conventions/{con.id}/schedule/slots/{free_id}?delete=1"))
    assert "Delete this slot? Nothing is placed in it" in page  # without htmx: the whole grid, asking in the cell

    done = admin_client.post(f"/conventions/{con.id}/schedule/slots/{free_id}/delete", headers=HX)
    assert done.status_code == 200 and "Slot Sat 01 May 12:00–13:00 deleted." in text(done)
    assert f'id="slot-{free_id}"' not in text(done)
    assert count(EventSlot) == 3

    f.place(knots, [big_slots[0]])
    db.session.commit()
    refused = admin_client.post(f"/conventions/{con.id}/schedule/slots/{big_slots[0].id}/delete", headers=HX)
    assert refused.status_code == 409 and "holds the workshop &#39;Knots&#39;" in text(refused)
    assert count(EventSlot) == 3


def test_only_admins_delete_slots(app, client, grid):
    con, small_slots, _, _, host = grid
    sign_in(client, host)
    assert "Delete this slot…" not in text(client.get(f"/conventions/{con.id}/schedule/slots/{small_slots[0].id}", headers=HX))
    refused = client.post(f"/conventions/{con.id}/schedule/slots/{small_slots[0].id}/delete", headers=HX)
    assert refused.status_code == 403
    assert count(EventSlot) == 4


def test_host_may_place_own_workshop_only(app, client, grid, make_user):
    con, _, big_slots, knots, host = grid
    other = f.workshop(con, make_user(roles=("host",)), title="Someone else's")
    db.session.commit()
    sign_in(client, host)

    picker = text(client.get(f"/conventions/{con.id}/schedule/slots/{big_slots[0].id}", headers=HX))
    assert f'<option value="{knots.id}"' in picker and f'<option value="{other.id}"' not in picker

    response = client.post(f"/conventions/{con.id}/schedule/slots/{big_slots[0].id}/assign",
                           data={"workshop_id": str(other.id)})
    assert response.status_code == 403
    response = client.post(f"/conventions/{con.id}/schedule/slots/{big_slots[0].id}/assign",
                           data={"workshop_id": str(knots.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(EventSlot, big_slots[0].id).workshop_id == knots.id


def test_slot_of_another_convention_is_not_found_in_this_grid(admin_client, grid):
    con, *_ = grid
    other = f.convention(name="Other")
    foreign = f.slots(f.location(other), count=1)[0]
    db.session.commit()
    response = admin_client.post(f"/conventions/{con.id}/schedule/slots/{foreign.id}/assign", data={"workshop_id": "1"})
    assert response.status_code == 404


# capabilities ---------------------------------------------------------------------------------


def test_capabilities_page_for_admins(admin_client):
    response = admin_client.post("/capabilities", data={"name": "Soldering", "description": "Hot"})
    assert response.status_code == 302
    assert "Soldering" in text(admin_client.get("/capabilities"))

    response = admin_client.post("/capabilities", headers=HX, data={"name": "soldering"})
    assert response.status_code == 409 and "already a capability named 'Soldering'" in html.unescape(text(response))
    response = admin_client.post("/capabilities", data={"name": ""})
    assert response.status_code == 422 and 'data-field="name"' in text(response)
    assert count(Capability) == 1


def test_capabilities_are_read_only_for_others(app, client, make_user):
    f.capability("Knitting")
    db.session.commit()
    assert client.get("/capabilities").status_code == 302
    sign_in(client, make_user())
    page = text(client.get("/capabilities"))
    assert "Knitting" in page and 'id="new-capability"' not in page
    assert client.post("/capabilities", data={"name": "Mine"}).status_code == 403
    assert count(Capability) == 1


def test_without_htmx_the_place_link_opens_the_whole_grid_with_the_choice(admin_client, grid):
    con, small_slots, _, knots, _ = grid

    page = text(admin_client.get(f"/conventions/{con.id}/schedule/slots/{small_slots[1].id}"))
    assert "<html" in page and 'id="schedule-grid"' in page
    cell = page.split(f'id="slot-{small_slots[1].id}"')[1].split("</td>")[0]
    assert f'<option value="{knots.id}"' in cell

    cancelled = admin_client.get(f"/conventions/{con.id}/schedule/slots/{small_slots[1].id}?cancel=1", headers=HX)
    assert cancelled.status_code == 200 and "<option" not in text(cancelled) and "Place…" in text(cancelled)


def test_a_two_slot_run_is_one_block_and_unplaces_whole(admin_client, grid, make_user):
    con, _, big_slots, _, host = grid
    long = f.workshop(con, host, title="Long build", duration_slots=2)
    db.session.commit()

    response = admin_client.post(f"/conventions/{con.id}/schedule/slots/{big_slots[0].id}/assign", headers=HX,
                                 data={"workshop_id": str(long.id)})
    body = text(response)
    assert "Placed at 2 slot(s)." in body
    block = body.split(f'id="slot-{big_slots[0].id}"')[1].split("</td>")[0]
    assert 'rowspan="2"' in block.split(">")[0] and "Long build" in block
    assert "11:00–13:00" in block  # the run's whole time, once (Berlin)
    assert f'id="slot-{big_slots[1].id}"' not in body  # no second cell under the block

    response = admin_client.post(f"/conventions/{con.id}/schedule/slots/{big_slots[1].id}/unassign")
    assert response.status_code == 302
    db.session.expire_all()
    assert [db.session.get(EventSlot, s.id).workshop_id for s in big_slots] == [None, None]


def test_sections_refresh_alone_and_time_zone_suggestions_are_offered(admin_client):
    con = f.convention()
    f.location(con, name="Room A")
    db.session.commit()

    body = text(admin_client.get(f"/conventions/{con.id}/sections/bulk", headers=HX))
    assert body.lstrip().startswith('<section class="card" id="bulk"') and "Room A" in body
    page = text(admin_client.get(f"/conventions/{con.id}"))
    assert '<option value="Europe/Berlin">' in page


def test_day_tabs_show_one_day_and_placing_keeps_it(admin_client, grid):
    con, _, big_slots, knots, _ = grid
    second_day = f.slots(f.location(con, name="Annex", capacity=50), count=1, start=f.T0 + timedelta(days=1))
    db.session.commit()
    first, second = f.T0.date().isoformat(), (f.T0 + timedelta(days=1)).date().isoformat()

    everything = text(admin_client.get(f"/conventions/{con.id}/schedule"))
    assert re.findall(r'data-day="([\d-]+)"', everything) == [first, second]
    assert f"?day={second}" in everything and 'aria-current="page">All days' in everything

    one_day = text(admin_client.get(f"/conventions/{con.id}/schedule?day={second}", headers=HX))
    assert re.findall(r'data-day="([\d-]+)"', one_day) == [second]
    assert f'id="slot-{second_day[0].id}"' in one_day and f'id="slot-{big_slots[0].id}"' not in one_day

    placed = admin_client.post(f"/conventions/{con.id}/schedule/slots/{second_day[0].id}/assign?day={second}",
                               headers=HX, data={"workshop_id": str(knots.id)})
    assert placed.status_code == 200
    assert re.findall(r'data-day="([\d-]+)"', text(placed)) == [second]  # still the day being worked on
    assert f"/unassign?day={second}" in text(placed)

    unknown = text(admin_client.get(f"/conventions/{con.id}/schedule?day=1999-01-01"))
    assert re.findall(r'data-day="([\d-]+)"', unknown) == [first, second]  # a day without slots: every day


def test_picking_a_cell_on_a_day_tab_keeps_the_day_in_its_forms(admin_client, grid):
    con, _, _, knots, _ = grid
    second_day = f.slots(f.location(con, name="Annex", capacity=50), count=1, start=f.T0 + timedelta(days=1))
    db.session.commit()
    second = (f.T0 + timedelta(days=1)).date().isoformat()
    slot_id = second_day[0].id

    one_day = text(admin_client.get(f"/conventions/{con.id}/schedule?day={second}", headers=HX))
    assert f"/schedule/slots/{slot_id}?day={second}" in one_day  # the Place… link carries the day

    picked = text(admin_client.get(f"/conventions/{con.id}/schedule/slots/{slot_id}?day={second}", headers=HX))
    assert f"/slots/{slot_id}/assign?day={second}" in picked and f"cancel=1&amp;day={second}" in picked
    cancelled = text(admin_client.get(f"/conventions/{con.id}/schedule/slots/{slot_id}?cancel=1&day={second}",
                                      headers=HX))
    assert f"/schedule/slots/{slot_id}?day={second}" in cancelled and "<option" not in cancelled

    placed = admin_client.post(f"/conventions/{con.id}/schedule/slots/{slot_id}/assign?day={second}", headers=HX,
                               data={"workshop_id": str(knots.id)})
    assert re.findall(r'data-day="([\d-]+)"', text(placed)) == [second]


def _cell(body: str, slot_id: int) -> str:
    cell = body.split(f'id="slot-{slot_id}"')[1].split("</td>")[0]
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', cell)  # signed with the time of day


def test_a_cell_alone_shows_what_the_whole_grid_shows(app, admin_client, grid, make_user):
    con, small_slots, big_slots, knots, host = grid
    long = f.workshop(con, host, title="Long build", duration_slots=2)
    secret = f.workshop(con, host, title="Secret draft")
    secret.status = "draft"
    f.place(long, big_slots)
    f.place(secret, [small_slots[1]])
    db.session.commit()
    attendee_client = app.test_client()
    sign_in(attendee_client, make_user())

    seen = {}
    for name, viewer in (("admin", admin_client), ("attendee", attendee_client)):
        grid_page = text(viewer.get(f"/conventions/{con.id}/schedule"))
        for slot, block in ((big_slots[0], big_slots[0]), (big_slots[1], big_slots[0]), (small_slots[1], small_slots[1])):
            alone = viewer.get(f"/conventions/{con.id}/schedule/slots/{slot.id}?cancel=1&day=all", headers=HX)
            assert alone.headers["HX-Retarget"] == f"#slot-{block.id}"  # a run's block is named after its first slot
            assert _cell(text(alone), block.id) == _cell(grid_page, block.id)
            seen[name, slot.id] = _cell(text(alone), block.id)
    assert 'rowspan="2"' in seen["attendee", big_slots[1].id].split(">")[0]
    assert "Secret draft" in seen["admin", small_slots[1].id]
    assert "Secret draft" not in seen["attendee", small_slots[1].id] and "taken" in seen["attendee", small_slots[1].id]


def test_a_cell_is_read_alone_not_with_the_whole_grid(app, admin_client, grid, monkeypatch):
    """A click on a cell of a thousand-slot grid must not cost a thousand-slot read (it was 150 ms on the large demo)."""
    from webapp.services import placement

    con, small_slots, _, knots, _ = grid

    def whole_grid(*args, **kwargs):
        raise AssertionError("the whole grid was read for one cell")

    monkeypatch.setattr(placement, "convention_schedule", whole_grid)
    base = f"/conventions/{con.id}/schedule/slots/{small_slots[0].id}"
    picked = admin_client.get(base, headers=HX)
    assert picked.status_code == 200 and f'<option value="{knots.id}"' in text(picked)
    assert admin_client.get(f"{base}?cancel=1", headers=HX).status_code == 200
    refused = admin_client.post(f"{base}/assign", headers=HX, data={})
    assert refused.status_code == 422 and refused.headers["HX-Retarget"] == f"#slot-{small_slots[0].id}"


def test_picking_a_slot_of_another_convention_is_not_found(admin_client, grid):
    con, *_ = grid
    foreign = f.slots(f.location(f.convention(name="Other")), count=1)[0]
    db.session.commit()
    for url in (f"/conventions/{con.id}/schedule/slots/{foreign.id}",
                f"/conventions/{con.id}/schedule/slots/{foreign.id}?cancel=1"):
        assert admin_client.get(url, headers=HX).status_code == 404
        assert admin_client.get(url).status_code == 404
    assert admin_client.post(f"/conventions/{con.id}/schedule/slots/{foreign.id}/unassign").status_code == 404


def test_a_large_grid_opens_on_one_day_and_all_days_stays_one_click_away(admin_client, grid, monkeypatch):
    from webapp.conventions import views

    con, _, big_slots, knots, _ = grid
    f.slots(f.location(con, name="Annex", capacity=50), count=1, start=f.T0 + timedelta(days=1))
    db.session.commit()
    first, second = f.T0.date().isoformat(), (f.T0 + timedelta(days=1)).date().isoformat()
    monkeypatch.setattr(views, "WHOLE_GRID_MAX_CELLS", 4)  # this grid has 5 slots

    opened = text(admin_client.get(f"/conventions/{con.id}/schedule"))
    assert re.findall(r'data-day="([\d-]+)"', opened) == [first]
    assert f'aria-current="page">{f.T0.strftime("%a %d %b")}' in opened
    everything = text(admin_client.get(f"/conventions/{con.id}/schedule?day=all", headers=HX))
    assert re.findall(r'data-day="([\d-]+)"', everything) == [first, second]
    assert 'aria-current="page">All days' in everything

    # placing from the "All days" view keeps every day in view
    placed = admin_client.post(f"/conventions/{con.id}/schedule/slots/{big_slots[0].id}/assign?day=all", headers=HX,
                               data={"workshop_id": str(knots.id)})
    assert placed.status_code == 200 and re.findall(r'data-day="([\d-]+)"', text(placed)) == [first, second]

    monkeypatch.setattr(views, "WHOLE_GRID_MAX_CELLS", 5)
    assert re.findall(r'data-day="([\d-]+)"', text(admin_client.get(f"/conventions/{con.id}/schedule"))) == [first, second]


def test_a_large_grid_opens_on_today_while_the_convention_runs(admin_client, grid, monkeypatch):
    from webapp.conventions import views

    con, *_ = grid
    f.slots(f.location(con, name="Annex", capacity=50), count=1, start=f.T0 + timedelta(days=1))
    db.session.commit()
    second = (f.T0 + timedelta(days=1)).date()
    monkeypatch.setattr(views, "WHOLE_GRID_MAX_CELLS", 4)

    class OnTheSecondDay(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.combine(second, datetime.min.time(), tzinfo=tz) + timedelta(hours=12)

    monkeypatch.setattr(views, "datetime", OnTheSecondDay)
    page = text(admin_client.get(f"/conventions/{con.id}/schedule"))
    assert re.findall(r'data-day="([\d-]+)"', page) == [second.isoformat()]
