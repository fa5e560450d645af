"""A real conference through the whole stack, over HTTP: build it with the API, auto-schedule it, accept it.

Serves Slotwise (`slotwise serve`, and a `slotwise worker` with --redis-url) on a fresh database, then as an
admin builds the convention from a real published schedule (benchmarks/realdata_api.py: rooms, slots in bulk,
speakers as hosts, talks as workshops), optionally places the first N talks by hand where they were published,
asks auto-schedule for the rest, accepts the proposal and checks the result from the schedule grid: every talk
placed whole in one room, no speaker in two places. Each step is timed.

    .venv/bin/python benchmarks/realdata_e2e.py /work/shared/realdata/fosdem2019.json --time-limit 60
    .venv/bin/python benchmarks/realdata_e2e.py /work/shared/realdata/31c3.json --hand-place 138
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import realdata_api as realdata  # noqa: E402
from benchmarks.auto_schedule_bench import ADMIN, ROOT, SLOTWISE, call, start_servers, stop_servers  # noqa: E402


def step(results: dict, name: str, started: float) -> None:
    results[name] = round(time.perf_counter() - started, 2)
    print(f"{name}: {results[name]} s", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", help="a schedule in shared/realdata's neutral JSON form")
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument("--hand-place", type=int, default=0, help="place the first N talks by hand first")
    parser.add_argument("--no-tracks", action="store_true", help="let every talk use every room")
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    parser.add_argument("--redis-url", default=None, help="Celery + one worker process instead of the embedded thread")
    args = parser.parse_args()
    data = json.loads(Path(args.data).read_text())

    workdir = Path(tempfile.mkdtemp(prefix="slotwise-realdata-"))
    env = dict(DATABASE_URL=args.database_url or f"sqlite:///{workdir / 'bench.db'}", SECRET_KEY="bench",
               SESSION_COOKIE_SECURE="false", RATELIMIT_ENABLED="false",
               # hundreds of speaker accounts are made here; their password hashing is not what is measured
               ARGON2_TIME_COST="1", ARGON2_MEMORY_COST_KIB="1024")
    env = {**{k: v for k, v in os.environ.items() if k != "REDIS_URL"}, **env}
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    subprocess.run([*SLOTWISE, "create-admin", "--email", ADMIN[0], "--password", ADMIN[1]], env=env, check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    processes, base = start_servers(env, workdir, with_worker=bool(args.redis_url))
    results: dict = {"data": Path(args.data).name, "talks": len(data["events"]), "rooms": len(data["rooms"]),
                     "database": env["DATABASE_URL"].split(":")[0], "mode": "celery+redis" if args.redis_url else "embedded"}
    try:
        token = call(base, "POST", "/api/auth/token", {"email": ADMIN[0], "password": ADMIN[1]})[1]["access_token"]

        def post(path: str, body: dict, expect=(200, 201)) -> dict:
            status, payload, _ = call(base, "POST", path, body, token, timeout=600)
            if status not in expect:
                raise SystemExit(f"POST {path} answered {status}: {json.dumps(payload)[:1000]}")
            return payload

        started = time.perf_counter()
        convention_id = post("/api/conventions", realdata.convention_body(data, results["data"]))["id"]
        rooms = {body["name"]: post(f"/api/conventions/{convention_id}/locations", body)["id"]
                 for body in realdata.room_bodies(data)}
        step(results, "rooms_s", started)
        started = time.perf_counter()
        bulk = post(f"/api/conventions/{convention_id}/bulk-slots", realdata.bulk_slots_body(data, list(rooms.values())))
        step(results, "bulk_slots_s", started)
        results["slots"] = bulk["created_count"]
        slot = realdata.slot_minutes(data)

        started = time.perf_counter()
        hosts = {}
        for number, name in enumerate(realdata.host_names(data)):
            hosts[name] = post("/api/users", {"email": f"speaker-{number}@example.org", "password": "speaker password",
                                              "display_name": name[:100], "roles": ["host"]})["id"]
        step(results, "hosts_s", started)
        results["hosts"] = len(hosts)

        started = time.perf_counter()
        tracks = None if args.no_tracks else realdata.rooms_of_tracks(data)
        talks = {}
        for talk in realdata.talks(data):
            talks[post("/api/workshops", realdata.workshop_body(talk, convention_id, hosts, rooms, tracks, slot))["id"]] = talk
        step(results, "workshops_s", started)

        status, grid, took = call(base, "GET", f"/api/conventions/{convention_id}/schedule", token=token, timeout=600)
        results["grid_json_s"] = round(took, 2)
        zone = ZoneInfo(data["timezone"])
        slot_at = {(cell["location_id"], datetime.fromisoformat(cell["start"])): cell["event_slot_id"]
                   for row in grid["rows"] for cell in row["cells"]}

        if args.hand_place:
            timings = []
            for talk_id, talk in list(talks.items())[:args.hand_place]:
                slot_id = slot_at[(rooms[talk.event["original_room"]], realdata.published_start(talk, zone))]
                status, payload, took = call(base, "POST", f"/api/workshops/{talk_id}/assign-slot",
                                             {"event_slot_id": slot_id}, token, timeout=600)
                if status != 201:
                    raise SystemExit(f"hand placement of {talk.event['title']!r} refused: {json.dumps(payload)[:1000]}")
                timings.append(took)
            timings.sort()
            results["hand_placed"] = len(timings)
            results["hand_place_p50_ms"] = round(statistics.median(timings) * 1000)
            results["hand_place_max_ms"] = round(timings[-1] * 1000)

        asked = time.monotonic()
        run_id = post(f"/api/conventions/{convention_id}/auto-schedule",
                      {"time_limit_seconds": args.time_limit, "keep_current": bool(args.hand_place)}, expect=(202,))["run_id"]
        first_placed = first_readable = first_complete = None
        while True:
            run = call(base, "GET", f"/api/schedule-runs/{run_id}", token=token, timeout=600)[1]
            now = time.monotonic() - asked
            progress = run.get("progress") or {}
            if first_placed is None and progress.get("placed_runs"):
                first_placed = now
            # a proposal readable through the API: the running run's best so far, or the finished result
            readable = run.get("best_so_far") or (run if run["status"] == "succeeded" else None)
            if readable and first_readable is None:
                first_readable = now
            placed = len(readable["assignments"]) if readable else 0
            if readable and first_complete is None and progress.get("total_runs") and placed >= progress["total_runs"]:
                first_complete = now
            if run["status"] not in ("queued", "running"):
                break
            time.sleep(0.05)
        results["first_proposal_readable_s"] = round(first_readable, 2) if first_readable is not None else None
        results["first_complete_proposal_readable_s"] = round(first_complete, 2) if first_complete is not None else None
        results["auto_schedule_status"] = run["status"]
        results["first_proposal_s"] = round(first_placed, 2) if first_placed is not None else None
        results["auto_schedule_s"] = round(time.monotonic() - asked, 2)
        stats = run.get("stats") or {}
        results["placed_runs"], results["total_runs"] = stats.get("placed_runs"), stats.get("total_runs")
        results["unplaced"] = len(run.get("unplaced") or [])
        if run["status"] != "succeeded":
            raise SystemExit(f"auto-schedule ended {run['status']}: {run.get('error_message')}")

        status, accepted, took = call(base, "POST", f"/api/schedule-runs/{run_id}/accept", token=token, timeout=600)
        results["accept_status"], results["accept_s"] = status, round(took, 2)

        status, grid, took = call(base, "GET", f"/api/conventions/{convention_id}/schedule", token=token, timeout=600)
        results["grid_json_placed_s"] = round(took, 2)
        problems = realdata.schedule_problems(grid, talks, slot)
        results["check"] = "ok" if not problems else "; ".join(problems[:5])
        print(json.dumps(results, indent=2))
    finally:
        stop_servers(processes)


if __name__ == "__main__":
    main()
