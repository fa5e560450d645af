"""Pages at real convention size: server time and bytes of the grid, the proposal review and the workshop
list on the large demo, and how soon the grid is visible in headless Chromium, as admin and as attendee.

Seeds the large demo (1,000 workshops, 60 rooms, 3 days) into a fresh SQLite file and starts `slotwise serve`;
as the demo admin, auto-schedules with a short limit and measures the review of that proposal (1,075 runs
added), accepts it (the grid fills; the run keeps its record, measured too) and registers the demo attendee
for a few runs (so the grid marks them).
Each page is fetched `--repeat` times with the signed-in session (median reported); bytes are the page's and
as sent gzip-compressed (by Slotwise itself since it compresses; before, what a compressing proxy would send). Screenshots at 1280 and
390 px go to `--out`.

    .venv/bin/python benchmarks/pages_bench.py --out /tmp/pages-bench
    .venv/bin/python benchmarks/pages_bench.py --database-url sqlite:////tmp/large.db --reuse   # seeded already
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from auto_schedule_bench import call, free_port  # noqa: E402

SLOTWISE = [str(Path(sys.executable).with_name("slotwise"))]
CHROMIUM = os.environ.get("SLOTWISE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "slotwise-demo"
ADMIN = "demo-admin-0@example.org"
ATTENDEE = "demo-attendee-0@example.org"
TARGETS = {"grid day": (0.300, 150_000), "grid all days": (1.0, None), "proposal review": (0.300, None),
           "accepted run's record": (0.300, None), "workshop list": (0.200, None)}


# The demo has no tracks; the benchmark groups its workshops by topic so the grid shows track colours. One colour
# (the yellow) is too light to read on white as chosen: the grid darkens its edge and keeps text readable.
TRACKS = {
    "Electronics": ("#175cd3", ("Soldering", "Synth building", "Arduino", "Laser cutting", "Drone flying",
                                "Git for artists")),
    "Textiles": ("#c11574", ("Chainmail", "Leatherwork", "Embroidery", "Sewing", "Knitting", "Cosplay armour")),
    "Arts": ("#6941c6", ("Watercolour", "Calligraphy", "Miniature painting", "Photography", "Origami",
                         "Bookbinding", "Map making")),
    "Food and drink": ("#ffd60a", ("Sourdough", "Home brewing")),
    "Play": ("#067647", ("Board game design", "Improv", "Larp combat", "Juggling", "Kite making")),
    "Crafts": ("#9a6700", ("Knots", "Lockpicking", "Pottery", "Wood carving")),
}


def add_tracks(database_url: str) -> None:
    """Give the demo convention tracks (once), through the services, before the server starts."""
    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Convention, Track, User, Workshop
    from webapp.services.tracks import create_track

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        convention = db.session.scalar(db.select(Convention).order_by(Convention.id.desc()))
        if db.session.scalar(db.select(Track.id).where(Track.convention_id == convention.id)):
            return
        admin = db.session.scalar(db.select(User).where(User.email == ADMIN))
        by_topic = {}
        for name, (colour, topics) in TRACKS.items():
            track = create_track(admin, convention.id, name=name, colour=colour)
            by_topic.update({topic: track.id for topic in topics})
        for workshop in db.session.scalars(db.select(Workshop).where(Workshop.convention_id == convention.id)):
            workshop.track_id = next((t for topic, t in by_topic.items() if workshop.title.startswith(topic)), None)
        db.session.commit()


def token_for(base: str, email: str) -> str:
    status, body, _ = call(base, "POST", "/api/auth/token", {"email": email, "password": PASSWORD})
    assert status in (200, 201), body
    return body["access_token"]


def wait_for_run(base: str, token: str, run_id: int, limit: float) -> dict:
    deadline = time.monotonic() + limit + 120
    while time.monotonic() < deadline:
        _, run, _ = call(base, "GET", f"/api/schedule-runs/{run_id}", token=token)
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(1)
    raise SystemExit(f"run {run_id} did not finish")


def finished_run(base: str, token: str, convention_id: int, body: dict | None, time_limit: float) -> dict:
    status, body, _ = call(base, "POST", f"/api/conventions/{convention_id}/auto-schedule", body, token=token)
    assert status == 202, body
    return wait_for_run(base, token, body["run_id"], time_limit)


def pending_run(base: str, admin: str, convention_id: int, time_limit: float) -> int:
    """A succeeded run waiting for review: on the fresh demo it adds every run (a thousand-row review)."""
    _, runs, _ = call(base, "GET", f"/api/conventions/{convention_id}/schedule-runs?limit=100", token=admin)
    waiting = [r["id"] for r in runs["items"] if r["status"] == "succeeded"]
    if waiting:
        return waiting[0]
    return finished_run(base, admin, convention_id, {"time_limit_seconds": time_limit}, time_limit)["id"]


def accept_and_register(base: str, admin: str, run_id: int) -> None:
    """Accept the run (the grid fills) and register the demo attendee for a few runs (the grid marks them)."""
    status, accepted, _ = call(base, "POST", f"/api/schedule-runs/{run_id}/accept", token=admin, timeout=300)
    assert status == 200, accepted
    attendee = token_for(base, ATTENDEE)
    _, wishes, _ = call(base, "GET", "/api/attendees/selections?limit=20", token=attendee)
    for wish in wishes["items"][:6]:
        _, placed, _ = call(base, "GET", f"/api/workshops/{wish['workshop_id']}/slots", token=attendee)
        if placed.get("items"):
            call(base, "POST", f"/api/workshops/{wish['workshop_id']}/register",
                 {"event_slot_id": placed["items"][0]["event_slot_ids"][0]}, token=attendee)


def signed_in_opener(base: str, email: str) -> urllib.request.OpenerDirector:
    """A cookie session signed in through the sign-in page, as a browser would be."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(base + "/sign-in").read().decode()
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": csrf}).encode()
    opener.open(urllib.request.Request(base + "/sign-in", data=data, method="POST")).read()
    return opener


def fetch(opener, url: str, repeat: int, encoding: str = "gzip") -> tuple[float, float, int, int]:
    """Seconds until the whole body arrived (the first request, and the median of all), bytes of the page, and
    bytes as sent (compressed by Slotwise when it accepts `encoding`, as browsers do; gzip-compressed here when
    the server sent it plain, as a compressing proxy would)."""
    times, body, sent = [], b"", b""
    for _ in range(repeat):
        started = time.perf_counter()
        with opener.open(urllib.request.Request(url, headers={"Accept-Encoding": encoding})) as response:
            sent = response.read()
            assert response.status == 200, (url, response.status)
            compressed = response.headers.get("Content-Encoding") == "gzip"
        times.append(time.perf_counter() - started)
        body = gzip.decompress(sent) if compressed else sent
    if not compressed:
        sent = gzip.compress(body, 6)
    return times[0], statistics.median(times), len(body), len(sent)


def browser_figures(base: str, convention_id: int, run_id: int, day: str, out: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    figures = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for who, email in (("admin", ADMIN), ("attendee", ATTENDEE)):
            for width, height in ((1280, 900), (390, 844)):
                context = browser.new_context(viewport={"width": width, "height": height}, base_url=base)
                page = context.new_page()
                sign_in_page(page, email)
                started = time.perf_counter()
                page.goto(f"/conventions/{convention_id}/schedule?day={day}", wait_until="commit")
                page.locator("table.grid .block").first.wait_for(state="visible")
                visible = time.perf_counter() - started
                scrollable = page.evaluate(
                    "() => { const s = document.querySelector('.grid-scroll'); return s.scrollWidth > s.clientWidth }")
                sideways = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
                page.screenshot(path=str(out / f"grid-{who}-{width}.png"))
                figures.append({"who": who, "width": width, "grid visible s": round(visible, 3),
                                "grid scrolls inside": scrollable, "page scrolls sideways": sideways})
                if who == "admin":
                    page.goto(f"/schedule-runs/{run_id}")
                    page.screenshot(path=str(out / f"record-{width}.png"))
                page.goto(f"/conventions/{convention_id}/workshops")
                page.screenshot(path=str(out / f"workshops-{who}-{width}.png"))
                context.close()
        browser.close()
    return figures


def sign_in_page(page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*sign-in).*$"))


def review_screenshots(base: str, run_id: int, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width, height in ((1280, 900), (390, 844)):
            context = browser.new_context(viewport={"width": width, "height": height}, base_url=base)
            page = context.new_page()
            sign_in_page(page, ADMIN)
            page.goto(f"/schedule-runs/{run_id}")
            page.screenshot(path=str(out / f"review-{width}.png"))
            context.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    parser.add_argument("--reuse", action="store_true", help="the database holds the large demo already: do not seed")
    parser.add_argument("--time-limit", type=float, default=20, help="each auto-schedule run's limit")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-tracks", action="store_true", help="leave the demo's workshops without tracks")
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="pages-bench-")))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/pages.db"
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="pages-bench")
    env.pop("REDIS_URL", None)
    if not args.reuse:
        subprocess.run([*SLOTWISE, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([*SLOTWISE, "seed-demo", "--size", "large"], env=env, check=True)
    if not args.no_tracks:
        add_tracks(database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([*SLOTWISE, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):  # a loaded machine may take a minute to migrate and start
            try:
                urllib.request.urlopen(base + "/conventions", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        admin = token_for(base, ADMIN)
        _, conventions, _ = call(base, "GET", "/api/conventions", token=admin)
        convention_id = max(c["id"] for c in conventions["items"])
        run_id = pending_run(base, admin, convention_id, args.time_limit)
        admin_page = signed_in_opener(base, ADMIN)
        rows = []

        def measure(who, opener, name, path):
            first, seconds, size, compressed = fetch(opener, base + path, args.repeat)
            limit, byte_limit = TARGETS[name]
            rows.append({"who": who, "page": name, "first ms": round(first * 1000, 1), "ms": round(seconds * 1000, 1),
                         "bytes": size,
                         "gzip bytes": compressed,
                         "target": f"≤ {limit * 1000:.0f} ms" + (f", ≤ {byte_limit // 1000} KB gzip" if byte_limit else ""),
                         "met": seconds <= limit and (byte_limit is None or compressed <= byte_limit)})

        measure("admin", admin_page, "proposal review", f"/schedule-runs/{run_id}")
        review_screenshots(base, run_id, args.out)
        accept_and_register(base, admin, run_id)
        measure("admin", admin_page, "accepted run's record", f"/schedule-runs/{run_id}")
        grid_page = admin_page.open(f"{base}/conventions/{convention_id}/schedule?day=all").read().decode()
        day = re.findall(r'data-day="([\d-]+)"', grid_page)[0]
        for who, email in (("admin", ADMIN), ("attendee", ATTENDEE)):
            opener = admin_page if who == "admin" else signed_in_opener(base, email)
            measure(who, opener, "grid day", f"/conventions/{convention_id}/schedule?day={day}")
            measure(who, opener, "grid all days", f"/conventions/{convention_id}/schedule?day=all")
            measure(who, opener, "workshop list", f"/conventions/{convention_id}/workshops")
        load = os.getloadavg()[0]
        figures = browser_figures(base, convention_id, run_id, day, args.out)
    finally:
        server.terminate()
        server.wait(10)
    result = {"database": database_url.split(":")[0], "load average (1 min)": round(load, 1), "server": rows,
              "browser": figures, "screenshots": str(args.out)}
    (args.out / "result.json").write_text(json.dumps(result, indent=2))
    print("| who | page | first request ms | median ms | bytes | gzip bytes | target | met (median) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['who']} | {r['page']} | {r['first ms']} | {r['ms']} | {r['bytes']:,} | {r['gzip bytes']:,} | {r['target']} | {'yes' if r['met'] else 'no'} |")
    print()
    print("| who | width | grid visible (s) | grid scrolls inside | page scrolls sideways |")
    print("| --- | --- | --- | --- | --- |")
    for f in figures:
        print(f"| {f['who']} | {f['width']} | {f['grid visible s']} | {f['grid scrolls inside']} | {f['page scrolls sideways']} |")
    print(f"\nload average during the run: {load:.1f} on {os.cpu_count()} cores; screenshots and result.json in {args.out}")


if __name__ == "__main__":
    main()
