"""Seat allocation over JSON: the setting, one's wishes, allocation runs, the wishes export."""
from flask_login import current_user

from ..api import bp as api_bp
from ..api.routing import api_route, listing, parse_body, parse_optional_body, parse_query
from ..schemas import PageQuery
from ..services import allocation_runs, seat_mode, wishes
from ..services.conventions import admin_convention
from ..scheduling.schemas import RunQueuedOut, run_summary_json
from .schemas import (
    AllocationAcceptOut, AllocationIn, AllocationRunList, AllocationRunOut, SeatSettingsIn, SeatSettingsOut, WishesIn,
    WishesOut, allocation_run_json, settings_json, wishes_json,
)

TAG = "seat allocation"


@api_route(api_bp, "/conventions/<int:convention_id>/seat-settings", ["GET"], summary="How seats are given (admin)",
           response=SeatSettingsOut, tag=TAG)
def get_seat_settings(convention_id: int):
    con = admin_convention(current_user, convention_id)
    return settings_json(con, seat_mode.pending_run(con.id))


@api_route(api_bp, "/conventions/<int:convention_id>/seat-settings", ["PUT"],
           summary="First come, first served or allocation from ranked wishes; the largest party (admin)",
           body=SeatSettingsIn, response=SeatSettingsOut, tag=TAG)
def put_seat_settings(convention_id: int):
    data = parse_body(SeatSettingsIn)
    con = allocation_runs.set_seat_settings(current_user, convention_id, data.seat_mode, data.max_party_size)
    return settings_json(con, seat_mode.pending_run(con.id))


@api_route(api_bp, "/conventions/<int:convention_id>/my-wishes", ["GET"], summary="Your ranked wishes",
           response=WishesOut, tag=TAG)
def get_my_wishes(convention_id: int):
    return wishes_json(wishes.my_wishes(current_user, convention_id))


@api_route(api_bp, "/conventions/<int:convention_id>/my-wishes", ["PUT"],
           summary="Replace your ranked wishes (409 while an allocation runs or waits for review)",
           body=WishesIn, response=WishesOut, tag=TAG)
def put_my_wishes(convention_id: int):
    data = parse_body(WishesIn)
    return wishes_json(wishes.replace_wishes(
        current_user, convention_id, [(item.workshop_id, item.party_size) for item in data.items], data.max_workshops))


@api_route(api_bp, "/conventions/<int:convention_id>/seat-allocation", ["POST"],
           summary="Queue a seat allocation run (admin)", body=AllocationIn, response=RunQueuedOut, status=202, tag=TAG)
def request_allocation(convention_id: int):
    data = parse_optional_body(AllocationIn)
    run = allocation_runs.request_allocation(current_user, convention_id, data.seed)
    return {"run_id": run.id, "status": run.status}


@api_route(api_bp, "/conventions/<int:convention_id>/seat-allocation/wishes", ["GET"],
           summary="The wishes export for `slotwise allocate` (people as opaque ids; admin)", tag=TAG)
def export_wishes(convention_id: int):
    return allocation_runs.export_wishes(current_user, convention_id)


@api_route(api_bp, "/conventions/<int:convention_id>/allocation-runs", ["GET"], summary="Allocation runs of a convention",
           query=PageQuery, response=AllocationRunList, tag=TAG)
def list_allocation_runs(convention_id: int):
    args = parse_query(PageQuery)
    runs, total = allocation_runs.list_allocation_runs(current_user, convention_id, args.limit, args.offset)
    return listing([run_summary_json(r) for r in runs], total)


@api_route(api_bp, "/allocation-runs/<int:run_id>", ["GET"],
           summary="An allocation run: progress, seats, waitlists, figures beside the baselines'",
           response=AllocationRunOut, tag=TAG)
def get_allocation_run(run_id: int):
    return allocation_run_json(allocation_runs.get_allocation_run(current_user, run_id))


@api_route(api_bp, "/allocation-runs/<int:run_id>/cancel", ["POST"], summary="Cancel a queued or running allocation",
           response=AllocationRunOut, tag=TAG)
def cancel_allocation_run(run_id: int):
    return allocation_run_json(allocation_runs.cancel_allocation(current_user, run_id))


@api_route(api_bp, "/allocation-runs/<int:run_id>/reject", ["POST"], summary="Reject an allocation (nothing changes)",
           response=AllocationRunOut, tag=TAG)
def reject_allocation_run(run_id: int):
    return allocation_run_json(allocation_runs.reject_allocation(current_user, run_id))


@api_route(api_bp, "/allocation-runs/<int:run_id>/accept", ["POST"],
           summary="Accept an allocation: registrations and waitlists in one transaction, then first come",
           response=AllocationAcceptOut, tag=TAG)
def accept_allocation_run(run_id: int):
    return allocation_runs.accept_allocation(current_user, run_id)
