"""An admin runs auto-schedule from the page: progress updates by itself, the proposal is reviewed and accepted."""
from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from webapp.extensions import db
from webapp.models import EventSlot

from .. import factories as f
from ..conftest import PASSWORD
from ..scheduling_helpers import hard_convention, small_convention
from .test_sign_in import sign_in


def test_admin_starts_watches_and_accepts_a_run(page: Page, make_user):
    con, workshops = small_convention(make_user, workshops=5)
    too_big = f.workshop(con, make_user(roles=("host",)), title="Stadium show", max_attendees=900)
    admin = make_user(roles=("admin",), name="Ada Admin")
    db.session.commit()
    sign_in(page, admin.email, PASSWORD)
    expect(page.locator("header .who")).to_have_text("Ada Admin")

    page.goto(f"/conventions/{con.id}/auto-schedule")
    page.get_by_label("Time limit (seconds)").fill("3")
    page.get_by_role("button", name="Start auto-schedule").click()
    expect(page).to_have_url(re.compile(r"/schedule-runs/\d+$"))
    status = page.locator("#run-status")
    # the widget polls by itself until the run is done: no reload here
    expect(status).to_have_attribute("data-status", "succeeded", timeout=60_000)
    runs = len(workshops) + 1
    expect(page.locator("#run-placed")).to_have_text(f"{len(workshops)} of {runs}")
    expect(page.locator("#quality")).to_contain_text(f"Places {len(workshops)} of {runs} workshop runs; 1 could not")
    expect(page.locator("table.proposal tr.diff-added")).to_have_count(len(workshops))  # changes first
    page.locator(".review-filter").get_by_role("link", name="Not placed (1)").click()
    expect(page.locator("#unplaced-%d" % too_big.id)).to_contain_text("Stadium show")
    expect(page.locator("#unplaced-%d" % too_big.id)).to_contain_text("900")
    expect(page.locator("table.proposal")).to_have_count(0)

    page.get_by_role("button", name="Accept this schedule").click()
    expect(page.locator(".flashes")).to_contain_text(f"{len(workshops)} added")
    expect(status).to_have_attribute("data-status", "accepted")
    # what it changed stays on record: not "0 added, 5 unchanged" against the schedule it became
    expect(page.locator("#moves")).to_contain_text(f"Accepting it added {len(workshops)} runs, moved 0 and removed 0")
    expect(page.locator("table.proposal tr.diff-added")).to_have_count(len(workshops))
    page.goto(f"/conventions/{con.id}/auto-schedule")
    history = page.locator("table tr", has_text="accepted")
    expect(history).to_contain_text(f"{len(workshops)} added · 0 moved · 0 removed")
    history.get_by_role("link", name="What it changed").click()
    expect(page.locator("table.proposal tr.diff-added")).to_have_count(len(workshops))
    placed = db.session.scalar(sa.select(sa.func.count()).select_from(EventSlot).where(EventSlot.workshop_id.is_not(None)))
    assert placed == len(workshops)


def test_admin_stops_a_long_run_and_reviews_the_best_schedule_so_far(page: Page, make_user):
    con, workshops = hard_convention(make_user)  # clashes cannot all be avoided: it would search to its limit
    admin = make_user(roles=("admin",), name="Ada Admin")
    db.session.commit()
    sign_in(page, admin.email, PASSWORD)
    page.goto(f"/conventions/{con.id}/auto-schedule")
    page.get_by_label("Time limit (seconds)").fill("300")
    page.get_by_role("button", name="Start auto-schedule").click()
    status = page.locator("#run-status")
    expect(page.locator("#run-placed")).to_have_text(re.compile(r"^\d+ of \d+$"), timeout=60_000)  # a first schedule
    page.get_by_role("button", name="Stop and keep the best schedule so far").click()
    expect(status).to_have_attribute("data-status", "succeeded", timeout=60_000)
    expect(page.get_by_role("button", name="Accept this schedule")).to_be_visible()
    assert float(page.locator("#run-elapsed").inner_text().split(" s of")[0]) < 200  # stopped, not timed out
    expect(page.locator("#moves")).to_contain_text(f"{len(workshops)} added")
    page.get_by_role("button", name="Accept this schedule").click()
    expect(status).to_have_attribute("data-status", "accepted")


def test_non_admin_cannot_open_the_page(page: Page, make_user):
    con, _ = small_convention(make_user, workshops=2)
    attendee = make_user(name="Ann Attendee")
    db.session.commit()
    sign_in(page, attendee.email, PASSWORD)
    response = page.goto(f"/conventions/{con.id}/auto-schedule")
    assert response.status == 403
    expect(page.locator("main")).to_contain_text("Not allowed")
