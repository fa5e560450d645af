"""A convention to propose whole workshops in, shared by the host form's page and browser tests."""
from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import EventSlot, Track

from . import factories as f


def workshop_world(make_user) -> dict:
    """Makerfest (Berlin): Hall (30 seats) and Nook (8), three hour-long slots each from 11:00 local time, a pool
    of four soldering irons, two skills, a track; Hana hosts, Ana is another host, Pat an attendee."""
    con = f.convention(name="Makerfest", tz="Europe/Berlin")
    irons = f.equipment(con, name="Soldering iron", quantity=4)
    hall = f.location(con, name="Hall", capacity=30)
    nook = f.location(con, name="Nook", capacity=8)
    for room in (hall, nook):
        f.slots(room, count=3)
    basics = f.capability("Soldering basics")
    smd = f.capability("SMD soldering")
    track = Track(convention_id=con.id, name="Electronics", colour="#2f6fdb")
    db.session.add(track)
    host = make_user(roles=("host",), name="Hana Host", email="hana@example.org")
    ana = make_user(roles=("host",), name="Ana", email="ana@example.org")
    pat = make_user(name="Pat", email="pat@example.org")
    db.session.commit()
    return {"con": con, "irons": irons, "hall": hall, "nook": nook, "basics": basics, "smd": smd, "track": track,
            "host": host, "ana": ana, "pat": pat}


def room_slots(room) -> list[EventSlot]:
    """The room's slots in time order."""
    return list(db.session.scalars(sa.select(EventSlot).where(EventSlot.location_id == room.id)
                                   .order_by(EventSlot.start)))
