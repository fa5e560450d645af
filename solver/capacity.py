"""What no schedule can beat, known before any search: runs that have no place at all, and
runs that cannot all fit because the grid holds fewer slots than they need.

Every placed run holds `duration_slots` slots of its own, so the runs placed need at most
as many slots as the convention has. When the runs that have a place need more, some must
go: the cheapest way to free enough slots is a knapsack, bounded here from below (whole
runs when every run weighs the same, else fractionally). A schedule that leaves out only
that much is optimal on placement (`lower_bound`), and the solve stops there instead of
searching to its time limit. The same reasoning names the runs to leave out first
(`expendable`): the longest of the least important, so the greedy packs the others first.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .domains import RunKey
from .instance import Instance, Weights


@dataclass(frozen=True)
class Capacity:
    slots: int  # slots of every room the runs with a place may use
    demand: int  # slots the runs with a place would hold together
    impossible: tuple[RunKey, ...]  # runs with no place at all
    excess: int  # demand beyond the slots: at least this much must stay out
    must_leave_out: int  # at least this many runs with a place stay out (all weights equal)
    lower_bound: int  # objective no schedule can beat (placement term only)
    expendable: frozenset[int]  # workshops whose runs the greedy places last
    mixed_lengths: bool = False  # runs with a place differ in length

    @property
    def nearly_full(self) -> bool:
        """Runs of several lengths need at least 95 % of the slots: the greedy then packs
        rooms one after another (FOSDEM 2019 overload without its 15 longest talks, 99.98 %
        full: 759 of 760 placed spreading over the rooms, all 760 packing them). With one
        length no gap is ever too short, so packing would only cluster the runs."""
        return self.mixed_lengths and self.demand >= 0.95 * self.slots


def _run_weight(instance: Instance, weights: Weights, key: RunKey) -> int:
    return weights.placement * max(1, instance.workshops[key[0]].priority)


def capacity(instance: Instance, weights: Weights) -> Capacity:
    impossible = tuple(key for key in instance.runs if not instance.options[key])
    possible = [key for key in instance.runs if instance.options[key]]
    usable_rooms: set[int] = set()
    for options in {id(instance.options[key]): instance.options[key] for key in possible}.values():
        usable_rooms.update(option.location_id for option in options)
    slots = sum(1 for slot in instance.problem.slots if slot.location_id in usable_rooms)
    length = {key: len(instance.options[key][0].slot_ids) for key in possible}
    demand = sum(length.values())
    excess = max(0, demand - slots)
    bound = sum(_run_weight(instance, weights, key) for key in impossible)
    must_leave_out = 0
    expendable: set[int] = set()
    if excess:
        # cheapest slots first: least weight per slot, longest first among equals
        order = sorted(
            (key for key in possible if key not in instance.pinned),
            key=lambda k: (_run_weight(instance, weights, k) / length[k], -length[k], k),
        )
        freed, fractional = 0, 0.0
        for key in order:
            if freed >= excess:
                break
            take = min(length[key], excess - freed)
            fractional += _run_weight(instance, weights, key) * take / length[key]
            freed += length[key]
            must_leave_out += 1
            expendable.add(key[0])
        uniform = len({_run_weight(instance, weights, k) for k in possible}) == 1
        if freed < excess:
            # pins alone overfill the grid (they break a rule: reported elsewhere)
            fractional, must_leave_out = 0.0, 0
        if uniform and possible:
            bound += must_leave_out * _run_weight(instance, weights, possible[0])
        else:
            bound += math.ceil(fractional - 1e-9)
    return Capacity(slots, demand, impossible, excess, must_leave_out, bound, frozenset(expendable),
                    mixed_lengths=len(set(length.values())) > 1)

