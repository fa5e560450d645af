"""`slotwise seed-demo`: a realistic convention for demos and benchmarks, made in bulk.

Demo accounts share one password ("slotwise-demo"), hashed once: hashing 5,000 passwords
one by one would take minutes and tell a demo nothing.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from .extensions import db
from .models import (
    Capability, Convention, ConventionRegistration, Equipment, EventSlot, HostAvailability, Location,
    LocationEquipment, Selection, User, UserRole, Workshop, WorkshopEquipment, utcnow,
)
from .models.workshops import workshop_prerequisites, workshop_teaches
from .services.accounts import _hasher

DEMO_PASSWORD = "slotwise-demo"
TOPICS = [
    "Knots", "Soldering", "Sourdough", "Lockpicking", "Watercolour", "Board game design", "Chainmail",
    "Synth building", "Leatherwork", "Calligraphy", "Miniature painting", "Arduino", "Embroidery",
    "Improv", "Cosplay armour", "Bookbinding", "Kite making", "Git for artists", "Origami", "Laser cutting",
    "Sewing", "Knitting", "Pottery", "Home brewing", "Drone flying", "Photography", "Wood carving",
    "Juggling", "Larp combat", "Map making",
]
LEVELS = ["for beginners", "deep dive", "clinic", "masterclass", "jam", "workshop", "lab", "intro"]


@dataclass(frozen=True)
class DemoSize:
    days: int
    slots_per_day: int
    halls: int
    classrooms: int
    small_rooms: int
    hosts: int
    workshops: int
    attendees: int
    interests_per_attendee: int


SIZES = {
    "small": DemoSize(days=2, slots_per_day=8, halls=1, classrooms=2, small_rooms=3, hosts=15, workshops=40,
                      attendees=150, interests_per_attendee=6),
    "large": DemoSize(days=3, slots_per_day=8, halls=6, classrooms=24, small_rooms=30, hosts=300, workshops=1000,
                      attendees=5000, interests_per_attendee=6),
}


def _insert_users(prefix: str, count: int, role: str, password_hash: str) -> list[int]:
    emails = [f"{prefix}-{i}@example.org" for i in range(count)]
    existing = dict(db.session.execute(sa.select(User.email, User.id).where(User.email.in_(emails))).all())
    missing = [e for e in emails if e not in existing]
    now = utcnow()
    for start in range(0, len(missing), 1000):
        db.session.execute(sa.insert(User), [
            {"email": e, "display_name": e.split("@")[0].replace("-", " ").title(), "password_hash": password_hash,
             "is_active": True, "created_at": now} for e in missing[start:start + 1000]
        ])
    ids = dict(db.session.execute(sa.select(User.email, User.id).where(User.email.in_(emails))).all())
    have_role = set(db.session.scalars(sa.select(UserRole.user_id).where(
        UserRole.user_id.in_(ids.values()), UserRole.role == role)))
    rows = [{"user_id": uid, "role": r} for uid in ids.values() if uid not in have_role
            for r in ({role, "attendee"} if role != "attendee" else {"attendee"})]
    if rows:
        existing_pairs = set(db.session.execute(sa.select(UserRole.user_id, UserRole.role).where(
            UserRole.user_id.in_(ids.values()))).all())
        rows = [r for r in rows if (r["user_id"], r["role"]) not in existing_pairs]
        if rows:
            db.session.execute(sa.insert(UserRole), rows)
    return [ids[e] for e in emails]


def _capabilities() -> list[Capability]:
    names = [f"{topic} basics" for topic in TOPICS[:12]]
    found = {c.name: c for c in db.session.scalars(sa.select(Capability).where(Capability.name.in_(names)))}
    for name in names:
        if name not in found:
            found[name] = Capability(name=name, description=f"Knows the basics of {name[:-7].lower()}.")
            db.session.add(found[name])
    db.session.flush()
    return [found[n] for n in names]


def seed_demo(size: str = "small", seed: int = 2027, start: date | None = None) -> Convention:
    spec = SIZES[size]
    rng = random.Random(seed)
    zone = ZoneInfo("Europe/Berlin")
    first_day = start or date(2027, 6, 4)
    convention = Convention(
        name=f"Slotwise Demo Con ({size}, {utcnow():%Y-%m-%d %H:%M})", timezone="Europe/Berlin", status="open",
        description="A made-up maker and gaming convention to try Slotwise with.",
        start_date=first_day, end_date=first_day + timedelta(days=spec.days - 1), registration_fee=Decimal("0"),
    )
    db.session.add(convention)
    db.session.flush()

    pools = {"Projector": 4 + spec.halls * 2, "Soldering kit": 3 + spec.classrooms // 4,
             "Sewing machine": 2 + spec.classrooms // 6, "3D printer": 1 + spec.classrooms // 8}
    equipment = {name: Equipment(convention_id=convention.id, name=name, quantity=q) for name, q in pools.items()}
    db.session.add_all(equipment.values())
    db.session.flush()

    rooms: list[Location] = []
    for kind, count, capacity in (("Hall", spec.halls, 120), ("Classroom", spec.classrooms, 40),
                                  ("Workshop room", spec.small_rooms, 20)):
        for i in range(count):
            room = Location(convention_id=convention.id, name=f"{kind} {chr(65 + i % 26)}{i // 26 or ''}",
                            capacity=capacity)
            rooms.append(room)
    db.session.add_all(rooms)
    db.session.flush()
    for room in rooms:
        if room.capacity >= 40:  # halls and classrooms have a projector on the ceiling
            db.session.add(LocationEquipment(location_id=room.id, equipment_id=equipment["Projector"].id, quantity=1))

    slot_rows = []
    for day in range(spec.days):
        current = first_day + timedelta(days=day)
        starts = [time(9 + h) for h in range(4)] + [time(14 + h) for h in range(spec.slots_per_day - 4)]
        for room in rooms:
            for clock in starts:
                begin = datetime.combine(current, clock, tzinfo=zone)
                slot_rows.append({"convention_id": convention.id, "location_id": room.id, "start": begin,
                                  "end": begin + timedelta(hours=1)})
    db.session.execute(sa.insert(EventSlot), slot_rows)

    password_hash = _hasher().hash(DEMO_PASSWORD)
    host_ids = _insert_users("demo-host", spec.hosts, "host", password_hash)
    attendee_ids = _insert_users("demo-attendee", spec.attendees, "attendee", password_hash)
    _insert_users("demo-admin", 1, "admin", password_hash)

    # a third of the hosts can come only on some days
    for host_id in host_ids:
        if rng.random() < 1 / 3:
            for day in sorted(rng.sample(range(spec.days), k=max(1, spec.days - 1))):
                current = first_day + timedelta(days=day)
                db.session.add(HostAvailability(
                    user_id=host_id, convention_id=convention.id,
                    start=datetime.combine(current, time(9), tzinfo=zone),
                    end=datetime.combine(current, time(18), tzinfo=zone)))

    capabilities = _capabilities()
    workshops: list[Workshop] = []
    for i in range(spec.workshops):
        topic = TOPICS[i % len(TOPICS)]
        size_class = rng.random()
        max_attendees = rng.randint(8, 20) if size_class < 0.55 else rng.randint(21, 40) if size_class < 0.9 else rng.randint(41, 120)
        duration = 1 if rng.random() < 0.83 else (2 if rng.random() < 0.9 else 3)
        workshops.append(Workshop(
            convention_id=convention.id, host_id=host_ids[i % len(host_ids)],
            title=f"{topic} {LEVELS[(i // len(TOPICS)) % len(LEVELS)]} #{i + 1}",
            description=f"A hands-on {topic.lower()} session.", max_attendees=max_attendees,
            duration_slots=duration, runs=2 if rng.random() < 0.08 else 1, priority=rng.randint(1, 5),
            status="published",
        ))
    db.session.add_all(workshops)
    db.session.flush()
    teachers: dict[int, Workshop] = {}
    for workshop in workshops:
        roll = rng.random()
        if roll < 0.05:
            capability = rng.choice(capabilities)
            if capability.id not in teachers:
                teachers[capability.id] = workshop
                db.session.execute(sa.insert(workshop_teaches), [{"workshop_id": workshop.id, "capability_id": capability.id}])
        elif roll < 0.09 and teachers:
            capability_id = rng.choice(sorted(teachers))
            if teachers[capability_id].id != workshop.id:
                db.session.execute(sa.insert(workshop_prerequisites), [{"workshop_id": workshop.id, "capability_id": capability_id}])
        elif roll < 0.25:
            item = rng.choice(["Soldering kit", "Sewing machine", "3D printer", "Projector"])
            db.session.add(WorkshopEquipment(workshop_id=workshop.id, equipment_id=equipment[item].id, quantity=1))

    db.session.execute(sa.insert(ConventionRegistration), [
        {"user_id": uid, "convention_id": convention.id, "status": "registered", "created_at": utcnow(),
         "updated_at": utcnow()} for uid in attendee_ids
    ])
    # popularity is skewed, as at real conventions: a few workshops draw most of the interest
    weights = [1.0 / (rank + 5) for rank in range(len(workshops))]
    order = list(range(len(workshops)))
    rng.shuffle(order)
    selection_rows = []
    now = utcnow()
    for uid in attendee_ids:
        picked: set[int] = set()
        while len(picked) < min(spec.interests_per_attendee, len(workshops)):
            picked.add(order[rng.choices(range(len(workshops)), weights=weights)[0]])
        for rank, index in enumerate(sorted(picked, key=lambda _: rng.random()), start=1):
            selection_rows.append({"user_id": uid, "workshop_id": workshops[index].id, "status": "interested",
                                   "rank": rank, "created_at": now, "updated_at": now})
    for start_at in range(0, len(selection_rows), 5000):
        db.session.execute(sa.insert(Selection), selection_rows[start_at:start_at + 5000])
    db.session.flush()
    return convention
