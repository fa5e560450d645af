"""Auto-schedule requests, their progress and the proposals they produce."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

RUN_STATUSES = (
    "queued", "running", "succeeded", "infeasible", "failed", "cancelled", "accepted", "rejected",
)
ACTIVE_RUN_STATUSES = ("queued", "running")
RUN_KINDS = ("schedule", "allocation")  # auto-schedule, or seat allocation (services/allocation_runs.py)


class ScheduleRun(db.Model):
    __tablename__ = "schedule_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("conventions.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(16), default="queued")
    kind: Mapped[str] = mapped_column(sa.String(16), default="schedule", server_default="schedule")
    parameters: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Progress written by the worker: best objective, bound, placed runs, elapsed seconds.
    progress: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    objective: Mapped[float | None]
    bound: Mapped[float | None]
    stats: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written once, on accept: every run the proposal added, moved or removed, with names and local
    # times as they were then, so the record survives later edits (see services/proposal_review.py).
    applied_changes: Mapped[dict | None] = mapped_column(sa.JSON)
    # An allocation run's result: seats, waitlists, figures beside the baselines', skipped wishes
    allocation: Mapped[dict | None] = mapped_column(sa.JSON)
    # While running: the best schedule found so far ({placed_runs, objective, assignments}), written by
    # the heartbeat when the solver improves, so a first proposal is readable long before the time
    # limit; cleared when the run ends (its result is then in `assignments`).
    best_so_far: Mapped[dict | None] = mapped_column(sa.JSON)

    assignments: Mapped[list[ScheduleRunAssignment]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ScheduleRunAssignment.id"
    )
    unplaced: Mapped[list[ScheduleRunUnplaced]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ScheduleRunUnplaced.id"
    )

    @property
    def change_counts(self) -> dict[str, int] | None:
        """Added, moved and removed runs, as recorded when this run was accepted (None before)."""
        if self.applied_changes is None:
            return None
        counts = {"added": 0, "moved": 0, "removed": 0}
        for entry in self.applied_changes.get("entries", []):
            counts[entry["kind"]] = counts.get(entry["kind"], 0) + 1
        return counts

    __table_args__ = (
        sa.CheckConstraint(f"status IN {RUN_STATUSES!r}", name="status_known"),
        sa.CheckConstraint(f"kind IN {RUN_KINDS!r}", name="kind_known"),
        sa.Index("ix_schedule_runs_convention_status", "convention_id", "status"),
        # At most one queued or running auto-schedule per convention, enforced by the database.
        sa.Index(
            "uq_schedule_runs_one_active",
            "convention_id",
            unique=True,
            sqlite_where=sa.text("status IN ('queued', 'running')"),
            postgresql_where=sa.text("status IN ('queued', 'running')"),
        ),
    )


class ScheduleRunAssignment(db.Model):
    """One workshop run placed by a proposal: the slots it would take."""

    __tablename__ = "schedule_run_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("schedule_runs.id", ondelete="CASCADE"))
    workshop_id: Mapped[int] = mapped_column(sa.ForeignKey("workshops.id", ondelete="CASCADE"))
    run_index: Mapped[int]
    event_slot_ids: Mapped[list[int]] = mapped_column(sa.JSON)

    run: Mapped[ScheduleRun] = relationship(back_populates="assignments")

    __table_args__ = (
        sa.UniqueConstraint("run_id", "workshop_id", "run_index"),
        sa.CheckConstraint("run_index >= 0", name="run_index_not_negative"),
    )


class ScheduleRunUnplaced(db.Model):
    __tablename__ = "schedule_run_unplaced"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("schedule_runs.id", ondelete="CASCADE"), index=True)
    workshop_id: Mapped[int] = mapped_column(sa.ForeignKey("workshops.id", ondelete="CASCADE"))
    run_index: Mapped[int | None]
    reasons: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    run: Mapped[ScheduleRun] = relationship(back_populates="unplaced")
