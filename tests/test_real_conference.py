"""End to end on a real published schedule: the 31st Chaos Communication Congress (31C3, 2014).

Everything goes through the JSON API as an organiser would do it: the convention, its four halls, 15-minute
slots in bulk (talks run past midnight), one workshop per talk with its speakers as host and co-hosts. Then
the published schedule is placed by hand (it is valid, so every rule must accept it) and auto-schedule
must keep it; and from an empty grid, auto-schedule must place every talk with no speaker in two halls.
The data is tests/data/31c3.json (138 talks, 4 halls, 197 speakers, 4 days; see tests/data/README.md).
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from benchmarks import realdata_api as realdata

from .scheduling_helpers import wait_for_run

REALDATA = Path(__file__).resolve().parent / "data" / "31c3.json"

pytestmark = pytest.mark.usefixtures("stop_embedded_worker")


@pytest.fixture
def congress(client, make_user, auth_headers):
    """The 31C3 convention built through the API; answers what the checks need."""
    data = json.loads(REALDATA.read_text())
    admin = auth_headers(make_user(roles=("admin",)))
    slot = realdata.slot_minutes(data)
    assert slot == 15

    def post(path, body):
        response = client.post(path, json=body, headers=admin)
        assert response.status_code in (200, 201), (path, response.get_json())
        return response.get_json()

    con = post("/api/conventions", realdata.convention_body(data, "31C3"))
    rooms = {body["name"]: post(f"/api/conventions/{con['id']}/locations", body)["id"]
             for body in realdata.room_bodies(data)}
    bulk = post(f"/api/conventions/{con['id']}/bulk-slots", realdata.bulk_slots_body(data, list(rooms.values())))
    # the congress runs from late morning to past midnight: the small hours are a second range of each day
    assert realdata.time_ranges(data, slot) == [{"start": "00:00", "end": "02:15"}, {"start": "11:00", "end": "24:00"}]
    assert bulk["skipped_count"] == 0 and bulk["created_count"] == realdata.slots_needed(data) == 4 * 4 * 61

    hosts = {name: make_user(roles=("host",), name=name).id for name in realdata.host_names(data)}
    talks = {}
    for talk in realdata.talks(data):
        body = realdata.workshop_body(talk, con["id"], hosts, rooms, None, slot)
        talks[post("/api/workshops", body)["id"]] = talk
    return {"id": con["id"], "admin": admin, "rooms": rooms, "talks": talks, "zone": ZoneInfo(data["timezone"]),
            "slot": slot, "hosts": hosts}


def _grid(client, congress) -> dict:
    response = client.get(f"/api/conventions/{congress['id']}/schedule", headers=congress["admin"])
    assert response.status_code == 200
    return response.get_json()


def test_the_published_schedule_is_accepted_by_hand_and_auto_schedule_keeps_it(client, congress):
    grid = _grid(client, congress)
    slot_at = {(cell["location_id"], datetime.fromisoformat(cell["start"])): cell["event_slot_id"]
               for row in grid["rows"] for cell in row["cells"]}
    for talk_id, talk in congress["talks"].items():
        start = realdata.published_start(talk, congress["zone"])
        slot_id = slot_at[(congress["rooms"][talk.event["original_room"]], start)]
        placed = client.post(f"/api/workshops/{talk_id}/assign-slot", json={"event_slot_id": slot_id},
                             headers=congress["admin"])
        assert placed.status_code == 201, (talk.event["title"], placed.get_json())
    published = _grid(client, congress)
    assert realdata.schedule_problems(published, congress["talks"], congress["slot"]) == []

    queued = client.post(f"/api/conventions/{congress['id']}/auto-schedule",
                         json={"time_limit_seconds": 5, "keep_current": True}, headers=congress["admin"])
    assert queued.status_code == 202, queued.get_json()
    run = wait_for_run(client, congress["admin"], queued.get_json()["run_id"], {"succeeded", "failed"}, timeout=120)
    assert run["status"] == "succeeded", run["error_message"]
    assert run["diff"]["added"] == [] and run["diff"]["moved"] == [] and run["diff"]["removed"] == []
    assert run["unplaced"] == []


def test_auto_schedule_places_every_talk_of_an_empty_grid_with_no_speaker_twice(client, congress):
    queued = client.post(f"/api/conventions/{congress['id']}/auto-schedule", json={"time_limit_seconds": 10},
                         headers=congress["admin"])
    assert queued.status_code == 202, queued.get_json()
    run = wait_for_run(client, congress["admin"], queued.get_json()["run_id"], {"succeeded", "failed"}, timeout=180)
    assert run["status"] == "succeeded", run["error_message"]
    assert run["unplaced"] == [] and len(run["diff"]["added"]) == len(congress["talks"])

    accepted = client.post(f"/api/schedule-runs/{run['id']}/accept", headers=congress["admin"])
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["added_runs"] == len(congress["talks"])
    assert realdata.schedule_problems(_grid(client, congress), congress["talks"], congress["slot"]) == []
    # every speaker of the data set, matched by name as its README says, and the organisers for the relays
    organisers = [name for name in congress["hosts"] if name.startswith(realdata.ORGANISER)]
    assert len(congress["hosts"]) == 197 + 2 and len(organisers) == 2  # the two "(Stream)" relays
