"""Convention registration: sign up, pay (admin or the payment provider's webhook), cancel, list.

Decisions:
- registering again while a registration is not cancelled answers that registration (200),
  so a retried request is harmless (of two truly simultaneous first requests one gets 409);
  a cancelled registration registers anew (201);
- free conventions (fee 0) are `registered` at once, paid ones wait in `pending_payment`;
- completing is allowed from `signed_up` or `pending_payment`; completing an already registered
  registration with the same reference answers it unchanged (providers retry webhooks), with
  another reference it is a 409;
- cancelling also cancels the user's selections in the convention, giving freed seats to the
  waitlist in the same transaction.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from ..extensions import db
from ..models import Convention, ConventionRegistration, Selection, User, Workshop
from ..models.attending import REGISTRATION_STATUSES
from .attending import ACTIVE, AttendeeView, cancel_selections, hosted_workshop_ids, require_open
from .access import load
from .lookup import get_or_404
from .mail import send_mail
from .permissions import require_admin, require_self_or_admin, require_signed_in

SIGNATURE_HEADER = "X-Slotwise-Signature"


@dataclass(frozen=True)
class RegistrationView:
    registration: ConventionRegistration
    convention: Convention


def _registration(user_id: int, convention_id: int, *, lock: bool = False) -> ConventionRegistration | None:
    query = select(ConventionRegistration).where(
        ConventionRegistration.user_id == user_id, ConventionRegistration.convention_id == convention_id
    ).execution_options(populate_existing=True)
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def _initial_status(con: Convention) -> str:
    return "registered" if not con.registration_fee else "pending_payment"


def register_for_convention(actor, convention_id: int) -> tuple[ConventionRegistration, bool]:
    """Answers (registration, created): created is False when an active registration existed."""
    user = require_signed_in(actor)
    con = load(user, Convention, convention_id)
    require_open(con)
    existing = _registration(user.id, con.id, lock=True)
    if existing is not None and existing.status != "cancelled":
        return existing, False
    if existing is not None:
        existing.status, existing.payment_reference = _initial_status(con), None
        db.session.flush()
        return existing, True
    row = ConventionRegistration(user_id=user.id, convention_id=con.id, status=_initial_status(con))
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        # The same person registered in a parallel request a moment ago. No SAVEPOINT to recover
        # in (pysqlite would commit on its RELEASE): the error handler rolls this request back.
        raise Conflict("You registered in a parallel request just now; load your registrations again.",
                       code="concurrent_change") from None
    return row, True


def _complete(row: ConventionRegistration, con: Convention, reference: str) -> ConventionRegistration:
    if row.status == "registered":
        if row.payment_reference == reference:
            return row
        raise Conflict(
            "This registration is already completed with another payment reference.",
            code="already_registered", fields={"payment_reference": "differs from the recorded one"},
        )
    if row.status == "cancelled":
        raise Conflict("This registration was cancelled; register again first.", code="registration_cancelled")
    row.status, row.payment_reference = "registered", reference
    db.session.flush()
    return row


def complete_registration(actor, convention_id: int, payment_reference: str, user_id: int | None = None
                          ) -> ConventionRegistration:
    """An admin records the payment of someone's (or their own) registration."""
    admin = require_admin(actor)
    con = load(admin, Convention, convention_id, "manage")
    target = admin.id if user_id is None else user_id
    if db.session.get(User, target) is None:
        raise ValidationFailed("Unknown user.", fields={"user_id": f"unknown: {target}"})
    row = _registration(target, con.id, lock=True)
    if row is None:
        raise NotFound(f"User {target} has no registration for convention '{con.name}'.",
                       code="no_registration", fields={"user_id": target})
    was_complete = row.status == "registered"
    _complete(row, con, payment_reference)
    if not was_complete and target != admin.id:
        person = db.session.get(User, target)
        send_mail(person.email, f"You are registered for {con.name}",
                  f"Your payment for {con.name} was received (reference {payment_reference}); "
                  "your registration is complete.")
    return row


def verify_payment_signature(raw_body: bytes, header: str | None) -> None:
    """The webhook's authentication: `sha256=<hex HMAC-SHA256 of the raw body>` with the shared secret.

    404 when no secret is configured (the endpoint is off), 401 when the signature is missing or wrong."""
    secret = current_app.config.get("PAYMENT_WEBHOOK_SECRET")
    if not secret:
        raise NotFound("Payment webhooks are not configured.")
    expected = "sha256=" + hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    given = (header or "").strip()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthorized(f"Missing or wrong {SIGNATURE_HEADER} header.", code="bad_signature")


def complete_paid_registration(convention_id: int, user_id: int, payment_reference: str) -> ConventionRegistration:
    """The payment provider says this registration is paid (called after `verify_payment_signature`)."""
    fields = {}
    con = db.session.get(Convention, convention_id)
    if con is None:
        fields["convention_id"] = f"unknown: {convention_id}"
    if db.session.get(User, user_id) is None:
        fields["user_id"] = f"unknown: {user_id}"
    if fields:
        raise ValidationFailed("Unknown ids.", fields=fields)
    row = _registration(user_id, convention_id, lock=True)
    if row is None:
        raise Conflict(f"User {user_id} has no registration for convention {convention_id}.",
                       code="no_registration")
    return _complete(row, con, payment_reference)


def _active_selections(user_id: int, convention_id: int):
    return select(Selection).join(Workshop, Workshop.id == Selection.workshop_id).where(
        Selection.user_id == user_id, Workshop.convention_id == convention_id, Selection.status != "cancelled"
    )


def active_selection_count(user_id: int, convention_id: int) -> int:
    """How many workshop registrations, waitlist places and interests cancelling the registration ends."""
    query = _active_selections(user_id, convention_id)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def cancel_convention_registration(actor, convention_id: int, user_id: int | None = None) -> ConventionRegistration:
    """Cancel a registration (one's own; an admin's: anyone's) and every selection in the convention
    (idempotent). A person whose registration an admin cancelled is mailed."""
    user = require_signed_in(actor)
    target = user.id if user_id is None else user_id
    if target != user.id:
        require_admin(user)
    con = load(user, Convention, convention_id)
    row = _registration(target, con.id, lock=True)
    if row is None:
        whose = "You have" if target == user.id else f"User {target} has"
        raise NotFound(f"{whose} no registration for convention '{con.name}'.", code="no_registration")
    if row.status == "cancelled":
        return row
    cancel_selections(list(db.session.scalars(_active_selections(target, con.id))))
    row.status = "cancelled"
    db.session.flush()
    if target != user.id:
        send_mail(db.session.get(User, target).email, f"Your registration for {con.name} was cancelled",
                  f"An organiser of {con.name} cancelled your registration, and with it your workshop places. "
                  "Write to them if this is a mistake; you may register again while registration is open.")
    return row


def list_convention_attendees(actor, convention_id: int, status: str | None, limit: int, offset: int
                              ) -> tuple[list[AttendeeView], int]:
    """Admins: every registration. Hosts: people registered or waitlisted for their workshops."""
    user = require_signed_in(actor)
    con = load(user, Convention, convention_id)
    query = select(ConventionRegistration).where(ConventionRegistration.convention_id == con.id)
    if not user.is_admin:
        if not user.has_role("host"):
            raise Forbidden("Only admins and the convention's hosts see its attendees.")
        attending_mine = select(Selection.user_id).where(
            Selection.workshop_id.in_(hosted_workshop_ids(user.id, con.id)), Selection.status.in_(ACTIVE)
        )
        query = query.where(ConventionRegistration.user_id.in_(attending_mine))
    if status is not None:
        query = query.where(ConventionRegistration.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(
        query.add_columns(User).join(User, User.id == ConventionRegistration.user_id)
        .order_by(User.display_name, ConventionRegistration.id).limit(limit).offset(offset)
    ).all()
    return [AttendeeView(reg, u, user.is_admin) for reg, u in rows], total


def my_conventions(actor, limit: int, offset: int, user_id: int | None = None) -> tuple[list[RegistrationView], int]:
    """The actor's convention registrations (an admin may name another person with `user_id`)."""
    user = require_signed_in(actor)
    if user_id is not None:
        require_self_or_admin(user, user_id)
    query = select(ConventionRegistration).where(ConventionRegistration.user_id == (user.id if user_id is None
                                                                                      else user_id))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(
        query.add_columns(Convention).join(Convention, Convention.id == ConventionRegistration.convention_id)
        .order_by(Convention.start_date, Convention.id).limit(limit).offset(offset)
    ).all()
    return [RegistrationView(reg, con) for reg, con in rows], total


# admins' overview --------------------------------------------------------------------------------


def _registrations_query(con: Convention, status: str | None, q: str | None):
    query = (select(ConventionRegistration, User).join(User, User.id == ConventionRegistration.user_id)
             .where(ConventionRegistration.convention_id == con.id))
    if status is not None:
        if status not in REGISTRATION_STATUSES:
            raise ValidationFailed("Unknown status.", fields={"status": f"one of {', '.join(REGISTRATION_STATUSES)}"})
        query = query.where(ConventionRegistration.status == status)
    if q:
        needle = q.lower()
        query = query.where(User.email.contains(needle, autoescape=True)
                            | func.lower(User.display_name).contains(needle, autoescape=True)
                            | func.lower(ConventionRegistration.payment_reference).contains(needle, autoescape=True))
    return query


def search_registrations(actor, convention_id: int, *, status: str | None = None, q: str | None = None,
                         limit: int, offset: int) -> tuple[list[AttendeeView], int]:
    """Admins: a convention's registrations by status and by a search over name, email and payment reference."""
    require_admin(actor)
    con = get_or_404(Convention, convention_id, "convention")
    query = _registrations_query(con, status, q)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(
        query.order_by(func.lower(User.display_name), ConventionRegistration.id).limit(limit).offset(offset)
    ).all()
    return [AttendeeView(reg, person, True) for reg, person in rows], total


def registration_counts(actor, convention_id: int) -> dict[str, int]:
    """Admins: how many registrations are in each status (every status present, 0 when none)."""
    require_admin(actor)
    con = get_or_404(Convention, convention_id, "convention")
    counted = dict(db.session.execute(
        select(ConventionRegistration.status, func.count()).where(ConventionRegistration.convention_id == con.id)
        .group_by(ConventionRegistration.status)
    ).all())
    return {status: counted.get(status, 0) for status in REGISTRATION_STATUSES}


def registration_of(actor, convention_id: int, user_id: int) -> AttendeeView:
    """Admins: one person's registration for a convention (404 when they have none)."""
    require_admin(actor)
    con = get_or_404(Convention, convention_id, "convention")
    person = get_or_404(User, user_id, "user")
    row = _registration(person.id, con.id)
    if row is None:
        raise NotFound(f"{person.display_name} has no registration for {con.name}.", code="no_registration")
    return AttendeeView(row, person, True)
