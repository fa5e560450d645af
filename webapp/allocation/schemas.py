"""Seat allocation request and response schemas, and their JSON rendering."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..models import Convention, ScheduleRun
from ..models.conventions import MAX_PARTY_SIZE
from ..models.types import MAX_ID
from ..schemas import Schema
from ..scheduling.schemas import ScheduleRunSummaryOut, run_summary_json
from ..services.scheduling import MAX_SEED
from ..services.wishes import MAX_WISHES, WishList

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PartySize = Annotated[int, Field(ge=1, le=MAX_PARTY_SIZE)]
SeatMode = Literal["first_come", "allocation"]


class SeatSettingsIn(Schema):
    seat_mode: SeatMode
    max_party_size: PartySize = 1


class SeatSettingsOut(Schema):
    convention_id: int
    seat_mode: SeatMode
    max_party_size: int
    pending_run_id: int | None


class AllocationIn(Schema):
    seed: int | None = Field(None, ge=0, le=MAX_SEED, description="the lottery's seed; left out: a random one")


class WishIn(Schema):
    workshop_id: Id
    party_size: PartySize = 1


class WishLimitIn(Schema):
    max_workshops: int | None = Field(None, ge=1, le=MAX_WISHES, description="at most this many workshops; null: no limit")


class WishesIn(Schema):
    items: list[WishIn] = Field(max_length=MAX_WISHES, description="most wanted first")
    max_workshops: int | None = Field(None, ge=1, le=MAX_WISHES, description="at most this many workshops; null: no limit")


class WishOut(Schema):
    selection_id: int
    workshop_id: int
    title: str
    rank: int
    party_size: int


class WishesOut(Schema):
    convention_id: int
    seat_mode: SeatMode
    max_party_size: int
    max_workshops: int | None
    items: list[WishOut]
    total: int


class AllocationRunOut(ScheduleRunSummaryOut):
    seed: int | None
    figures: dict | None
    baselines: dict | None
    assignments: list[dict]
    waitlists: list[dict]
    skipped: list[dict]


class AllocationRunList(Schema):
    items: list[ScheduleRunSummaryOut]
    total: int


class AllocationAcceptOut(Schema):
    run_id: int
    registered: int
    waitlisted: int
    people: int
    seat_mode: SeatMode


def settings_json(con: Convention, pending: ScheduleRun | None) -> dict:
    return {"convention_id": con.id, "seat_mode": con.seat_mode, "max_party_size": con.max_party_size,
            "pending_run_id": pending.id if pending else None}


def wishes_json(wishes: WishList) -> dict:
    con = wishes.convention
    items = [{"selection_id": w.selection.id, "workshop_id": w.workshop.id, "title": w.workshop.title,
              "rank": w.rank, "party_size": w.selection.party_size} for w in wishes.wishes]
    return {"convention_id": con.id, "seat_mode": con.seat_mode, "max_party_size": con.max_party_size,
            "max_workshops": wishes.max_workshops, "items": items, "total": len(items)}


def allocation_run_json(run: ScheduleRun) -> dict:
    result = run.allocation or {}
    return run_summary_json(run) | {
        "seed": (run.parameters or {}).get("seed"),
        "figures": result.get("figures"),
        "baselines": result.get("baselines"),
        "assignments": result.get("assignments", []),
        "waitlists": result.get("waitlists", []),
        "skipped": result.get("skipped", []),
    }
