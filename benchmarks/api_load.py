"""API load benchmark: p50/p95 of the workshop list, the convention schedule and attendee registration.

Seeds the large demo convention into DATABASE_URL (PostgreSQL for the figures in the README), places
its workshops with the greedy scheduler, serves Slotwise with `slotwise serve`, then runs N concurrent
clients for D seconds (in several processes, so the client's GIL does not cap the load):

    .venv/bin/python benchmarks/api_load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/load \
        --clients 20 --seconds 30
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLOTWISE = str(Path(sys.executable).with_name("slotwise"))
PASSWORD = "slotwise-demo"
ENDPOINTS = ["workshop_list", "schedule", "register", "me"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(database_url: str) -> None:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="bench")
    subprocess.run([SLOTWISE, "seed-demo", "--size", "large"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ.update(env)
    from solver import greedy_solution
    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Convention, EventSlot
    from webapp.services.snapshot import build_problem

    app = create_app()
    with app.app_context():
        convention_id = db.session.scalar(db.select(Convention.id).order_by(Convention.id.desc()))
        placements = greedy_solution(build_problem(convention_id)).assignments
        slots = {s.id: s for s in db.session.scalars(db.select(EventSlot).where(EventSlot.convention_id == convention_id))}
        for placement in placements:
            for slot_id in placement.slot_ids:
                slots[slot_id].workshop_id = placement.workshop_id
                slots[slot_id].run_index = placement.run_index
        db.session.commit()
        print(f"convention {convention_id}: {len(placements)} runs placed", file=sys.stderr)


def request(connection, method, path, token, body=None, extra_headers=None, answer_headers=None):
    headers = {"Authorization": f"Bearer {token}", **(extra_headers or {})}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    if answer_headers is not None:
        answer_headers.update(response.getheaders())
    return response.status, payload, time.perf_counter() - started


def client_process(port: int, worker_index: int, threads: int, seconds: float, setup: dict, out) -> None:
    import threading

    samples: dict[str, list[float]] = {kind: [] for kind in setup["endpoints"]}
    errors: dict[str, int] = {}
    lock = threading.Lock()

    def run(thread_index: int) -> None:
        rng = random.Random(worker_index * 100 + thread_index)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        token = setup["tokens"][(worker_index * threads + thread_index) % len(setup["tokens"])]
        deadline = time.monotonic() + seconds
        etag = None
        while time.monotonic() < deadline:
            if setup["think"]:
                time.sleep(rng.expovariate(1 / setup["think"]))
            kind = rng.choice(setup["endpoints"])
            if kind == "me":  # the cheapest signed-in answer: what the stack costs before any domain work
                status, _, took = request(connection, "GET", "/api/users/me", token)
            elif kind == "workshop_list":
                offset = rng.randrange(0, 950)
                status, _, took = request(connection, "GET",
                                          f"/api/workshops?convention_id={setup['convention_id']}&limit=50&offset={offset}", token)
            elif kind == "schedule":
                # a browser that has the grid asks "has it changed?" (If-None-Match) and gets a 304 when not
                extra = {"If-None-Match": etag} if setup["conditional"] and etag else None
                answer: dict = {}
                status, _, took = request(connection, "GET", f"/api/conventions/{setup['convention_id']}/schedule",
                                          token, extra_headers=extra, answer_headers=answer)
                if status == 200:
                    etag = answer.get("ETag")
                elif status == 304:
                    status = 200
            else:
                workshop_id, slot_id = rng.choice(setup["runs"])
                status, payload, took = request(connection, "POST", f"/api/workshops/{workshop_id}/register", token,
                                                {"event_slot_id": slot_id})
                if status == 201:
                    selection_id = json.loads(payload).get("id")
                    if selection_id:  # give the seat back so the run does not fill up during the test
                        request(connection, "DELETE", f"/api/attendees/selections/{selection_id}", token)
                status = 200 if status in (201, 409) else status  # 409: clash or already registered is an answer
            with lock:
                samples[kind].append(took)
                if status >= 400 and status != 409:
                    errors[f"{kind}:{status}"] = errors.get(f"{kind}:{status}", 0) + 1

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.put((samples, errors))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000 if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--server-threads", type=int, default=16)
    parser.add_argument("--server-workers", type=int, default=1,
                        help="server processes (above 1: gunicorn, with a Redis started here when REDIS_URL is unset)")
    parser.add_argument("--think-ms", type=float, default=0,
                        help="mean pause of each client between requests (exponential); 0 = closed loop, no pause")
    parser.add_argument("--conditional", action="store_true",
                        help="clients keep the grid's ETag and send If-None-Match, as a browser with a cache does")
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS[:3]),
                        help=f"comma-separated mix drawn from {', '.join(ENDPOINTS)} ('me' measures the stack's floor)")
    args = parser.parse_args()
    endpoints = [name.strip() for name in args.endpoints.split(",") if name.strip()]
    unknown = sorted(set(endpoints) - set(ENDPOINTS))
    if unknown or not endpoints:
        parser.error(f"unknown endpoints {unknown}; choose from {ENDPOINTS}")
    if not args.skip_seed:
        prepare(args.database_url)
    port = free_port()
    env = dict(os.environ, DATABASE_URL=args.database_url, SECRET_KEY="bench", RATELIMIT_ENABLED="false",
               SESSION_COOKIE_SECURE="false")
    redis = None
    if args.server_workers > 1 and not os.environ.get("REDIS_URL"):
        redis_port = free_port()
        redis = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "",
                                  "--appendonly", "no"], stdout=subprocess.DEVNULL)
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    elif args.server_workers == 1:
        env.pop("REDIS_URL", None)
    server = subprocess.Popen([SLOTWISE, "serve", "--port", str(port), "--threads", str(args.server_threads),
                               "--workers", str(args.server_workers)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        connection = None
        for _ in range(300):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", "/healthz")
                health = connection.getresponse()
                health.read()
                if health.status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        tokens = []
        for i in range(args.clients):
            connection.request("POST", "/api/auth/token", body=json.dumps(
                {"email": f"demo-attendee-{i}@example.org", "password": PASSWORD}),
                headers={"Content-Type": "application/json"})
            tokens.append(json.loads(connection.getresponse().read())["access_token"])
        conventions = json.loads(request(connection, "GET", "/api/conventions?limit=100", tokens[0])[1])
        convention_id = max(c["id"] for c in conventions["items"])
        schedule = json.loads(request(connection, "GET", f"/api/conventions/{convention_id}/schedule", tokens[0])[1])
        runs = first_slots_of_runs(schedule)
        setup = {"tokens": tokens, "convention_id": convention_id, "runs": runs, "think": args.think_ms / 1000,
                 "endpoints": endpoints, "conditional": args.conditional}
        out = multiprocessing.Queue()
        per_process = max(1, args.clients // args.processes)
        workers = [multiprocessing.Process(target=client_process, args=(port, i, per_process, args.seconds, setup, out))
                   for i in range(args.processes)]
        for worker in workers:
            worker.start()
        merged: dict[str, list[float]] = {kind: [] for kind in endpoints}
        errors: dict[str, int] = {}
        for _ in workers:
            samples, errs = out.get()
            for key, values in samples.items():
                merged[key].extend(values)
            for key, count in errs.items():
                errors[key] = errors.get(key, 0) + count
        for worker in workers:
            worker.join()
        total = sum(len(values) for values in merged.values())
        print(f"{args.clients} clients, {args.seconds:.0f} s, think time {args.think_ms:.0f} ms, "
              f"{'conditional grid reads, ' if args.conditional else ''}"
              f"{args.server_workers} server process(es) x {args.server_threads} threads, "
              f"database {args.database_url.split(':')[0]}: {total / args.seconds:.1f} timed requests/s")
        print("| endpoint | requests | p50 ms | p95 ms |")
        print("| --- | --- | --- | --- |")
        for key, values in merged.items():
            print(f"| {key} | {len(values)} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} |")
        print("errors:", errors or "none")
    finally:
        server.terminate()
        server.wait(20)
        if redis is not None:
            redis.terminate()
            redis.wait(10)


def first_slots_of_runs(schedule: dict) -> list[tuple[int, int]]:
    """(workshop id, first slot id) of every placed run in the schedule grid."""
    first: dict[tuple[int, int], tuple[str, int]] = {}
    for row in schedule["rows"]:
        for cell in row["cells"]:
            if cell.get("workshop_id"):
                key = (cell["workshop_id"], cell["run_index"])
                if key not in first or cell["start"] < first[key][0]:
                    first[key] = (cell["start"], cell["event_slot_id"])
    return sorted((workshop_id, slot_id) for (workshop_id, _), (_, slot_id) in first.items())


if __name__ == "__main__":
    main()
