"""Auto-schedule request and run schemas."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..models import ScheduleRun
from ..schemas import Schema
from ..services.scheduling import MAX_SEED
from ..serializers import iso

WeightName = Annotated[str, Field(max_length=40)]


class AutoScheduleIn(Schema):
    time_limit_seconds: float = Field(default=30, ge=1, le=3600)
    keep_current: bool = False
    # reproducible: the time limit becomes a work budget, so the same data and seed give
    # the same proposal (and `slotwise solve --work-limit` repeats it offline)
    reproducible: bool = False
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    weights: dict[WeightName, Annotated[float, Field(ge=0, le=1_000_000)]] = Field(default_factory=dict, max_length=10)


class TrackWeightsForm(Schema):
    """The auto-schedule page's track rules (the API takes them in `weights`); blank keeps the default."""
    track_overlap: int | None = Field(default=None, ge=0, le=1_000_000)
    track_rooms: int | None = Field(default=None, ge=0, le=1_000_000)


class CancelRunIn(Schema):
    # true: the run stops and its best schedule so far becomes a proposal to review; false: it is dropped
    keep_best: bool = False


class RunQueuedOut(Schema):
    run_id: int
    status: str


class ScheduleRunSummaryOut(Schema):
    id: int
    convention_id: int
    status: str
    parameters: dict
    progress: dict
    objective: float | None
    bound: float | None
    error_message: str | None
    requested_by_id: int | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    decided_at: str | None


class ScheduleRunOut(ScheduleRunSummaryOut):
    # while running: the best schedule found so far (placed_runs, objective, assignments), or null
    best_so_far: dict | None
    assignments: list[dict]
    unplaced: list[dict]
    stats: dict
    diff: dict | None


class ScheduleRunList(Schema):
    items: list[ScheduleRunSummaryOut]
    total: int


class AcceptOut(Schema):
    run_id: int
    moved_runs: int
    added_runs: int
    removed_runs: int
    clashes: list[dict]


def run_summary_json(run: ScheduleRun) -> dict:
    return {
        "id": run.id,
        "convention_id": run.convention_id,
        "status": run.status,
        "parameters": run.parameters,
        "progress": run.progress,
        "objective": run.objective,
        "bound": run.bound,
        "error_message": run.error_message,
        "requested_by_id": run.requested_by_id,
        "created_at": iso(run.created_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "decided_at": iso(run.decided_at),
    }


def run_json(run: ScheduleRun, diff: dict | None) -> dict:
    stats = {k: v for k, v in (run.stats or {}).items() if k != "traceback"}
    return run_summary_json(run) | {
        "best_so_far": run.best_so_far if run.status == "running" else None,
        "assignments": [
            {"workshop_id": a.workshop_id, "run_index": a.run_index, "event_slot_ids": a.event_slot_ids}
            for a in run.assignments
        ],
        "unplaced": [
            {"workshop_id": u.workshop_id, "run_index": u.run_index, "reasons": u.reasons} for u in run.unplaced
        ],
        "stats": stats,
        "diff": diff,
    }
