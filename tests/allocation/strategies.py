"""Small random allocation problems for property tests: few seats, many overlaps, parties, prerequisites."""
from __future__ import annotations

from hypothesis import strategies as st

from solver.allocation import AllocationProblem, Person, Run, Wish


@st.composite
def problems(draw, prerequisites: bool = True, parties: bool = True) -> AllocationProblem:
    workshop_count = draw(st.integers(1, 6))
    capabilities = st.lists(st.integers(1, 2), max_size=1, unique=True).map(tuple) if prerequisites else st.just(())
    runs = []
    for workshop_id in range(1, workshop_count + 1):
        requires, teaches = draw(capabilities), draw(capabilities)
        for _ in range(draw(st.integers(1, 2))):
            start = draw(st.integers(0, 4)) * 60
            runs.append(Run(len(runs) + 1, workshop_id, draw(st.integers(1, 4)), start,
                            start + 60 * draw(st.integers(1, 2)), requires, teaches))
    wishes, people = [], []
    for person in range(1, draw(st.integers(1, 9)) + 1):
        wanted = draw(st.lists(st.integers(1, workshop_count + 1), unique=True, max_size=5))  # +1: an unplaced one
        for rank, workshop_id in enumerate(wanted, start=1):
            party = draw(st.sampled_from([1, 1, 1, 2, 3])) if parties else 1
            wishes.append(Wish(person, workshop_id, rank, party))
        people.append(Person(person, draw(st.none() | st.integers(0, 3)),
                             draw(capabilities) if prerequisites else (),
                             draw(st.lists(st.integers(1, len(runs)), max_size=1).map(tuple))))  # a place from before
    return AllocationProblem(tuple(runs), tuple(wishes), tuple(people))
