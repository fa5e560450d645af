"""Seat allocation through the web app's own path on the large demo (issue 16): snapshot, the worker's run
(allocation, the three baselines' figures, the checker, storing the result), the review's first page, accept.

Seeds the large demo (5,000 attendees, 30,000 ranked interests, 1,000 workshops) into a fresh SQLite file, places
it with the solver's greedy (as benchmarks/allocation_bench.py does), switches it to allocation, queues a run as
the demo admin, which the embedded worker thread runs (as under `slotwise serve` without Redis), waits for it,
then builds the review and accepts it.

    .venv/bin/python benchmarks/allocation_web_bench.py --seed 1
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", default="large", choices=("small", "large"))
    parser.add_argument("--screenshots", metavar="DIR", default=None,
                        help="before accepting, serve the app and save the review and a demo attendee's wishes page "
                             "at 390 and 1280 px (Chromium), checking neither scrolls sideways")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from solver import greedy_solution
    from webapp import create_app
    from webapp.demo import seed_demo
    from webapp.extensions import db
    from webapp.models import OutboxMessage, ScheduleRun, Selection, User
    from webapp.services import allocation_runs
    from webapp.services.placement import apply_placements
    from webapp.services.snapshot import build_problem

    figures = {}
    with tempfile.TemporaryDirectory() as workdir:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/demo.db", "SECRET_KEY": "bench",
                          "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST_KIB": 1024})
        with app.app_context():
            db.create_all()
            convention = seed_demo(args.size, 2027)
            db.session.commit()
            apply_placements(convention.id, list(greedy_solution(build_problem(convention.id)).assignments))
            convention.seat_mode = "allocation"
            db.session.commit()
            admin = db.session.scalar(select(User).where(User.email.like("demo-admin%")))
            started, cpu = time.perf_counter(), time.process_time()
            run = allocation_runs.request_allocation(admin, convention.id, args.seed)
            run_id = run.id
            db.session.commit()  # the embedded worker thread takes it from here, as under `slotwise serve`
            while db.session.scalar(select(ScheduleRun.status).where(ScheduleRun.id == run_id)) in ("queued", "running"):
                db.session.rollback()
                time.sleep(0.1)
            figures["run_seconds"] = round(time.perf_counter() - started, 2)
            figures["run_cpu_seconds"] = round(time.process_time() - cpu, 2)  # the process: the worker thread's work
            run = db.session.get(ScheduleRun, run_id, populate_existing=True)
            assert run.status == "succeeded", (run.status, run.error_message)
            result = run.allocation
            figures.update(wishes=result["wishes"], people=len(result["wishers"]), seats_given=len(result["assignments"]),
                           waitlist_places=sum(len(w["user_ids"]) for w in result["waitlists"]),
                           skipped=len(result["skipped"]), figures=result["figures"], baselines=result["baselines"])
            started = time.perf_counter()
            allocation_runs.allocation_review(run, 1)
            figures["review_page_seconds"] = round(time.perf_counter() - started, 2)
            db.session.rollback()
            if args.screenshots:
                figures["too_wide"] = _screenshots(app, args.screenshots, run_id, convention.id)
            started, cpu = time.perf_counter(), time.process_time()
            accepted = allocation_runs.accept_allocation(admin, run_id)
            db.session.commit()
            figures["accept_seconds"] = round(time.perf_counter() - started, 2)
            figures["accept_cpu_seconds"] = round(time.process_time() - cpu, 2)
            figures["accepted"] = accepted
            figures["registered_rows"] = db.session.scalar(
                select(func.count()).select_from(Selection).where(Selection.status == "registered"))
            figures["mails"] = db.session.scalar(select(func.count()).select_from(OutboxMessage))
            db.engine.dispose()
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    json.dump(figures, sys.stdout, indent=1)
    sys.stdout.write("\n")


def _screenshots(app, folder: str, run_id: int, convention_id: int) -> list:
    """The review and a wishes page in Chromium at both widths; answers the (page, width) that scroll sideways."""
    import os
    import threading

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from webapp.demo import DEMO_PASSWORD

    os.makedirs(folder, exist_ok=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base, too_wide = f"http://127.0.0.1:{server.server_port}", []
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=os.environ.get("SLOTWISE_CHROMIUM", "/usr/bin/chromium"),
                                             args=["--no-sandbox", "--disable-gpu"])
            for email, path, name in (("demo-admin-0@example.org", f"/allocation-runs/{run_id}", "review"),
                                      ("demo-attendee-0@example.org", f"/conventions/{convention_id}/my-wishes", "wishes")):
                page = browser.new_context(base_url=base).new_page()
                page.set_default_timeout(60_000)
                page.goto("/sign-in")
                page.get_by_label("Email").fill(email)
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(base + "/")
                for width in (390, 1280):
                    page.set_viewport_size({"width": width, "height": 900})
                    page.goto(path)
                    scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
                    if scroll > inner:
                        too_wide.append((name, width))
                    page.screenshot(path=os.path.join(folder, f"{name}-{width}.png"), full_page=True)
            browser.close()
    finally:
        server.shutdown()
    return too_wide


if __name__ == "__main__":
    main()
