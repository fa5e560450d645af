"""JSON routes for hosts: applying to host, reviewing applications, own workshops, availability."""
from flask_login import current_user

from ..api import bp as api_bp
from ..api.routing import api_route, listing, parse_body, parse_optional_body, parse_query
from ..services import hosts, workshops
from ..workshops.schemas import PageQuery, WorkshopList, workshop_json
from .schemas import (
    ApplicationList, ApplicationOut, ApplyIn, AvailabilityIn, AvailabilityList, AvailabilityOut, AvailabilityQuery,
    ReviewIn, application_json, availability_json,
)


@api_route(api_bp, "/hosts/apply", ["POST"], summary="Apply to become a host", body=ApplyIn,
           response=ApplicationOut, status=201, tag="hosts")
def apply():
    data = parse_body(ApplyIn)
    return application_json(hosts.apply_to_host(current_user, data.convention_id, data.motivation))


@api_route(api_bp, "/hosts/pending", ["GET"], summary="Pending host applications (admin)", query=PageQuery,
           response=ApplicationList, tag="hosts")
def pending():
    page = parse_query(PageQuery)
    rows, total = hosts.pending_applications(current_user, page.limit, page.offset)
    return listing([application_json(r) for r in rows], total)


@api_route(api_bp, "/hosts/<int:application_id>/approve", ["POST"], summary="Approve an application (admin)",
           body=ReviewIn, response=ApplicationOut, tag="hosts")
def approve(application_id: int):
    note = parse_optional_body(ReviewIn)
    return application_json(hosts.approve_application(current_user, application_id, note.message))


@api_route(api_bp, "/hosts/<int:application_id>/reject", ["POST"], summary="Reject an application (admin)",
           body=ReviewIn, response=ApplicationOut, tag="hosts")
def reject(application_id: int):
    note = parse_optional_body(ReviewIn)
    return application_json(hosts.reject_application(current_user, application_id, note.message))


@api_route(api_bp, "/hosts/my-workshops", ["GET"], summary="Workshops you host or co-host", query=PageQuery,
           response=WorkshopList, tag="hosts")
def my_workshops():
    page = parse_query(PageQuery)
    views, total = workshops.my_workshops(current_user, page.limit, page.offset)
    return listing([workshop_json(v) for v in views], total)


@api_route(api_bp, "/hosts/availability", ["GET"], summary="Your availability windows (admin: any host's)",
           query=AvailabilityQuery, response=AvailabilityList, tag="hosts")
def list_availability():
    args = parse_query(AvailabilityQuery)
    rows = hosts.list_availability(current_user, args.convention_id, args.user_id)
    return {**listing([availability_json(r) for r in rows], len(rows)), "always_available": not rows}


@api_route(api_bp, "/hosts/availability", ["POST"], summary="Add a window (merged with overlapping or touching ones)",
           body=AvailabilityIn, response=AvailabilityOut, status=201, tag="hosts")
def add_availability():
    data = parse_body(AvailabilityIn)
    return availability_json(
        hosts.add_availability(current_user, data.convention_id, data.start, data.end, data.user_id)
    )


@api_route(api_bp, "/hosts/availability/<int:availability_id>", ["DELETE"], summary="Remove a window",
           status=204, tag="hosts")
def delete_availability(availability_id: int):
    hosts.delete_availability(current_user, availability_id)
    return "", 204
