"""A real published schedule (the neutral JSON of shared/realdata) as the API requests an organiser would send.

Used by tests/test_real_conference.py (31C3, through the test client) and benchmarks/realdata_e2e.py (FOSDEM 2019
and 31C3, over HTTP). Nothing here talks to a server: it only turns the data into request bodies.

- Slots: one length for the whole grid, the longest that every published start falls on (15 minutes at 31C3,
  5 at FOSDEM; a talk's length is rounded up to whole slots), over the times of day that any talk uses, on
  every day (talks that run past midnight give a second range in the small hours).
- Speakers, matched by name ignoring case and spacing as the data's README says, become hosts; a talk's first
  speaker is its owner and the others co-hosts. A talk without speakers gets an organiser of its own as host.
- A "(Stream)" talk relays another hall's talk at the same time: its speakers are not in the relay hall, so it is
  hosted by an organiser (31C3 would otherwise have Fefe in two halls at once).
- With `bind_tracks`, a talk may use only the rooms its track used (each FOSDEM devroom holds one track).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import reduce

ROOM_SEATS = 1500  # the sources give no capacities: every room seats every talk
ORGANISER = "Organisers"
BREAK_MINUTES = 120  # a pause shorter than this between talks is a break inside the day, not the end of it


def speaker_key(name: str) -> str:
    return " ".join(name.lower().split())


@dataclass(frozen=True)
class Talk:
    event: dict
    host_names: tuple[str, ...]  # owner first; display names as first spelled in the data

    @property
    def start(self) -> datetime:
        return datetime.fromisoformat(self.event["original_start"])


def slot_minutes(data: dict) -> int:
    """The longest slot every published start falls on; a talk takes its length rounded up to whole slots."""
    starts = [datetime.fromisoformat(event["original_start"]).minute for event in data["events"]]
    return reduce(math.gcd, starts, 60) or 60


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def time_ranges(data: dict, slot: int) -> list[dict]:
    """The times of day any talk uses, merged over breaks; a talk past midnight adds a range from 00:00."""
    spans = []
    for event in data["events"]:
        start = datetime.fromisoformat(event["original_start"])
        begin = start.hour * 60 + start.minute
        end = begin + math.ceil(event["duration_minutes"] / slot) * slot
        spans.append((begin, min(end, 24 * 60)))
        if end > 24 * 60:
            spans.append((0, end - 24 * 60))
    merged: list[list[int]] = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1] + BREAK_MINUTES:  # breaks between talks stay in the day's grid
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    return [{"start": _clock(begin), "end": _clock(end)} for begin, end in merged]


def talks(data: dict) -> list[Talk]:
    first_spelling: dict[str, str] = {}
    for event in data["events"]:
        for name in event["speakers"]:
            first_spelling.setdefault(speaker_key(name), name)
    made = []
    for event in data["events"]:
        names = list(dict.fromkeys(first_spelling[speaker_key(name)] for name in event["speakers"]))
        if not names or event["title"].endswith("(Stream)"):
            names = [f"{ORGANISER} #{event['id']}"]  # its own: such talks may run at the same time
        made.append(Talk(event, tuple(names)))
    return made


def host_names(data: dict) -> list[str]:
    """Every host to create, each once (speakers and, when needed, the organisers)."""
    return list(dict.fromkeys(name for talk in talks(data) for name in talk.host_names))


def convention_body(data: dict, name: str) -> dict:
    return {"name": name, "start_date": data["days"][0], "end_date": data["days"][-1], "timezone": data["timezone"],
            "status": "open"}


def room_bodies(data: dict) -> list[dict]:
    return [{"name": room["name"], "capacity": room["capacity"] or ROOM_SEATS} for room in data["rooms"]]


def bulk_slots_body(data: dict, room_ids: list[int]) -> dict:
    slot = slot_minutes(data)
    return {"days": data["days"], "time_ranges": time_ranges(data, slot), "slot_minutes": slot, "gap_minutes": 0,
            "location_ids": room_ids}


def workshop_body(talk: Talk, convention_id: int, host_ids: dict[str, int], room_ids: dict[str, int],
                  track_rooms: dict[str, set[str]] | None, slot: int) -> dict:
    owner, *others = [host_ids[name] for name in talk.host_names]
    body = {
        "convention_id": convention_id, "title": talk.event["title"][:200], "host_id": owner,
        "cohost_ids": sorted(set(others) - {owner}), "max_attendees": 1000,
        "duration_slots": math.ceil(talk.event["duration_minutes"] / slot),
    }
    if track_rooms is not None:
        body["location_ids"] = sorted(room_ids[room] for room in track_rooms[talk.event["track"]])
    return body


def rooms_of_tracks(data: dict) -> dict[str, set[str]]:
    tracks: dict[str, set[str]] = {}
    for event in data["events"]:
        tracks.setdefault(event["track"], set()).add(event["original_room"])
    return tracks


def published_start(talk: Talk, zone) -> datetime:
    """The talk's published start as an aware datetime in the convention's zone."""
    return talk.start.replace(tzinfo=zone)


def slots_needed(data: dict) -> int:
    """How many slots the bulk request creates (rooms x days x slots per day)."""
    slot = slot_minutes(data)
    per_day = sum(
        (int(r["end"][:2]) * 60 + int(r["end"][3:]) - int(r["start"][:2]) * 60 - int(r["start"][3:])) // slot
        for r in time_ranges(data, slot)
    )
    return len(data["rooms"]) * len(data["days"]) * per_day


def schedule_problems(grid: dict, talks: dict[int, Talk], slot: int) -> list[str]:
    """What is wrong with a schedule grid (GET /api/conventions/{id}/schedule) holding these talks (workshop id ->
    talk): a talk not placed, of the wrong length, spread over rooms or broken by a pause; a host in two places."""
    runs: dict[int, list[dict]] = {}
    for row in grid["rows"]:
        for cell in row["cells"]:
            if cell["workshop_id"] is not None:
                runs.setdefault(cell["workshop_id"], []).append(cell)
    problems = [f"{talks[talk_id].event['title']!r} is not placed" for talk_id in sorted(set(talks) - set(runs))]
    busy: dict[int, list[tuple[datetime, datetime, int]]] = {}
    for talk_id, cells in runs.items():
        cells.sort(key=lambda cell: cell["start"])
        title = talks[talk_id].event["title"] if talk_id in talks else f"workshop {talk_id}"
        if talk_id in talks and len(cells) != math.ceil(talks[talk_id].event["duration_minutes"] / slot):
            problems.append(f"{title!r} takes {len(cells)} slots")
        if len({cell["location_id"] for cell in cells}) != 1:
            problems.append(f"{title!r} spreads over rooms")
        if any(before["end"] != after["start"] for before, after in zip(cells, cells[1:])):
            problems.append(f"{title!r} is broken by a pause")
        span = (datetime.fromisoformat(cells[0]["start"]), datetime.fromisoformat(cells[-1]["end"]), talk_id)
        for host_id in cells[0]["workshop"]["host_ids"]:
            busy.setdefault(host_id, []).append(span)
    for host_id, spans in busy.items():
        spans.sort()
        problems += [f"host {host_id} holds workshops {a[2]} and {b[2]} at once"
                     for a, b in zip(spans, spans[1:]) if a[1] > b[0]]
    return problems

