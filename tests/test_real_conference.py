"""End to end on a real published schedule: the 31st Chaos Communication Congress (31C3, 2014).

Everything goes through the JSON API as an organiser would do it: the convention, its four halls, 15-minute
slots in bulk (talks run past midnight), one workshop per talk with its speakers as host and co-hosts. Then
the published schedule is placed by hand (it is valid, so every rule must accept it) and auto-schedule
must keep it; and from an empty grid, auto-schedule must place every talk with no speaker in two halls.
The data is tests/data/31c3.json (138 talks, 4 halls, 197 speakers, 4 days; see tests/data/README.md).
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .scheduling_helpers import wait_for_run

REALDATA = Path(__file__).resolve().parent / "data" / "31c3.json"
SLOT_MINUTES = 15

pytestmark = pytest.mark.usefixtures("stop_embedded_worker")


def _speaker_key(name: str) -> str:
    return " ".join(name.lower().split())  # the data's rule: names match ignoring case and spacing


@pytest.fixture
def congress(client, make_user, auth_headers):
    """The 31C3 convention built through the API; answers what the checks need."""
    data = json.loads(REALDATA.read_text())
    admin = auth_headers(make_user(roles=("admin",)))
    days = [date.fromisoformat(day) for day in data["days"]]

    def post(path, body):
        response = client.post(path, json=body, headers=admin)
        assert response.status_code in (200, 201), (path, response.get_json())
        return response.get_json()

    con = post("/api/conventions", {"name": "31C3", "start_date": data["days"][0], "end_date": data["days"][-1],
                                    "timezone": data["timezone"], "status": "open"})
    rooms = {room["name"]: post(f"/api/conventions/{con['id']}/locations", {"name": room["name"], "capacity": 1500})["id"]
             for room in data["rooms"]}
    bulk = post(f"/api/conventions/{con['id']}/bulk-slots", {
        "days": data["days"], "slot_minutes": SLOT_MINUTES, "location_ids": list(rooms.values()),
        # the congress runs from late morning to past midnight: the small hours belong to each calendar day
        "time_ranges": [{"start": "00:00", "end": "02:30"}, {"start": "11:00", "end": "24:00"}],
    })
    assert bulk["skipped_count"] == 0 and bulk["created_count"] == len(days) * len(rooms) * (2.5 + 13) * 4

    speakers: dict[str, int] = {}
    for event in data["events"]:
        for name in event["speakers"]:
            if _speaker_key(name) not in speakers:
                speakers[_speaker_key(name)] = make_user(roles=("host",), name=name).id
    relay_host = make_user(roles=("host",), name="Video operations").id
    talks = {}
    for event in data["events"]:
        hosts = [speakers[_speaker_key(name)] for name in event["speakers"]]
        if event["title"].endswith("(Stream)"):
            # a relay of a talk into another hall at the same time: the speakers are in the first hall, and the
            # published schedule would otherwise have Fefe in two halls at once (Fnord News Show, 29 Dec 00:15)
            hosts = [relay_host]
        talk = post("/api/workshops", {
            "convention_id": con["id"], "title": event["title"][:200], "host_id": hosts[0],
            "cohost_ids": sorted(set(hosts[1:]) - {hosts[0]}), "max_attendees": 1000,
            "duration_slots": math.ceil(event["duration_minutes"] / SLOT_MINUTES),
        })
        talks[talk["id"]] = event
    return {"id": con["id"], "admin": admin, "rooms": rooms, "talks": talks, "zone": ZoneInfo(data["timezone"]),
            "speakers": len(speakers)}


def _grid(client, congress) -> dict:
    response = client.get(f"/api/conventions/{congress['id']}/schedule", headers=congress["admin"])
    assert response.status_code == 200
    return response.get_json()


def _runs(grid: dict) -> dict[int, list[dict]]:
    """Workshop id -> its cells, in time order."""
    runs: dict[int, list[dict]] = defaultdict(list)
    for row in grid["rows"]:
        for cell in row["cells"]:
            if cell["workshop_id"] is not None:
                runs[cell["workshop_id"]].append(cell)
    for cells in runs.values():
        cells.sort(key=lambda cell: cell["start"])
    return runs


def _check_every_talk_placed_once_whole_and_no_speaker_twice(grid: dict, congress) -> None:
    runs = _runs(grid)
    assert set(runs) == set(congress["talks"]), "every talk is placed"
    busy: dict[int, list[tuple[datetime, datetime, int]]] = defaultdict(list)
    for talk_id, cells in runs.items():
        event = congress["talks"][talk_id]
        assert len(cells) == math.ceil(event["duration_minutes"] / SLOT_MINUTES), event["title"]
        assert len({cell["location_id"] for cell in cells}) == 1, f"{event['title']} stays in one hall"
        for before, after in zip(cells, cells[1:]):
            assert before["end"] == after["start"], f"{event['title']} runs without a break"
        start, end = datetime.fromisoformat(cells[0]["start"]), datetime.fromisoformat(cells[-1]["end"])
        for host_id in cells[0]["workshop"]["host_ids"]:
            busy[host_id].append((start, end, talk_id))
    for host_id, talks in busy.items():
        talks.sort()
        for (_, first_end, first), (second_start, _, second) in zip(talks, talks[1:]):
            assert first_end <= second_start, f"speaker {host_id} holds talks {first} and {second} at once"


def test_the_published_schedule_is_accepted_by_hand_and_auto_schedule_keeps_it(client, congress):
    grid = _grid(client, congress)
    slot_at = {(cell["location_id"], datetime.fromisoformat(cell["start"])): cell["event_slot_id"]
               for row in grid["rows"] for cell in row["cells"]}
    for talk_id, event in congress["talks"].items():
        start = datetime.fromisoformat(event["original_start"]).replace(tzinfo=congress["zone"])
        slot_id = slot_at[(congress["rooms"][event["original_room"]], start)]
        placed = client.post(f"/api/workshops/{talk_id}/assign-slot", json={"event_slot_id": slot_id},
                             headers=congress["admin"])
        assert placed.status_code == 201, (event["title"], placed.get_json())
    published = _grid(client, congress)
    _check_every_talk_placed_once_whole_and_no_speaker_twice(published, congress)

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
    _check_every_talk_placed_once_whole_and_no_speaker_twice(_grid(client, congress), congress)
    assert congress["speakers"] == 197  # every speaker of the data set, matched by name as its README says
