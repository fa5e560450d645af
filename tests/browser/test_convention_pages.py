"""An organiser sets a convention up in the browser: create it, add rooms, generate slots in bulk, then
place a workshop on the grid through HTMX, see why a too-big one does not fit a small room, and unplace."""
from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from webapp.extensions import db
from webapp.models import Convention, EventSlot, Location

from .. import factories as f
from ..conftest import PASSWORD
from .test_sign_in import sign_in


def slot_id(room: Location, nth: int) -> int:
    db.session.commit()  # a fresh snapshot: the rows were written by the server
    return db.session.scalars(
        sa.select(EventSlot.id).where(EventSlot.location_id == room.id).order_by(EventSlot.start)
    ).all()[nth]


def test_admin_sets_up_a_convention_and_places_workshops_on_the_grid(page: Page, make_user):
    admin = make_user(roles=("admin",), name="Ada Admin")
    host = make_user(roles=("host",), name="Hana Host")
    sign_in(page, admin.email, PASSWORD)
    expect(page.locator("header .who")).to_have_text("Ada Admin")

    # a new convention, with a form error first (the last day before the first) that the page explains
    page.get_by_role("link", name="Conventions").click()
    form = page.locator("#new-convention form")
    form.get_by_label("Name").fill("Makerfest")
    form.get_by_label("First day").fill("2027-05-01")
    form.get_by_label("Last day").fill("2027-04-30")
    form.get_by_label("Time zone").fill("Europe/Berlin")
    form.get_by_label("Status").select_option("open")
    form.get_by_role("button", name="Create convention").click()
    expect(page.locator('.field-error[data-field="end_date"]')).to_contain_text("on or after start_date")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Convention)) == 0

    page.locator("#new-convention form").get_by_label("Last day").fill("2027-05-02")
    page.locator("#new-convention form").get_by_role("button", name="Create convention").click()
    expect(page).to_have_url(re.compile(r"/conventions/\d+$"))
    expect(page.locator(".flashes")).to_contain_text("Convention 'Makerfest' created.")
    expect(page.locator("h1")).to_contain_text("Makerfest")
    convention_id = int(page.url.rsplit("/", 1)[1])

    # two rooms, added in place (htmx); the slot generator then offers both
    page.evaluate("window.stillTheSamePage = true")
    new_room = page.locator("#new-location")
    for name, seats in (("Small Room", "5"), ("Big Hall", "50")):
        page.locator("#new-location").get_by_label("Room name").fill(name)
        page.locator("#new-location").get_by_label("Seats").fill(seats)
        page.locator("#new-location").get_by_role("button", name="Add room").click()
        expect(page.locator("#locations .notice")).to_have_text(f"Room '{name}' added.")
    expect(new_room).to_have_count(1)
    expect(page.locator("#locations tbody tr")).to_have_count(2)
    bulk = page.locator("#bulk-form")
    expect(bulk.get_by_label("Big Hall")).to_be_checked()
    expect(bulk.get_by_label("Small Room")).to_be_checked()

    # slots in bulk: 2 days x 09:00-11:00 in 60-minute slots x 2 rooms
    bulk.get_by_label("From (range 1)").fill("09:00")
    bulk.get_by_label("To (range 1)").fill("11:00")
    bulk.get_by_label("Slot length (minutes)").fill("60")
    bulk.get_by_role("button", name="Generate slots").click()
    expect(page.locator("#bulk-result")).to_contain_text("8 slot(s) created, 0 skipped")
    assert page.evaluate("window.stillTheSamePage") is True  # no reload: every section swapped in place

    db.session.commit()
    con = db.session.get(Convention, convention_id)
    small = db.session.scalar(sa.select(Location).where(Location.name == "Small Room"))
    big = db.session.scalar(sa.select(Location).where(Location.name == "Big Hall"))
    f.workshop(con, host, title="Knots", max_attendees=10)
    db.session.commit()

    # the grid: rooms as columns, local times as rows
    page.get_by_role("link", name="Schedule grid").click()
    expect(page).to_have_url(re.compile(rf"/conventions/{convention_id}/schedule$"))
    expect(page.locator("table.grid")).to_have_count(2)  # one per day
    expect(page.locator("table.grid thead").first).to_contain_text("Big Hall")
    expect(page.locator("table.grid thead").first).to_contain_text("Small Room")
    big_first = page.locator(f"#slot-{slot_id(big, 0)}")
    expect(big_first).to_contain_text("09:00–10:00")  # Berlin time, as entered
    expect(big_first).to_contain_text("free")

    # a room that seats 5 cannot take a workshop for 10: the cell lists why, nothing is placed
    page.evaluate("window.stillTheSamePage = true")
    small_first = page.locator(f"#slot-{slot_id(small, 0)}")
    small_first.get_by_role("link", name="Place…").click()
    small_first.get_by_label("Workshop").select_option(label="Knots (10 seats, 1 slot)")
    small_first.get_by_role("button", name="Place").click()
    expect(small_first.locator(".violations li")).not_to_have_count(0)
    expect(small_first.locator(".violations")).to_contain_text("5")
    expect(small_first.locator(".violations")).to_contain_text("10")
    expect(small_first).not_to_contain_text("Unplace")
    db.session.commit()
    assert db.session.get(EventSlot, slot_id(small, 0)).workshop_id is None

    # the big hall fits: placed in place, the grid updates without a reload
    big_first.get_by_role("link", name="Place…").click()
    big_first.get_by_label("Workshop").select_option(label="Knots (10 seats, 1 slot)")
    big_first.get_by_role("button", name="Place").click()
    expect(page.locator("#schedule-grid .notice")).to_have_text("Placed at 1 slot(s).")
    expect(big_first.locator(".title")).to_have_text("Knots")
    assert page.evaluate("window.stillTheSamePage") is True
    db.session.commit()
    assert db.session.get(EventSlot, slot_id(big, 0)).workshop_id is not None

    # and off again
    big_first.get_by_role("button", name="Unplace").click()
    expect(page.locator("#schedule-grid .notice")).to_have_text("Unplaced: 1 slot(s) freed.")
    expect(big_first).to_contain_text("free")
    expect(big_first.locator(".title")).to_have_count(0)
    db.session.commit()
    assert db.session.get(EventSlot, slot_id(big, 0)).workshop_id is None


def test_attendee_sees_the_grid_read_only(page: Page, make_user):
    con = f.convention(name="Open Days")
    room = f.location(con, name="Room A")
    f.slots(room, count=1)
    attendee = make_user(name="Ann Attendee")
    db.session.commit()
    sign_in(page, attendee.email, PASSWORD)

    page.goto(f"/conventions/{con.id}")
    expect(page.locator("#new-location")).to_have_count(0)
    expect(page.locator("#bulk-form")).to_have_count(0)
    page.get_by_role("link", name="Schedule grid").click()
    expect(page.locator("table.grid")).to_contain_text("Room A")
    expect(page.get_by_role("link", name="Place…")).to_have_count(0)

    response = page.request.post(f"/conventions/{con.id}/locations", form={"name": "Mine", "capacity": "3"})
    assert response.status == 400  # no CSRF token: refused before anything else


def test_day_tabs_switch_the_grid_without_a_page_load(page: Page, make_user):
    from datetime import timedelta

    con = f.convention(name="Three Days")
    room = f.location(con, name="Room A")
    f.slots(room, count=1)
    f.slots(room, count=1, start=f.T0 + timedelta(days=1))
    attendee = make_user(name="Ann Attendee")
    db.session.commit()
    sign_in(page, attendee.email, PASSWORD)

    page.goto(f"/conventions/{con.id}/schedule")
    expect(page.locator("table.grid")).to_have_count(2)
    page.evaluate("window.loadedOnce = true")  # gone if the next click loads a whole page
    second = (f.T0 + timedelta(days=1)).date()
    page.locator(".day-tabs").get_by_role("link", name=second.strftime("%a %d %b")).click()
    expect(page.locator("table.grid")).to_have_count(1)
    expect(page.locator("table.grid")).to_have_attribute("data-day", second.isoformat())
    assert page.url.endswith(f"?day={second.isoformat()}")
    assert page.evaluate("window.loadedOnce") is True
    page.locator(".day-tabs").get_by_role("link", name="All days").click()
    expect(page.locator("table.grid")).to_have_count(2)
