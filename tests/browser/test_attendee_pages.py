"""Attendees in a real browser: register for a convention, live-search workshops (no page load), take a seat,
see it on /my/schedule; the last seat goes, the next person waits, and a cancel moves them up."""
from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from webapp.extensions import db
from webapp.models import Selection

from .. import factories as f
from ..conftest import PASSWORD
from .test_sign_in import sign_in


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def mark_document(page: Page) -> None:
    """A flag on the window that a full page load would wipe out."""
    page.evaluate("window.__noReload = 'still here'")


def expect_no_page_load(page: Page) -> None:
    assert page.evaluate("window.__noReload") == "still here"


def make_fest(make_user):
    host = make_user(roles=("host",), name="Hana Host")
    con = f.convention(name="Makerfest", tz="Europe/Berlin")
    room = f.location(con, name="Hall 1", capacity=2)
    slots = f.slots(room, 2)
    knots = f.workshop(con, host, title="Knots", max_attendees=10)
    f.place(knots, slots[:1])
    weaving = f.workshop(con, host, title="Weaving")
    f.place(weaving, slots[1:2])
    db.session.commit()
    return con, knots


def register_for_knots(page: Page, knots, button: str = "Register") -> None:
    page.goto(f"/workshops/{knots.id}")
    block = page.locator(f"#workshop-{knots.id}-actions")
    block.get_by_role("button", name="Register for the convention").click()
    expect(block).to_contain_text("You are registered for the convention.")
    block.get_by_role("button", name=button, exact=True).click()


def test_attendee_searches_registers_and_the_waitlist_moves_up(page: Page, make_user):
    con, knots = make_fest(make_user)
    ann, bob, cy = (make_user(name=name) for name in ("Ann", "Bob", "Cy"))

    # Ann registers for the convention from the workshop list (a free one: at once)
    sign_in(page, ann.email, PASSWORD)
    page.goto(f"/conventions/{con.id}/workshops")
    rows = page.locator("#workshop-rows tbody")
    expect(rows.locator("tr")).to_have_count(2)
    page.get_by_role("button", name="Register for the convention").click()
    expect(page.locator(".flashes")).to_contain_text("You are registered for the convention.")

    # typing filters the list in place and the URL follows
    mark_document(page)
    page.get_by_label("Search").press_sequentially("kno", delay=50)
    expect(rows.locator("tr")).to_have_count(1)
    expect(rows).to_contain_text("Knots")
    expect(rows).not_to_contain_text("Weaving")
    expect(page).to_have_url(re.compile(r"/workshops\?q=kno"))
    expect_no_page_load(page)
    expect(page.locator(f"#workshop-{knots.id}")).to_contain_text("Sat 01 May 11:00–12:00, Hall 1")
    expect(page.locator(f"#workshop-{knots.id} .seats")).to_have_text("2 of 2")

    # the seat, through the HTMX action block
    page.get_by_role("link", name="Knots").click()
    expect(page).to_have_url(re.compile(rf"/workshops/{knots.id}$"))
    mark_document(page)
    block = page.locator(f"#workshop-{knots.id}-actions")
    block.get_by_role("button", name="Register", exact=True).click()
    expect(block).to_contain_text("You are registered: the seat is yours.")
    expect(block).to_contain_text("You are registered for Sat 01 May 11:00, Hall 1.")
    expect_no_page_load(page)

    page.get_by_role("link", name="My schedule").click()
    schedule = page.locator("#my-schedule")
    expect(schedule.locator("h2.day")).to_have_text(re.compile(r"^Saturday 01 May 2027"))
    expect(schedule.locator("tr.schedule-entry")).to_have_count(1)
    expect(schedule.locator("tr.schedule-entry")).to_contain_text("11:00–12:00")
    expect(schedule.locator("tr.schedule-entry")).to_contain_text("Knots")
    expect(schedule.locator("tr.schedule-entry")).to_contain_text("Hall 1")
    sign_out(page)

    # Bob takes the last seat; Cy lands on the waitlist and sees the position
    sign_in(page, bob.email, PASSWORD)
    register_for_knots(page, knots)
    expect(page.locator(f"#workshop-{knots.id}-actions")).to_contain_text("the seat is yours")
    sign_out(page)

    sign_in(page, cy.email, PASSWORD)
    register_for_knots(page, knots, button="Join waitlist")  # the run is full: the button says what happens
    block = page.locator(f"#workshop-{knots.id}-actions")
    expect(block).to_contain_text("This run is full: you are on the waitlist, position 1.")
    expect(block.locator(".selection-state")).to_have_attribute("data-status", "waitlisted")
    page.goto("/my/schedule")
    expect(page.locator("#my-waitlist")).to_contain_text("Knots")
    expect(page.locator("#my-waitlist")).to_contain_text("position 1")
    expect(page.locator("#my-schedule tr.schedule-entry")).to_have_count(0)
    sign_out(page)

    # Ann cancels from her schedule: Cy moves up
    sign_in(page, ann.email, PASSWORD)
    page.goto("/my/schedule")
    page.locator("#my-schedule tr.schedule-entry").get_by_role("button", name="Cancel…").click()
    expect(page.locator("#confirm-cancel h1")).to_have_text("Give up your seat in 'Knots'?")
    page.get_by_role("button", name="Give up my seat").click()
    expect(page.locator(".flashes")).to_contain_text("Cancelled: Knots.")
    expect(page.locator("#my-schedule tr.schedule-entry")).to_have_count(0)
    sign_out(page)

    sign_in(page, cy.email, PASSWORD)
    page.goto("/my/schedule")
    expect(page.locator("#my-schedule tr.schedule-entry")).to_contain_text("Knots")
    expect(page.locator("#my-waitlist")).to_contain_text("Nothing.")
    db.session.commit()
    statuses = dict(db.session.execute(sa.select(Selection.user_id, Selection.status)).all())
    assert statuses == {ann.id: "cancelled", bob.id: "registered", cy.id: "registered"}


def test_a_clash_is_shown_in_the_block_without_a_page_load(page: Page, make_user):
    con, knots = make_fest(make_user)
    room2 = f.location(con, name="Hall 2", capacity=10)
    sailing = f.workshop(con, knots.host, title="Sailing")
    f.place(sailing, f.slots(room2, 1))  # the same hour as Knots
    ann = make_user(name="Ann")
    f.registration(ann, con)
    db.session.commit()
    sign_in(page, ann.email, PASSWORD)
    page.goto(f"/workshops/{knots.id}")
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.locator(f"#workshop-{knots.id}-actions")).to_contain_text("the seat is yours")

    page.goto(f"/workshops/{sailing.id}")
    mark_document(page)
    block = page.locator(f"#workshop-{sailing.id}-actions")
    block.get_by_role("button", name="Register", exact=True).click()

    expect(block.get_by_role("alert")).to_contain_text("overlaps 'Knots'")
    expect(block.get_by_role("alert")).to_contain_text("(Sat 01 May 11:00–12:00)")  # Europe/Berlin, as on the page
    expect(block.get_by_role("alert")).not_to_contain_text("+00:00")
    expect_no_page_load(page)
    # the person can still show interest instead
    block.get_by_label("Rank").select_option("2")
    block.get_by_role("button", name="Interested").click()
    expect(block).to_contain_text("You are interested (rank 2).")


def test_search_runs_on_pasted_or_autofilled_text(page: Page, make_user):
    """fill() sets the value with one input event and no key presses, as a paste or autofill does."""
    con, knots = make_fest(make_user)
    page.goto(f"/conventions/{con.id}/workshops")
    rows = page.locator("#workshop-rows tbody")
    expect(rows.locator("tr")).to_have_count(2)
    mark_document(page)
    page.get_by_label("Search").fill("weav")
    expect(rows.locator("tr")).to_have_count(1)
    expect(rows).to_contain_text("Weaving")
    expect_no_page_load(page)
