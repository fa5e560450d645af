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

import numpy as np

from .capacity import Capacity
from .clock import Clock, WallClock, WorkClock
from .domains import DomainBuilder, DomainReport, Option, RunKey
from .freetime import FreeTime
from .instance import Instance, Weights
from .lns import PlacedIndex, blockers
from .model import build_model
from .problem import Problem, Unplaced, Workshop


def _rooms_phrase(problem: Problem, workshop: Workshop) -> str:
    return "allowed room" if workshop.allowed_location_ids else "room"


def static_reasons(instance: Instance, workshop: Workshop) -> list[str]:
    """Reasons why the workshop has no possible place at all (empty when it has some)."""
    return _static_reasons(instance.problem, instance.reports[workshop.id], workshop)


def never_fits(problem: Problem, workshop: Workshop) -> list[str]:
    """`static_reasons` for one workshop judged alone against the problem's rooms, slots, equipment
    and availability (it need not be among the problem's workshops): what a host is told while
    filling in a workshop, in the words a solve would use later."""
    return _static_reasons(problem, DomainBuilder(problem).report(workshop), workshop)


def _static_reasons(problem: Problem, report: DomainReport, workshop: Workshop) -> list[str]:
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
        return _equipment_reasons(problem, workshop, report.seating_location_ids)
    if not report.consecutive_options:
        if workshop.duration_slots > 1:
            return [f"no {workshop.duration_slots} consecutive slots in any suitable {room}"]
        return [f"no slot in any suitable {room}"]
    return _availability_reasons(problem, workshop, report.consecutive_options)


def _equipment_reasons(problem: Problem, workshop: Workshop, room_ids) -> list[str]:
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


def _availability_reasons(problem: Problem, workshop: Workshop, options) -> list[str]:
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


def closest_place_reasons(instance: Instance, placed: dict[RunKey, Option], missing: RunKey,
                          free: FreeTime) -> list[str]:
    """Without a solver: the run's place that the fewest placed runs stand in the way of,
    who they are, and for each whether it has another open place it could move to."""
    workshop = instance.workshops[missing[0]]
    options = instance.reports[workshop.id].options
    step = max(1, len(options) // 400)  # evenly spread, so the same schedule gets the same reason
    index = PlacedIndex(instance, placed)
    scored = sorted(
        ((len(blocking), option.start, option.location_id), option, blocking)
        for option in options[::step]
        for blocking in [blockers(instance, placed, workshop.id, option, index)]
    )
    if not scored:
        return []
    _, place, blocking = scored[0]
    problem = instance.problem
    by_workshop: dict[int, list[RunKey]] = {}
    for key in placed:
        by_workshop.setdefault(key[0], []).append(key)
    facts = []
    movable = []
    for blocker_id in sorted(blocking):
        for key in by_workshop.get(blocker_id, ()):
            held = placed[key]
            if held.start < place.end and place.start < held.end or blocker_id in _order_partners(instance, workshop):
                facts.extend(_blocker_facts(instance, workshop, [place], key, held))
        elsewhere = _open_place(instance, free, blocker_id, place)
        if elsewhere is not None:
            movable.append(f"{problem.workshop_label(blocker_id)} could move to "
                           f"{problem.location_label(elsewhere.location_id)} at {problem.clock(elsewhere.start)}")
    where = f"{problem.location_label(place.location_id)} at {problem.clock(place.start)}"
    sentence = (f"{len(options)} possible place(s) exist but every one is in use; the closest to free is "
                f"{where}: " + "; ".join(_summarise(problem, facts)))
    if movable:
        sentence += " (" + "; ".join(movable[:3]) + ")"
    elif blocking:
        sentence += " (none of them has another free place)"
    return [sentence]


def _order_partners(instance: Instance, workshop: Workshop) -> set[int]:
    partners = {t for group in instance.prerequisite_teachers(workshop) for t in group}
    for capability in workshop.teaches_ids:
        partners.update(instance.learners.get(capability, ()))
    return partners


def _open_place(instance: Instance, free: FreeTime, workshop_id: int, avoid: Option) -> Option | None:
    """A place of the workshop with free slots and free hosts, away from `avoid`."""
    places = free.places(instance.reports[workshop_id].options)
    resources = [("host", h) for h in instance.workshops[workshop_id].host_ids]
    for index in np.flatnonzero(free.open_places(places, resources)):
        option = places.options[index]
        if option.end <= avoid.start or avoid.end <= option.start:
            return option
    return None


def overfull_reason(instance: Instance, limits: Capacity, workshop: Workshop) -> str:
    """Why a run left out of a grid too small for every run had to be one of them."""
    minutes = _slot_minutes(instance)
    rooms = len({slot.location_id for slot in instance.problem.slots}) or 1
    days = len({slot.start // 1440 for slot in instance.problem.slots}) or 1
    grow = -(-limits.excess * minutes // (rooms * days))
    return (
        f"the rooms cannot hold every workshop: together they need {_hours(limits.demand * minutes)} "
        f"but the rooms offer {_hours(limits.slots * minutes)}, so at least {limits.must_leave_out} must stay "
        f"out (lowest priority first, then the longest); this one takes {workshop.duration_slots * minutes} "
        f"minutes. Days longer by {grow} minutes in every room, or one more room, would make space"
    )


def _hours(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d}" if minutes % 60 else f"{minutes // 60} hours"


def _slot_minutes(instance: Instance) -> int:
    lengths = sorted(slot.end - slot.start for slot in instance.problem.slots)
    return lengths[len(lengths) // 2] if lengths else 0


# above this many placed runs, the focused solves' infeasibility cores name hundreds of
# runs (they are not minimal); the closest place is more use to a person
CORE_MAX_PLACED = 300


def explain_unplaced(
    instance: Instance,
    placed: dict[RunKey, Option],
    weights: Weights,
    time_limit_seconds: float = 10.0,
    reproducible: bool = False,
    limits: Capacity | None = None,
) -> tuple[Unplaced, ...]:
    """Reasons for every run left out. `reproducible`: the focused searches count work
    (`WorkClock`, `time_limit_seconds` of it, wall time at most three times that), so the
    same schedule always gets the same reasons. Every run gets its own reason: the time
    is shared out among the runs left, and when a focused search cannot answer in its
    share, the closest place and who holds it (found without a solver) is the reason."""
    clock = WorkClock(3 * time_limit_seconds + 1) if reproducible else WallClock()
    deadline = time_limit_seconds
    missing_workshops = [w for w in instance.problem.workshops
                         if any((w.id, i) not in placed for i in range(w.runs))]
    free: FreeTime | None = None
    results = []
    for number, workshop in enumerate(missing_workshops):
        missing = [i for i in range(workshop.runs) if (workshop.id, i) not in placed]
        none_placed = len(missing) == workshop.runs
        reasons = static_reasons(instance, workshop)
        if not reasons:
            share = (deadline - clock.now()) / (len(missing_workshops) - number)
            if len(placed) <= CORE_MAX_PLACED and share > 0.05:
                reasons = competition_reasons(
                    instance, placed, (workshop.id, missing[0]), min(share, 5.0), clock
                )
            if not reasons or reasons[0].endswith("no proof within the time limit"):
                if free is None:
                    free = _free_time_of(instance, placed)
                reasons = closest_place_reasons(instance, placed, (workshop.id, missing[0]), free) or reasons
            if limits is not None and limits.excess > 0 and workshop.id in limits.expendable:
                reasons = [*reasons, overfull_reason(instance, limits, workshop)]
        if none_placed:
            results.append(Unplaced(workshop.id, None, tuple(reasons)))
        else:
            results.extend(Unplaced(workshop.id, index, tuple(reasons)) for index in missing)
    return tuple(results)


def _free_time_of(instance: Instance, placed: dict[RunKey, Option]) -> FreeTime:
    free = FreeTime(instance.problem, instance.location_capacity)
    for key, option in placed.items():
        free.take(option, [("host", h) for h in instance.workshops[key[0]].host_ids])
    return free
