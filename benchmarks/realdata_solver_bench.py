"""Issue 15's real-data benchmark: 31C3 and FOSDEM 2019 (any room, tracks given) and their
overload variants (a fifth of the rooms dropped, 2 hours cut off each day), solved offline
by one or more solver versions side by side, in wall-clock and reproducible mode.

    nice python benchmarks/realdata_solver_bench.py --baseline /tmp/solver_base --runs 2

`--baseline DIR` is another checkout (e.g. `git archive main | tar -x -C DIR`); each solve
runs in a child process that imports `solver` from the version's directory, so peak memory
is the child's alone. The maximum placeable of an overload variant is computed the way the
issue describes: the capacity bound says at least k runs must stay out (the k longest when
all weigh the same), and a solve of the variant without those k places every other run.

Figures: first proposal (wall and CPU seconds), runs placed against that maximum and when
the final count was first reached, same-track overlapping pairs, peak memory, the number
of runs explained and the explanation seconds, total wall seconds and the status.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
REALDATA = Path("/work/shared/realdata")


def child(root: str, problem_path: str, mode: str, limit: float) -> None:
    sys.path.insert(0, root)
    from solver import SolveParams, problem_from_json, solution_to_json, solve

    problem = problem_from_json(json.loads(Path(problem_path).read_text()))
    seen: list[tuple[float, float, int]] = []
    started_cpu, started = time.process_time(), time.monotonic()

    def progress(info) -> None:
        seen.append((time.monotonic() - started, time.process_time() - started_cpu, info.placed_runs))

    if mode == "reproducible":
        params = SolveParams(time_limit_seconds=4 * limit + 10, work_limit=limit)
    else:
        params = SolveParams(time_limit_seconds=limit)
    solution = solve(problem, params, on_progress=progress)
    total = time.monotonic() - started
    placed = len(solution.assignments)
    reached = next((wall for wall, _, count in seen if count >= placed), None)
    print(json.dumps({
        "first_wall": seen[0][0] if seen else None,
        "first_cpu": seen[0][1] if seen else None,
        "placed": placed,
        "reached": reached,
        "status": solution.status,
        "total": total,
        "explained": len(solution.unplaced),
        "explain_seconds": solution.stats.get("explain_seconds"),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "solution": solution_to_json(solution),
    }))


def instances() -> dict[str, object]:
    sys.path.insert(0, str(HERE))
    from generate_real import real_problem

    built = {}
    for name, label in (("31c3", "31C3"), ("fosdem2019", "FOSDEM 2019")):
        path = REALDATA / f"{name}.json"
        built[label] = real_problem(path, any_room=True)
        built[f"{label} overload"] = real_problem(path, any_room=True, drop_room_share=0.2,
                                                  cut_minutes_per_day=120)
    return built


def maximum_placeable(problem) -> tuple[int, str]:
    """(maximum, how it was found): the capacity bound's k, then a solve without the k."""
    sys.path.insert(0, str(HERE.parent))
    from solver import SolveParams, Weights, build_instance, solve
    from solver.capacity import capacity

    instance = build_instance(problem, Weights())
    limits = capacity(instance, Weights())
    upper = len(instance.runs) - limits.must_leave_out - len(limits.impossible)
    if not limits.must_leave_out:
        return upper, "capacity not exceeded"
    reduced = replace(problem, workshops=tuple(w for w in problem.workshops if w.id not in limits.expendable))
    check = solve(reduced, SolveParams(time_limit_seconds=60, explain=False,
                                       weights=Weights(track_overlap=0, track_rooms=0)))
    if len(check.assignments) == len(reduced.workshops):
        return upper, f"{limits.must_leave_out} longest left out, the rest all placed"
    return upper, (f"at most: the capacity bound; the check without the {limits.must_leave_out} longest "
                   f"placed {len(check.assignments)} of {len(reduced.workshops)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=4, metavar=("ROOT", "PROBLEM", "MODE", "LIMIT"))
    parser.add_argument("--baseline", help="directory of another solver version to run side by side")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--limit", type=float, default=60.0, help="seconds (or work units) per solve")
    parser.add_argument("--modes", default="wall,reproducible")
    parser.add_argument("--only", default="", help="comma list of instance labels")
    parser.add_argument("--out", help="JSON lines with every figure")
    args = parser.parse_args()
    if args.child:
        root, problem_path, mode, limit = args.child
        child(root, problem_path, mode, float(limit))
        return
    sys.path.insert(0, str(HERE.parent))
    from solver import problem_from_json, problem_to_json, solution_from_json
    from solver.metrics import same_track_overlaps

    versions = {"this branch": str(HERE.parent)}
    if args.baseline:
        versions = {"baseline": args.baseline, **versions}
    built = instances()
    if args.only:
        built = {k: v for k, v in built.items() if k in args.only.split(",")}
    workdir = Path(tempfile.mkdtemp())
    print("| instance | version | mode | run | first proposal s (wall / cpu) | placed / max | final count at s | "
          "same-track overlaps | peak MB | explained (s) | total s | status |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    out = open(args.out, "a") if args.out else None
    for label, problem in built.items():
        best, how = maximum_placeable(problem)
        path = workdir / f"{label.replace(' ', '_')}.json"
        path.write_text(json.dumps(problem_to_json(problem)))
        problem = problem_from_json(json.loads(path.read_text()))
        for mode in args.modes.split(","):
            for version, root in versions.items():
                for run in range(1, args.runs + 1):
                    done = subprocess.run(
                        [sys.executable, __file__, "--child", root, str(path), mode, str(args.limit)],
                        capture_output=True, text=True, check=True,
                    )
                    result = json.loads(done.stdout.strip().splitlines()[-1])
                    solution = solution_from_json(result.pop("solution"))
                    overlaps = same_track_overlaps(problem, solution.assignments)
                    row = {"instance": label, "version": version, "mode": mode, "run": run,
                           "maximum": best, "maximum_how": how, "same_track_overlaps": overlaps, **result}
                    if out:
                        out.write(json.dumps(row) + "\n")
                        out.flush()
                    print(f"| {label} | {version} | {mode} | {run} | {_f(result['first_wall'])} / "
                          f"{_f(result['first_cpu'])} | {result['placed']} / {best} | {_f(result['reached'])} | "
                          f"{overlaps} | {result['peak_mb']} | {result['explained']} ({_f(result['explain_seconds'])}) | "
                          f"{_f(result['total'])} | {result['status']} |", flush=True)
        print(f"<!-- {label}: maximum {best} ({how}) -->", flush=True)


def _f(value) -> str:
    return "-" if value is None else f"{value:.2f}"


if __name__ == "__main__":
    main()
