"""Fair seat allocation: ranked wishes in, seats and waitlists out. Pure Python, no Flask, no database.

    allocation = allocate(problem, seed=7)       # Slotwise's mechanism (draft.py)
    assert not violations(problem, allocation)  # the independent checker
    figures(problem, allocation)                # the fairness figures of issue 16

It lives inside `solver/` because it is the same kind of code: plain records in and out, tested alone,
run by the worker and offline (`slotwise allocate`); it uses nothing of the scheduling engine.
"""
from .baselines import BASELINES, emf_lottery, first_come_first_served, random_serial_dictatorship
from .check import violations
from .draft import MECHANISM, allocate, repaired
from .figures import figures
from .problem import Allocation, AllocationProblem, Assignment, Person, Run, Waitlist, Wish

__all__ = [
    "BASELINES", "MECHANISM", "Allocation", "AllocationProblem", "Assignment", "Person", "Run", "Waitlist", "Wish",
    "allocate", "emf_lottery", "figures", "first_come_first_served", "random_serial_dictatorship", "repaired", "violations",
]
