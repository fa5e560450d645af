"""Issue 12 items 6 and 7 in Chromium: a host proposes a workshop with everything it needs (rooms, equipment
quantities, skills, a co-host by email, priority), is told at once what can never fit, edits it, cancels it
after a confirm step; and sees why a run was left out and downloads a run's attendee list."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from webapp.extensions import db
from webapp.models import EventSlot, ScheduleRun, ScheduleRunUnplaced, Workshop

from .. import factories as f
from ..conftest import PASSWORD
from ..factories_hosts import room_slots, workshop_world
from .test_host_pages import open_propose_form
from .test_sign_in import sign_in

def test_host_proposes_the_whole_workshop_is_warned_at_once_edits_and_cancels_it(page: Page, make_user):
    w = workshop_world(make_user)
    sign_in(page, w["host"].email, PASSWORD)
    open_propose_form(page, "Makerfest")

    form = page.locator("#workshop-form")
    form.get_by_label("Title").fill("SMD for beginners")
    form.get_by_label("Max attendees").fill("12")
    form.get_by_label("Duration (slots)").fill("2")
    warning = page.locator("#never-fits")
    form.get_by_label("Nook").check()  # only the 8-seat room: the solver could never place 12 people
    expect(warning).to_contain_text("can never be placed")
    expect(warning).to_contain_text("no allowed room seats 12 (largest: Nook, 8 seats)")
    form.get_by_label("Hall").check()
    expect(warning).to_have_count(0)
    expect(page.locator("#fits")).to_contain_text("Nothing rules it out: some room and time could hold it")
    form.get_by_label("Soldering iron").fill("5")  # the pool holds 4
    form.get_by_label("Soldering iron").blur()
    expect(warning).to_contain_text("no room has a Soldering iron and the pool holds 4, needed 5")
    form.get_by_label("Soldering iron").fill("3")
    form.get_by_label("Soldering iron").blur()
    expect(warning).to_have_count(0)
    page.locator("#prerequisite_ids").get_by_label("Soldering basics").check()
    page.locator("#teaches_ids").get_by_label("SMD soldering").check()
    form.get_by_label("Priority").select_option("5")
    form.get_by_label("Co-hosts").fill("pat@example.org")
    form.get_by_role("button", name="Propose").click()

    expect(page.locator("#cohost_emails-error")).to_have_text(
        "pat@example.org is not a host yet: only hosts can co-host (they can apply to host first)")
    expect(page.locator("#propose-workshop .error")).to_have_text(
        "Some of the people, rooms, skills or equipment named cannot be used; each one's note says why.")
    expect(page.locator("#prerequisite_ids").get_by_label("Soldering basics")).to_be_checked()  # nothing lost
    expect(form.get_by_label("Soldering iron")).to_have_value("3")
    form.get_by_label("Co-hosts").fill("ghost@example.org")
    form.get_by_role("button", name="Propose").click()
    expect(page.locator("#cohost_emails-error")).to_contain_text("no account uses ghost@example.org")
    form.get_by_label("Co-hosts").fill("ana@example.org")
    form.get_by_role("button", name="Propose").click()

    expect(page.locator(".flashes")).to_contain_text("Workshop 'SMD for beginners' proposed.")
    db.session.commit()
    ws = db.session.scalar(sa.select(Workshop))
    assert (ws.max_attendees, ws.duration_slots, ws.priority) == (12, 2, 5)
    assert sorted(loc.name for loc in ws.allowed_locations) == ["Hall", "Nook"]
    assert [(e.equipment_id, e.quantity) for e in ws.equipment] == [(w["irons"].id, 3)]
    assert [c.name for c in ws.prerequisites] == ["Soldering basics"]
    assert [c.name for c in ws.teaches] == ["SMD soldering"]
    assert [u.email for u in ws.cohosts] == ["ana@example.org"]

    # edit: more seats than any room is said at once, and again after saving
    page.locator(f"#workshop-{ws.id}").get_by_role("link", name="Edit").click()
    expect(page.locator("#fits")).to_contain_text("Nothing rules it out")  # judged on arrival
    expect(warning).to_have_count(0)
    expect(form.get_by_label("Co-hosts")).to_have_value("ana@example.org")
    form.get_by_label("Max attendees").fill("40")  # typing is enough: no need to leave the input
    expect(warning).to_contain_text("no allowed room seats 40 (largest: Hall, 30 seats)")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".flashes")).to_contain_text("Workshop 'SMD for beginners' saved.")
    expect(page.locator(".flashes")).to_contain_text("can never be placed: no allowed room seats 40")
    page.locator(f"#workshop-{ws.id}").get_by_role("link", name="Edit").click()
    expect(warning).to_contain_text("no allowed room seats 40 (largest: Hall, 30 seats)")
    form.get_by_label("Max attendees").fill("20")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".flashes")).not_to_contain_text("never")

    # someone registers for a placed run; cancelling says so first, and "Keep it" keeps it
    slots = room_slots(w["hall"])
    f.place(db.session.get(Workshop, ws.id), slots[:2])
    f.selection(make_user(), db.session.get(Workshop, ws.id), "registered", slot=slots[0])
    db.session.commit()
    page.locator(f"#workshop-{ws.id}").get_by_role("link", name="Edit").click()
    page.get_by_role("link", name="Cancel the workshop…").click()
    expect(page.locator("#cancel-impact")).to_contain_text(
        "1 registered attendee loses their seat; they are told by mail. Its 1 run on the schedule is taken off.")
    page.get_by_role("link", name="Keep it").click()
    expect(page.locator("#workshop-form")).to_be_visible()
    db.session.commit()
    assert db.session.get(Workshop, ws.id).status == "published"
    page.get_by_role("link", name="Cancel the workshop…").click()
    page.get_by_role("button", name="Cancel the workshop").click()
    expect(page.locator(".flashes")).to_contain_text("Workshop 'SMD for beginners' cancelled. 1 person was mailed.")
    expect(page.locator(f"#workshop-{ws.id}")).to_contain_text("cancelled")
    expect(page.locator(f"#workshop-{ws.id}").get_by_role("link", name="Edit")).to_have_count(0)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Workshop, ws.id).status == "cancelled"
    assert db.session.get(EventSlot, slots[0].id).workshop_id is None


def test_host_sees_why_a_run_was_left_out_and_downloads_its_placed_runs_attendees(page: Page, make_user):
    w = workshop_world(make_user)
    slots = room_slots(w["hall"])
    ws = f.workshop(w["con"], w["host"], title="Knots", runs=2, cohosts=[w["ana"]])
    f.place(ws, slots[:1], 0)
    for name, email in (("Ann Attendee", "ann@example.org"), ("Bo Builder", "bo@example.org")):
        f.selection(make_user(name=name, email=email), ws, "registered", slot=slots[0])
    run = ScheduleRun(convention_id=w["con"].id, status="accepted",
                      finished_at=datetime(2027, 4, 20, 8, 0, tzinfo=timezone.utc))
    run.unplaced = [ScheduleRunUnplaced(workshop_id=ws.id, run_index=1, reasons=[
        "3 possible place(s) exist but every one is in use; host Ana is busy with 'Origami' at Sat 13:00"])]
    db.session.add(run)
    db.session.commit()
    sign_in(page, w["ana"].email, PASSWORD)  # a co-host sees and downloads as the owner does

    page.get_by_role("link", name="My workshops").click()
    row = page.locator(f"#workshop-{ws.id}")
    expect(row.locator(f"#unplaced-{ws.id}")).to_contain_text("Why some runs are not on the schedule")
    expect(row.locator(f"#unplaced-{ws.id}")).to_contain_text("auto-schedule of Tue 20 Apr 10:00")
    expect(row.locator(f"#unplaced-{ws.id}")).to_contain_text("Run 2: 3 possible place(s) exist but every one is in "
                                                              "use; host Ana is busy with 'Origami' at Sat 13:00")
    expect(row).to_contain_text("Run 1: Sat 01 May 11:00, Hall · 2 registered")
    with page.expect_download() as info:
        row.get_by_role("link", name="attendee list (CSV)").click()
    download = info.value
    assert download.suggested_filename == f"attendees-{ws.id}-run-1.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["run start", "room", "name", "email", "status", "waitlist position"]
    assert sorted(r[2:4] for r in rows[1:]) == [["Ann Attendee", "ann@example.org"], ["Bo Builder", "bo@example.org"]]
    assert {r[0] for r in rows[1:]} == {"2027-05-01 11:00"}

    row.get_by_role("link", name="Edit").click()
    expect(page.locator(f"#unplaced-{ws.id}")).to_contain_text("host Ana is busy with 'Origami' at Sat 13:00")
    expect(page.locator("#cancel-workshop")).to_have_count(0)  # a co-host edits; only the owner cancels
