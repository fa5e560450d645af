"""JSON routes for convention registration and attending: interest, workshop registration, schedules."""
from flask import request
from flask_login import current_user

from ..api import bp as api_bp
from ..api.routing import api_route, listing, parse_body, parse_query
from ..schemas import PageQuery
from ..services import attending, held_capabilities, registration
from .schemas import (
    AttendeeList, AttendeeQuery, CancelSelectionQuery, CapabilityDecisionIn, CapabilityGrantIn, CapabilityRequestIn,
    CapabilityRequestList, CapabilityRequestOut, CapabilityRequestQuery, capability_request_json, CapabilityHeldList, CompleteRegistrationIn, InterestIn, MyConventionList,
    PaymentWebhookIn, RegistrationOut, AttendeeScheduleOut, ScheduleQuery, SelectionIn, SelectionList,
    SelectionOut, SelectionQuery, SelectionUpdateIn, WorkshopAttendeeList, WorkshopRegisterIn,
    attendee_json, capability_held_json, my_convention_json, registration_json, schedule_entry_json,
    selection_json, workshop_attendee_json,
)


def _created(body: dict, created: bool):
    return body, 201 if created else 200


# convention registration ----------------------------------------------------------------------


@api_route(api_bp, "/conventions/<int:convention_id>/register", ["POST"],
           summary="Register for an open convention (201 new; 200 answers an existing registration)",
           response=RegistrationOut, status=201, tag="registration")
def register_for_convention(convention_id: int):
    row, created = registration.register_for_convention(current_user, convention_id)
    return _created(registration_json(row), created)


@api_route(api_bp, "/conventions/<int:convention_id>/complete-registration", ["POST"],
           summary="Record the payment of a registration (admin)", body=CompleteRegistrationIn,
           response=RegistrationOut, tag="registration")
def complete_registration(convention_id: int):
    data = parse_body(CompleteRegistrationIn)
    return registration_json(
        registration.complete_registration(current_user, convention_id, data.payment_reference, data.user_id)
    )


@api_route(api_bp, "/conventions/<int:convention_id>/cancel-registration", ["POST"],
           summary="Cancel your registration and your workshop selections in the convention",
           response=RegistrationOut, tag="registration")
def cancel_registration(convention_id: int):
    return registration_json(registration.cancel_convention_registration(current_user, convention_id))


@api_route(api_bp, "/payments/webhook", ["POST"],
           summary="Payment provider callback; signed with X-Slotwise-Signature: sha256=<HMAC of the body>",
           body=PaymentWebhookIn, response=RegistrationOut, auth=False, tag="registration")
def payment_webhook():
    # The signature is the caller's authentication, checked on the raw bytes before anything else.
    registration.verify_payment_signature(request.get_data(cache=True),
                                          request.headers.get(registration.SIGNATURE_HEADER))
    data = parse_body(PaymentWebhookIn)
    return registration_json(
        registration.complete_paid_registration(data.convention_id, data.user_id, data.payment_reference)
    )


@api_route(api_bp, "/conventions/<int:convention_id>/attendees", ["GET"],
           summary="People registered (admin: all; host: those attending your workshops)",
           query=AttendeeQuery, response=AttendeeList, tag="registration")
def convention_attendees(convention_id: int):
    q = parse_query(AttendeeQuery)
    rows, total = registration.list_convention_attendees(current_user, convention_id, q.status, q.limit, q.offset)
    return listing([attendee_json(r) for r in rows], total)


@api_route(api_bp, "/attendees/my-conventions", ["GET"], summary="Your convention registrations",
           query=PageQuery, response=MyConventionList, tag="registration")
def my_conventions():
    q = parse_query(PageQuery)
    rows, total = registration.my_conventions(current_user, q.limit, q.offset)
    return listing([my_convention_json(r) for r in rows], total)


# interest and workshop registration -----------------------------------------------------------


@api_route(api_bp, "/workshops/<int:workshop_id>/show-interest", ["POST"],
           summary="Show interest in a workshop, with an optional rank (1 = most wanted)", body=InterestIn,
           response=SelectionOut, status=201, tag="attending")
def show_interest(workshop_id: int):
    data = parse_body(InterestIn)
    view, created = attending.show_interest(current_user, workshop_id, data.rank)
    return _created(selection_json(view), created)


@api_route(api_bp, "/workshops/<int:workshop_id>/register", ["POST"],
           summary="Take a seat in a run (its first slot), or a waitlist place when it is full",
           body=WorkshopRegisterIn, response=SelectionOut, status=201, tag="attending")
def register_for_workshop(workshop_id: int):
    data = parse_body(WorkshopRegisterIn)
    view, changed = attending.register_for_workshop(current_user, workshop_id, data.event_slot_id)
    return _created(selection_json(view), changed)


@api_route(api_bp, "/workshops/<int:workshop_id>/attendees", ["GET"],
           summary="Registered, then waitlisted attendees in queue order (admin, the workshop's hosts)",
           query=PageQuery, response=WorkshopAttendeeList, tag="attending")
def workshop_attendees(workshop_id: int):
    q = parse_query(PageQuery)
    rows, total = attending.workshop_attendees(current_user, workshop_id, q.limit, q.offset)
    return listing([workshop_attendee_json(r) for r in rows], total)


@api_route(api_bp, "/attendees/selections", ["POST"],
           summary="Show interest (no event_slot_id) or register for a run (with one)", body=SelectionIn,
           response=SelectionOut, status=201, tag="attending")
def create_selection():
    data = parse_body(SelectionIn)
    view, created = attending.create_selection(current_user, data.workshop_id, data.event_slot_id, data.rank)
    return _created(selection_json(view), created)


@api_route(api_bp, "/attendees/selections", ["GET"], summary="Your selections",
           query=SelectionQuery, response=SelectionList, tag="attending")
def list_selections():
    q = parse_query(SelectionQuery)
    rows, total = attending.list_my_selections(current_user, q.convention_id, q.status, q.limit, q.offset)
    return listing([selection_json(r) for r in rows], total)


@api_route(api_bp, "/attendees/selections/<int:selection_id>", ["PUT"],
           summary="Change a selection's rank, or move it to another run", body=SelectionUpdateIn,
           response=SelectionOut, tag="attending")
def update_selection(selection_id: int):
    data = parse_body(SelectionUpdateIn)
    return selection_json(attending.update_selection(current_user, selection_id, data.model_dump(exclude_unset=True)))


@api_route(api_bp, "/attendees/selections/<int:selection_id>", ["DELETE"],
           summary="Cancel a selection; a freed seat goes to the first on the waitlist. With cancel_dependents=true "
                   "the later registrations that need what this run teaches (see /dependents) are cancelled too",
           query=CancelSelectionQuery, response=SelectionOut, tag="attending")
def cancel_selection(selection_id: int):
    q = parse_query(CancelSelectionQuery)
    return selection_json(attending.cancel_selection(current_user, selection_id, cancel_dependents=q.cancel_dependents))


@api_route(api_bp, "/attendees/selections/<int:selection_id>/dependents", ["GET"],
           summary="Your later registrations that rely on this registered run to teach a prerequisite: cancelling it "
                   "leaves them without it", response=SelectionList, tag="attending")
def selection_dependents(selection_id: int):
    views = attending.dependent_registrations(current_user, selection_id)
    return listing([selection_json(v) for v in views], len(views))


@api_route(api_bp, "/attendees/schedule", ["GET"], summary="Your registered runs in time order",
           query=ScheduleQuery, response=AttendeeScheduleOut, tag="attending")
def my_schedule():
    q = parse_query(ScheduleQuery)
    entries = attending.my_schedule(current_user, q.convention_id)
    return listing([schedule_entry_json(e) for e in entries], len(entries))


@api_route(api_bp, "/attendees/<int:user_id>/capabilities", ["GET"],
           summary="Capabilities a user holds: declared, granted, or taught by runs they attend (self or admin)",
           response=CapabilityHeldList, tag="attending")
def user_capabilities(user_id: int):
    views = attending.user_capabilities(current_user, user_id)
    return listing([capability_held_json(v) for v in views], len(views))


@api_route(api_bp, "/attendees/<int:user_id>/capabilities", ["POST"],
           summary="Grant a user a capability (admin); answers every capability they now hold",
           body=CapabilityGrantIn, response=CapabilityHeldList, status=201, tag="attending")
def grant_capability(user_id: int):
    data = parse_body(CapabilityGrantIn)
    held_capabilities.grant_capability(current_user, user_id, data.capability_id)
    views = attending.user_capabilities(current_user, user_id)
    return listing([capability_held_json(v) for v in views], len(views))


@api_route(api_bp, "/attendees/<int:user_id>/capabilities/<int:capability_id>", ["DELETE"],
           summary="Take back a granted or declared capability (admin)", status=204, tag="attending")
def revoke_capability(user_id: int, capability_id: int):
    held_capabilities.revoke_capability(current_user, user_id, capability_id)
    return "", 204


# capability requests --------------------------------------------------------------------------


@api_route(api_bp, "/capability-requests", ["POST"],
           summary="Ask for a capability you do not hold, with an optional note; an admin grants or refuses it",
           body=CapabilityRequestIn, response=CapabilityRequestOut, status=201, tag="attending")
def request_capability():
    data = parse_body(CapabilityRequestIn)
    return capability_request_json(held_capabilities.request_capability(current_user, data.capability_id, data.note))


@api_route(api_bp, "/capability-requests", ["GET"],
           summary="Capability requests, oldest first (admin: everyone's; others: their own)",
           query=CapabilityRequestQuery, response=CapabilityRequestList, tag="attending")
def list_capability_requests():
    q = parse_query(CapabilityRequestQuery)
    rows, total = held_capabilities.list_capability_requests(current_user, q.status, q.limit, q.offset, q.user_id)
    return listing([capability_request_json(r) for r in rows], total)


@api_route(api_bp, "/capability-requests/<int:request_id>/decide", ["POST"],
           summary="Grant or refuse a pending capability request (admin); the person is mailed the answer",
           body=CapabilityDecisionIn, response=CapabilityRequestOut, tag="attending")
def decide_capability_request(request_id: int):
    data = parse_body(CapabilityDecisionIn)
    row = held_capabilities.decide_capability_request(current_user, request_id, data.decision == "grant", data.message)
    return capability_request_json(row)
