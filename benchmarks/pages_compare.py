"""The grid pages of a baseline commit and of this tree, side by side in one run: two servers on copies of one
database, requests alternating between them, so both see the same load on a shared machine.

Start from a database `pages_bench.py` has prepared (the large demo, scheduled and accepted, the attendee
registered for a few runs, tracks added):

    .venv/bin/python benchmarks/pages_bench.py --database-url sqlite:////tmp/large.db --out /tmp/pages-bench
    .venv/bin/python benchmarks/pages_compare.py --database /tmp/large.db --baseline main --rounds 7

Each round fetches every page once from each server (the order swaps every round), as admin and as attendee;
the first request to each server is reported apart (its caches are empty). Then headless Chromium opens one
grid day on each server, `--browser-rounds` times, and times until the first block is visible.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from auto_schedule_bench import free_port  # noqa: E402
from pages_bench import ADMIN, ATTENDEE, CHROMIUM, CHROMIUM_ARGS, fetch, sign_in_page, signed_in_opener  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def start(source: Path, database: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}", SECRET_KEY="pages-compare",
               PYTHONPATH=str(source))
    env.pop("REDIS_URL", None)
    server = subprocess.Popen([sys.executable, "-c", "from webapp.cli import main; main()", "serve", "--port", str(port)],
                              env=env, cwd=source, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/conventions", timeout=2).read()
            return server, base
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise SystemExit(f"the server from {source} did not start")


def busiest() -> str:
    """What else kept the machine busy: the processes using most CPU now."""
    out = subprocess.run(["ps", "-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"], capture_output=True, text=True)
    return ", ".join(" ".join(line.split()[::-1]) + "%" for line in out.stdout.splitlines()[:6])


def browser_times(servers: dict, convention_id: int, day: str, rounds: int) -> dict:
    from playwright.sync_api import sync_playwright

    times: dict[tuple, list[float]] = {}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for r in range(rounds):
            for who, email in (("admin", ADMIN), ("attendee", ATTENDEE)):
                for width, height in ((1280, 900), (390, 844)):
                    for name in (list(servers) if r % 2 == 0 else list(servers)[::-1]):
                        context = browser.new_context(viewport={"width": width, "height": height},
                                                      base_url=servers[name])
                        page = context.new_page()
                        sign_in_page(page, email)
                        started = time.perf_counter()
                        page.goto(f"/conventions/{convention_id}/schedule?day={day}", wait_until="commit")
                        page.locator("table.grid .block").first.wait_for(state="visible")
                        times.setdefault((who, width, name), []).append(time.perf_counter() - started)
                        context.close()
        browser.close()
    return times


def spread(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ({min(values) * 1000:.0f}–{max(values) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", type=Path, required=True, help="a SQLite file prepared by pages_bench.py")
    parser.add_argument("--baseline", default="main", help="the git commit to compare with")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--browser-rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pages-compare-"))
    baseline = work / "baseline"
    baseline.mkdir()
    archive = subprocess.run(["git", "archive", args.baseline], cwd=REPO, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive, check=True)
    servers, processes = {}, []
    try:
        for name, source in (("baseline", baseline), ("this tree", REPO)):
            copy = work / f"{name.replace(' ', '-')}.db"
            shutil.copy(args.database, copy)
            process, base = start(source, copy)
            processes.append(process)
            servers[name] = base
        load_before, busy = os.getloadavg()[0], busiest()
        openers = {(who, name): signed_in_opener(base, email) for name, base in servers.items()
                   for who, email in (("admin", ADMIN), ("attendee", ATTENDEE))}
        first_page = openers[("admin", "baseline")].open(servers["baseline"] + "/conventions").read().decode()
        convention_id = max(int(i) for i in re.findall(r'/conventions/(\d+)"', first_page))
        grid = openers[("admin", "baseline")].open(
            f"{servers['baseline']}/conventions/{convention_id}/schedule?day=all").read().decode()
        day = re.findall(r'data-day="([\d-]+)"', grid)[0]
        pages = {"grid, one day": f"/conventions/{convention_id}/schedule?day={day}",
                 "grid, all days": f"/conventions/{convention_id}/schedule?day=all",
                 "workshop list": f"/conventions/{convention_id}/workshops"}
        first, warm, sizes = {}, {}, {}
        for r in range(args.rounds + 1):
            for page, path in pages.items():
                for who in ("admin", "attendee"):
                    for name in (list(servers) if r % 2 == 0 else list(servers)[::-1]):
                        seconds, _, size, sent = fetch(openers[(who, name)], servers[name] + path, 1)
                        if r == 0:
                            first[(page, who, name)] = seconds
                        else:
                            warm.setdefault((page, who, name), []).append(seconds)
                        sizes[(page, who, name)] = (size, sent)
        browser = browser_times(servers, convention_id, day, args.browser_rounds)
        load_after = os.getloadavg()[0]
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
    print(f"baseline: {args.baseline} ({subprocess.run(['git', 'rev-parse', '--short', args.baseline], cwd=REPO, capture_output=True, text=True).stdout.strip()});"
          f" load average {load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} cores; busiest then: {busy}")
    print()
    print("| page | who | baseline first ms | this first ms | baseline median (min–max) ms | this median (min–max) ms "
          "| ratio (this / baseline) | baseline bytes sent (plain) | this bytes sent (page bytes) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for page in pages:
        for who in ("admin", "attendee"):
            b, t = warm[(page, who, "baseline")], warm[(page, who, "this tree")]
            ratio = statistics.median(t) / statistics.median(b)
            print(f"| {page} | {who} | {first[(page, who, 'baseline')] * 1000:.0f} | {first[(page, who, 'this tree')] * 1000:.0f} "
                  f"| {spread(b)} | {spread(t)} | {ratio:.2f} | {sizes[(page, who, 'baseline')][0]:,} "
                  f"| {sizes[(page, who, 'this tree')][1]:,} ({sizes[(page, who, 'this tree')][0]:,}) |")
    print()
    print("| grid day visible in Chromium | baseline median (min–max) ms | this median (min–max) ms | ratio |")
    print("| --- | --- | --- | --- |")
    for who in ("admin", "attendee"):
        for width in (1280, 390):
            b, t = browser[(who, width, "baseline")], browser[(who, width, "this tree")]
            print(f"| {who}, {width} px | {spread(b)} | {spread(t)} | {statistics.median(t) / statistics.median(b):.2f} |")


if __name__ == "__main__":
    main()
