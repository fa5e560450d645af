"""Auto-schedule over JSON: request a run, watch it, cancel, accept or reject its proposal."""
from flask_login import current_user

from ..api import bp as api_bp
from ..api.routing import api_route, listing, parse_body, parse_optional_body, parse_query
from ..schemas import PageQuery
from ..services import proposals, scheduling
from .schemas import AcceptOut, AutoScheduleIn, CancelRunIn, ScheduleRunList, ScheduleRunOut, RunQueuedOut, run_json, run_summary_json


@api_route(api_bp, "/conventions/<int:convention_id>/auto-schedule", ["POST"], summary="Queue an auto-schedule run",
           body=AutoScheduleIn, response=RunQueuedOut, status=202, tag="auto-schedule")
def request_auto_schedule(convention_id: int):
    data = parse_body(AutoScheduleIn)
    run = scheduling.request_auto_schedule(
        current_user, convention_id, time_limit_seconds=data.time_limit_seconds,
        keep_current=data.keep_current, weights=data.weights, reproducible=data.reproducible, seed=data.seed,
    )
    return {"run_id": run.id, "status": run.status}


@api_route(api_bp, "/conventions/<int:convention_id>/solver-problem", ["GET"],
           summary="The convention as the solver's problem JSON (for `slotwise solve`)", tag="auto-schedule")
def export_solver_problem(convention_id: int):
    return scheduling.export_problem(current_user, convention_id)


@api_route(api_bp, "/schedule-runs/<int:run_id>", ["GET"], summary="A run: progress, proposal as a diff, reasons",
           response=ScheduleRunOut, tag="auto-schedule")
def get_run(run_id: int):
    run = scheduling.get_run(current_user, run_id)
    return run_json(run, scheduling.proposal_diff(run) if run.status == "succeeded" else None)


@api_route(api_bp, "/conventions/<int:convention_id>/schedule-runs", ["GET"], summary="Runs of a convention",
           query=PageQuery, response=ScheduleRunList, tag="auto-schedule")
def list_runs(convention_id: int):
    args = parse_query(PageQuery)
    runs, total = scheduling.list_runs(current_user, convention_id, args.limit, args.offset)
    return listing([run_summary_json(r) for r in runs], total)


@api_route(api_bp, "/schedule-runs/<int:run_id>/cancel", ["POST"],
           summary="Cancel a queued or running run (keep_best: stop and keep the best schedule found so far)",
           body=CancelRunIn, response=ScheduleRunOut, tag="auto-schedule")
def cancel_run(run_id: int):
    data = parse_optional_body(CancelRunIn)
    return run_json(scheduling.cancel_run(current_user, run_id, keep_best=data.keep_best), None)


@api_route(api_bp, "/schedule-runs/<int:run_id>/reject", ["POST"], summary="Reject a proposal (kept for the record)",
           response=ScheduleRunOut, tag="auto-schedule")
def reject_run(run_id: int):
    return run_json(scheduling.reject_run(current_user, run_id), None)


@api_route(api_bp, "/schedule-runs/<int:run_id>/accept", ["POST"], summary="Apply a proposal in one transaction",
           response=AcceptOut, tag="auto-schedule")
def accept_run(run_id: int):
    return proposals.accept_run(current_user, run_id)
