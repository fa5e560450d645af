"""Seat allocation in Chromium: an attendee ranks and reorders wishes; the admin runs the allocation (embedded
worker), reviews it and accepts; the attendee then finds the seat in their schedule. Both at 390 and 1280 px."""
from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from webapp.extensions import db
from webapp.models import Selection

from .. import factories as f
from ..conftest import PASSWORD
from .test_sign_in import sign_in

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
SHOTS = os.environ.get("SLOTWISE_SCREENSHOTS")  # a folder: save the pages as PNG to look at them

pytestmark = pytest.mark.usefixtures("stop_embedded_worker")


@pytest.fixture
def fair(make_user):
    con = f.convention(name="Fairfest", tz="Europe/Berlin")
    con.seat_mode, con.max_party_size = "allocation", 2
    host = make_user(roles=("host",), name="Hana Host")
    room = f.location(con, "Main hall", capacity=40)
    slots = f.slots(room, count=3)
    titles = ("Blacksmithing for beginners who like long workshop titles", "Loom weaving", "Kiln firing")
    workshops = [f.workshop(con, host, title, max_attendees=1 if i == 0 else 5) for i, title in enumerate(titles)]
    for workshop, slot in zip(workshops, slots):
        f.place(workshop, [slot])
    ann = make_user(name="Ann Attendee")
    bob = make_user(name="Bob Attendee")
    for person in (ann, bob):
        f.registration(person, con)
    f.selection(bob, workshops[0], rank=1)  # Bob wants the one seat too
    admin = make_user(roles=("admin",), name="Ada Admin")
    db.session.commit()
    return {"con": con, "workshops": workshops, "ann": ann, "bob": bob, "admin": admin}


def _fits(page: Page, name: str) -> None:
    for viewport in (PHONE, LAPTOP):
        page.set_viewport_size(viewport)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], (name, viewport, widths)
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"{name}-{viewport['width']}.png"), full_page=True)


def _order(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("#wish-list .wish-title").all_inner_texts()]


def test_attendee_ranks_and_reorders_wishes(page: Page, fair):
    con, (forge, loom, kiln) = fair["con"], fair["workshops"]
    sign_in(page, fair["ann"].email, PASSWORD)
    expect(page.locator("header .who")).to_have_text("Ann Attendee")
    for workshop in (forge, loom, kiln):
        page.goto(f"/workshops/{workshop.id}")
        block = page.locator(f"#workshop-{workshop.id}-actions")
        expect(block.get_by_role("button", name="Register")).to_have_count(0)  # no race: no register button
        block.get_by_role("button", name="Add to my wishes").click()
        expect(block.locator(".notice[role=status]")).to_contain_text("Added to your wishes as number")
    _fits(page, "workshop-with-wish")
    page.goto(f"/conventions/{con.id}/my-wishes")
    expect(page.locator("#wish-list li")).to_have_count(3)
    assert _order(page) == [forge.title, loom.title, kiln.title]
    page.get_by_role("button", name=f"Move '{kiln.title}' up").click()
    expect(page.locator("#wish-list li").nth(1)).to_contain_text(kiln.title)
    page.get_by_role("button", name=f"Move '{forge.title}' down").click()
    expect(page.locator("#wish-list li").nth(0)).to_contain_text(kiln.title)
    assert _order(page) == [kiln.title, forge.title, loom.title]
    page.get_by_role("button", name=f"Remove '{loom.title}'").click()
    expect(page.locator("#wish-list li")).to_have_count(2)
    page.locator("#wish-{0} select[name=party_size]".format(forge.id)).select_option("2")
    page.locator(f"#wish-{forge.id}").get_by_role("button", name="Set").click()
    expect(page.locator(f"#wish-{forge.id} option[selected]")).to_have_text("2")  # the answer is swapped in
    page.get_by_label("At most").fill("1")
    page.locator("#wish-limit").get_by_role("button", name="Save").click()
    expect(page.get_by_label("At most")).to_have_value("1")
    _fits(page, "my-wishes")
    page.reload()
    assert _order(page) == [kiln.title, forge.title]
    ranks = db.session.execute(sa.select(Selection.workshop_id, Selection.rank, Selection.party_size).where(
        Selection.user_id == fair["ann"].id, Selection.status == "interested").order_by(Selection.rank)).all()
    assert [tuple(r) for r in ranks] == [(kiln.id, 1, 1), (forge.id, 2, 2)]


def test_admin_allocates_reviews_accepts_and_the_attendee_sees_the_seat(page: Page, fair):
    con, (forge, loom, kiln) = fair["con"], fair["workshops"]
    for rank, workshop in enumerate((forge, kiln), start=1):
        f.selection(fair["ann"], workshop, rank=rank)
    db.session.commit()
    sign_in(page, fair["admin"].email, PASSWORD)
    expect(page.locator("header .who")).to_have_text("Ada Admin")
    page.goto(f"/conventions/{con.id}")
    page.get_by_role("link", name="Seat allocation").click()
    expect(page.locator("#seat-mode")).to_have_text("allocation from ranked wishes")
    expect(page.locator("#wishes-export")).to_have_attribute("href", re.compile(r"/wishes\.json$"))
    _fits(page, "allocation-page")
    page.get_by_label("Seed").fill("7")
    page.get_by_role("button", name="Allocate the seats").click()
    expect(page).to_have_url(re.compile(r"/allocation-runs/\d+$"))
    status = page.locator("#run-status")
    expect(status).to_have_attribute("data-status", "succeeded", timeout=60_000)  # polls by itself
    expect(page.locator("#run-seed")).to_have_text("7")
    figures = page.locator("#allocation-figures")
    expect(figures.locator("thead th")).to_have_count(5)  # the figure + Slotwise + three baselines
    expect(figures).to_contain_text("People given at least one wish")
    expect(figures).to_contain_text("EMF's lottery")
    rows = page.locator("#allocation-runs tbody tr")
    expect(rows).to_have_count(2)  # Forge (one seat, one waiting) and Kiln
    forge_row = rows.filter(has_text=forge.title)
    expect(forge_row).to_contain_text("Sat 01 May 11:00–12:00")  # Berlin time
    expect(forge_row.locator("ol li")).to_have_count(1)  # the other of Ann and Bob waits
    _fits(page, "allocation-review")
    page.get_by_role("button", name="Accept: give these seats and mail everyone").click()
    expect(page.locator(".flashes")).to_contain_text("Allocation accepted")
    expect(status).to_have_attribute("data-status", "accepted")

    page.context.clear_cookies()
    sign_in(page, fair["ann"].email, PASSWORD)
    expect(page.locator("header .who")).to_have_text("Ann Attendee")
    page.goto("/my/schedule")
    expect(page.locator("main")).to_contain_text(kiln.title)
    _fits(page, "schedule-after-allocation")
    page.goto(f"/workshops/{loom.id}")  # the rest is first come now
    expect(page.locator(f"#workshop-{loom.id}-actions").get_by_role("button", name="Register")).to_have_count(1)
