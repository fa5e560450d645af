"""Schedules in and out, measured on FOSDEM 2019 (shared/realdata): importing its schedule.xml into a new
SQLite database, then exporting it as schedule.xml (first build, then from the cache, then a 304).

    python benchmarks/exchange_bench.py [--file PATH] [--repeat N]

Targets (issue 14): import <= 10 s on SQLite; export <= 300 ms, then served from the cache.
"""
from __future__ import annotations

import argparse
import statistics
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


def one_round(path: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench",
                          "RATELIMIT_ENABLED": False})
        figures = {}
        with app.app_context():
            upgrade(directory=MIGRATIONS_DIR)
            admin = create_user("admin@example.org", None, "Admin", {"admin"})
            db.session.commit()
            raw = path.read_bytes()
            with app.test_request_context("/"):
                started, cpu = time.perf_counter(), time.process_time()
                report = import_schedule_file(admin, raw, keep_placements=True, timezone_name="Europe/Brussels")
                db.session.commit()
                figures["import_s"] = time.perf_counter() - started
                figures["import_cpu_s"] = time.process_time() - cpu
            convention = db.session.get(Convention, report.convention_id)
            convention.status = "open"
            db.session.commit()
            client = app.test_client()
            url = f"/conventions/{convention.id}/schedule.xml"
            for name in ("export_first", "export_cached"):
                started, cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                figures[name + "_ms"] = (time.perf_counter() - started) * 1000
                figures[name + "_cpu_ms"] = (time.process_time() - cpu) * 1000
                assert response.status_code == 200
            started = time.perf_counter()
            assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
            figures["export_304_ms"] = (time.perf_counter() - started) * 1000
            figures["events"] = report.counts["runs_placed"]
            figures["slots"] = report.counts["slots_created"]
            figures["bytes"] = len(response.data)
            db.session.remove()
            db.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rounds = [one_round(args.file) for _ in range(args.repeat)]
    print(f"{args.file.name}: {rounds[0]['events']} events placed, {rounds[0]['slots']} slots, "
          f"schedule.xml {rounds[0]['bytes']:,} bytes; {args.repeat} rounds, median (min-max)")
    print("  (wall clock; *_cpu is this process's CPU time, which other work on the machine does not inflate)")
    for name in ("import_s", "import_cpu_s", "export_first_ms", "export_first_cpu_ms", "export_cached_ms",
                 "export_cached_cpu_ms", "export_304_ms"):
        values = [r[name] for r in rounds]
        print(f"  {name:18} {statistics.median(values):9.3f} ({min(values):.3f}-{max(values):.3f})")


if __name__ == "__main__":
    main()
