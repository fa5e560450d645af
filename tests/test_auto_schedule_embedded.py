"""Auto-schedule in the embedded mode (no Redis): a worker thread in the server runs the real task."""
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from solver import problem_from_json, solve
from solver.problem import Placement
from solver.validate import violations
from webapp.errors import ValidationFailed
from webapp.extensions import db
from webapp.services import scheduling
from webapp.models import EventSlot, ScheduleRun, Selection, utcnow
from webapp.services.snapshot import build_problem
from worker.runner import solve_params

from . import factories as f
from .conftest import PASSWORD
from .scheduling_helpers import hard_convention, small_convention, wait_for_run


@pytest.fixture
def admin_headers(make_user, auth_headers):
    return auth_headers(make_user(roles=("admin",)))


pytestmark = pytest.mark.usefixtures("stop_embedded_worker")


def _placements(body):
    return [Placement(a["workshop_id"], a["run_index"], tuple(a["event_slot_ids"])) for a in body["assignments"]]


def test_run_places_everything_and_accept_applies_it(client, app, make_user, admin_headers):
    con, workshops = small_convention(make_user)
    started = time.monotonic()
    queued = client.post(f"/api/conventions/{con.id}/auto-schedule", json={"time_limit_seconds": 3},
                         headers=admin_headers)
    assert queued.status_code == 202 and queued.get_json()["status"] == "queued"
    assert time.monotonic() - started < 5  # the request does not wait for the solver
    run = wait_for_run(client, admin_headers, queued.get_json()["run_id"], {"succeeded", "failed"})
    assert run["status"] == "succeeded", run["error_message"]
    assert run["progress"]["placed_runs"] == len(workshops)
    problem = build_problem(con.id)
    assert violations(problem, _placements(run)) == []
    assert {a["workshop_id"] for a in run["assignments"]} == {w.id for w in workshops}
    assert len(run["diff"]["added"]) == len(workshops) and run["diff"]["moved"] == []
    assert run["unplaced"] == []

    accepted = client.post(f"/api/schedule-runs/{run['id']}/accept", headers=admin_headers)
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["added_runs"] == len(workshops)
    placed = db.session.scalars(sa.select(EventSlot).where(EventSlot.workshop_id.is_not(None))).all()
    assert {(s.workshop_id, s.id) for s in placed} == {
        (a["workshop_id"], a["event_slot_ids"][0]) for a in run["assignments"]
    }
    assert client.get(f"/api/schedule-runs/{run['id']}", headers=admin_headers).get_json()["status"] == "accepted"
    again = client.post(f"/api/schedule-runs/{run['id']}/accept", headers=admin_headers)
    assert again.status_code == 409


def test_unplaceable_workshop_comes_back_with_a_reason(client, make_user, admin_headers):
    con, _ = small_convention(make_user, workshops=2)
    host = make_user(roles=("host",))
    huge = f.workshop(con, host, title="Stadium show", max_attendees=500)
    db.session.commit()
    run_id = client.post(f"/api/conventions/{con.id}/auto-schedule", json={"time_limit_seconds": 2},
                         headers=admin_headers).get_json()["run_id"]
    run = wait_for_run(client, admin_headers, run_id, {"succeeded", "failed"})
    assert run["status"] == "succeeded"
    unplaced = {u["workshop_id"]: u["reasons"] for u in run["unplaced"]}
    assert huge.id in unplaced and any("500" in reason for reason in unplaced[huge.id])


def test_edit_after_snapshot_makes_accept_refuse_and_apply_nothing(client, make_user, admin_headers):
    con, workshops = small_convention(make_user)
    run_id = client.post(f"/api/conventions/{con.id}/auto-schedule", json={"time_limit_seconds": 2},
                         headers=admin_headers).get_json()["run_id"]
    run = wait_for_run(client, admin_headers, run_id, {"succeeded", "failed"})
    assert run["status"] == "succeeded"
    # the first workshop's room shrinks below its size after the proposal was made
    first = run["assignments"][0]
    slot = db.session.get(EventSlot, first["event_slot_ids"][0])
    slot.location.capacity = 5
    db.session.commit()
    refused = client.post(f"/api/schedule-runs/{run_id}/accept", headers=admin_headers)
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "proposal_outdated"
    assert any(v["workshop_id"] == first["workshop_id"] and v["code"] == "room_too_small"
               for v in error["fields"]["violations"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSlot).where(EventSlot.workshop_id.is_not(None))) == 0
    assert db.session.get(ScheduleRun, run_id).status == "succeeded"


def test_reject_keeps_the_run_and_changes_nothing(client, make_user, admin_headers):
    con, _ = small_convention(make_user)
    run_id = client.post(f"/api/conventions/{con.id}/auto-schedule", json={"time_limit_seconds": 2},
                         headers=admin_headers).get_json()["run_id"]
    wait_for_run(client, admin_headers, run_id, {"succeeded"})
    rejected = client.post(f"/api/schedule-runs/{run_id}/reject", headers=admin_headers)
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    history = client.get(f"/api/conventions/{con.id}/schedule-runs", headers=admin_headers).get_json()
    assert [r["status"] for r in history["items"]] == ["rejected"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSlot).where(EventSlot.workshop_id.is_not(None))) == 0


def test_cancel_during_a_run_stops_it(client, make_user, admin_headers):
    con, _ = hard_convention(make_user)
    run_id = client.post(f"/api/conventions/{con.id}/auto-schedule", json={"time_limit_seconds": 120},
                         headers=admin_headers).get_json()["run_id"]
    running = wait_for_run(client, admin_headers, run_id, {"running"}, timeout=30)
    assert running["status"] == "running"
    deadline = time.monotonic() + 30
    while "elapsed_seconds" not in running["progress"] and time.monotonic() < deadline:
        time.sleep(0.2)
        running = client.get(f"/api/schedule-runs/{run_id}", headers=admin_headers).get_json()
    assert running["progress"]["elapsed_seconds"] >= 0
    cancelled_at = time.monotonic()
    assert client.post(f"/api/schedule-runs/{run_id}/cancel", headers=admin_headers).status_code == 200
    final = wait_for_run(client, admin_headers, run_id, {"cancelled", "succeeded", "failed"}, timeout=60)
    assert final["status"] == "cancelled"
    assert time.monotonic() - cancelled_at < 60
    assert client.post(f"/api/schedule-runs/{run_id}/accept", headers=admin_headers).status_code == 409


def test_stop_and_keep_best_turns_the_best_schedule_so_far_into_a_proposal(client, make_user, admin_headers):
    con, workshops = hard_convention(make_user)
    run_id = client.post(f"/api/conventions/{con.id}/auto-schedule", json={"time_limit_seconds": 120},
                         headers=admin_headers).get_json()["run_id"]
    running = wait_for_run(client, admin_headers, run_id, {"running"}, timeout=30)
    deadline = time.monotonic() + 60
    while running["progress"].get("placed_runs") is None:  # the first schedule exists
        assert time.monotonic() < deadline, running
        time.sleep(0.2)
        running = client.get(f"/api/schedule-runs/{run_id}", headers=admin_headers).get_json()
    # the best schedule so far is readable while the run goes on, and it keeps every rule
    best = running["best_so_far"]
    assert running["status"] == "running" and best["placed_runs"] == running["progress"]["placed_runs"]
    preview = [Placement(a["workshop_id"], a["run_index"], tuple(a["event_slot_ids"])) for a in best["assignments"]]
    assert len(preview) == best["placed_runs"] and violations(build_problem(con.id), preview) == []
    stopped = client.post(f"/api/schedule-runs/{run_id}/cancel", json={"keep_best": True}, headers=admin_headers)
    assert stopped.status_code == 200
    final = wait_for_run(client, admin_headers, run_id, {"cancelled", "succeeded", "failed"}, timeout=60)
    assert final["status"] == "succeeded"
    assert final["stats"]["stopped_early"] is True and final["best_so_far"] is None
    assert final["progress"]["elapsed_seconds"] < 100  # it stopped, well before its 120 s
    placements = [Placement(a["workshop_id"], a["run_index"], tuple(a["event_slot_ids"])) for a in final["assignments"]]
    assert len(placements) == len(workshops)
    assert violations(build_problem(con.id), placements) == []
    assert client.post(f"/api/schedule-runs/{run_id}/accept", headers=admin_headers).status_code == 200


def test_a_plain_cancel_still_drops_the_result_and_a_queued_run_has_nothing_to_keep(client, make_user, admin_headers):
    con, _ = small_convention(make_user)
    queued = ScheduleRun(convention_id=con.id, status="queued", parameters={"time_limit_seconds": 5})
    db.session.add(queued)
    db.session.commit()
    body = client.post(f"/api/schedule-runs/{queued.id}/cancel", json={"keep_best": True}, headers=admin_headers)
    assert body.status_code == 200 and body.get_json()["status"] == "cancelled"
    bad = client.post(f"/api/schedule-runs/{queued.id}/cancel", json={"keep_best": "yes"}, headers=admin_headers)
    assert bad.status_code == 422 and "keep_best" in bad.get_json()["error"]["fields"]


def test_second_request_while_one_is_active_is_409_naming_it(client, make_user, admin_headers):
    con, _ = small_convention(make_user)
    busy = ScheduleRun(convention_id=con.id, status="running", started_at=utcnow(), heartbeat_at=utcnow())
    db.session.add(busy)
    db.session.commit()
    response = client.post(f"/api/conventions/{con.id}/auto-schedule", json={}, headers=admin_headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["fields"] == {"run_id": busy.id}
    assert str(busy.id) in response.get_json()["error"]["message"]


def test_concurrent_requests_queue_exactly_one(app, make_user, admin_headers):
    con, _ = hard_convention(make_user, workshops=20, attendees=30)
    convention_id = con.id
    barrier = threading.Barrier(4)
    codes = []

    def ask():
        client = app.test_client()  # one per thread, as separate browsers would be
        barrier.wait()
        codes.append(client.post(f"/api/conventions/{convention_id}/auto-schedule",
                                 json={"time_limit_seconds": 30}, headers=admin_headers).status_code)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [202, 409, 409, 409]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScheduleRun)) == 1


def test_a_read_reports_the_stored_status_and_the_sweep_stores_failed_once(client, make_user, admin_headers, app):
    from worker.stale_runs import StaleRunSweeper

    con, _ = small_convention(make_user)
    stale = ScheduleRun(convention_id=con.id, status="running", started_at=utcnow() - timedelta(minutes=5),
                        heartbeat_at=utcnow() - timedelta(minutes=5))
    db.session.add(stale)
    db.session.commit()
    # reads change nothing: they say what the database says
    assert client.get(f"/api/schedule-runs/{stale.id}", headers=admin_headers).get_json()["status"] == "running"
    listed = client.get(f"/api/conventions/{con.id}/schedule-runs", headers=admin_headers).get_json()
    assert [r["status"] for r in listed["items"] if r["id"] == stale.id] == ["running"]
    db.session.expire_all()
    assert db.session.get(ScheduleRun, stale.id).status == "running"

    assert StaleRunSweeper(app).sweep_once() == 1
    first = client.get(f"/api/schedule-runs/{stale.id}", headers=admin_headers).get_json()
    assert first["status"] == "failed" and "stopped reporting" in first["error_message"]
    assert StaleRunSweeper(app).sweep_once() == 0  # once failed, a later sweep leaves it as it is
    second = client.get(f"/api/schedule-runs/{stale.id}", headers=admin_headers).get_json()
    assert first["finished_at"] == second["finished_at"] is not None
    fresh = client.post(f"/api/conventions/{con.id}/auto-schedule", json={"time_limit_seconds": 2},
                        headers=admin_headers)
    assert fresh.status_code == 202
    assert wait_for_run(client, admin_headers, fresh.get_json()["run_id"], {"succeeded"})["status"] == "succeeded"


def test_moved_attendees_follow_and_clashes_are_reported(client, make_user, admin_headers):
    con, workshops = small_convention(make_user, workshops=2, rooms=1, slots_per_room=3)
    room_slots = db.session.scalars(sa.select(EventSlot).order_by(EventSlot.start)).all()
    first, second = workshops
    f.place(first, [room_slots[0]])
    other_room = f.location(con, name="Annex", capacity=30)
    annex_slot = f.slots(other_room, count=1, start=room_slots[2].start)[0]
    elsewhere = f.workshop(con, make_user(roles=("host",)), title="Elsewhere", max_attendees=20)
    f.place(elsewhere, [annex_slot])
    person = make_user()
    db.session.execute(sa.delete(Selection).where(Selection.user_id == person.id))
    f.selection(person, first, status="registered", slot=room_slots[0])
    f.selection(person, elsewhere, status="registered", slot=annex_slot)
    db.session.commit()
    run_id = client.post(f"/api/conventions/{con.id}/auto-schedule",
                         json={"time_limit_seconds": 2}, headers=admin_headers).get_json()["run_id"]
    wait_for_run(client, admin_headers, run_id, {"succeeded"})
    run = db.session.get(ScheduleRun, run_id)
    # force the proposal to move `first` onto the clashing time, as an admin edit of a proposal might
    for assignment in run.assignments:
        if assignment.workshop_id == first.id:
            assignment.event_slot_ids = [room_slots[2].id]
        elif assignment.workshop_id == second.id:
            assignment.event_slot_ids = [room_slots[1].id]
        elif assignment.workshop_id == elsewhere.id:
            assignment.event_slot_ids = [annex_slot.id]
    db.session.commit()
    accepted = client.post(f"/api/schedule-runs/{run_id}/accept", headers=admin_headers)
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["clashes"] == [
        {"user_id": person.id, "workshop_id": first.id, "clashes_with_workshop_id": elsewhere.id}
    ]
    moved = db.session.scalar(sa.select(Selection).where(Selection.user_id == person.id, Selection.workshop_id == first.id))
    assert moved.event_slot_id == room_slots[2].id and moved.status == "registered"


def test_run_history_lists_with_constant_queries(client, make_user, admin_headers):
    from .query_count import count_queries

    con, _ = small_convention(make_user)

    def queries() -> int:
        with count_queries() as counted:
            assert client.get(f"/api/conventions/{con.id}/schedule-runs", headers=admin_headers).status_code == 200
        return counted.count

    db.session.add(ScheduleRun(convention_id=con.id, status="failed"))
    db.session.commit()
    few = queries()
    db.session.add_all([ScheduleRun(convention_id=con.id, status="rejected") for _ in range(12)])
    db.session.commit()
    assert queries() == few
    history = client.get(f"/api/conventions/{con.id}/schedule-runs", headers=admin_headers).get_json()
    assert history["total"] == 13 and history["items"][0]["status"] == "rejected"


def test_reproducible_runs_with_one_seed_propose_the_same_schedule(client, make_user, admin_headers):
    con, _ = hard_convention(make_user)
    bodies = []
    for _ in range(2):
        queued = client.post(f"/api/conventions/{con.id}/auto-schedule",
                             json={"time_limit_seconds": 2, "reproducible": True, "seed": 9}, headers=admin_headers)
        assert queued.status_code == 202, queued.get_json()
        bodies.append(wait_for_run(client, admin_headers, queued.get_json()["run_id"], {"succeeded", "failed"}))
    for body in bodies:
        assert body["status"] == "succeeded", body["error_message"]
        assert body["parameters"]["reproducible"] is True and body["parameters"]["seed"] == 9
        assert body["stats"]["reproducible"] is True and body["stats"]["work_used"] > 0
    assert _placements(bodies[0]) == _placements(bodies[1])
    assert bodies[0]["objective"] == bodies[1]["objective"]


def test_seed_out_of_range_is_a_field_error(client, make_user, admin_headers):
    con, _ = small_convention(make_user)
    response = client.post(f"/api/conventions/{con.id}/auto-schedule", json={"seed": -1}, headers=admin_headers)
    assert response.status_code == 422
    assert "seed" in response.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count(ScheduleRun.id))) == 0


def test_the_service_refuses_a_seed_the_solver_cannot_take(make_user):
    con, _ = small_convention(make_user)
    admin = make_user(roles=("admin",))
    with pytest.raises(ValidationFailed) as refused:
        scheduling.request_auto_schedule(admin, con.id, time_limit_seconds=2, keep_current=False,
                                         seed=scheduling.MAX_SEED + 1)
    assert "seed" in refused.value.fields
    assert db.session.scalar(sa.select(sa.func.count(ScheduleRun.id))) == 0


def test_the_page_form_queues_a_reproducible_run_with_its_seed(client, make_user):
    con, workshops = small_convention(make_user)
    admin = make_user(roles=("admin",))
    db.session.commit()
    assert client.post("/sign-in", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    form = client.get(f"/conventions/{con.id}/auto-schedule").get_data(as_text=True)
    assert 'name="reproducible"' in form and 'name="seed"' in form
    response = client.post(f"/conventions/{con.id}/auto-schedule",
                           data={"time_limit_seconds": "2", "reproducible": "y", "seed": "42"})
    assert response.status_code == 302
    run = db.session.scalars(sa.select(ScheduleRun).where(ScheduleRun.convention_id == con.id)).one()
    assert run.parameters["reproducible"] is True and run.parameters["seed"] == 42
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "seed 42" in page
    refused = client.post(f"/conventions/{con.id}/auto-schedule", data={"time_limit_seconds": "2", "seed": "-3"},
                          follow_redirects=True)
    assert "seed" in refused.get_data(as_text=True).lower()


def test_the_page_form_sets_the_track_rules_weights_and_refuses_a_negative_one(client, make_user):
    con, _ = small_convention(make_user)
    admin = make_user(roles=("admin",))
    db.session.commit()
    assert client.post("/sign-in", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    form = client.get(f"/conventions/{con.id}/auto-schedule").get_data(as_text=True)
    assert 'name="track_overlap"' in form and 'placeholder="10"' in form  # the default, said
    refused = client.post(f"/conventions/{con.id}/auto-schedule",
                          data={"time_limit_seconds": "2", "track_overlap": "-1", "track_rooms": "3"})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "greater than or equal to 0" in body and 'value="3"' in body  # the other input kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScheduleRun)) == 0
    queued = client.post(f"/conventions/{con.id}/auto-schedule",
                         data={"time_limit_seconds": "2", "track_overlap": "50", "track_rooms": ""})
    assert queued.status_code == 302
    run = db.session.scalars(sa.select(ScheduleRun).where(ScheduleRun.convention_id == con.id)).one()
    assert run.parameters["weights"] == {"track_overlap": 50}  # blank keeps the default


def test_exported_problem_repeats_a_reproducible_run_offline(client, app, make_user, admin_headers):
    con, _ = hard_convention(make_user)
    queued = client.post(f"/api/conventions/{con.id}/auto-schedule",
                         json={"time_limit_seconds": 2, "reproducible": True, "seed": 4}, headers=admin_headers)
    run = wait_for_run(client, admin_headers, queued.get_json()["run_id"], {"succeeded", "failed"})
    assert run["status"] == "succeeded", run["error_message"]
    exported = client.get(f"/api/conventions/{con.id}/solver-problem", headers=admin_headers)
    assert exported.status_code == 200
    problem = problem_from_json(exported.get_json())
    assert problem == build_problem(con.id)
    offline = solve(problem, solve_params(run["parameters"], app.config["SCHEDULE_SOLVER_WORKERS"]))
    assert list(offline.assignments) == _placements(run)
    assert offline.objective == run["objective"]


def test_only_admins_export_a_problem(client, make_user, auth_headers, admin_headers):
    con, _ = small_convention(make_user)
    host = auth_headers(make_user(roles=("host",)))
    assert client.get(f"/api/conventions/{con.id}/solver-problem", headers=host).status_code == 403
    assert client.get(f"/api/conventions/{con.id}/solver-problem").status_code == 401
    assert client.get("/api/conventions/999999/solver-problem", headers=admin_headers).status_code == 404
