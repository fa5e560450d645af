"""An allocation problem from a placed schedule: each placed run becomes a `Run`, its id the run's first slot."""
from __future__ import annotations

from ..problem import Placement, Problem
from .problem import Run


def runs_from_schedule(problem: Problem, placements: tuple[Placement, ...] | None = None) -> tuple[Run, ...]:
    """A run seats min(the workshop's max attendees, its room's seats), as registration counts it."""
    placements = problem.current if placements is None else placements
    slots = {slot.id: slot for slot in problem.slots}
    rooms = {location.id: location.capacity for location in problem.locations}
    workshops = {workshop.id: workshop for workshop in problem.workshops}
    runs = []
    for placement in placements:
        workshop = workshops[placement.workshop_id]
        first, last = slots[placement.slot_ids[0]], slots[placement.slot_ids[-1]]
        runs.append(Run(first.id, workshop.id, min(workshop.max_attendees, rooms[first.location_id]), first.start,
                        last.end, workshop.prerequisite_ids, workshop.teaches_ids))
    return tuple(sorted(runs, key=lambda run: run.id))
