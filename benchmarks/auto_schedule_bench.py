"""End-to-end auto-schedule timing on the demo convention, over real HTTP.

Seeds a demo convention into a fresh database, starts `slotwise serve` (and, with --redis-url,
one `slotwise worker`), then as an admin: POST auto-schedule (latency), poll the run (when progress
first shows, when the proposal arrives), and report what was placed.

    .venv/bin/python benchmarks/auto_schedule_bench.py --size large --time-limit 60
    .venv/bin/python benchmarks/auto_schedule_bench.py --size large --time-limit 60 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench --redis-url redis://127.0.0.1:6379/0
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLOTWISE = [str(Path(sys.executable).with_name("slotwise"))]
ADMIN = ("bench-admin@example.org", "bench admin password")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base: str, method: str, path: str, body: dict | None = None, token: str | None = None,
         timeout: float = 30) -> tuple[int, dict, float]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = json.loads(response.read() or b"{}")
            status = response.status
    except urllib.error.HTTPError as error:
        payload, status = json.loads(error.read() or b"{}"), error.code
    return status, payload, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=["small", "large"], default="large")
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    parser.add_argument("--redis-url", default=None, help="use Celery + one worker process instead of the embedded thread")
    parser.add_argument("--no-accept", action="store_true", help="do not accept the proposal (accepting is timed)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="slotwise-bench-"))
    env = dict(os.environ, DATABASE_URL=args.database_url or f"sqlite:///{workdir / 'bench.db'}",
               SECRET_KEY="bench", SESSION_COOKIE_SECURE="false", RATELIMIT_ENABLED="false")
    env.pop("REDIS_URL", None)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    subprocess.run([*SLOTWISE, "seed-demo", "--size", args.size], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([*SLOTWISE, "create-admin", "--email", ADMIN[0], "--password", ADMIN[1]], env=env, check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    processes, base = start_servers(env, workdir, with_worker=bool(args.redis_url))
    try:
        token = call(base, "POST", "/api/auth/token", {"email": ADMIN[0], "password": ADMIN[1]})[1]["access_token"]
        conventions = call(base, "GET", "/api/conventions?limit=1", token=token)[1]
        convention_id = conventions["items"][0]["id"] if conventions.get("items") else 1
        status, body, latency = call(base, "POST", f"/api/conventions/{convention_id}/auto-schedule",
                                     {"time_limit_seconds": args.time_limit}, token)
        assert status == 202, body
        asked = time.monotonic()
        run_id = body["run_id"]
        first_progress = first_placed = None
        polls = []
        while True:
            status, run, poll_latency = call(base, "GET", f"/api/schedule-runs/{run_id}", token=token)
            polls.append(poll_latency)
            now = time.monotonic() - asked
            progress = run.get("progress") or {}
            if first_progress is None and "elapsed_seconds" in progress:
                first_progress = now
            if first_placed is None and progress.get("placed_runs"):
                first_placed = now
            if run["status"] not in ("queued", "running"):
                break
            if now > args.time_limit + 300:
                raise SystemExit(f"run did not finish: {run['status']}")
            time.sleep(0.2)
        finished = time.monotonic() - asked
        accept_status = accept_latency = None
        if run["status"] == "succeeded" and not args.no_accept:
            # what the admin does next: every rule is checked again and every run written in one transaction
            accept_status, accepted, accept_latency = call(base, "POST", f"/api/schedule-runs/{run_id}/accept",
                                                           token=token, timeout=600)
            if accept_status != 200:
                print("accept refused:", json.dumps(accepted)[:2000], file=sys.stderr)
        stats = run.get("stats") or {}
        unplaced = run.get("unplaced") or []
        polls.sort()
        result = {
            "size": args.size, "mode": "celery+redis" if args.redis_url else "embedded",
            "database": env["DATABASE_URL"].split(":")[0],
            "request_ms": round(latency * 1000, 1),
            "progress_visible_s": round(first_progress, 2) if first_progress is not None else None,
            "first_proposal_s": round(first_placed, 2) if first_placed is not None else None,
            "finished_s": round(finished, 2), "time_limit_s": args.time_limit, "status": run["status"],
            "placed_runs": stats.get("placed_runs"), "total_runs": stats.get("total_runs"),
            "unplaced_workshops": len(unplaced),
            "unplaced_without_reason": sum(1 for u in unplaced if not u["reasons"]),
            "attendee_conflicts": stats.get("attendee_conflicts"),
            "greedy_attendee_conflicts": stats.get("greedy_attendee_conflicts"),
            "accept_status": accept_status,
            "accept_s": round(accept_latency, 2) if accept_latency is not None else None,
            "poll_p50_ms": round(polls[len(polls) // 2] * 1000, 1),
            "poll_p95_ms": round(polls[int(len(polls) * 0.95) - 1] * 1000, 1) if len(polls) > 1 else None,
        }
        print(json.dumps(result, indent=2))
        if unplaced:
            print("first unplaced reasons:", json.dumps(unplaced[:3], indent=2))
    finally:
        stop_servers(processes)


def start_servers(env: dict, workdir: Path, *, with_worker: bool) -> tuple[list[subprocess.Popen], str]:
    """`slotwise serve` (and a `slotwise worker`) on a free port, answering /healthz; their logs in `workdir`."""
    port = free_port()
    processes = [subprocess.Popen([*SLOTWISE, "serve", "--port", str(port)], env=env, cwd=ROOT,
                                  stdout=open(workdir / "serve.log", "w"), stderr=subprocess.STDOUT)]
    if with_worker:
        processes.append(subprocess.Popen([*SLOTWISE, "worker"], env=env, cwd=ROOT,
                                          stdout=open(workdir / "worker.log", "w"), stderr=subprocess.STDOUT))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if call(base, "GET", "/healthz")[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_servers(processes)
            raise SystemExit(f"server did not start; see {workdir / 'serve.log'}")
        time.sleep(0.2)
    if with_worker:
        time.sleep(3)  # let the worker connect
    return processes, base


def stop_servers(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    main()
