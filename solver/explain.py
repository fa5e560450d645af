"""Why a workshop (or one of its runs) was left out, in words a person can act on.

Two kinds of answer:
* static: no place could ever hold it (no room seats enough, equipment short, no
  consecutive slots, hosts never available); found by replaying the domain filters;
* competition: places exist but all are held by other runs. That is found with the solver,
  not guessed: a focused model keeps every placed run as an assumption and forces the
  missing run in; CP-SAT's infeasibility core names the placed runs that block it.
"""
from __future__ import annotations

from dataclasses import replace

from ortools.sat.python import cp_model

from .clock import Clock, WallClock, WorkClock
from .domains import DomainBuilder, Option, RunKey
from .instance import Instance, Weights
from .model import build_model
from .problem import Problem, Unplaced, Workshop




def _rooms_phrase(problem: Problem, workshop: Workshop) -> str:
    return "allowed room" if workshop.allowed_location_ids else "room"


def static_reasons(instance: Instance, workshop: Workshop) -> list[str]:
    """Reasons why the workshop has no possible place at all (empty when it has some)."""
    problem = instance.problem
    report = instance.reports[workshop.id]
    if report.options:
        return []
    locations = {loc.id: loc for loc in problem.locations}
    room = _rooms_phrase(problem, workshop)
    if not report.allowed_location_ids:
        if workshop.allowed_location_ids:
            return ["none of its allowed locations exist any more"]
        return ["the convention has no locations"]
    if not report.seating_location_ids:
        largest = max(report.allowed_location_ids, key=lambda i: locations[i].capacity)
        return [
            f"no {room} seats {workshop.max_attendees} (largest: "
            f"{problem.location_label(largest)}, {locations[largest].capacity} seats)"
        ]
    if not report.equipped_location_ids:
        return _equipment_reasons(instance, workshop, report.seating_location_ids)
    if not report.consecutive_options:
        if workshop.duration_slots > 1:
            return [f"no {workshop.duration_slots} consecutive slots in any suitable {room}"]
        return [f"no slot in any suitable {room}"]
    return _availability_reasons(instance, workshop, report.consecutive_options)


def _equipment_reasons(instance: Instance, workshop: Workshop, room_ids) -> list[str]:
    problem = instance.problem
    locations = {loc.id: loc for loc in problem.locations}
    reasons = []
    for item, quantity in workshop.equipment:
        best_room = max(room_ids, key=lambda i: dict(locations[i].equipment).get(item, 0))
        fixed = dict(locations[best_room].equipment).get(item, 0)
        pool = problem.equipment_pools.get(item, 0)
        if quantity - fixed > pool:
            name = problem.equipment_label(item)
            if fixed == 0:
                reasons.append(f"no room has a {name} and the pool holds {pool}, needed {quantity}")
            else:
                reasons.append(
                    f"needs {quantity} {name}: the best room ({problem.location_label(best_room)}) "
                    f"has {fixed} and the pool holds {pool}"
                )
    if not reasons:
        reasons.append(
            "no suitable room can get all of its equipment at once from its own stock and the pool"
        )
    return reasons


def _availability_reasons(instance: Instance, workshop: Workshop, options) -> list[str]:
    problem = instance.problem
    builder_windows = DomainBuilder(problem).availability
    reasons = []
    for host in workshop.host_ids:
        windows = builder_windows.get(host)
        if windows is None:
            continue
        if not any(a <= o.start and o.end <= b for o in options for a, b in windows):
            shown = ", ".join(f"{problem.clock(a)}-{problem.clock(b)}" for a, b in windows[:4]) or "none given"
            reasons.append(
                f"{problem.host_label(host)}'s availability windows ({shown}) meet no "
                f"{workshop.duration_slots} consecutive slot(s) of a suitable room"
            )
    if not reasons:
        hosts = " and ".join(problem.host_label(h) for h in workshop.host_ids)
        reasons.append(f"{hosts} are never available at the same time for a suitable room")
    return reasons


def _blocker_facts(
    instance: Instance, workshop: Workshop, options: list[Option], blocker: RunKey, held: Option
) -> list[tuple[str, int, str]]:
    """How one placed run competes with the missing one: (kind, priority, phrase)."""
    problem = instance.problem
    other = instance.workshops[blocker[0]]
    label = problem.workshop_label(other.id)
    if other.priority != workshop.priority:
        label += f" (priority {other.priority})"
    when = problem.clock(held.start)
    if other.id == workshop.id:
        return [("own", 0, f"its own run {blocker[1] + 1} at {when}")]
    facts = []
    overlapping = [o for o in options if o.start < held.end and held.start < o.end]
    if any(set(o.slot_ids) & set(held.slot_ids) for o in options):
        facts.append(("room", other.priority,
                      f"{problem.location_label(held.location_id)} at {when} by {label}"))
    for host in sorted(set(workshop.host_ids) & set(other.host_ids)):
        if overlapping:
            facts.append((f"host {host}", other.priority, f"{label} at {when}"))
    needed = {item for o in overlapping for item, _ in o.pool_need}
    for item in sorted(needed & {item for item, _ in held.pool_need}):
        facts.append((f"pool {item}", other.priority, f"{label} at {when}"))
    if set(other.teaches_ids) & set(workshop.prerequisite_ids):
        facts.append(("order", other.priority, f"it must start after {label} ends, which teaches what it requires"))
    if set(workshop.teaches_ids) & set(other.prerequisite_ids):
        facts.append(("order", other.priority, f"it must end before {label}, which requires what it teaches"))
    return facts or [("other", other.priority, f"{label} at {when}")]


def _listing(phrases: list[str], shown: int = 4) -> str:
    if len(phrases) <= shown:
        return ", ".join(phrases)
    return ", ".join(phrases[:shown]) + f" and {len(phrases) - shown} more"


def _summarise(problem: Problem, facts: list[tuple[str, int, str]]) -> list[str]:
    """Group the facts by kind, most important competitors first."""
    direct = [fact for fact in facts if fact[0] != "other"]
    if direct:
        # the infeasibility core is not minimal: runs with no direct tie to the missing
        # one only matter through others, so they are left out of the sentence
        facts = direct
    by_kind: dict[str, list[tuple[int, str]]] = {}
    for kind, priority, phrase in facts:
        by_kind.setdefault(kind, []).append((priority, phrase))
    parts = []
    for kind in sorted(by_kind, key=lambda k: ("room", "host", "pool", "order", "own", "other").index(k.split()[0])):
        # one phrase once: two runs of the same workshop give the same ordering phrase
        phrases = list(dict.fromkeys(p for _, p in sorted(by_kind[kind], key=lambda x: -x[0])))
        if kind == "room":
            parts.append("rooms taken: " + _listing(phrases))
        elif kind.startswith("host "):
            parts.append(f"{problem.host_label(int(kind.split()[1]))} is busy with " + _listing(phrases))
        elif kind.startswith("pool "):
            item = problem.equipment_label(int(kind.split()[1]))
            parts.append(f"the {item} pool is in use by " + _listing(phrases))
        else:
            parts.extend(phrases[:4])
    return parts


def competition_reasons(
    instance: Instance, placed: dict[RunKey, Option], missing: RunKey, time_limit_seconds: float,
    clock: Clock | None = None,
) -> list[str]:
    workshop = instance.workshops[missing[0]]
    options = list(instance.reports[workshop.id].options)
    focused = replace(
        instance,
        runs=[*placed, missing],
        options={**{k: [o] for k, o in placed.items()}, missing: options},
        pinned={},
        pair_weights={},
        current_starts={},
    )
    built = build_model(
        focused, Weights(conflict=0, move=0), force_placed=frozenset([missing]), order_runs=False
    )
    assumption_to_run = {built.placed[key].index: key for key in placed}
    built.model.add_assumptions([built.placed[key] for key in placed])
    solver = cp_model.CpSolver()
    clock = clock or WallClock()
    clock.limit_search(solver.parameters, max(0.05, time_limit_seconds), num_workers=1)
    status = solver.solve(built.model)
    clock.account_search(solver)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        free = next(o for o, v in built.choices[missing] if solver.value(v))
        return [
            f"it fits at {instance.problem.location_label(free.location_id)} "
            f"{instance.problem.clock(free.start)} without moving anything; the search stopped before placing it "
            f"(a longer time limit should place it)"
        ]
    if status != cp_model.INFEASIBLE:
        return [f"{len(options)} possible place(s) exist but all looked taken; no proof within the time limit"]
    core = [assumption_to_run[i] for i in solver.sufficient_assumptions_for_infeasibility()]
    facts = []
    for blocker in sorted(core):
        facts.extend(_blocker_facts(instance, workshop, options, blocker, placed[blocker]))
    return [
        f"{len(options)} possible place(s) exist but every one is in use; "
        + "; ".join(_summarise(instance.problem, facts))
    ]


def explain_unplaced(
    instance: Instance,
    placed: dict[RunKey, Option],
    weights: Weights,
    time_limit_seconds: float = 10.0,
    reproducible: bool = False,
) -> tuple[Unplaced, ...]:
    """Reasons for every run left out. `reproducible`: the focused searches count work
    (`WorkClock`, `time_limit_seconds` of it, wall time at most three times that), so the
    same schedule always gets the same reasons."""
    clock = WorkClock(3 * time_limit_seconds + 1) if reproducible else WallClock()
    deadline = time_limit_seconds
    results = []
    for workshop in instance.problem.workshops:
        missing = [i for i in range(workshop.runs) if (workshop.id, i) not in placed]
        if not missing:
            continue
        none_placed = len(missing) == workshop.runs
        reasons = static_reasons(instance, workshop)
        if not reasons:
            remaining = deadline - clock.now()
            if remaining <= 0.05:
                reasons = ["not placed; no time was left to find out which workshops compete for its places"]
            else:
                reasons = competition_reasons(
                    instance, placed, (workshop.id, missing[0]), min(remaining, 5.0), clock
                )
        if none_placed:
            results.append(Unplaced(workshop.id, None, tuple(reasons)))
        else:
            results.extend(Unplaced(workshop.id, index, tuple(reasons)) for index in missing)
    return tuple(results)
