"""Solver benchmark: quality over time, edits, memory, and baselines.

Each instance runs in its own child process, so peak memory (RSS) is per instance and a
baseline that hangs can be killed at its time cap.

    nice python benchmarks/solver_bench.py --sizes S,M --families unit,mixed,tight \\
        --seeds 1 --budgets 10,30,60 --edit-seconds 20 --out bench.jsonl

Per instance: time to the first valid proposal, attendee conflicts at each budget, placed
runs, objective and bound, build time, peak RSS, and moves after four edits (a host loses
a day, a room closes, a duration grows, five workshops are added). Beside it, the
conflict-aware greedy on every family and PyPI's conference_scheduler (PuLP + CBC) on the
unit family at S and M.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from generate_real import real_problem  # noqa: E402

from solver import (  # noqa: E402
    Interest,
    Placement,
    Problem,
    SolveParams,
    Workshop,
    attendee_conflicts,
    greedy_solution,
    solve,
    violations,
)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- edits ---------------------------------------------------------------------------------

def _host_loses_a_day(problem: Problem, schedule, rng) -> Problem:
    slot_start = {s.id: s.start for s in problem.slots}
    runs_by_host: dict[int, list[int]] = {}
    for placement in schedule:
        workshop = next(w for w in problem.workshops if w.id == placement.workshop_id)
        for host in workshop.host_ids:
            runs_by_host.setdefault(host, []).append(slot_start[placement.slot_ids[0]])
    host = max(sorted(runs_by_host), key=lambda h: len(runs_by_host[h]))
    day_start = runs_by_host[host][0] // 1440 * 1440
    first = min(s.start for s in problem.slots)
    last = max(s.end for s in problem.slots)
    windows = problem.availability.get(host, ((first, last),))
    remaining = []
    for start, end in windows:
        if start < day_start:
            remaining.append((start, min(end, day_start)))
        if end > day_start + 1440:
            remaining.append((max(start, day_start + 1440), end))
    availability = dict(problem.availability)
    availability[host] = tuple(remaining)
    return replace(problem, availability=availability)


def _room_closes(problem: Problem, schedule, rng) -> Problem:
    used = sorted({s.location_id for s in problem.slots})
    room = rng.choice(used)
    return replace(
        problem,
        locations=tuple(loc for loc in problem.locations if loc.id != room),
        slots=tuple(s for s in problem.slots if s.location_id != room),
    )


def _duration_grows(problem: Problem, schedule, rng) -> Problem:
    placed = sorted({p.workshop_id for p in schedule})
    chosen = rng.choice(placed)
    return replace(
        problem,
        workshops=tuple(
            replace(w, duration_slots=w.duration_slots + 1) if w.id == chosen else w
            for w in problem.workshops
        ),
    )


def _five_workshops_added(problem: Problem, schedule, rng) -> Problem:
    next_id = max(w.id for w in problem.workshops) + 1
    next_host = max(h for w in problem.workshops for h in w.host_ids) + 1
    added = tuple(
        Workshop(id=next_id + i, host_ids=(next_host + i,), max_attendees=20, title=f"added {i}")
        for i in range(5)
    )
    attendees = sorted({i.attendee_id for i in problem.interests})
    interests = tuple(
        Interest(a, w.id, 6) for w in added for a in rng.sample(attendees, min(len(attendees), 20))
    )
    return replace(problem, workshops=problem.workshops + added, interests=problem.interests + interests)


EDITS = {
    "host loses a day": _host_loses_a_day,
    "room closes": _room_closes,
    "duration grows": _duration_grows,
    "5 workshops added": _five_workshops_added,
}


def _forced_moves(edited: Problem, schedule) -> int:
    """Runs of the old schedule that break a rule of the edited problem on their own."""
    workshops = {w.id for w in edited.workshops}
    kept = [p for p in schedule if p.workshop_id in workshops]
    broken = {(v.workshop_id, v.run_index) for v in violations(edited, kept)
              if v.code not in ("slot_taken", "runs_overlap", "host_double_booked", "equipment_short",
                                "prerequisite_order")}
    return len(broken)


def _moves(before, after) -> int:
    new_places: dict[int, set] = {}
    for placement in after:
        new_places.setdefault(placement.workshop_id, set()).add(placement.slot_ids)
    return sum(1 for p in before if p.slot_ids not in new_places.get(p.workshop_id, set()))


# -- one instance, in a child process -------------------------------------------------------

def run_instance(size: str, family: str, seed: int, budgets: list[float], edit_seconds: float,
                 workers: int, with_edits: bool, by_work: bool = False) -> dict:
    started = time.monotonic()
    problem = generate(size, family, seed)
    generate_seconds = time.monotonic() - started
    greedy_started = time.monotonic()
    greedy = greedy_solution(problem, conflict_aware=True)
    greedy_seconds = time.monotonic() - greedy_started
    first_fit = greedy_solution(problem, conflict_aware=False)
    timeline: list[tuple[float, int, int]] = []

    def record(info):
        elapsed = info.work_used if by_work else info.elapsed_seconds
        timeline.append((elapsed, attendee_conflicts(problem, info.placements), info.placed_runs))

    def limits(budget: float) -> dict:
        # by work: the budget is counted work, reproducible; the wall clock only a safety net
        if by_work:
            return {"work_limit": budget, "time_limit_seconds": 4 * budget + 10}
        return {"time_limit_seconds": budget}

    params = SolveParams(num_workers=workers, seed=seed, **limits(max(budgets)))
    solution = solve(problem, params, on_progress=record)
    at_budget = {}
    for budget in budgets:
        seen = [entry for entry in timeline if entry[0] <= budget]
        at_budget[str(budget)] = {"conflicts": seen[-1][1], "placed": seen[-1][2]} if seen else None
    result = {
        "size": size, "family": family, "seed": seed,
        "runs": sum(w.runs for w in problem.workshops), "rooms": len(problem.locations),
        "slots": len(problem.slots), "attendees": len({i.attendee_id for i in problem.interests}),
        "generate_seconds": round(generate_seconds, 2),
        "first_valid_seconds": solution.stats["first_solution_seconds"],
        "status": solution.status,
        "placed": len(solution.assignments),
        "conflicts_final": solution.stats["attendee_conflicts"],
        "conflicts_at": at_budget,
        "objective": solution.objective, "bound": solution.bound,
        "build_seconds": solution.stats.get("build_seconds"),
        "valid": violations(problem, solution) == [],
        "greedy": {"placed": len(greedy.assignments), "conflicts": greedy.stats["attendee_conflicts"],
                   "seconds": round(greedy_seconds, 2)},
        "first_fit": {"placed": len(first_fit.assignments), "conflicts": first_fit.stats["attendee_conflicts"]},
        "stats": {k: v for k, v in solution.stats.items() if isinstance(v, (int, float, str))},
    }
    if with_edits:
        rng = random.Random(seed)
        edits = {}
        for name, edit in EDITS.items():
            edited = edit(problem, solution.assignments, rng)
            current = tuple(p for p in solution.assignments)
            resolved = solve(replace(edited, current=current),
                             SolveParams(num_workers=workers, seed=seed, explain=False, **limits(edit_seconds)))
            edits[name] = {
                "forced": _forced_moves(edited, current),
                "moves": _moves(current, resolved.assignments),
                "placed_before": len(current), "placed_after": len(resolved.assignments),
                "conflicts_before": solution.stats["attendee_conflicts"],
                "conflicts_after": resolved.stats["attendee_conflicts"],
                "valid": violations(edited, resolved) == [],
            }
        result["edits"] = edits
    result["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    return result


def run_conference_scheduler(size: str, seed: int, time_cap: float) -> dict:
    """PyPI conference_scheduler on the unit family: hosts' talks may not clash (event
    unavailability), rooms too small are unavailable slots, CBC with a time cap. It has
    no attendee-conflict objective, so it is run as a feasibility problem."""
    import pulp
    from conference_scheduler import scheduler
    from conference_scheduler.resources import Event, Slot

    from datetime import datetime, timezone

    problem = generate(size, "unit", seed)
    rooms = {loc.id: loc.capacity for loc in problem.locations}
    slots = sorted(problem.slots, key=lambda s: (s.start, s.location_id))
    cs_slots = [
        Slot(venue=str(s.location_id), starts_at=datetime.fromtimestamp(s.start * 60, tz=timezone.utc).replace(tzinfo=None),
             duration=s.end - s.start, capacity=rooms[s.location_id], session=str(s.start // 1440))
        for s in slots
    ]
    events = [Event(str(w.id), duration=30, demand=w.max_attendees) for w in problem.workshops]
    by_host: dict[int, list[int]] = {}
    for index, w in enumerate(problem.workshops):
        for host in w.host_ids:
            by_host.setdefault(host, []).append(index)
    # capacity is only an objective term in conference_scheduler; make it hard, like ours
    for event, w in zip(events, problem.workshops):
        event.add_unavailability(*[cs for cs, s in zip(cs_slots, slots) if rooms[s.location_id] < w.max_attendees])
    for indices in by_host.values():
        for i in indices:
            events[i].add_unavailability(*[events[j] for j in indices if j != i])
    started = time.monotonic()
    try:
        found = scheduler.solution(events, cs_slots, solver=pulp.PULP_CBC_CMD(msg=0, timeLimit=time_cap))
    except Exception as error:  # report any failure of the baseline, do not hide it
        return {"size": size, "seed": seed, "error": repr(error)[:200],
                "seconds": round(time.monotonic() - started, 1)}
    placements = [
        Placement(problem.workshops[event].id, 0, (slots[slot].id,)) for event, slot in found
    ]
    return {
        "size": size, "seed": seed, "placed": len(placements),
        "conflicts": attendee_conflicts(problem, placements),
        "valid": violations(problem, placements) == [],
        "violations": sorted({v.code for v in violations(problem, placements)}),
        "seconds": round(time.monotonic() - started, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def run_real(path: str, budget: float, workers: int) -> dict:
    problem = real_problem(path)
    solution = solve(problem, SolveParams(time_limit_seconds=budget, num_workers=workers))
    return {
        "name": Path(path).stem, "talks": len(problem.workshops), "slots": len(problem.slots),
        "placed": len(solution.assignments), "valid": violations(problem, solution) == [],
        "first_valid_seconds": solution.stats["first_solution_seconds"],
        "total_seconds": solution.stats["total_seconds"], "source": solution.stats["source"],
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


# -- parent: spawn children, print the table -----------------------------------------------

def _child(args: list[str], timeout: float) -> dict:
    command = [sys.executable, __file__, *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _table(results: list[dict], budgets: list[float]) -> str:
    head = ["instance", "runs", "placed (solver / greedy)", "first valid s", "build s"] + [
        f"conflicts @{b:g}s" for b in budgets] + ["greedy conflicts", "vs greedy", "objective / bound", "peak RSS MB"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        if "error" in r:
            lines.append(f"| {r.get('name')} | error: {r['error']} |")
            continue
        at = [str(r["conflicts_at"][str(b)]["conflicts"]) if r["conflicts_at"].get(str(b)) else "-" for b in budgets]
        final = r["conflicts_final"]
        greedy = r["greedy"]["conflicts"]
        change = f"{(final - greedy) / greedy * 100:+.0f}%" if greedy else "-"
        bound = "-" if r["bound"] is None else f"{r['bound']:.0f}"
        lines.append(
            f"| {r['size']}-{r['family']}-{r['seed']} | {r['runs']} | {r['placed']} / {r['greedy']['placed']} | "
            f"{r['first_valid_seconds']:.2f} | {r['build_seconds'] if r['build_seconds'] is not None else '-'} | "
            + " | ".join(at) + f" | {greedy} | {change} | {r['objective']:.0f} / {bound} | {r['peak_rss_mb']} |"
        )
    return "\n".join(lines)


def _edit_table(results: list[dict]) -> str:
    lines = ["| instance | edit | forced | moves | placed before/after | conflicts before/after | valid |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        for name, e in (r.get("edits") or {}).items():
            lines.append(
                f"| {r['size']}-{r['family']}-{r['seed']} | {name} | {e['forced']} | {e['moves']} | "
                f"{e['placed_before']}/{e['placed_after']} | {e['conflicts_before']}/{e['conflicts_after']} | {e['valid']} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="S,M")
    parser.add_argument("--families", default="unit,mixed,tight")
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--budgets", default="10,30,60", help="seconds; the solve runs to the largest")
    parser.add_argument("--edit-seconds", type=float, default=20.0)
    parser.add_argument("--no-edits", action="store_true")
    parser.add_argument("--by-work", action="store_true",
                        help="budgets and edit seconds are work limits (reproducible runs), not seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cs-time-cap", type=float, default=120.0, help="conference_scheduler CBC cap, s")
    parser.add_argument("--no-conference-scheduler", action="store_true")
    parser.add_argument("--out", help="append one JSON line per result")
    parser.add_argument("--real", default="", help="comma-separated realdata JSON files to schedule")
    parser.add_argument("--real-seconds", type=float, default=10.0)
    parser.add_argument("--one", nargs=3, metavar=("SIZE", "FAMILY", "SEED"), help=argparse.SUPPRESS)
    parser.add_argument("--cs", nargs=2, metavar=("SIZE", "SEED"), help=argparse.SUPPRESS)
    parser.add_argument("--real-one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    budgets = [float(b) for b in args.budgets.split(",")]

    if args.one:
        size, family, seed = args.one
        print(json.dumps(run_instance(size, family, int(seed), budgets, args.edit_seconds,
                                      args.workers, not args.no_edits, args.by_work)))
        return
    if args.cs:
        print(json.dumps(run_conference_scheduler(args.cs[0], int(args.cs[1]), args.cs_time_cap)))
        return
    if args.real_one:
        print(json.dumps(run_real(args.real_one, args.real_seconds, args.workers)))
        return

    real = []
    for path in filter(None, args.real.split(",")):
        outcome = _child(["--real-one", path, "--real-seconds", str(args.real_seconds),
                          "--workers", str(args.workers)], args.real_seconds + 300)
        outcome.setdefault("name", Path(path).stem)
        real.append(outcome)
        print(json.dumps(outcome), file=sys.stderr, flush=True)
    if real:
        print("| real schedule | talks | placed | valid | first valid s | total s | source | peak RSS MB |")
        print("|---|---|---|---|---|---|---|---|")
        for r in real:
            print(f"| {r['name']} | {r.get('talks', '-')} | {r.get('placed', '-')} | {r.get('valid', r.get('error'))} | "
                  f"{r.get('first_valid_seconds', '-')} | {r.get('total_seconds', '-')} | {r.get('source', '-')} | "
                  f"{r.get('peak_rss_mb', '-')} |")
        print()
    if args.sizes == "none":
        return
    results, baselines = [], []
    child_flags = ["--budgets", args.budgets, "--edit-seconds", str(args.edit_seconds),
                   "--workers", str(args.workers)] + (["--no-edits"] if args.no_edits else []) + (
                      ["--by-work"] if args.by_work else [])
    for size in args.sizes.split(","):
        for family in args.families.split(","):
            for seed in args.seeds.split(","):
                slowest = 5 if args.by_work else 2  # a work unit may take longer than a second under load
                timeout = max(budgets) * slowest + (0 if args.no_edits else 6 * args.edit_seconds * slowest) + 300
                result = _child(["--one", size, family, seed, *child_flags], timeout)
                result.setdefault("name", f"{size}-{family}-{seed}")
                results.append(result)
                print(json.dumps(result), file=sys.stderr, flush=True)
                if args.out:
                    with open(args.out, "a") as out:
                        out.write(json.dumps({"kind": "solver", **result}) + "\n")
                if family == "unit" and size in ("S", "M") and not args.no_conference_scheduler:
                    baseline = _child(["--cs", size, seed, "--cs-time-cap", str(args.cs_time_cap)],
                                      args.cs_time_cap + 120)
                    baseline.setdefault("name", f"{size}-unit-{seed}")
                    baselines.append(baseline)
                    print(json.dumps(baseline), file=sys.stderr, flush=True)
                    if args.out:
                        with open(args.out, "a") as out:
                            out.write(json.dumps({"kind": "conference_scheduler", **baseline}) + "\n")
    print(_table(results, budgets))
    print()
    print(_edit_table(results))
    if baselines:
        print()
        print("| conference_scheduler instance | placed | conflicts | seconds | note |")
        print("|---|---|---|---|---|")
        for b in baselines:
            print(f"| {b['name']} | {b.get('placed', '-')} | {b.get('conflicts', '-')} | "
                  f"{b.get('seconds', '-')} | {b.get('error', 'valid' if b.get('valid') else 'INVALID')} |")


if __name__ == "__main__":
    main()
