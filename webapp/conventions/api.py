"""JSON routes for conventions, their locations and event slots (one by one and in bulk)."""
from flask_login import current_user

from ..api import bp as api_bp
from ..api.routing import api_route, listing, parse_body, parse_query
from ..services import conventions, locations, slots
from .schemas import (
    AllSlotsQuery, BulkSlotsIn, BulkSlotsOut, CascadeQuery, ConventionIn, ConventionList, ConventionOut,
    ConventionQuery, ConventionUpdateIn, LocationIn, LocationList, LocationOut, LocationUpdateIn, PageQuery,
    PlacedWorkshopOut, SlotIn, SlotList, SlotOut, SlotQuery, SlotUpdateIn, bulk_json, convention_json,
    location_json, placed_workshop_json, slot_json,
)

# conventions ----------------------------------------------------------------------------------


@api_route(api_bp, "/conventions", ["GET"], summary="List conventions (drafts: admins only)",
           query=ConventionQuery, response=ConventionList, auth=False, tag="conventions")
def list_conventions():
    args = parse_query(ConventionQuery)
    rows, total = conventions.list_conventions(current_user, args.limit, args.offset, args.q, args.status)
    return listing([convention_json(c) for c in rows], total)


@api_route(api_bp, "/conventions", ["POST"], summary="Create a convention (admin)", body=ConventionIn,
           response=ConventionOut, status=201, tag="conventions")
def create_convention():
    data = parse_body(ConventionIn)
    return convention_json(conventions.create_convention(current_user, **data.model_dump()))


@api_route(api_bp, "/conventions/<int:convention_id>", ["GET"], summary="One convention",
           response=ConventionOut, auth=False, tag="conventions")
def get_convention(convention_id: int):
    return convention_json(conventions.get_convention(current_user, convention_id))


@api_route(api_bp, "/conventions/<int:convention_id>", ["PUT"], summary="Change a convention (admin)",
           body=ConventionUpdateIn, response=ConventionOut, tag="conventions")
def update_convention(convention_id: int):
    data = parse_body(ConventionUpdateIn)
    return convention_json(
        conventions.update_convention(current_user, convention_id, **data.model_dump(exclude_unset=True))
    )


@api_route(api_bp, "/conventions/<int:convention_id>", ["DELETE"],
           summary="Delete a convention (admin); ?cascade=true when it has registrations or placed workshops",
           query=CascadeQuery, status=204, tag="conventions")
def delete_convention(convention_id: int):
    args = parse_query(CascadeQuery)
    conventions.delete_convention(current_user, convention_id, cascade=args.cascade)
    return "", 204


# locations ------------------------------------------------------------------------------------


@api_route(api_bp, "/conventions/<int:convention_id>/locations", ["GET"], summary="A convention's locations",
           query=PageQuery, response=LocationList, auth=False, tag="locations")
def list_locations(convention_id: int):
    args = parse_query(PageQuery)
    rows, total = locations.list_locations(current_user, convention_id, args.limit, args.offset)
    return listing([location_json(row) for row in rows], total)


@api_route(api_bp, "/conventions/<int:convention_id>/locations", ["POST"], summary="Add a location (admin)",
           body=LocationIn, response=LocationOut, status=201, tag="locations")
def create_location(convention_id: int):
    data = parse_body(LocationIn)
    return location_json(locations.create_location(current_user, convention_id, **data.model_dump()))


@api_route(api_bp, "/conventions/<int:convention_id>/locations/<int:location_id>", ["GET"],
           summary="One location", response=LocationOut, auth=False, tag="locations")
def get_location(convention_id: int, location_id: int):
    return location_json(locations.get_location(current_user, convention_id, location_id))


@api_route(api_bp, "/conventions/<int:convention_id>/locations/<int:location_id>", ["PUT"],
           summary="Change a location (admin); equipment, when given, replaces the fixed equipment",
           body=LocationUpdateIn, response=LocationOut, tag="locations")
def update_location(convention_id: int, location_id: int):
    data = parse_body(LocationUpdateIn)
    return location_json(
        locations.update_location(current_user, convention_id, location_id, **data.model_dump(exclude_unset=True))
    )


@api_route(api_bp, "/conventions/<int:convention_id>/locations/<int:location_id>", ["DELETE"],
           summary="Delete a location (admin); ?cascade=true unplaces the workshops in it",
           query=CascadeQuery, status=204, tag="locations")
def delete_location(convention_id: int, location_id: int):
    args = parse_query(CascadeQuery)
    locations.delete_location(current_user, convention_id, location_id, cascade=args.cascade)
    return "", 204


# event slots ----------------------------------------------------------------------------------


@api_route(api_bp, "/conventions/<int:convention_id>/event-slots", ["GET"], summary="A convention's event slots",
           query=SlotQuery, response=SlotList, auth=False, tag="slots")
def list_convention_slots(convention_id: int):
    args = parse_query(SlotQuery)
    rows, total = slots.list_slots(current_user, convention_id, **args.model_dump())
    return listing([slot_json(row.slot, workshop_visible=row.workshop_visible) for row in rows], total)


@api_route(api_bp, "/conventions/<int:convention_id>/event-slots", ["POST"], summary="Add an event slot (admin)",
           body=SlotIn, response=SlotOut, status=201, tag="slots")
def create_slot(convention_id: int):
    data = parse_body(SlotIn)
    return slot_json(slots.create_slot(current_user, convention_id, **data.model_dump()))


@api_route(api_bp, "/conventions/<int:convention_id>/event-slots/<int:slot_id>", ["PUT"],
           summary="Change an event slot (admin); ?cascade=true unplaces the workshop run it holds",
           body=SlotUpdateIn, query=CascadeQuery, response=SlotOut, tag="slots")
def update_slot(convention_id: int, slot_id: int):
    args = parse_query(CascadeQuery)
    data = parse_body(SlotUpdateIn)
    return slot_json(slots.update_slot(current_user, convention_id, slot_id, cascade=args.cascade,
                                       **data.model_dump(exclude_unset=True)))


@api_route(api_bp, "/conventions/<int:convention_id>/event-slots/<int:slot_id>", ["DELETE"],
           summary="Delete an event slot (admin); ?cascade=true unplaces the workshop run it holds",
           query=CascadeQuery, status=204, tag="slots")
def delete_slot(convention_id: int, slot_id: int):
    args = parse_query(CascadeQuery)
    slots.delete_slot(current_user, convention_id, slot_id, cascade=args.cascade)
    return "", 204


@api_route(api_bp, "/conventions/<int:convention_id>/bulk-slots", ["POST"],
           summary="Create slots for days x local time ranges x locations at once (admin)",
           body=BulkSlotsIn, response=BulkSlotsOut, status=201, tag="slots")
def bulk_slots(convention_id: int):
    data = parse_body(BulkSlotsIn)
    created, skipped = slots.bulk_create_slots(current_user, convention_id, **data.model_dump())
    return bulk_json(created, skipped)


@api_route(api_bp, "/event-slots", ["GET"], summary="Event slots of one convention (convention_id required)",
           query=AllSlotsQuery, response=SlotList, auth=False, tag="slots")
def list_slots():
    args = parse_query(AllSlotsQuery).model_dump()
    rows, total = slots.list_slots(current_user, args.pop("convention_id"), **args)
    return listing([slot_json(row.slot, workshop_visible=row.workshop_visible) for row in rows], total)


@api_route(api_bp, "/event-slots/<int:slot_id>/workshop", ["GET"], summary="The workshop placed in a slot",
           response=PlacedWorkshopOut, auth=False, tag="slots")
def slot_workshop(slot_id: int):
    workshop, run_index, slot_ids = slots.placed_workshop(current_user, slot_id)
    return placed_workshop_json(workshop, run_index, slot_ids)
