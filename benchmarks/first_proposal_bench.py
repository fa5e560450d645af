"""Seconds from the auto-schedule request to the first proposal readable through the JSON API.

Runs against a database that already holds a convention (for example FOSDEM 2019 imported with
`slotwise import ../shared/realdata/fosdem2019_schedule.xml --timezone Europe/Brussels`), in embedded
mode: the app's own worker thread solves, the test client reads `GET /api/schedule-runs/{id}` every
20 ms. A proposal is "readable" once the run's `best_so_far` (or its finished result) is there, and
"complete" once it places every run. Each run is then cancelled (discarded), so the data is unchanged.

    DATABASE_URL=sqlite:////tmp/fosdem.db .venv/bin/python benchmarks/first_proposal_bench.py --convention-id 1 --repeat 3
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--convention-id", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=60)
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "benchmark")
    os.environ["RATELIMIT_ENABLED"] = "false"

    from webapp import create_app
    from webapp.extensions import db
    from webapp.services.accounts import create_user, find_user_by_email

    app = create_app()
    client = app.test_client()
    with app.app_context():
        if find_user_by_email("bench-admin@example.org") is None:
            create_user("bench-admin@example.org", "bench password 123", "Bench", {"admin"})
            db.session.commit()
    token = client.post("/api/auth/token", json={"email": "bench-admin@example.org",
                                                 "password": "bench password 123"}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    results = []
    for attempt in range(args.repeat):
        asked = time.monotonic()
        queued = client.post(f"/api/conventions/{args.convention_id}/auto-schedule",
                             json={"time_limit_seconds": args.time_limit}, headers=headers)
        assert queued.status_code == 202, queued.get_json()
        run_id = queued.get_json()["run_id"]
        readable = complete = None
        while True:
            run = client.get(f"/api/schedule-runs/{run_id}", headers=headers).get_json()
            now = time.monotonic() - asked
            proposal = run.get("best_so_far") or (run if run["status"] == "succeeded" else None)
            total = (run.get("progress") or {}).get("total_runs")
            if proposal and readable is None:
                readable = now
            if proposal and total and len(proposal["assignments"]) >= total:
                complete = now
                break
            if run["status"] not in ("queued", "running") or now > args.time_limit + 30:
                break
            time.sleep(0.02)
        client.post(f"/api/schedule-runs/{run_id}/cancel", headers=headers)
        while client.get(f"/api/schedule-runs/{run_id}", headers=headers).get_json()["status"] in ("queued", "running"):
            time.sleep(0.1)
        row = {"attempt": attempt + 1, "run_id": run_id, "first_readable_s": readable and round(readable, 2),
               "first_complete_s": complete and round(complete, 2),
               "placed_first": len(proposal["assignments"]) if proposal else 0, "total_runs": total,
               "load_average": round(os.getloadavg()[0], 1)}
        print(json.dumps(row), flush=True)
        results.append(row)


if __name__ == "__main__":
    main()
