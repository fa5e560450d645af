"""Destructive actions in a real browser ask first and say what they take with them; a success banner
goes once a later change is refused (items 4 and 5 of issue 12)."""
from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from webapp.extensions import db
from webapp.models import EventSlot, Location

from .. import factories as f
from ..conftest import PASSWORD
from .test_sign_in import sign_in


def test_unplace_says_who_is_affected_and_a_later_refusal_clears_the_success_banner(page: Page, make_user):
    con = f.convention(name="Makerfest", tz="Europe/Berlin")
    big = f.location(con, name="Big Hall", capacity=30)
    small = f.location(con, name="Closet", capacity=2)
    big_slots, small_slots = f.slots(big, count=2), f.slots(small, count=1)
    host = make_user(roles=("host",), name="Hana")
    knots = f.workshop(con, host, title="Knots", max_attendees=10)
    f.workshop(con, host, title="Origami", max_attendees=10)
    f.workshop(con, host, title="Big talk", max_attendees=10)
    f.place(knots, big_slots[:1])
    for _ in range(2):
        f.selection(make_user(), knots, "registered", slot=big_slots[0])
    db.session.commit()
    admin = make_user(roles=("admin",))
    sign_in(page, admin.email, PASSWORD)
    page.goto(f"/conventions/{con.id}/schedule")

    placed = page.locator(f"#slot-{big_slots[0].id}")
    placed.get_by_role("button", name="Unplace").click()
    expect(placed.get_by_role("alertdialog")).to_contain_text("2 registered attendees lose their seat and are mailed")
    placed.get_by_role("link", name="Keep it").click()
    expect(placed.get_by_role("button", name="Unplace")).to_be_visible()
    db.session.commit()
    assert db.session.get(EventSlot, big_slots[0].id).workshop_id == knots.id

    # a success, then a refusal elsewhere: the banner does not stay beside the error
    free = page.locator(f"#slot-{big_slots[1].id}")
    free.get_by_role("link", name="Place…").click()
    free.get_by_label("Workshop").select_option(label="Origami (10 seats, 1 slot)")
    free.get_by_role("button", name="Place").click()
    expect(page.locator("#schedule-grid .notice")).to_have_text("Placed at 1 slot(s).")
    closet = page.locator(f"#slot-{small_slots[0].id}")
    closet.get_by_role("link", name="Place…").click()
    closet.get_by_label("Workshop").select_option(label="Big talk (10 seats, 1 slot)")
    closet.get_by_role("button", name="Place").click()
    expect(closet.locator(".violations li")).not_to_have_count(0)
    expect(page.locator("#schedule-grid .notice")).to_have_count(0)

    placed.get_by_role("button", name="Unplace").click()
    placed.get_by_role("button", name="Unplace anyway").click()
    expect(page.locator("#schedule-grid .notice")).to_have_text("Unplaced: 1 slot(s) freed.")
    db.session.commit()
    assert db.session.get(EventSlot, big_slots[0].id).workshop_id is None


def test_deleting_a_room_asks_first_in_the_pages_own_words(page: Page, make_user):
    con = f.convention(name="Makerfest")
    room = f.location(con, name="Room A")
    slots = f.slots(room, count=2)
    f.place(f.workshop(con, make_user(roles=("host",)), title="Knots"), slots[:1])
    db.session.commit()
    room_id = room.id
    admin = make_user(roles=("admin",))
    sign_in(page, admin.email, PASSWORD)
    page.goto(f"/conventions/{con.id}")

    row = page.locator("#locations tbody tr").first
    row.get_by_role("button", name="Delete room…").click()
    question = page.locator("#locations").get_by_role("alertdialog")
    expect(question).to_contain_text("Delete the room 'Room A' and its 2 slots?")
    expect(question).to_contain_text("Placed here, and unplaced with it: Knots")
    expect(page.locator("#locations")).not_to_contain_text("cascade")
    question.get_by_role("button", name="Delete the room").click()
    expect(page.locator("#locations .notice")).to_have_text("Room deleted.")
    db.session.commit()
    assert db.session.scalar(sa.select(Location).filter_by(id=room_id)) is None


def test_deleting_a_free_slot_from_the_grid_asks_first(page: Page, make_user):
    con = f.convention(name="Makerfest")
    room = f.location(con, name="Room A")
    slots = f.slots(room, count=2)
    db.session.commit()
    keep_id, delete_id = slots[0].id, slots[1].id
    sign_in(page, make_user(roles=("admin",)).email, PASSWORD)
    page.goto(f"/conventions/{con.id}/schedule")

    cell = page.locator(f"#slot-{delete_id}")
    cell.get_by_role("link", name="Place…").click()
    cell.get_by_role("link", name="Delete this slot…").click()
    question = cell.get_by_role("alertdialog")
    expect(question).to_contain_text("Delete this slot? Nothing is placed in it")
    question.get_by_role("link", name="Keep it").click()
    expect(cell.get_by_role("alertdialog")).to_have_count(0)
    db.session.commit()
    assert db.session.get(EventSlot, delete_id) is not None

    cell.get_by_role("link", name="Place…").click()
    cell.get_by_role("link", name="Delete this slot…").click()
    cell.get_by_role("button", name="Delete the slot").click()
    expect(page.locator("#schedule-grid .notice")).to_contain_text("deleted.")
    expect(page.locator(f"#slot-{delete_id}")).to_have_count(0)
    expect(page.locator(f"#slot-{keep_id}")).to_be_visible()
    db.session.commit()
    assert db.session.scalar(sa.select(EventSlot).filter_by(id=delete_id)) is None


def test_giving_up_a_seat_on_the_workshop_page_asks_in_place(page: Page, make_user):
    from webapp.models import Selection

    con = f.convention(name="Makerfest")
    slots = f.slots(f.location(con), count=1)
    knots = f.workshop(con, make_user(roles=("host",)), title="Knots")
    f.place(knots, slots)
    ann = make_user(name="Ann")
    f.registration(ann, con)
    seat = f.selection(ann, knots, "registered", slot=slots[0])
    db.session.commit()
    seat_id = seat.id
    sign_in(page, ann.email, PASSWORD)
    page.goto(f"/workshops/{knots.id}")
    block = page.locator(f"#workshop-{knots.id}-actions")
    block.get_by_role("button", name="Cancel").click()
    expect(block.get_by_role("alertdialog")).to_contain_text("Give up your seat?")
    db.session.commit()
    assert db.session.get(Selection, seat_id).status == "registered"
    block.get_by_role("button", name="Give up my seat").click()
    expect(block.locator(".notice[role=status]")).to_contain_text("Cancelled")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Selection, seat_id).status == "cancelled"
