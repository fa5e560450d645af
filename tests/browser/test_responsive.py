"""Every main page of every role fits a phone (390 x 844) and a laptop (1280 px): the page never scrolls
sideways; wide content (the grid, long tables) scrolls inside its own frame. On a phone the menu folds."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from webapp.extensions import db
from webapp.models import ScheduleRun, ScheduleRunAssignment, ScheduleRunUnplaced

from .. import factories as f
from ..conftest import PASSWORD
from .test_sign_in import sign_in

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
LONG_TITLE = "Introduction to sustainable leather-working for complete beginners with very long titles"


@pytest.fixture
def festival(make_user):
    """A convention with a dozen rooms over two days, long names, placed runs, a host, an attendee
    registered for a run, and an auto-schedule run waiting for review."""
    admin = make_user(roles=("admin",), name="Ada Admin")
    host = make_user(roles=("host",), name="Hana Host-With-A-Rather-Long-Name")
    attendee = make_user(name="Ann Attendee")
    con = f.convention(name="Responsive Makers Festival of Everything", days=2, tz="Europe/Berlin")
    rooms = [f.location(con, name=f"Workshop room number {i}", capacity=20 + i) for i in range(12)]
    slots = {room.id: f.slots(room, count=4) + f.slots(room, count=4, start=f.T0 + timedelta(days=1))
             for room in rooms}
    workshops = [f.workshop(con, host, title=f"{LONG_TITLE} {i}", max_attendees=10) for i in range(8)]
    for i, ws in enumerate(workshops):
        f.place(ws, [slots[rooms[i].id][i % 4]])
    waiting = f.workshop(con, host, title="Not placed yet")
    f.registration(attendee, con)
    f.selection(attendee, workshops[0], status="registered", slot=slots[rooms[0].id][0])
    run = ScheduleRun(convention_id=con.id, requested_by_id=admin.id, status="succeeded",
                      parameters={"time_limit_seconds": 10}, progress={"placed_runs": 8, "total_runs": 9},
                      stats={"placed_runs": 8, "total_runs": 9, "attendee_conflicts": 0})
    run.assignments = [ScheduleRunAssignment(workshop_id=ws.id, run_index=0,
                                             event_slot_ids=[slots[rooms[-1 - i].id][i].id])
                       for i, ws in enumerate(workshops)]
    run.unplaced = [ScheduleRunUnplaced(workshop_id=waiting.id, run_index=0,
                                        reasons=["No room is free while Hana Host-With-A-Rather-Long-Name is."])]
    db.session.add(run)
    db.session.commit()
    return {"admin": admin, "host": host, "attendee": attendee, "con": con, "rooms": rooms,
            "workshop": workshops[0], "run": run}


def pages_of(role: str, fest: dict) -> list[str]:
    con, ws, room = fest["con"].id, fest["workshop"].id, fest["rooms"][0].id
    everyone = ["/", "/conventions", f"/conventions/{con}", f"/conventions/{con}/schedule",
                f"/conventions/{con}/schedule?day={f.DAY1.isoformat()}", f"/conventions/{con}/workshops",
                f"/workshops/{ws}", f"/conventions/{con}/rooms/{room}/door-sign"]
    return {
        "anonymous": everyone + ["/sign-in", "/register", "/password-reset"],
        "attendee": everyone + ["/my/schedule", "/my/skills", "/host/apply", "/account"],
        "host": everyone + ["/my/schedule", "/host/workshops", "/host/availability", f"/host/workshops/{ws}/edit",
                            f"/host/workshops/{ws}/attendees", f"/host/workshops/new?convention_id={con}",
                            f"/host/workshops/{ws}/cancel"],
        "admin": everyone + [f"/conventions/{con}/auto-schedule", f"/schedule-runs/{fest['run'].id}",
                             f"/schedule-runs/{fest['run'].id}?show=unplaced", "/capabilities", "/admin/outbox",
                             f"/admin/conventions/{con}/registrations", "/admin/host-applications", "/admin/people",
                             f"/admin/people/{fest['attendee'].id}"],
    }[role]


@pytest.mark.parametrize("role", ["anonymous", "attendee", "host", "admin"])
def test_no_page_scrolls_sideways_on_a_phone_or_a_laptop(page: Page, festival, role):
    if role != "anonymous":
        sign_in(page, festival[role].email, PASSWORD)
        expect(page.locator("header .who")).to_have_count(1)
    too_wide = []
    for viewport in (PHONE, LAPTOP):
        page.set_viewport_size(viewport)
        for path in pages_of(role, festival):
            response = page.goto(path)
            assert response.status == 200, (path, response.status)
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if widths[0] > widths[1]:
                too_wide.append((viewport["width"], path, widths[0]))
    assert too_wide == [], f"pages wider than the screen (screen width, page, page width): {too_wide}"


def test_on_a_phone_the_menu_folds_and_opens(page: Page, festival):
    page.set_viewport_size(PHONE)
    sign_in(page, festival["attendee"].email, PASSWORD)
    nav = page.locator("nav.site-nav")
    expect(nav).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(nav).to_be_visible()
    nav.get_by_role("link", name="My schedule").click()
    expect(page).to_have_url(f"{page.url.split('/my/')[0]}/my/schedule")
    expect(page.locator("nav.site-nav")).to_be_hidden()  # a new page starts folded again

    page.set_viewport_size(LAPTOP)
    expect(page.locator("nav.site-nav")).to_be_visible()
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()


def test_on_a_phone_the_proposal_rows_become_cards_and_the_grid_scrolls_in_its_frame(page: Page, festival):
    page.set_viewport_size(PHONE)
    sign_in(page, festival["admin"].email, PASSWORD)
    page.goto(f"/schedule-runs/{festival['run'].id}")
    expect(page.locator("table.proposal thead").first).to_be_hidden()
    row = page.locator("table.proposal tbody tr").first
    box = row.bounding_box()
    assert box["width"] <= PHONE["width"]
    expect(row.locator("td").first).to_be_visible()
    cells = [c.bounding_box() for c in row.locator("td").all()]
    assert all(b["y"] > a["y"] for a, b in zip(cells, cells[1:]))  # stacked, one value under another

    page.goto(f"/conventions/{festival['con'].id}/schedule?day={f.DAY1.isoformat()}")
    frame = page.locator(".grid-scroll").first
    assert frame.evaluate("el => el.scrollWidth > el.clientWidth")  # twelve rooms: wider than the phone
    frame.evaluate("el => el.scrollLeft = 600")
    header = page.locator("table.grid th.room").first.bounding_box()
    corner = page.locator("table.grid thead th.time").first.bounding_box()
    frame_box = frame.bounding_box()
    assert abs(corner["x"] - frame_box["x"]) < 3  # the time column stays at the left edge
    assert header["x"] < corner["x"] + corner["width"] + 1  # the first room scrolled under it
