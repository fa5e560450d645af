"""The CP-SAT model: one Boolean per (run, start option), one function per rule family.

Every overlap rule is written as at-most-one over the options covering a time point.
Two runs overlap exactly when the later one's start lies inside the earlier one, so it
is enough to look at the distinct start times of the options involved; these clique
constraints are much stronger in the LP relaxation than pairwise no-overlap.

Every variable, auxiliary ones included, receives a hint when a complete schedule is
given (`hint`): CP-SAT then starts from a full, feasible solution instead of searching
for one, which is what makes large instances answer in about a second.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from .domains import Option, RunKey
from .instance import Instance, Weights, move_prices
from .objective import conflict_coefficient


@dataclass
class BuiltModel:
    model: cp_model.CpModel
    choices: dict[RunKey, list[tuple[Option, cp_model.IntVar]]]
    placed: dict[RunKey, cp_model.IntVar]
    objective_terms: list[tuple[int, cp_model.IntVar]] = field(default_factory=list)
    objective_offset: int = 0
    hint: dict[cp_model.IntVar, int] = field(default_factory=dict)
    conflict_pairs_modelled: int = 0
    conflict_pairs_total: int = 0

    def hinted_objective(self) -> int | None:
        if not self.hint:
            return None
        return self.objective_offset + sum(c * self.hint[v] for c, v in self.objective_terms)

    def option_vars(self):
        for key, pairs in self.choices.items():
            for option, var in pairs:
                yield key, option, var


def _covering(points: list[int], option: Option) -> list[int]:
    """The start points inside [option.start, option.end)."""
    return points[bisect_left(points, option.start) : bisect_right(points, option.end - 1)]


def _add_choices(built: BuiltModel, instance: Instance, hint, force_placed) -> None:
    model = built.model
    for key in instance.runs:
        chosen = hint.get(key) if hint is not None else None
        pairs = []
        for number, option in enumerate(instance.options[key]):
            var = model.new_bool_var(f"x_{key[0]}_{key[1]}_{number}")
            pairs.append((option, var))
            if hint is not None:
                built.hint[var] = int(option == chosen)
        placed = model.new_bool_var(f"placed_{key[0]}_{key[1]}")
        model.add(sum(v for _, v in pairs) == placed)
        if key in instance.pinned or key in force_placed:
            model.add(placed == 1)
        if hint is not None:
            built.hint[placed] = int(chosen is not None)
        built.choices[key] = pairs
        built.placed[key] = placed


def _add_slot_exclusivity(built: BuiltModel) -> None:
    """Rule 1: a slot holds at most one run (multi-slot options list all their slots)."""
    holders = defaultdict(list)
    for _, option, var in built.option_vars():
        for slot in option.slot_ids:
            holders[slot].append(var)
    for variables in holders.values():
        if len(variables) > 1:
            built.model.add_at_most_one(variables)


def _add_no_overlap(built: BuiltModel, options_with_vars) -> None:
    runs = {key for key, _, _ in options_with_vars}
    if len(runs) < 2:
        return  # options of a single run already exclude each other
    points = sorted({option.start for _, option, _ in options_with_vars})
    covering = defaultdict(list)
    for _, option, var in options_with_vars:
        for point in _covering(points, option):
            covering[point].append(var)
    for variables in covering.values():
        if len(variables) > 1:
            built.model.add_at_most_one(variables)


def _add_people_and_runs(built: BuiltModel, instance: Instance) -> None:
    """Rule 2 (a host is in one place at a time) and rule 6 (runs of a workshop never
    overlap) are the same shape: a resource no two overlapping options may share."""
    by_resource = defaultdict(list)
    for key, option, var in built.option_vars():
        workshop = instance.workshops[key[0]]
        for host in workshop.host_ids:
            by_resource[("host", host)].append((key, option, var))
        if workshop.runs > 1:
            by_resource[("workshop", workshop.id)].append((key, option, var))
    for options_with_vars in by_resource.values():
        _add_no_overlap(built, options_with_vars)


def _add_equipment_pools(built: BuiltModel, instance: Instance) -> None:
    """Rule 4: at every moment, the pool quantity covers every running run's shortfall."""
    by_item = defaultdict(list)
    for _, option, var in built.option_vars():
        for item, quantity in option.pool_need:
            by_item[item].append((option, quantity, var))
    for item, uses in by_item.items():
        available = instance.problem.equipment_pools.get(item, 0)
        points = sorted({option.start for option, _, _ in uses})
        demand = defaultdict(list)
        for option, quantity, var in uses:
            for point in _covering(points, option):
                demand[point].append((quantity, var))
        for terms in demand.values():
            if sum(q for q, _ in terms) > available:
                built.model.add(sum(q * v for q, v in terms) <= available)


def _add_prerequisites(built: BuiltModel, instance: Instance) -> None:
    """Rule 5: if any teacher of a required capability is placed, some teacher run ends
    before each run of the learner starts (hence before its first). A teacher left out
    imposes nothing: attendees may hold the capability already."""
    model = built.model
    for workshop in instance.workshops.values():
        for group, teacher_ids in enumerate(instance.prerequisite_teachers(workshop)):
            teacher_runs = [k for k in instance.runs if k[0] in teacher_ids]
            any_teacher = model.new_bool_var(f"teacher_placed_{workshop.id}_{group}")
            for key in teacher_runs:
                model.add_implication(built.placed[key], any_teacher)
            if built.hint:
                built.hint[any_teacher] = int(any(built.hint[built.placed[k]] for k in teacher_runs))
            teacher_options = [(o, v) for k in teacher_runs for o, v in built.choices[k]]
            for key in [k for k in instance.runs if k[0] == workshop.id]:
                for option, var in built.choices[key]:
                    earlier = [v for o, v in teacher_options if o.end <= option.start]
                    model.add_bool_or([var.negated(), any_teacher.negated(), *earlier])


def _start_expression(pairs, origin: int):
    return sum((option.start - origin) * var for option, var in pairs)


def _add_run_order(built: BuiltModel, instance: Instance) -> None:
    """Symmetry breaking: free runs of a workshop are filled from the lowest index up and
    start in index order. Pinned runs keep their index and are left out."""
    origin = min((s.start for s in instance.problem.slots), default=0)
    for workshop_id in instance.workshops:
        free = [i for i in instance.unpinned_run_indices(workshop_id) if (workshop_id, i) in built.placed]
        for earlier, later in zip(free, free[1:]):
            a, b = (workshop_id, earlier), (workshop_id, later)
            built.model.add_implication(built.placed[b], built.placed[a])
            built.model.add(
                _start_expression(built.choices[a], origin) + 1
                <= _start_expression(built.choices[b], origin)
            ).only_enforce_if(built.placed[b])


def _add_placement_objective(built: BuiltModel, instance: Instance, weights: Weights) -> None:
    """Every run left out costs placement x priority (the dominant term)."""
    for key, placed in built.placed.items():
        cost = weights.placement * max(1, instance.workshops[key[0]].priority)
        built.objective_offset += cost
        built.objective_terms.append((-cost, placed))


def _add_conflict_objective(
    built: BuiltModel,
    instance: Instance,
    weights: Weights,
    max_conflict_literals: int,
    context: dict[RunKey, Option],
) -> None:
    """Attendee conflicts: each pair of overlapping runs of two workshops sharing
    interested attendees costs the pair's coefficient once, however long the overlap
    (an attendee misses one of the two either way; this is what `attendee_conflicts`
    counts for single-run workshops).

    A run pair with one side fixed (pinned, or outside the model in `context`) costs a
    plain coefficient on the free run's options. Two free runs need a clash literal,
    implied at every time point both could cover by the runs' `active` literals; the
    heaviest pairs get them first, up to a budget of such implications that keeps big
    models buildable (the light pairs left out make the model a relaxation, so its bound
    stays valid).
    """
    if weights.conflict <= 0 or not instance.pair_weights:
        return
    points = instance.time_points
    # per workshop: its runs, each (key, free option/var pairs or None, fixed option or None)
    runs_of: dict[int, list[tuple[RunKey, list | None, Option | None]]] = defaultdict(list)
    for key, option in context.items():
        runs_of[key[0]].append((key, None, option))
    for key, pairs in built.choices.items():
        if key in instance.pinned:
            runs_of[key[0]].append((key, None, pairs[0][0]))
        else:
            runs_of[key[0]].append((key, pairs, None))
    free = {key[0] for key in built.choices if key not in instance.pinned}
    active: dict[tuple[RunKey, int], cp_model.IntVar] = {}

    def active_literal(key: RunKey, pairs, point: int):
        if (key, point) not in active:
            literal = built.model.new_bool_var(f"active_{key[0]}_{key[1]}_{point}")
            active[(key, point)] = literal
            hinted = 0
            for option, var in pairs:
                if option.start <= point < option.end:
                    built.model.add_implication(var, literal)
                    hinted |= built.hint.get(var, 0)
            if built.hint:
                built.hint[literal] = hinted
        return active[(key, point)]

    covered: dict[RunKey, set[int]] = {}

    def points_of(key: RunKey, pairs) -> set[int]:
        if key not in covered:
            result: set[int] = set()
            for option, _ in pairs:
                result.update(_covering(points, option))
            covered[key] = result
        return covered[key]

    built.conflict_pairs_total = len(instance.pair_weights)
    anchored: dict[RunKey, list[tuple[int, int, int]]] = defaultdict(list)
    literals = 0
    for (a, b), _ in sorted(instance.pair_weights.items(), key=lambda kv: -kv[1]):
        if not (a in free or b in free):
            continue  # both fixed: a constant
        coefficient = conflict_coefficient(instance, weights, a, b)
        both_free = []
        for key_a, pairs_a, fixed_a in runs_of.get(a, ()):
            for key_b, pairs_b, fixed_b in runs_of.get(b, ()):
                if fixed_a is not None and fixed_b is not None:
                    continue
                if fixed_a is not None:
                    anchored[key_b].append((fixed_a.start, fixed_a.end, coefficient))
                elif fixed_b is not None:
                    anchored[key_a].append((fixed_b.start, fixed_b.end, coefficient))
                else:
                    shared = sorted(points_of(key_a, pairs_a) & points_of(key_b, pairs_b))
                    if shared:
                        both_free.append((key_a, pairs_a, key_b, pairs_b, shared))
        need = sum(len(entry[4]) for entry in both_free)
        if literals + need > max_conflict_literals:
            continue
        literals += need
        for key_a, pairs_a, key_b, pairs_b, shared in both_free:
            clash = built.model.new_bool_var(f"clash_{key_a[0]}_{key_a[1]}_{key_b[0]}_{key_b[1]}")
            hinted = 0
            for point in shared:
                literal_a = active_literal(key_a, pairs_a, point)
                literal_b = active_literal(key_b, pairs_b, point)
                built.model.add_bool_or([literal_a.negated(), literal_b.negated(), clash])
                if built.hint:
                    hinted |= built.hint[literal_a] & built.hint[literal_b]
            built.objective_terms.append((coefficient, clash))
            if built.hint:
                built.hint[clash] = hinted
        built.conflict_pairs_modelled += 1
    for key, penalties in anchored.items():
        _add_fixed_partner_costs(built, built.choices[key], penalties)


def _add_fixed_partner_costs(built: BuiltModel, options_with_vars, penalties) -> None:
    """One objective coefficient per option: the coefficients of the fixed partner runs it
    would overlap. Vectorised over all spans and partners of the run at once."""
    spans = sorted({(option.start, option.end) for option, _ in options_with_vars})
    if not spans:
        return
    span_start = np.asarray([s for s, _ in spans], dtype=np.int64)[:, None]
    span_end = np.asarray([e for _, e in spans], dtype=np.int64)[:, None]
    fixed_start = np.asarray([p[0] for p in penalties], dtype=np.int64)[None, :]
    fixed_end = np.asarray([p[1] for p in penalties], dtype=np.int64)[None, :]
    overlapping = (span_start < fixed_end) & (fixed_start < span_end)
    costs = overlapping.astype(np.int64) @ np.asarray([p[2] for p in penalties], dtype=np.int64)
    cost_of = dict(zip(spans, costs.tolist()))
    for option, var in options_with_vars:
        cost = cost_of[(option.start, option.end)]
        if cost:
            built.objective_terms.append((int(cost), var))


def _add_stability_objective(built: BuiltModel, instance: Instance, weights: Weights,
                             context: dict[RunKey, Option]) -> None:
    """Each start of the current schedule that no run of the same workshop keeps costs
    one move: `weights.allowed_move` up to the move allowance (see `move_penalty`), then
    `weights.move`. A start kept by a run outside the model (`context`) is no move; one
    of a workshop with no run in the model is a move whatever the model does."""
    if weights.move <= 0:
        return
    held = {(key[0], option.slot_ids[0]) for key, option in context.items()}
    moved_always = 0
    keeper_sets: list[list] = []
    for workshop_id, starts in instance.current_starts.items():
        if workshop_id not in instance.workshops:
            continue
        for start_slot in starts:
            if (workshop_id, start_slot) in held:
                continue
            keepers = [
                var
                for run in range(instance.workshops[workshop_id].runs)
                for option, var in built.choices.get((workshop_id, run), ())
                if option.slot_ids[0] == start_slot
            ]
            if keepers:
                keeper_sets.append(keepers)
            else:
                moved_always += 1
    allowance, cheap = move_prices(instance, weights)
    if allowance == 0 or cheap == weights.move:
        # linear: every move costs weights.move (a start is kept by at most one run,
        # since runs of one workshop never overlap)
        built.objective_offset += weights.move * (moved_always + len(keeper_sets))
        for keepers in keeper_sets:
            for var in keepers:
                built.objective_terms.append((-weights.move, var))
        return
    # convex piecewise: cheap per move, plus (move - cheap) per move beyond the allowance
    # moves = moved_always + len(keeper_sets) - sum(keepers); beyond >= moves - allowance
    most = moved_always + len(keeper_sets)
    beyond = built.model.new_int_var(0, max(0, most), "moves_beyond_allowance")
    built.model.add(beyond >= most - allowance - sum(v for keepers in keeper_sets for v in keepers))
    built.objective_offset += cheap * most
    for keepers in keeper_sets:
        for var in keepers:
            built.objective_terms.append((-cheap, var))
    built.objective_terms.append((weights.move - cheap, beyond))
    if built.hint:
        kept = sum(built.hint.get(v, 0) for keepers in keeper_sets for v in keepers)
        built.hint[beyond] = max(0, most - kept - allowance)


def build_model(
    instance: Instance,
    weights: Weights,
    hint: dict[RunKey, Option] | None = None,
    max_conflict_literals: int = 200_000,
    force_placed: frozenset[RunKey] = frozenset(),
    order_runs: bool = True,
    context: dict[RunKey, Option] | None = None,
) -> BuiltModel:
    """`context`: placements that stay and are not in the model (a neighbourhood's
    surroundings); they only shape the conflict costs of the runs that can move."""
    built = BuiltModel(model=cp_model.CpModel(), choices={}, placed={})
    _add_choices(built, instance, hint, force_placed)
    _add_slot_exclusivity(built)
    _add_people_and_runs(built, instance)
    _add_equipment_pools(built, instance)
    _add_prerequisites(built, instance)
    if order_runs:
        _add_run_order(built, instance)
    _add_placement_objective(built, instance, weights)
    _add_conflict_objective(built, instance, weights, max_conflict_literals, context or {})
    _add_stability_objective(built, instance, weights, context or {})
    built.model.minimize(
        sum(c * v for c, v in built.objective_terms) + built.objective_offset
    )
    for var, value in built.hint.items():
        built.model.add_hint(var, value)
    return built
