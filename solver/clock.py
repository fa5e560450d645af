"""What "time" means inside a solve: seconds on the wall clock, or counted work.

Every phase of a solve (local search, CP-SAT models, neighbourhoods, annealing) ends at a
deadline read off a clock that starts at 0:

* `WallClock` (the default) counts seconds. How far a phase gets then depends on the
  machine and its load, so one seed can give different schedules on different runs.
* `WorkClock` (`SolveParams.work_limit`) counts work instead: CP-SAT's deterministic time
  and the Python steps of local search and annealing, each weighed by what it computes.
  Nothing the search decides depends on the wall clock, so the same problem, seed and
  work limit give the same schedule on any machine under any load. One unit is about one
  second of one core on the 2-core benchmark machine (calibration in benchmarks/solver-log.md). The
  wall-clock time limit still applies as a safety net: a solve it cuts short is flagged
  `cut_short`, and is then no longer reproducible.
"""
from __future__ import annotations

import math
import time

# Python work weights, in seconds of the benchmark machine per unit of each kind of work
# (measured on M and L instances: see docs/solver.md, "Reproducible runs").
SECONDS_PER_SPAN_CELL = 2e-8      # one (candidate span x partner run) overlap test in numpy
SECONDS_PER_COST_CALL = 1.8e-5    # the fixed part of one numpy cost evaluation
SECONDS_PER_FIT_CHECK = 9e-6      # one hard-rule check of a place
SECONDS_PER_PAIR = 1.5e-7         # one attendee pair in a whole-objective evaluation
SECONDS_PER_MODEL_VARIABLE = 2e-5  # building one CP-SAT variable with its constraints
SECONDS_PER_OPTION = 3e-6         # building the instance and the greedy schedule, per distinct place built
# CP-SAT's deterministic time runs slower than the wall clock: 1.45 against 3.89 s at S mixed
SECONDS_PER_DETERMINISTIC_UNIT = 2.7
# ... except in the pooled-rooms model (cumulative and no-overlap constraints), where a
# deterministic unit took about 8 times as long (engine._pooled_phase scales by it)
POOLED_DETERMINISTIC_SLOWDOWN = 8.0


class WallClock:
    """Seconds since the solve started."""

    reproducible = False
    cut_short = False

    def __init__(self) -> None:
        self._started = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self._started

    def charge(self, seconds: float) -> None:
        """Work done in Python; the wall clock sees it by itself."""

    def limit_search(self, parameters, budget: float, num_workers: int) -> None:
        """Bound one CP-SAT search to `budget` of this clock."""
        parameters.max_time_in_seconds = max(0.01, budget)
        parameters.num_workers = max(1, num_workers)

    def account_search(self, solver) -> float:
        """A CP-SAT search ended (the wall clock saw its time by itself); returns what it
        cost on this clock."""
        return solver.wall_time

    @property
    def used(self) -> float:
        return self.now()


class WorkClock:
    """Counted work: advances only by `charge` and by CP-SAT's deterministic time, and jumps
    to infinity (every deadline passed) once the wall-clock safety limit is reached."""

    reproducible = True

    def __init__(self, wall_limit_seconds: float) -> None:
        self._wall_deadline = time.monotonic() + wall_limit_seconds
        self._used = 0.0
        self.cut_short = False

    def now(self) -> float:
        if not self.cut_short and time.monotonic() >= self._wall_deadline:
            self.cut_short = True
        return math.inf if self.cut_short else self._used

    def charge(self, seconds: float) -> None:
        self._used += seconds

    def limit_search(self, parameters, budget: float, num_workers: int) -> None:
        parameters.max_deterministic_time = max(0.001, budget / SECONDS_PER_DETERMINISTIC_UNIT)
        parameters.max_time_in_seconds = max(0.01, self._wall_deadline - time.monotonic())
        parameters.num_workers = max(1, num_workers)
        if num_workers > 1:
            # CP-SAT's parallel workers race each other unless their work is interleaved
            # in fixed batches, which makes the search deterministic for any worker count
            parameters.interleave_search = True

    def account_search(self, solver) -> float:
        spent = solver.deterministic_time * SECONDS_PER_DETERMINISTIC_UNIT
        self._used += spent
        return spent

    @property
    def used(self) -> float:
        return self._used


Clock = WallClock | WorkClock
