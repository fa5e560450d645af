"""JSON routes for the catalogue: capabilities and equipment."""
from flask_login import current_user

from ..api import bp as api_bp
from ..api.routing import api_route, listing, parse_body, parse_query
from ..conventions.schemas import CascadeQuery
from ..services import catalogue
from .schemas import (
    CapabilityIn, CapabilityList, CapabilityOut, CapabilityQuery, CapabilityUpdateIn, EquipmentIn, EquipmentList,
    EquipmentOut, EquipmentQuery, EquipmentUpdateIn, capability_json, equipment_json,
)


@api_route(api_bp, "/capabilities", ["GET"], summary="List capabilities", query=CapabilityQuery,
           response=CapabilityList, auth=False, tag="catalogue")
def list_capabilities():
    args = parse_query(CapabilityQuery)
    rows, total = catalogue.list_capabilities(current_user, args.limit, args.offset, args.q)
    return listing([capability_json(row) for row in rows], total)


@api_route(api_bp, "/capabilities", ["POST"], summary="Add a capability (admin)", body=CapabilityIn,
           response=CapabilityOut, status=201, tag="catalogue")
def create_capability():
    data = parse_body(CapabilityIn)
    return capability_json(catalogue.create_capability(current_user, **data.model_dump()))


@api_route(api_bp, "/capabilities/<int:capability_id>", ["PUT"], summary="Change a capability (admin)",
           body=CapabilityUpdateIn, response=CapabilityOut, tag="catalogue")
def update_capability(capability_id: int):
    data = parse_body(CapabilityUpdateIn)
    return capability_json(
        catalogue.update_capability(current_user, capability_id, **data.model_dump(exclude_unset=True))
    )


@api_route(api_bp, "/capabilities/<int:capability_id>", ["DELETE"],
           summary="Delete a capability (admin); ?cascade=true when workshops require or teach it",
           query=CascadeQuery, status=204, tag="catalogue")
def delete_capability(capability_id: int):
    args = parse_query(CascadeQuery)
    catalogue.delete_capability(current_user, capability_id, cascade=args.cascade)
    return "", 204


@api_route(api_bp, "/equipment", ["GET"], summary="List equipment pools", query=EquipmentQuery,
           response=EquipmentList, auth=False, tag="catalogue")
def list_equipment():
    args = parse_query(EquipmentQuery)
    rows, total = catalogue.list_equipment(current_user, args.limit, args.offset, args.convention_id, args.q)
    return listing([equipment_json(row) for row in rows], total)


@api_route(api_bp, "/equipment", ["POST"], summary="Add equipment to a convention (admin)", body=EquipmentIn,
           response=EquipmentOut, status=201, tag="catalogue")
def create_equipment():
    data = parse_body(EquipmentIn)
    return equipment_json(catalogue.create_equipment(current_user, **data.model_dump()))


@api_route(api_bp, "/equipment/<int:equipment_id>", ["PUT"], summary="Change equipment (admin)",
           body=EquipmentUpdateIn, response=EquipmentOut, tag="catalogue")
def update_equipment(equipment_id: int):
    data = parse_body(EquipmentUpdateIn)
    return equipment_json(
        catalogue.update_equipment(current_user, equipment_id, **data.model_dump(exclude_unset=True))
    )


@api_route(api_bp, "/equipment/<int:equipment_id>", ["DELETE"],
           summary="Delete equipment (admin); ?cascade=true when workshops need it or rooms have it fixed",
           query=CascadeQuery, status=204, tag="catalogue")
def delete_equipment(equipment_id: int):
    args = parse_query(CascadeQuery)
    catalogue.delete_equipment(current_user, equipment_id, cascade=args.cascade)
    return "", 204
