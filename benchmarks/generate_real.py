"""Real conference schedules (FOSDEM 2019, 31C3) as solver problems.

Each room gets 5-minute slots over every day's published span; a talk lasts
duration/5 slots and may use the rooms its track used (each FOSDEM devroom holds one
track); speakers, matched by name ignoring case and spacing, are the hosts. The sources
give no capacities and no interests, so the test is pure placement: the published
schedule is valid, so every talk fits, and a scheduler that leaves one out is wrong.

    python benchmarks/generate_real.py /work/shared/realdata/fosdem2019.json > fosdem.json
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver import Location, Names, Problem, Slot, Workshop, problem_to_json  # noqa: E402

GRID_MINUTES = 5


def _minutes(local_iso: str) -> int:
    # wall-clock times are used as if they were UTC: only differences matter here
    moment = datetime.fromisoformat(local_iso).replace(tzinfo=timezone.utc)
    return int(moment.timestamp()) // 60


def real_problem(path: str | Path, any_room: bool = False, drop_room_share: float = 0.0,
                 cut_minutes_per_day: int = 0) -> Problem:
    """The published conference as a problem. `any_room`: every talk may use every room
    (else only its track's rooms). The overload variant of issue 15 drops the last
    `drop_room_share` of the rooms and cuts `cut_minutes_per_day` off the end of each day."""
    data = json.loads(Path(path).read_text())
    room_ids = {room["name"]: index for index, room in enumerate(data["rooms"], start=1)}
    kept_rooms = len(room_ids) - round(len(room_ids) * drop_room_share)
    events = data["events"]
    spans: dict[str, list[int]] = {}
    for event in events:
        start = _minutes(event["original_start"])
        day = event["original_start"][:10]
        end = start + event["duration_minutes"]
        low, high = spans.get(day, [start, end])
        spans[day] = [min(low, start), max(high, end)]
    slots = []
    for room_id in list(room_ids.values())[:kept_rooms]:
        for low, high in spans.values():
            for start in range(low, high - cut_minutes_per_day, GRID_MINUTES):
                slots.append(Slot(len(slots) + 1, room_id, start, start + GRID_MINUTES))
    track_rooms: dict[str, set[int]] = defaultdict(set)
    for event in events:
        track_rooms[event["track"]].add(room_ids[event["original_room"]])
    track_ids = {name: number for number, name in enumerate(sorted(track_rooms), start=1)}
    speaker_ids: dict[str, int] = {}
    workshops = []
    for number, event in enumerate(events, start=1):
        hosts = []
        for speaker in event["speakers"]:
            key = " ".join(speaker.lower().split())
            hosts.append(speaker_ids.setdefault(key, len(speaker_ids) + 1))
        allowed = () if any_room else tuple(sorted(track_rooms[event["track"]]))
        workshops.append(
            Workshop(
                id=number,
                title=event["title"],
                host_ids=tuple(dict.fromkeys(hosts)),
                max_attendees=1,
                duration_slots=max(1, event["duration_minutes"] // GRID_MINUTES),
                allowed_location_ids=allowed,
                track=track_ids[event["track"]],
            )
        )
    return Problem(
        slots=tuple(slots),
        locations=tuple(Location(i, 100) for i in list(room_ids.values())[:kept_rooms]),
        workshops=tuple(workshops),
        names=Names(
            hosts={i: name for name, i in speaker_ids.items()},
            locations={i: name for name, i in room_ids.items()},
        ),
        consecutive_gap_minutes=0,
    )


def main() -> None:
    json.dump(problem_to_json(real_problem(sys.argv[1])), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
