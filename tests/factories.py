"""Rows for tests, made straight through the models (so a test of one service does not lean on another)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from webapp.extensions import db
from webapp.models import (
    Capability, Convention, ConventionRegistration, Equipment, EventSlot, HostAvailability, Location,
    LocationEquipment, Selection, Workshop, WorkshopEquipment,
)

DAY1 = date(2027, 5, 1)
T0 = datetime(2027, 5, 1, 9, 0, tzinfo=timezone.utc)


def convention(name="Makerfest", start=DAY1, days=3, fee="0", status="open", tz="UTC") -> Convention:
    row = Convention(name=name, start_date=start, end_date=start + timedelta(days=days - 1), timezone=tz,
                     status=status, registration_fee=Decimal(fee))
    db.session.add(row)
    db.session.flush()
    return row


def location(con: Convention, name="Room A", capacity=30, equipment: dict[int, int] | None = None) -> Location:
    row = Location(convention_id=con.id, name=name, capacity=capacity)
    db.session.add(row)
    db.session.flush()
    for equipment_id, quantity in (equipment or {}).items():
        db.session.add(LocationEquipment(location_id=row.id, equipment_id=equipment_id, quantity=quantity))
    db.session.flush()
    return row


def slots(loc: Location, count=4, start=T0, minutes=60, gap=0) -> list[EventSlot]:
    """`count` back-to-back slots in one location (consecutive when gap is 0)."""
    rows = []
    for i in range(count):
        begin = start + timedelta(minutes=i * (minutes + gap))
        row = EventSlot(convention_id=loc.convention_id, location_id=loc.id, start=begin,
                        end=begin + timedelta(minutes=minutes))
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def equipment(con: Convention, name="Projector", quantity=1) -> Equipment:
    row = Equipment(convention_id=con.id, name=name, quantity=quantity)
    db.session.add(row)
    db.session.flush()
    return row


def capability(name="Soldering", description="") -> Capability:
    row = Capability(name=name, description=description)
    db.session.add(row)
    db.session.flush()
    return row


def workshop(con: Convention, host, title="Knots", max_attendees=10, duration_slots=1, runs=1, priority=1,
             needs: dict[int, int] | None = None, prerequisites=(), teaches=(), cohosts=(), allowed=()) -> Workshop:
    row = Workshop(convention_id=con.id, host_id=host.id, title=title, max_attendees=max_attendees,
                   duration_slots=duration_slots, runs=runs, priority=priority)
    row.prerequisites = list(prerequisites)
    row.teaches = list(teaches)
    row.cohosts = list(cohosts)
    row.allowed_locations = list(allowed)
    db.session.add(row)
    db.session.flush()
    for equipment_id, quantity in (needs or {}).items():
        db.session.add(WorkshopEquipment(workshop_id=row.id, equipment_id=equipment_id, quantity=quantity))
    db.session.flush()
    return row


def place(ws: Workshop, slot_rows: list[EventSlot], run_index=0) -> None:
    for slot in slot_rows:
        slot.workshop_id = ws.id
        slot.run_index = run_index
    db.session.flush()


def availability(user, con: Convention, start: datetime, hours=4) -> HostAvailability:
    row = HostAvailability(user_id=user.id, convention_id=con.id, start=start, end=start + timedelta(hours=hours))
    db.session.add(row)
    db.session.flush()
    return row


def registration(user, con: Convention, status="registered") -> ConventionRegistration:
    row = ConventionRegistration(user_id=user.id, convention_id=con.id, status=status)
    db.session.add(row)
    db.session.flush()
    return row


def selection(user, ws: Workshop, status="interested", rank=1, slot: EventSlot | None = None) -> Selection:
    row = Selection(user_id=user.id, workshop_id=ws.id, status=status, rank=rank,
                    event_slot_id=slot.id if slot else None)
    db.session.add(row)
    db.session.flush()
    return row
