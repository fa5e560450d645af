"""Hosts in a real browser: an attendee applies to host; a host adds availability windows in the convention's
local time, removes one, and proposes a workshop (with a form error fixed on the way)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from webapp.extensions import db
from webapp.models import HostApplication, HostAvailability, Workshop

from .. import factories as f
from ..conftest import PASSWORD
from .test_sign_in import sign_in


def open_propose_form(page: Page, convention: str) -> None:
    """From the navigation to the whole-workshop form of one convention, as a host clicks there."""
    page.get_by_role("link", name="My workshops").click()
    page.get_by_role("link", name="Propose a workshop").first.click()
    page.get_by_label("Convention").select_option(label=convention)
    page.get_by_role("button", name="Continue").click()


def test_attendee_applies_to_host_and_sees_it_pending(page: Page, make_user):
    con = f.convention(name="Makerfest")
    db.session.commit()
    ann = make_user(name="Ann")
    sign_in(page, ann.email, PASSWORD)

    page.get_by_role("link", name="Become a host").click()
    page.get_by_label("Convention").select_option(label="Makerfest")
    page.get_by_label("Motivation").fill("I have taught knots for years.")
    page.get_by_role("button", name="Apply to host").click()

    expect(page.locator("#host-application [data-status]")).to_have_attribute("data-status", "pending")
    expect(page.locator("#host-application")).to_contain_text("your application is pending")
    db.session.commit()
    row = db.session.scalar(sa.select(HostApplication))
    assert (row.user_id, row.convention_id, row.status) == (ann.id, con.id, "pending")


def test_host_adds_availability_and_proposes_a_workshop(page: Page, make_user):
    con = f.convention(name="Makerfest", tz="Europe/Berlin")
    db.session.commit()
    hana = make_user(roles=("host",), name="Hana Host")
    sign_in(page, hana.email, PASSWORD)

    page.get_by_role("link", name="My workshops").click()
    expect(page.locator("#my-workshops")).to_contain_text("No workshops yet.")
    page.get_by_role("link", name="My availability").click()
    page.get_by_label("Convention").select_option(label="Makerfest")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#always-available")).to_contain_text("always available")

    for start, end in (("2027-05-01T09:00", "2027-05-01T12:00"), ("2027-05-02T14:00", "2027-05-02T18:00")):
        page.get_by_label("Start (Europe/Berlin)").fill(start)
        page.get_by_label("End (Europe/Berlin)").fill(end)
        page.get_by_role("button", name="Add window").click()
        expect(page.locator(".flashes")).to_contain_text("Window added.")
    windows = page.locator("#availability-windows tbody tr")
    expect(windows).to_have_count(2)
    expect(windows.first).to_contain_text("Sat 01 May 09:00")
    expect(windows.first).to_contain_text("Sat 01 May 12:00")
    expect(page.locator("#always-available")).to_have_count(0)
    db.session.commit()
    stored = db.session.scalars(sa.select(HostAvailability.start).order_by(HostAvailability.start)).all()
    assert stored == [datetime(2027, 5, 1, 7, 0, tzinfo=timezone.utc), datetime(2027, 5, 2, 12, 0, tzinfo=timezone.utc)]

    windows.nth(1).get_by_role("button", name="Delete").click()
    expect(page.locator(".flashes")).to_contain_text("Window removed.")
    expect(windows).to_have_count(1)

    # propose a workshop; a blank title (spaces pass the browser's checks) is refused beside the input first
    open_propose_form(page, "Makerfest")
    form = page.locator("#propose-workshop")
    form.get_by_label("Title").fill("   ")
    form.get_by_label("Description").fill("Bowline, clove hitch, sheet bend.")
    form.get_by_label("Max attendees").fill("12")
    form.get_by_label("Runs").fill("2")
    form.get_by_role("button", name="Propose").click()
    expect(page.locator("#title-error")).to_have_text("Fill this in.")
    expect(form.get_by_label("Max attendees")).to_have_value("12")
    expect(form.get_by_label("Description")).to_have_value("Bowline, clove hitch, sheet bend.")

    form.get_by_label("Title").fill("Knots for beginners")
    form.get_by_role("button", name="Propose").click()
    expect(page.locator(".flashes")).to_contain_text("Workshop 'Knots for beginners' proposed.")
    db.session.commit()
    workshop = db.session.scalar(sa.select(Workshop))
    assert (workshop.title, workshop.max_attendees, workshop.runs, workshop.host_id) == ("Knots for beginners", 12, 2, hana.id)
    row = page.locator(f"#workshop-{workshop.id}")
    expect(row).to_contain_text("Knots for beginners")
    expect(row).to_contain_text("0 of 2 placed")

    row.get_by_role("link", name="Edit").click()
    expect(page).to_have_url(re.compile(rf"/host/workshops/{workshop.id}/edit$"))
    page.get_by_label("Title").fill("Knots for everyone")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flashes")).to_contain_text("Workshop 'Knots for everyone' saved.")
    expect(page.locator(f"#workshop-{workshop.id}")).to_contain_text("Knots for everyone")
