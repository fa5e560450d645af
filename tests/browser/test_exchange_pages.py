"""Schedules in and out in a real browser: an admin uploads a schedule file on the import page (a good one and a bad
one), a visitor finds the app files and the calendar on the convention page and they validate, and an attendee
makes, subscribes to and replaces their personal calendar address."""
from __future__ import annotations

from datetime import timedelta

import icalendar
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from webapp.extensions import db
from webapp.models import Convention, Workshop

from .. import factories as f
from ..conftest import PASSWORD
from ..exchange_checks import assert_valid_xml, calendar_events
from ..test_exchange_import import small
from .test_sign_in import sign_in


def test_an_admin_imports_a_schedule_file_and_a_bad_one_writes_nothing(page: Page, make_user, tmp_path):
    admin = make_user(roles=("admin",), name="Ada Admin")
    con = f.convention(name="Host Fest")
    db.session.commit()
    good, bad = tmp_path / "schedule.xml", tmp_path / "broken.xml"
    good.write_bytes(small())
    bad.write_bytes(b"<schedule>\n<conference>\n<title>x</conference>")

    sign_in(page, admin.email, PASSWORD)
    page.goto(f"/conventions/{con.id}")
    page.locator("#organiser-downloads").get_by_role("link", name="import a published schedule").click()
    expect(page.get_by_role("heading", name="Import a schedule")).to_be_visible()

    page.get_by_label("Schedule file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-error")).to_contain_text("line 3")
    expect(page.locator("#import-error")).to_contain_text("Nothing was imported.")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Workshop)) == 0

    page.get_by_label("Schedule file").set_input_files(str(good))
    page.get_by_label("Keep every talk where it was published").check()
    page.get_by_role("button", name="Import").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("Workshops created: 2")
    expect(report).to_contain_text("Runs placed: 2")
    report.get_by_role("link", name="a new convention").click()
    expect(page.get_by_role("heading", name="Tiny Con")).to_be_visible()
    db.session.expire_all()
    assert db.session.scalar(sa.select(Convention.status).where(Convention.name == "Tiny Con")) == "draft"


def test_a_visitor_takes_the_schedule_files_from_the_convention_page(page: Page, make_user):
    host = make_user(roles=("host",), name="Ana")
    con = f.convention(name="Maker Fest", tz="Europe/Berlin")
    hall = f.location(con, "Hall", capacity=30)
    knots = f.workshop(con, host, title="Knots")
    f.place(knots, f.slots(hall, count=1))
    db.session.commit()

    page.goto(f"/conventions/{con.id}")
    links = page.locator("#schedule-exports")
    expect(links.get_by_role("link", name="subscribe in your calendar")).to_have_attribute(
        "href", f"webcal://{page.url.split('://', 1)[1].split('/', 1)[0]}/conventions/{con.id}/schedule.ics")
    xml = page.request.get(links.get_by_role("link", name="schedule.xml").get_attribute("href"))
    assert xml.ok and xml.headers["content-type"].startswith("application/xml")
    assert_valid_xml(xml.body())
    assert b"<title>Knots</title>" in xml.body()
    calendar = page.request.get(links.get_by_role("link", name="iCalendar file").get_attribute("href"))
    assert [e["summary"] for e in calendar_events(calendar.body())] == ["Knots"]
    again = page.request.get(f"/conventions/{con.id}/schedule.xml", headers={"If-None-Match": xml.headers["etag"]})
    assert again.status == 304


def test_an_attendee_makes_subscribes_to_and_replaces_their_calendar_address(page: Page, make_user):
    host = make_user(roles=("host",), name="Ana")
    attendee = make_user(name="Cy")
    con = f.convention(name="Maker Fest", tz="Europe/Berlin")
    hall = f.location(con, "Hall", capacity=30)
    knots = f.workshop(con, host, title="Knots")
    slots = f.slots(hall, count=1, start=f.T0 + timedelta(hours=2))
    f.place(knots, slots)
    f.registration(attendee, con)
    f.selection(attendee, knots, status="registered", slot=slots[0])
    db.session.commit()

    sign_in(page, attendee.email, PASSWORD)
    page.goto("/account")  # the profile leads there, as "My schedule" does
    expect(page.locator("#account-calendar").get_by_role("link", name="Your calendar address")).to_have_attribute(
        "href", "/calendar")
    page.goto("/my/schedule")
    page.get_by_role("link", name="Have it in your calendar app").click()
    page.get_by_role("button", name="Make my calendar address").click()
    expect(page.locator(".flashes")).to_contain_text("Your calendar address is ready.")
    address = page.locator("#calendar-url").inner_text()
    expect(page.locator("#calendar-subscribe")).to_have_attribute("href", "webcal://" + address.split("://", 1)[1])
    feed = page.request.get(address)
    assert feed.ok
    events = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Knots"] and str(events[0]["LOCATION"]) == "Hall"

    page.get_by_role("button", name="Replace the address").click()
    expect(page.locator(".flashes")).to_contain_text("the old one no longer works")
    assert page.locator("#calendar-url").inner_text() != address
    assert page.request.get(address).status == 404
