"""JSON routes for workshops, placing their runs in slots, and a convention's schedule grid."""
from flask import current_app, request
from flask_login import current_user

from ..api import bp as api_bp
from ..api.routing import api_route, listing, parse_body, parse_query
from ..services import placement, schedule_grid, workshop_listing, workshops
from .schemas import (
    AssignSlotIn, PrerequisitesIn, PlacedRunList, PlacedRunOut, ScheduleGridOut, UnassignOut, WorkshopCreateIn, WorkshopEquipmentIn,
    WorkshopList, WorkshopOut, WorkshopQuery, WorkshopUpdateIn, equipment_pairs, listed_workshop_json, run_json,
    schedule_json, workshop_json, workshop_static_json,
)


@api_route(api_bp, "/workshops", ["GET"], summary="List and filter workshops", query=WorkshopQuery,
           response=WorkshopList, auth=False, tag="workshops")
def list_workshops():
    args = parse_query(WorkshopQuery)
    items, total = workshop_listing.list_workshop_documents(current_user, workshop_static_json, **args.model_dump())
    return listing([listed_workshop_json(item) for item in items], total)


@api_route(api_bp, "/workshops", ["POST"], summary="Propose a workshop (host for self, admin for any host)",
           body=WorkshopCreateIn, response=WorkshopOut, status=201, tag="workshops")
def create_workshop():
    data = parse_body(WorkshopCreateIn)
    values = data.model_dump()
    values["equipment"] = equipment_pairs(data.equipment)
    return workshop_json(workshops.create_workshop(current_user, **values))


@api_route(api_bp, "/workshops/<int:workshop_id>", ["GET"], summary="One workshop", response=WorkshopOut,
           auth=False, tag="workshops")
def get_workshop(workshop_id: int):
    return workshop_json(workshops.get_workshop(current_user, workshop_id))


@api_route(api_bp, "/workshops/<int:workshop_id>", ["PUT"], summary="Change a workshop (host, co-host, admin)",
           body=WorkshopUpdateIn, response=WorkshopOut, tag="workshops")
def update_workshop(workshop_id: int):
    data = parse_body(WorkshopUpdateIn)
    changes = data.model_dump(exclude_unset=True)
    if "equipment" in changes:
        changes["equipment"] = equipment_pairs(data.equipment or [])
    return workshop_json(workshops.update_workshop(current_user, workshop_id, **changes))


@api_route(api_bp, "/workshops/<int:workshop_id>", ["DELETE"],
           summary="Cancel a workshop: frees its slots, cancels its selections (host, admin)", status=204,
           tag="workshops")
def delete_workshop(workshop_id: int):
    workshops.delete_workshop(current_user, workshop_id)
    return "", 204


@api_route(api_bp, "/workshops/<int:workshop_id>/prerequisites", ["PUT"], summary="Set a workshop's prerequisites",
           body=PrerequisitesIn, response=WorkshopOut, tag="workshops")
def set_prerequisites(workshop_id: int):
    data = parse_body(PrerequisitesIn)
    return workshop_json(workshops.set_prerequisites(current_user, workshop_id, data.capability_ids))


@api_route(api_bp, "/workshops/<int:workshop_id>/equipment", ["PUT"], summary="Set a workshop's equipment",
           body=WorkshopEquipmentIn, response=WorkshopOut, tag="workshops")
def set_equipment(workshop_id: int):
    data = parse_body(WorkshopEquipmentIn)
    return workshop_json(workshops.set_equipment(current_user, workshop_id, equipment_pairs(data.equipment)))


@api_route(api_bp, "/workshops/<int:workshop_id>/assign-slot", ["POST"],
           summary="Place a run from this first slot; 409 lists every rule it breaks", body=AssignSlotIn,
           response=PlacedRunOut, status=201, tag="placing")
def assign_slot(workshop_id: int):
    data = parse_body(AssignSlotIn)
    return run_json(placement.assign_slot(current_user, workshop_id, data.event_slot_id, data.run_index))


@api_route(api_bp, "/workshops/<int:workshop_id>/unassign-slot/<int:slot_id>", ["DELETE"],
           summary="Take the run holding this slot off the schedule", response=UnassignOut, tag="placing")
def unassign_slot(workshop_id: int, slot_id: int):
    freed, view = placement.unassign_slot(current_user, workshop_id, slot_id)
    return {"freed_slot_ids": freed, "workshop": workshop_json(view)}


@api_route(api_bp, "/workshops/<int:workshop_id>/slots", ["GET"], summary="A workshop's placed runs",
           response=PlacedRunList, auth=False, tag="placing")
def workshop_slots(workshop_id: int):
    runs = placement.workshop_runs(current_user, workshop_id)
    return listing([run_json(r) for r in runs], len(runs))


@api_route(api_bp, "/conventions/<int:convention_id>/schedule", ["GET"],
           summary="The schedule grid: rooms as columns, times as rows", response=ScheduleGridOut, auth=False,
           tag="placing")
def convention_schedule(convention_id: int):
    grid = schedule_grid.schedule_grid(
        current_user, convention_id, render=lambda schedule: current_app.json.dumps(schedule_json(schedule)).encode()
    )
    response = current_app.response_class(grid.body, mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-cache"  # revalidate every time: a 304 is cheap
    if grid.etag is not None:
        response.set_etag(grid.etag)
        response.vary.add("Authorization")
        response.vary.add("Cookie")
    return response.make_conditional(request)
