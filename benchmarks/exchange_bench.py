"""Schedules in and out, measured on FOSDEM 2019 (shared/realdata): importing its schedule.xml into a new
SQLite database, then exporting it as schedule.xml (first build, then from the cache, then a 304).

    python benchmarks/exchange_bench.py [--file PATH] [--repeat N]
    python benchmarks/exchange_bench.py --compare-with DIR [--repeat N]

Targets (issue 14): import <= 10 s on SQLite; export <= 300 ms, then served from the cache.

`--compare-with DIR` measures the export side by side: DIR holds another version of the code (say
`git archive <commit> | tar -x -C DIR`); FOSDEM is imported once with this version, then each round serves the
first schedule.xml in a new process of each version in turn (the order alternating), after one warm-up request
to another page, so both meet the same load on this shared machine.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from webapp import MIGRATIONS_DIR, create_app
from webapp.extensions import db
from webapp.models import Convention
from webapp.services.accounts import create_user
from webapp.services.schedule_import import import_schedule_file

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "fosdem2019_schedule.xml"
HERE = Path(__file__).resolve().parents[1]
CONFIG = {"SECRET_KEY": "bench", "RATELIMIT_ENABLED": False}


def imported_database(path: Path, database: Path) -> tuple[object, dict[str, float]]:
    """FOSDEM imported (keeping placements) into `database` and opened to the public: its report, and the import's
    wall-clock and CPU seconds (read, check, write, commit)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", **CONFIG})
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        admin = create_user("admin@example.org", None, "Admin", {"admin"})
        db.session.commit()
        raw = path.read_bytes()
        with app.test_request_context("/"):
            started, cpu = time.perf_counter(), time.process_time()
            report = import_schedule_file(admin, raw, keep_placements=True, timezone_name="Europe/Brussels")
            db.session.commit()
            figures = {"import_s": time.perf_counter() - started, "import_cpu_s": time.process_time() - cpu}
        db.session.get(Convention, report.convention_id).status = "open"
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return report, figures


def exports(client, convention_id: int) -> dict[str, float]:
    """After one warm-up request to another page: the first schedule.xml (built), the next (from the cache) and
    a conditional request (304)."""
    assert client.get(f"/conventions/{convention_id}").status_code == 200
    url = f"/conventions/{convention_id}/schedule.xml"
    figures: dict[str, float] = {}
    for name in ("first", "cached"):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        figures[name + "_ms"] = (time.perf_counter() - started) * 1000
        figures[name + "_cpu_ms"] = (time.process_time() - cpu) * 1000
        assert response.status_code == 200
    figures["bytes"] = len(response.data)
    started = time.perf_counter()
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    figures["304_ms"] = (time.perf_counter() - started) * 1000
    return figures


def one_round(path: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.db"
        report, figures = imported_database(path, database)
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", **CONFIG})
        figures.update({f"export_{name}": value for name, value in exports(app.test_client(), report.convention_id).items()})
        figures["events"] = report.counts["runs_placed"]
        figures["slots"] = report.counts["slots_created"]
        with app.app_context():
            db.engine.dispose()
    return figures


def export_once(database: str, convention_id: int) -> None:
    """In a process of its own (run with the version under test first on sys.path): the exports' figures as JSON
    on stdout. Only what every version of the app has is used here."""
    import webapp

    app = webapp.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", **CONFIG})
    client = app.test_client()
    print(json.dumps({"code": str(Path(webapp.__file__).resolve().parents[1]), **exports(client, convention_id)}))


def compare(path: Path, before: Path, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "fosdem.db"
        convention_id = imported_database(path, database)[0].convention_id
        sides = {"before": before.resolve(), "after": HERE}
        results: dict[str, list[dict]] = {name: [] for name in sides}
        for round_number in range(repeat):
            order = list(sides) if round_number % 2 == 0 else list(reversed(sides))
            for name in order:
                env = {**os.environ, "PYTHONPATH": str(sides[name])}
                done = subprocess.run([sys.executable, __file__, "--export-only", str(database), str(convention_id)],
                                      cwd=sides[name], env=env, capture_output=True, text=True, check=True)
                figures = json.loads(done.stdout.strip().splitlines()[-1])
                assert figures["code"] == str(sides[name]), (figures["code"], sides[name])
                results[name].append(figures)
    print(f"{path.name}: schedule.xml ({results['after'][0]['bytes']:,} bytes; before: "
          f"{results['before'][0]['bytes']:,}), first request in a new process after one warm-up request; "
          f"{repeat} rounds, median (min-max)")
    print(f"  before = {sides['before']}, after = {sides['after']}; load average at the end: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for name in ("first_ms", "first_cpu_ms", "cached_ms", "304_ms"):
        medians = {}
        for side in sides:
            values = [r[name] for r in results[side]]
            medians[side] = statistics.median(values)
            print(f"  {side:6} {name:13} {medians[side]:9.1f} ({min(values):.1f}-{max(values):.1f})")
        print(f"  {'':6} {name:13} before/after = {medians['before'] / medians['after']:.1f}x")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--export-only":
        export_once(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare-with", type=Path, help="a directory with another version of the code")
    args = parser.parse_args()
    if args.compare_with:
        compare(args.file, args.compare_with, args.repeat)
        return
    rounds = [one_round(args.file) for _ in range(args.repeat)]
    print(f"{args.file.name}: {rounds[0]['events']} events placed, {rounds[0]['slots']} slots, "
          f"schedule.xml {rounds[0]['export_bytes']:,} bytes; {args.repeat} rounds, median (min-max)")
    print("  (wall clock; *_cpu is this process's CPU time, which other work on the machine does not inflate)")
    print(f"  load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for name in ("import_s", "import_cpu_s", "export_first_ms", "export_first_cpu_ms", "export_cached_ms",
                 "export_cached_cpu_ms", "export_304_ms"):
        values = [r[name] for r in rounds]
        print(f"  {name:18} {statistics.median(values):9.3f} ({min(values):.3f}-{max(values):.3f})")


if __name__ == "__main__":
    main()
