"""The convention snapshot that the validator and the solver both judge."""
from datetime import timedelta

from solver.validate import violations
from webapp.services.snapshot import build_problem, epoch_minutes

from webapp.extensions import db

from . import factories as f


def test_snapshot_carries_rooms_slots_workshops_and_current_runs(app, make_user):
    host = make_user(roles=("host",), name="Ana")
    con = f.convention(tz="Europe/Berlin")
    projector = f.equipment(con, quantity=2)
    room = f.location(con, capacity=20, equipment={projector.id: 1})
    first, second, third = f.slots(room, count=3)
    soldering = f.capability()
    teach = f.workshop(con, host, title="Solder 101", teaches=[soldering], needs={projector.id: 1})
    learn = f.workshop(con, host, title="Synths", duration_slots=2, prerequisites=[soldering])
    f.place(teach, [first])
    f.place(learn, [second, third])
    f.availability(host, con, f.T0, hours=8)
    other = f.convention(name="Other")
    f.slots(f.location(other, name="Elsewhere"), count=2)

    problem = build_problem(con.id)

    assert {s.id for s in problem.slots} == {first.id, second.id, third.id}
    assert problem.equipment_pools == {projector.id: 2}
    assert problem.locations[0].equipment == ((projector.id, 1),)
    by_id = {w.id: w for w in problem.workshops}
    assert by_id[learn.id].prerequisite_ids == (soldering.id,) and by_id[teach.id].teaches_ids == (soldering.id,)
    assert {(p.workshop_id, p.slot_ids) for p in problem.current} == {
        (teach.id, (first.id,)), (learn.id, (second.id, third.id))
    }
    assert problem.availability[host.id] == ((epoch_minutes(f.T0), epoch_minutes(f.T0 + timedelta(hours=8))),)
    assert problem.names.hosts[host.id] == "Ana"
    assert problem.names.timezone == "Europe/Berlin"
    assert violations(problem, problem.current) == []


def test_validator_sees_a_host_in_two_rooms(app, make_user):
    host = make_user(roles=("host",))
    con = f.convention()
    a, b = f.location(con, name="A"), f.location(con, name="B")
    slot_a, slot_b = f.slots(a, count=1)[0], f.slots(b, count=1)[0]
    f.place(f.workshop(con, host, title="One"), [slot_a])
    f.place(f.workshop(con, host, title="Two"), [slot_b])
    found = violations(build_problem(con.id), build_problem(con.id).current)
    assert [v.code for v in found] == ["host_double_booked"]


def test_snapshot_queries_do_not_grow_with_workshops(app, make_user):
    """It was one query per workshop and collection: 5,000 queries and 3.8 s on the large demo."""
    from .query_count import count_queries

    hosts = [make_user(roles=("host",)) for _ in range(3)]
    con = f.convention()
    projector = f.equipment(con, quantity=4)
    room = f.location(con, capacity=40, equipment={projector.id: 1})
    slots = f.slots(room, count=12)
    skill = f.capability()

    def add_workshops(count: int, first: int) -> None:
        for index in range(first, first + count):
            f.workshop(con, hosts[index % 3], title=f"W{index}", cohosts=[hosts[(index + 1) % 3]], teaches=[skill],
                       prerequisites=[skill] if index % 2 else [], needs={projector.id: 1}, allowed=[room])
        db.session.commit()
        db.session.expire_all()

    def snapshot_queries() -> tuple[int, int]:
        db.session.expire_all()
        with count_queries() as counted:
            problem = build_problem(con.id)
        assert all(w.host_ids and w.teaches_ids and w.equipment for w in problem.workshops)  # collections loaded
        return counted.count, len(problem.workshops)

    add_workshops(2, 0)
    few, made = snapshot_queries()
    add_workshops(10, 2)
    many, more = snapshot_queries()
    assert (made, more) == (2, 12) and many == few


def test_a_workshops_track_reaches_the_solver(app, make_user):
    from webapp.models import Track
    from webapp.services.snapshot import build_problem

    from . import factories as f

    con = f.convention()
    track = Track(convention_id=con.id, name="Knots", colour="#336699")
    db.session.add(track)
    db.session.flush()
    in_track = f.workshop(con, make_user(roles=("host",)), title="Bowline")
    in_track.track_id = track.id
    loose = f.workshop(con, make_user(roles=("host",)), title="Free")
    db.session.commit()
    by_id = {w.id: w for w in build_problem(con.id).workshops}
    assert by_id[in_track.id].track == track.id and by_id[loose.id].track is None
