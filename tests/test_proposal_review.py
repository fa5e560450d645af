"""Reviewing a proposal of many runs on its page: changes first by day, a filter, pages, quality in words,
progress bars while solving, and the record an accepted run keeps of what it changed."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from webapp.extensions import db
from webapp.models import EventSlot, ScheduleRun, ScheduleRunAssignment, ScheduleRunUnplaced

from . import factories as f
from .test_convention_pages import admin_client, sign_in  # noqa: F401 (fixture)

ROOMS, HOURS = 10, 8  # two days: 160 slots


@pytest.fixture
def proposal(make_user):
    """130 workshops; 10 placed now. The proposal keeps 4, moves 3, drops 3 and adds 120; one is left out."""
    hosts = [make_user(roles=("host",), name=f"Host {i}") for i in range(ROOMS)]
    admin = make_user(roles=("admin",))
    con = f.convention(name="Big Fair", days=2)
    rooms = [f.location(con, name=f"Room {i}") for i in range(ROOMS)]
    slots = []
    for day in range(2):
        for room in rooms:
            slots += f.slots(room, count=HOURS, start=f.T0 + timedelta(days=day))
    slots.sort(key=lambda s: (s.start, s.location_id))
    workshops = [f.workshop(con, hosts[0], title=f"Workshop {i:03d}") for i in range(131)]
    for ws, slot in zip(workshops[:10], slots[:10]):
        f.place(ws, [slot])
    proposed = {}
    for i, ws in enumerate(workshops[:4]):  # unchanged
        proposed[ws.id] = slots[i]
    for i, ws in enumerate(workshops[4:7]):  # moved to the second day
        proposed[ws.id] = slots[-1 - i]
    free = iter(slots[10:-3])
    for ws in workshops[10:130]:  # added; workshops[7:10] are removed, workshops[130] is left out
        proposed[ws.id] = next(free)
    room_index = {room.id: i for i, room in enumerate(rooms)}
    for ws in workshops:  # each host keeps to one room, so nobody is in two places at once
        if ws.id in proposed:
            ws.host = hosts[room_index[proposed[ws.id].location_id]]
    run = ScheduleRun(convention_id=con.id, requested_by_id=admin.id, status="succeeded",
                      parameters={"time_limit_seconds": 30},
                      progress={"placed_runs": 127, "total_runs": 131, "elapsed_seconds": 12.5},
                      stats={"placed_runs": 127, "total_runs": 131, "attendee_conflicts": 12,
                             "greedy_attendee_conflicts": 40, "current_attendee_conflicts": 25,
                             "current_placed_runs": 10, "snapshot_workshop_ids": [w.id for w in workshops]})
    run.assignments = [ScheduleRunAssignment(workshop_id=w, run_index=0, event_slot_ids=[s.id])
                       for w, s in proposed.items()]
    run.unplaced = [ScheduleRunUnplaced(workshop_id=workshops[130].id, run_index=0, reasons=["No room seats 900."])]
    db.session.add(run)
    db.session.commit()
    return {"con": con, "run": run, "workshops": workshops, "slots": slots, "proposed": proposed}


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def kinds_in(body: str) -> list[str]:
    return re.findall(r'<tr class="diff-(\w+)">', body)


def test_changes_come_first_by_day_and_page_by_page(admin_client, proposal):
    run = proposal["run"]
    first = page_text(admin_client, f"/schedule-runs/{run.id}")
    assert "All changes (126)" in first and "Added (120)" in first and "Moved (3)" in first
    assert "Removed (3)" in first and "Not placed (1)" in first and "Unchanged (4)" in first
    assert len(kinds_in(first)) == 100 and "unchanged" not in kinds_in(first)
    assert "Page 1 of 2 (126 rows)" in first
    days = re.findall(r'<h3 class="day">([^<]+)</h3>', first)
    assert days[0] == "Saturday 01 May"
    second = page_text(admin_client, f"/schedule-runs/{run.id}?page=2")
    assert len(kinds_in(second)) == 26 and "Sunday 02 May" in re.findall(r'<h3 class="day">([^<]+)</h3>', second)
    assert kinds_in(second).count("moved") == 3  # the moves land on the second day
    removed = page_text(admin_client, f"/schedule-runs/{run.id}?show=removed")
    assert kinds_in(removed) == ["removed"] * 3
    assert all(f"Workshop 00{i}" in removed for i in (7, 8, 9))
    unchanged = page_text(admin_client, f"/schedule-runs/{run.id}?show=unchanged")
    assert kinds_in(unchanged) == ["unchanged"] * 4
    not_placed = page_text(admin_client, f"/schedule-runs/{run.id}?show=unplaced")
    assert "No room seats 900." in not_placed and kinds_in(not_placed) == []
    odd = page_text(admin_client, f"/schedule-runs/{run.id}?show=nonsense&page=99")
    assert "Page 2 of 2" in odd  # an unknown filter shows the changes; a page past the end, the last one


def test_quality_is_said_in_words(admin_client, proposal):
    body = page_text(admin_client, f"/schedule-runs/{proposal['run'].id}")
    quality = body.split('id="quality"')[1].split("</ul>")[0]
    assert "Places 127 of 131 workshop runs; 4 could not be placed" in quality
    assert "12 attendee clashes" in quality
    assert "against 25 in the schedule before and 40 in the solver&#39;s first proposal" in quality
    assert "120 added, 3 moved, 3 removed, 4 unchanged" in quality
    assert "Objective" not in body


def test_progress_bars_show_time_used_and_runs_placed_while_solving(admin_client, proposal):
    run = proposal["run"]
    run.status = "running"
    db.session.commit()
    body = page_text(admin_client, f"/schedule-runs/{run.id}")
    assert '<progress id="run-time-bar" max="30" value="12.5">' in body
    assert '<progress id="run-placed-bar" max="131" value="127">' in body
    assert "127 of 131" in body and 'hx-trigger="every 1s"' in body


def test_the_review_follows_a_change_to_the_schedule(admin_client, proposal, make_user):
    run, slots = proposal["run"], proposal["slots"]
    assert "Added (120)" in page_text(admin_client, f"/schedule-runs/{run.id}")
    added = proposal["workshops"][10]
    f.place(added, [proposal["proposed"][added.id]])  # placed by hand where the proposal puts it
    db.session.commit()
    body = page_text(admin_client, f"/schedule-runs/{run.id}")
    assert "Added (119)" in body and "Unchanged (5)" in body


def test_an_accepted_run_keeps_what_it_changed(admin_client, proposal):
    run = proposal["run"]
    accepted = admin_client.post(f"/schedule-runs/{run.id}/accept", follow_redirects=True)
    assert "Schedule applied" in accepted.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ScheduleRun, run.id).status == "accepted"
    body = page_text(admin_client, f"/schedule-runs/{run.id}")
    assert "What accepting this run changed" in body
    assert "Accepting it added 120 runs, moved 3 and removed 3." in body
    assert "Unchanged (" not in body  # a record of changes only
    moved = page_text(admin_client, f"/schedule-runs/{run.id}?show=moved")
    assert kinds_in(moved) == ["moved"] * 3 and "Room 4, Sat 01 May 09:00–10:00" in moved  # where it was before

    # the schedule changes afterwards: the record does not
    db.session.execute(EventSlot.__table__.update().values(workshop_id=None, run_index=None))
    db.session.commit()
    assert "Accepting it added 120 runs, moved 3 and removed 3." in page_text(admin_client, f"/schedule-runs/{run.id}")
    history = page_text(admin_client, f"/conventions/{proposal['con'].id}/auto-schedule")
    row = history.split(f'id="run-{run.id}"')[1].split("</tr>")[0]
    assert "120 added · 3 moved · 3 removed" in row and "What it changed" in row
