"""Each role's whole job in the browser, from signing up to the end, without the JSON API (issue 12).

Every step goes through the pages a person clicks; other roles act in their own browser context, as
other people at other computers would. The database is only read, to check what the pages did.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from webapp.extensions import db
from webapp.models import EventSlot, Selection, User, Workshop

from .. import factories as f
from ..conftest import PASSWORD
from .conftest import TIMEOUT_MS
from .test_host_pages import open_propose_form
from .test_sign_in import sign_in


def other_person(browser: Browser, live_server: str) -> Page:
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def sign_up(page: Page, name: str, email: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Create account").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("header .who")).to_have_text(name)  # signed in at once


def apply_to_host(page: Page, convention: str) -> None:
    page.get_by_role("link", name="Become a host").click()
    page.get_by_label("Convention").select_option(label=convention)
    page.get_by_label("Motivation").fill("I have run this workshop at three fairs.")
    page.get_by_role("button", name="Apply to host").click()
    expect(page.locator("#host-application")).to_contain_text("your application is pending")


def approve_in_inbox(admin: Page, applicant: str) -> None:
    admin.locator("#nav-host-applications").click()
    application = admin.locator("article.application", has_text=applicant)
    application.get_by_role("button", name="Approve").click()
    expect(admin.locator(".flashes")).to_contain_text(f"{applicant} is a host now")


def propose(page: Page, convention: str, title: str, seats: str) -> None:
    open_propose_form(page, convention)
    form = page.locator("#workshop-form")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Description").fill("Hands-on, all materials provided.")
    form.get_by_label("Max attendees").fill(seats)
    expect(page.locator("#fits")).to_contain_text("Nothing rules it out")
    form.get_by_role("button", name="Propose").click()
    expect(page.locator(".flashes")).to_contain_text(f"Workshop '{title}' proposed.")


def register_for(page: Page, convention_id: int, title: str) -> None:
    page.goto(f"/conventions/{convention_id}/workshops")
    registration = page.locator(f"#convention-{convention_id}-registration")
    if registration.get_by_role("button", name="Register for the convention").count():
        registration.get_by_role("button", name="Register for the convention").click()
        expect(page.locator(".flashes")).to_contain_text("You are registered for the convention.")
    page.locator("#workshop-rows").get_by_role("link", name=title).click()
    block = page.locator("[id$='-actions']").first
    block.get_by_role("button", name="Register", exact=True).click()
    expect(block).to_contain_text("the seat is yours")


def test_an_organiser_runs_a_convention_from_the_pages(page: Page, browser: Browser, live_server, make_user):
    admin = make_user(roles=("admin",), name="Ada Admin")  # the first admin comes from `slotwise create-admin`
    sign_in(page, admin.email, PASSWORD)

    # the convention, its room and its slots
    page.get_by_role("link", name="Conventions").click()
    form = page.locator("#new-convention form")
    form.get_by_label("Name").fill("Makerfest")
    form.get_by_label("First day").fill("2027-05-01")
    form.get_by_label("Last day").fill("2027-05-02")
    form.get_by_label("Time zone").fill("Europe/Berlin")
    form.get_by_label("Status").select_option("open")
    form.get_by_role("button", name="Create convention").click()
    expect(page).to_have_url(re.compile(r"/conventions/\d+$"))
    convention_id = int(page.url.rsplit("/", 1)[1])
    page.locator("#new-location").get_by_label("Room name").fill("Hall")
    page.locator("#new-location").get_by_label("Seats").fill("20")
    page.locator("#new-location").get_by_role("button", name="Add room").click()
    expect(page.locator("#locations .notice")).to_have_text("Room 'Hall' added.")
    bulk = page.locator("#bulk-form")
    bulk.get_by_label("From (range 1)").fill("09:00")
    bulk.get_by_label("To (range 1)").fill("12:00")
    bulk.get_by_label("Slot length (minutes)").fill("60")
    bulk.get_by_role("button", name="Generate slots").click()
    expect(page.locator("#bulk-result")).to_contain_text("6 slot(s) created")

    # a host applies, the organiser approves, the host proposes two workshops
    host = other_person(browser, live_server)
    sign_up(host, "Hana Host", "hana@example.org")
    apply_to_host(host, "Makerfest")
    approve_in_inbox(page, "Hana Host")
    host.reload()
    propose(host, "Makerfest", "Knots", "10")
    propose(host, "Makerfest", "Weaving", "8")

    # auto-schedule, review, accept
    page.goto(f"/conventions/{convention_id}/auto-schedule")
    page.get_by_label("Time limit (seconds)").fill("5")
    page.get_by_role("button", name="Start auto-schedule").click()
    expect(page.locator("#run-status")).to_have_attribute("data-status", "succeeded", timeout=60_000)
    expect(page.locator("#quality")).to_contain_text("Places 2 of 2 workshop runs")
    page.get_by_role("button", name="Accept this schedule").click()
    expect(page.locator("#run-status")).to_have_attribute("data-status", "accepted")
    page.goto(f"/conventions/{convention_id}/schedule")
    expect(page.locator("#schedule-grid")).to_contain_text("Knots")
    expect(page.locator("#schedule-grid")).to_contain_text("Weaving")

    # an attendee signs up and registers; the organiser sees it and downloads the list
    attendee = other_person(browser, live_server)
    sign_up(attendee, "Ann Attendee", "ann@example.org")
    register_for(attendee, convention_id, "Knots")
    page.goto(f"/conventions/{convention_id}")
    page.get_by_role("link", name="Registrations and payments").click()
    expect(page.locator('[data-count="registered"]')).to_have_text("1")
    expect(page.locator("#registration-rows")).to_contain_text("Ann Attendee")
    with page.expect_download() as download_info:
        page.locator("#csv-download").click()
    rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["Ann Attendee"]

    db.session.commit()
    placed = db.session.scalars(sa.select(Workshop.title).join(EventSlot, EventSlot.workshop_id == Workshop.id)).all()
    assert sorted(placed) == ["Knots", "Weaving"]


def test_a_host_signs_up_is_approved_proposes_and_downloads_the_attendee_list(page: Page, browser: Browser,
                                                                              live_server, make_user):
    con = f.convention(name="Makerfest", tz="Europe/Berlin")
    hall = f.location(con, name="Hall", capacity=20)
    slots = f.slots(hall, count=4)
    admin = make_user(roles=("admin",), name="Ada Admin")
    db.session.commit()

    sign_up(page, "Hana Host", "hana@example.org")
    apply_to_host(page, "Makerfest")
    organiser = other_person(browser, live_server)
    sign_in(organiser, admin.email, PASSWORD)
    approve_in_inbox(organiser, "Hana Host")
    page.reload()

    # availability, then the workshop itself
    page.get_by_role("link", name="My workshops").click()
    page.get_by_role("link", name="My availability").click()
    page.get_by_label("Convention").select_option(label="Makerfest")
    page.get_by_role("button", name="Show").click()
    page.get_by_label("Start (Europe/Berlin)").fill("2027-05-01T09:00")
    page.get_by_label("End (Europe/Berlin)").fill("2027-05-01T18:00")
    page.get_by_role("button", name="Add window").click()
    expect(page.locator(".flashes")).to_contain_text("Window added.")
    propose(page, "Makerfest", "Knots", "10")

    # the organiser places it on the grid; an attendee registers
    db.session.commit()
    knots = db.session.scalar(sa.select(Workshop).where(Workshop.title == "Knots"))
    organiser.goto(f"/conventions/{con.id}/schedule")
    cell = organiser.locator(f"#slot-{slots[2].id}")
    cell.get_by_role("link", name="Place…").click()
    cell.get_by_label("Workshop").select_option(label="Knots (10 seats, 1 slot)")
    cell.get_by_role("button", name="Place").click()
    expect(cell.locator(".title")).to_have_text("Knots")
    attendee = other_person(browser, live_server)
    sign_up(attendee, "Ann Attendee", "ann@example.org")
    register_for(attendee, con.id, "Knots")

    # the host sees the run with its attendee and downloads the list
    page.get_by_role("link", name="My workshops").click()
    row = page.locator(f"#workshop-{knots.id}")
    expect(row).to_contain_text("1 registered")
    with page.expect_download() as info:
        row.get_by_role("link", name="attendee list (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert [r[2:4] for r in rows[1:]] == [["Ann Attendee", "ann@example.org"]]
    db.session.commit()
    assert db.session.scalar(sa.select(User).where(User.email == "hana@example.org")).has_role("host")


def test_an_attendee_signs_up_registers_plans_asks_for_a_skill_and_gives_up_a_seat(page: Page, browser: Browser,
                                                                                   live_server, make_user):
    con = f.convention(name="Makerfest", tz="Europe/Berlin")
    hall = f.location(con, name="Hall", capacity=20)
    slots = f.slots(hall, count=3)
    host = make_user(roles=("host",), name="Hana Host")
    soldering = f.capability("Soldering basics")
    knots = f.workshop(con, host, title="Knots")
    f.place(knots, slots[:1])
    smd = f.workshop(con, host, title="SMD soldering", prerequisites=[soldering])
    f.place(smd, slots[1:2])
    admin = make_user(roles=("admin",), name="Ada Admin")
    db.session.commit()

    sign_up(page, "Ann Attendee", "ann@example.org")
    page.get_by_role("link", name="Conventions").click()
    page.get_by_role("link", name="Makerfest").first.click()
    register_for(page, con.id, "Knots")

    # a workshop that needs a skill says so and leads to asking for it
    page.goto(f"/workshops/{smd.id}")
    block = page.locator(f"#workshop-{smd.id}-actions")
    block.get_by_role("button", name="Register", exact=True).click()
    block.get_by_role("link", name=re.compile("skills page")).click()
    page.get_by_role("button", name=re.compile("Ask")).click()
    expect(page.locator(".flashes")).to_contain_text("Soldering basics")
    organiser = other_person(browser, live_server)
    sign_in(organiser, admin.email, PASSWORD)
    organiser.goto("/admin/people")
    organiser.get_by_role("button", name="Grant").first.click()
    expect(organiser.locator(".flashes")).to_contain_text("Soldering basics")
    page.goto(f"/workshops/{smd.id}")
    block.get_by_role("button", name="Register", exact=True).click()
    expect(block).to_contain_text("the seat is yours")

    # the personal schedule, then giving up a seat after being asked
    page.get_by_role("link", name="My schedule").click()
    entries = page.locator("#my-schedule tr.schedule-entry")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text("Knots")
    entries.filter(has_text="Knots").get_by_role("button", name="Cancel…").click()
    page.get_by_role("button", name="Give up my seat").click()
    expect(page.locator(".flashes")).to_contain_text("Cancelled: Knots.")
    expect(entries).to_have_count(1)
    db.session.commit()
    statuses = dict(db.session.execute(
        sa.select(Workshop.title, Selection.status).join(Selection, Selection.workshop_id == Workshop.id)).all())
    assert statuses == {"Knots": "cancelled", "SMD soldering": "registered"}
