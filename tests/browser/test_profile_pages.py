"""Attendees' skills and cancelling what depends on a run, in a real browser (items 8 and 9 of issue 12):
an attendee asks for a capability from the refusal of a workshop that needs it, an admin grants it from the
people page, the attendee then registers; cancelling a run that teaches a later workshop's prerequisite
lists that workshop and cancels both, or only the first. Pages are also photographed at 1280 and 390 px
(SLOTWISE_SCREENSHOTS=folder) and checked for sideways scrolling."""
from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from webapp.extensions import db
from webapp.models import OutboxMessage
from webapp.services import attending

from .. import factories as f
from .. import factories_attending as fa
from ..conftest import PASSWORD
from .test_attendee_pages import expect_no_page_load, mark_document, sign_out
from .test_sign_in import sign_in

SHOTS = os.environ.get("SLOTWISE_SCREENSHOTS")
VIEWPORTS = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})


def look_at(page: Page, name: str) -> None:
    """At both widths: nothing scrolls sideways; a screenshot when asked for one."""
    size = page.viewport_size
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        width, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= inner, (name, viewport, width)
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{viewport['width']}.png"), full_page=True)
    page.set_viewport_size(size)


def statuses(user) -> dict[str, str]:
    db.session.commit()
    return {view.workshop_title: view.selection.status
            for view in attending.list_my_selections(user, None, None, 50, 0)[0]}


def test_an_attendee_asks_for_a_skill_an_admin_grants_it_and_the_attendee_registers(page: Page, make_user):
    host = make_user(roles=("host",), name="Hana Host")
    admin = make_user(roles=("admin",), name="Root")
    ann = make_user(name="Ann", email="ann@example.org")
    con = f.convention(name="Makerfest", tz="Europe/Berlin")
    room = f.location(con, name="Hall 1")
    solder = f.capability("Soldering")
    f.capability("Knitting")
    synths = f.workshop(con, host, title="Synths", prerequisites=[solder])
    fa.run(synths, room, fa.at(2))
    f.registration(ann, con)
    db.session.commit()

    sign_in(page, ann.email, PASSWORD)
    page.goto(f"/workshops/{synths.id}")
    block = page.locator(f"#workshop-{synths.id}-actions")
    block.get_by_role("button", name="Register", exact=True).click()
    expect(block.locator(".error")).to_contain_text("'Synths' needs Soldering: ask for it on your skills page")
    block.get_by_role("link", name="Ask for it on your skills page").click()
    expect(page.locator("h1")).to_have_text("Your skills")
    expect(page.get_by_label("Skill")).to_have_value(str(solder.id))  # the one the workshop needs
    page.get_by_label("Why you have it (optional)").fill("I build synth kits at home.")
    look_at(page, "skills-asking")
    page.get_by_role("button", name="Ask for it").click()
    expect(page.locator(".flashes")).to_have_text(
        "You asked for 'Soldering'. An admin decides, and you get a mail with the answer.")
    expect(page.locator("#skill-requests li")).to_contain_text("Soldering: waiting for an admin")
    sign_out(page)

    sign_in(page, admin.email, PASSWORD)
    people_link = page.locator("#nav-people")
    expect(people_link.locator(".count")).to_have_text("1")
    people_link.click()
    request = page.locator("#capability-requests article")
    expect(request).to_contain_text("Ann asks for Soldering")
    expect(request.locator(".motivation")).to_have_text("I build synth kits at home.")
    look_at(page, "people-requests")
    request.get_by_label("Note to Ann (optional)").fill("Welcome to Synths.")
    request.get_by_role("button", name="Grant").click()
    expect(page.locator(".flashes")).to_have_text("Ann: 'Soldering' granted; they were mailed the answer.")
    expect(page.locator("#no-capability-requests")).to_be_visible()
    expect(people_link.locator(".count")).to_have_count(0)
    sign_out(page)
    db.session.commit()
    mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == ann.email)).one()
    assert "granted you 'Soldering'" in mail.body and "Welcome to Synths." in mail.body

    sign_in(page, ann.email, PASSWORD)
    page.locator("header .who").click()
    page.get_by_role("link", name="Your skills").click()
    expect(page.locator("#held-skills")).to_contain_text("Soldering granted by an admin")
    expect(page.locator("#skill-requests")).to_contain_text("Welcome to Synths.")
    look_at(page, "skills-granted")
    page.goto(f"/workshops/{synths.id}")
    block.get_by_role("button", name="Register", exact=True).click()
    expect(block).to_contain_text("You are registered: the seat is yours.")
    assert statuses(ann) == {"Synths": "registered"}


def dependent_day(make_user):
    host = make_user(roles=("host",), name="Hana Host")
    ann = make_user(name="Ann")
    con = f.convention(name="Makerfest", tz="Europe/Berlin")
    room = f.location(con, name="Hall 1")
    solder = f.capability("Soldering")
    basics = f.workshop(con, host, title="Solder basics", teaches=[solder])
    synths = f.workshop(con, host, title="Synths", prerequisites=[solder])
    knots = f.workshop(con, host, title="Knots")
    f.registration(ann, con)
    db.session.commit()
    for workshop, hours in ((basics, 0), (synths, 2), (knots, 4)):
        [slot] = fa.run(workshop, room, fa.at(hours))
        db.session.commit()
        attending.register_for_workshop(ann, workshop.id, slot.id)
    db.session.commit()
    return ann, basics


def test_cancelling_the_teaching_run_from_my_schedule_lists_the_dependent_and_cancels_both(page: Page, make_user):
    ann, _ = dependent_day(make_user)
    sign_in(page, ann.email, PASSWORD)
    page.get_by_role("link", name="My schedule").click()
    page.locator(".schedule-entry", has_text="Solder basics").get_by_role("button", name="Cancel…").click()
    expect(page.locator("h1")).to_have_text("Give up your seat in 'Solder basics'?")
    dependents = page.locator("#dependent-registrations li")
    expect(dependents).to_have_count(1)
    expect(dependents).to_have_text("Synths")
    look_at(page, "confirm-cancel-dependents")
    page.get_by_role("button", name="Cancel both").click()
    expect(page.locator(".flashes")).to_have_text("Cancelled: Solder basics, and 'Synths', which needed it.")
    expect(page.locator(".schedule-entry")).to_have_count(1)
    expect(page.locator(".schedule-entry")).to_contain_text("Knots")
    assert statuses(ann) == {"Solder basics": "cancelled", "Synths": "cancelled", "Knots": "registered"}


def test_cancelling_from_the_workshop_page_can_keep_the_dependent(page: Page, make_user):
    ann, basics = dependent_day(make_user)
    sign_in(page, ann.email, PASSWORD)
    page.goto(f"/workshops/{basics.id}")
    block = page.locator(f"#workshop-{basics.id}-actions")
    mark_document(page)
    block.get_by_role("button", name="Cancel", exact=True).click()
    expect(block.locator("#dependent-registrations")).to_contain_text("Synths")
    expect_no_page_load(page)  # the question comes into the block
    look_at(page, "workshop-block-dependents")
    block.get_by_role("button", name="Give up only this seat").click()
    expect(page.locator(".flashes")).to_have_text("Cancelled; your place went to the next person waiting, if any.")
    assert statuses(ann) == {"Solder basics": "cancelled", "Synths": "registered", "Knots": "registered"}
