"""Conventions to auto-schedule in tests, and waiting for a run to reach a status."""
from __future__ import annotations

import random
import time
from datetime import timedelta

from webapp.extensions import db
from webapp.models import ScheduleRun

from . import factories as f


def small_convention(make_user, workshops=6, rooms=2, slots_per_room=6):
    """A convention every workshop of which fits, with a few interests."""
    con = f.convention()
    hosts = [make_user(roles=("host",), name=f"Host {i}") for i in range(3)]
    locations = [f.location(con, name=f"Room {i}", capacity=30) for i in range(rooms)]
    for loc in locations:
        f.slots(loc, count=slots_per_room)
    made = [f.workshop(con, hosts[i % len(hosts)], title=f"Workshop {i}", max_attendees=20) for i in range(workshops)]
    attendees = [make_user() for _ in range(4)]
    for person in attendees:
        for rank, ws in enumerate(random.Random(person.id).sample(made, min(3, len(made))), start=1):
            f.selection(person, ws, rank=rank)
    db.session.commit()
    return con, made


def hard_convention(make_user, workshops=40, rooms=2, slots_per_room=24, attendees=120, seed=7):
    """Dense interests: attendee conflicts cannot all be avoided, so the search runs to its time limit."""
    rng = random.Random(seed)
    con = f.convention()
    hosts = [make_user(roles=("host",)) for _ in range(8)]
    for i in range(rooms):
        loc = f.location(con, name=f"Hall {i}", capacity=100)
        f.slots(loc, count=slots_per_room, start=f.T0, minutes=30)
    made = [f.workshop(con, hosts[i % len(hosts)], title=f"Talk {i}", max_attendees=50) for i in range(workshops)]
    people = [make_user() for _ in range(attendees)]
    for person in people:
        for rank, ws in enumerate(rng.sample(made, 8), start=1):
            f.selection(person, ws, rank=min(rank, 5))
    db.session.commit()
    return con, made


def wait_for_run(client, headers, run_id, statuses, timeout=60.0, runs="schedule-runs") -> dict:
    """The run's JSON once its status is one of `statuses` (`runs="allocation-runs"` for a seat allocation)."""
    deadline = time.monotonic() + timeout
    body = {}
    while time.monotonic() < deadline:
        body = client.get(f"/api/{runs}/{run_id}", headers=headers).get_json()
        if body.get("status") in statuses:
            return body
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not reach {statuses} in {timeout} s; last: {body}")


def age_heartbeat(run_id: int, seconds: int) -> None:
    run = db.session.get(ScheduleRun, run_id)
    run.heartbeat_at = run.heartbeat_at - timedelta(seconds=seconds)
    db.session.commit()
