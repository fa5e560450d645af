"""Event slots over JSON: one by one, in bulk (idempotent, DST-aware), overlaps, and slots holding workshops."""
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import EventSlot, OutboxMessage, Selection

from . import factories as f
from .query_count import count_queries
from .factories_conventions import (  # noqa: F401  (people is a fixture)
    ACTORS, assert_error, assert_refused, count_rows, headers_for, people,
)

UTC = timezone.utc


def at(day: int, hour: int, minute: int = 0, month: int = 5) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def con(app):
    row = f.convention(tz="UTC")  # 2027-05-01 .. 2027-05-03
    db.session.commit()
    return row


@pytest.fixture
def room(con):
    row = f.location(con, name="Room A")
    db.session.commit()
    return row


def slots_of(location_id=None) -> list[tuple[int, datetime, datetime]]:
    query = sa.select(EventSlot).order_by(EventSlot.location_id, EventSlot.start)
    if location_id is not None:
        query = query.where(EventSlot.location_id == location_id)
    return [(s.location_id, s.start, s.end) for s in db.session.scalars(query)]


# permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("method,path", [("POST", "event-slots"), ("PUT", "event-slots/{slot}"),
                                         ("DELETE", "event-slots/{slot}"), ("POST", "bulk-slots")])
def test_permission_matrix_for_writes(client, people, auth_headers, con, room, actor, method, path):
    slot = f.slots(room, count=1)[0]
    db.session.commit()
    before = slots_of()
    url = f"/api/conventions/{con.id}/" + path.format(slot=slot.id)
    body = {
        "event-slots": {"location_id": room.id, "start": "2027-05-02T09:00:00+00:00",
                        "end": "2027-05-02T10:00:00+00:00"},
        "event-slots/{slot}": {"start": "2027-05-01T08:00:00+00:00", "end": "2027-05-01T08:30:00+00:00"},
        "bulk-slots": {"days": ["2027-05-02"], "time_ranges": [{"start": "09:00", "end": "11:00"}],
                       "slot_minutes": 60, "location_ids": [room.id]},
    }.get(path) if method != "DELETE" else None
    response = client.open(url, method=method, json=body, headers=headers_for(actor, people, auth_headers))
    if actor == "admin":
        assert response.status_code == {"POST": 201, "PUT": 200, "DELETE": 204}[method], response.get_json()
        assert slots_of() != before
    else:
        assert_refused(response, actor)
        assert slots_of() == before


# one slot -------------------------------------------------------------------------------------


def test_admin_creates_a_slot_times_with_any_offset_are_stored_in_utc(client, people, auth_headers, con, room):
    body = {"location_id": room.id, "start": "2027-05-02T11:00:00+02:00", "end": "2027-05-02T12:30:00+02:00"}
    response = client.post(f"/api/conventions/{con.id}/event-slots", json=body, headers=auth_headers(people["admin"]))
    assert response.status_code == 201, response.get_json()
    slot = response.get_json()
    assert (slot["start"], slot["end"]) == ("2027-05-02T09:00:00+00:00", "2027-05-02T10:30:00+00:00")
    assert (slot["convention_id"], slot["location_id"], slot["workshop_id"]) == (con.id, room.id, None)
    assert slots_of() == [(room.id, at(2, 9), at(2, 10, 30))]
    assert client.get(f"/api/conventions/{con.id}/event-slots").get_json()["items"] == [slot]


@pytest.mark.parametrize(
    "change,field",
    [
        ({"start": "2027-05-02T09:00:00"}, "start"),  # naive
        ({"end": "2027-05-02T08:00:00+00:00"}, "body"),  # before start
        ({"end": "2027-05-02T09:00:00+00:00"}, "body"),  # empty
        ({"start": "tomorrow"}, "start"),
        ({"start": 1800000000}, "start"),
        ({"location_id": "1"}, "location_id"),
        ({"location_id": 0}, "location_id"),
        ({"start": "9999-12-31T23:00:00-05:00", "end": "9999-12-31T23:30:00-05:00"}, "start"),
        ({"workshop_id": 1}, "workshop_id"),
    ],
)
def test_invalid_slots_are_422(client, people, auth_headers, con, room, change, field):
    body = {"location_id": room.id, "start": "2027-05-02T09:00:00+00:00", "end": "2027-05-02T10:00:00+00:00", **change}
    response = client.post(f"/api/conventions/{con.id}/event-slots", json=body, headers=auth_headers(people["admin"]))
    assert field in assert_error(response, 422, "validation_failed")["fields"]
    assert count_rows(EventSlot) == 0


def test_slots_must_lie_within_the_convention_in_its_time_zone(client, people, auth_headers, make_user):
    tokyo = f.convention(name="Tokyo", tz="Asia/Tokyo")  # days 2027-05-01..03 local = from 04-30 15:00 UTC
    room = f.location(tokyo)
    db.session.commit()
    admin = auth_headers(people["admin"])
    url = f"/api/conventions/{tokyo.id}/event-slots"

    def post(start, end):
        return client.post(url, json={"location_id": room.id, "start": start, "end": end}, headers=admin)

    assert post("2027-04-30T15:00:00+00:00", "2027-04-30T16:00:00+00:00").status_code == 201  # 00:00 local, day 1
    assert "start" in assert_error(post("2027-04-30T14:00:00+00:00", "2027-04-30T15:00:00+00:00"), 422)["fields"]
    assert post("2027-05-03T14:00:00+00:00", "2027-05-03T15:00:00+00:00").status_code == 201  # ends 24:00 local
    assert "end" in assert_error(post("2027-05-03T14:30:00+00:00", "2027-05-03T15:30:00+00:00"), 422)["fields"]
    assert count_rows(EventSlot) == 2


def test_the_location_must_belong_to_the_convention(client, people, auth_headers, con, room):
    other = f.convention(name="Other")
    foreign = f.location(other, name="Foreign")
    db.session.commit()
    body = {"location_id": foreign.id, "start": "2027-05-02T09:00:00+00:00", "end": "2027-05-02T10:00:00+00:00"}
    error = assert_error(client.post(f"/api/conventions/{con.id}/event-slots", json=body,
                                     headers=auth_headers(people["admin"])), 422)
    assert error["fields"]["location_id"] == f"unknown: {foreign.id}"
    assert count_rows(EventSlot) == 0


def test_overlapping_slots_in_one_room_are_409_naming_the_slot(client, people, auth_headers, con, room):
    existing = f.slots(room, count=1, start=at(2, 9))[0]  # 09:00-10:00
    other_room = f.location(con, name="Room B")
    db.session.commit()
    admin = auth_headers(people["admin"])
    url = f"/api/conventions/{con.id}/event-slots"

    def post(location_id, start, end):
        return client.post(url, json={"location_id": location_id, "start": start.isoformat(), "end": end.isoformat()},
                           headers=admin)

    error = assert_error(post(room.id, at(2, 9, 30), at(2, 10, 30)), 409, "slot_overlap")
    assert error["fields"]["slot_id"] == existing.id and str(existing.id) in error["message"]
    assert_error(post(room.id, at(2, 8), at(2, 11)), 409, "slot_overlap")  # around it
    assert_error(post(room.id, at(2, 9), at(2, 10)), 409, "slot_overlap")  # identical
    assert post(room.id, at(2, 10), at(2, 11)).status_code == 201  # touching is fine
    assert post(other_room.id, at(2, 9, 30), at(2, 10, 30)).status_code == 201  # other room
    assert count_rows(EventSlot) == 3


def test_changing_a_slot_checks_overlap_and_dates(client, people, auth_headers, con, room):
    first, second = f.slots(room, count=2, start=at(2, 9))
    other_room = f.location(con, name="Room B")
    db.session.commit()
    admin = auth_headers(people["admin"])
    url = f"/api/conventions/{con.id}/event-slots/{first.id}"
    assert_error(client.put(url, json={"end": at(2, 10, 30).isoformat()}, headers=admin), 409, "slot_overlap")
    assert_error(client.put(url, json={"start": at(9, 9).isoformat(), "end": at(9, 10).isoformat()},
                            headers=admin), 422)
    assert_error(client.put(url, json={"start": at(2, 10, 30).isoformat()}, headers=admin), 422)  # after its end
    moved = client.put(url, json={"location_id": other_room.id, "end": at(2, 10, 30).isoformat()}, headers=admin)
    assert moved.status_code == 200, moved.get_json()
    assert (moved.get_json()["location_id"], moved.get_json()["end"]) == (other_room.id, "2027-05-02T10:30:00+00:00")
    assert slots_of(other_room.id) == [(other_room.id, at(2, 9), at(2, 10, 30))]


def test_unknown_slot_ids_are_404(client, people, auth_headers, con, room):
    other = f.convention(name="Other")
    foreign = f.slots(f.location(other, name="Foreign"), count=1)[0]
    db.session.commit()
    admin = auth_headers(people["admin"])
    assert_error(client.put(f"/api/conventions/{con.id}/event-slots/{foreign.id}", json={}, headers=admin), 404)
    assert_error(client.delete(f"/api/conventions/{con.id}/event-slots/{foreign.id}", headers=admin), 404)
    assert_error(client.delete(f"/api/conventions/{con.id}/event-slots/99999999999999999", headers=admin), 404)
    assert_error(client.get("/api/event-slots/424242/workshop"), 404)
    assert count_rows(EventSlot) == 1


# slots that hold workshops --------------------------------------------------------------------


@pytest.fixture
def placed(con, room, people):
    """Knots placed over two consecutive slots (run 0) with one attendee registered and one queued."""
    first, second, free = f.slots(room, count=3, start=at(2, 9))
    knots = f.workshop(con, people["host"], title="Knots", duration_slots=2)
    f.place(knots, [first, second])
    registered = f.selection(people["attendee"], knots, status="registered", slot=first)
    waiting = f.selection(people["admin"], knots, status="waitlisted", slot=first)
    db.session.commit()
    return {"first": first.id, "second": second.id, "free": free.id, "workshop": knots.id,
            "selections": [registered.id, waiting.id]}


def _assert_run_unplaced(placed, attendee_email):
    # the registered attendee is told (the queued one never had a seat to lose)
    told = db.session.scalars(sa.select(OutboxMessage.recipient).where(OutboxMessage.subject.contains("Knots")))
    assert list(told) == [attendee_email]
    for slot_id in (placed["first"], placed["second"]):
        slot = db.session.get(EventSlot, slot_id)
        assert slot is None or (slot.workshop_id, slot.run_index) == (None, None)
    for selection_id in placed["selections"]:
        selection = db.session.get(Selection, selection_id)
        assert (selection.status, selection.event_slot_id) == ("interested", None)


def test_a_placed_slot_refuses_change_and_delete_unless_cascade(client, people, auth_headers, con, placed):
    admin = auth_headers(people["admin"])
    url = f"/api/conventions/{con.id}/event-slots/{placed['second']}"
    later = {"start": at(2, 10, 15).isoformat(), "end": at(2, 11).isoformat()}
    error = assert_error(client.put(url, json=later, headers=admin), 409, "slot_in_use")
    assert error["fields"]["workshop_id"] == placed["workshop"] and "Knots" in error["message"]
    assert_error(client.delete(url, headers=admin), 409, "slot_in_use")
    assert db.session.get(EventSlot, placed["first"]).workshop_id == placed["workshop"]
    assert db.session.get(Selection, placed["selections"][0]).status == "registered"
    # an update that changes nothing is no change
    same = {"start": at(2, 10).isoformat(), "end": at(2, 11).isoformat()}
    assert client.put(url, json=same, headers=admin).get_json()["workshop_id"] == placed["workshop"]

    changed = client.put(url + "?cascade=true", json=later, headers=admin)
    assert changed.status_code == 200 and changed.get_json()["workshop_id"] is None
    assert changed.get_json()["start"] == "2027-05-02T10:15:00+00:00"
    _assert_run_unplaced(placed, people["attendee"].email)


def test_deleting_a_placed_slot_with_cascade_unplaces_the_whole_run(client, people, auth_headers, con, placed):
    url = f"/api/conventions/{con.id}/event-slots/{placed['first']}?cascade=true"
    assert client.delete(url, headers=auth_headers(people["admin"])).status_code == 204
    assert db.session.get(EventSlot, placed["first"]) is None
    _assert_run_unplaced(placed, people["attendee"].email)
    assert count_rows(EventSlot) == 2


def test_the_workshop_in_a_slot(client, people, auth_headers, con, placed):
    response = client.get(f"/api/event-slots/{placed['second']}/workshop")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["id"], body["title"], body["run_index"]) == (placed["workshop"], "Knots", 0)
    assert body["event_slot_ids"] == [placed["first"], placed["second"]]
    free = assert_error(client.get(f"/api/event-slots/{placed['free']}/workshop"), 404, "slot_free")
    assert "free" in free["message"]


def test_an_unpublished_workshop_in_a_slot_shows_only_to_its_hosts_and_admins(client, people, auth_headers, con,
                                                                            placed):
    from webapp.models import Workshop

    db.session.get(Workshop, placed["workshop"]).status = "draft"
    db.session.commit()
    url = f"/api/event-slots/{placed['first']}/workshop"
    assert_error(client.get(url), 404)
    assert_error(client.get(url, headers=auth_headers(people["attendee"])), 404)
    assert client.get(url, headers=auth_headers(people["host"])).status_code == 200
    assert client.get(url, headers=auth_headers(people["admin"])).status_code == 200


# listing --------------------------------------------------------------------------------------


def test_listing_filters_by_location_day_and_availability(client, people, auth_headers):
    berlin = f.convention(name="Berlin", tz="Europe/Berlin")
    a, b = f.location(berlin, name="A"), f.location(berlin, name="B")
    early = f.slots(a, count=1, start=at(1, 22, 30))[0]  # 00:30 on May 2nd in Berlin
    a_day1 = f.slots(a, count=2, start=at(1, 9))
    b_day1 = f.slots(b, count=1, start=at(1, 9))[0]
    ws = f.workshop(berlin, people["host"])
    f.place(ws, [a_day1[0]])
    db.session.commit()
    url = f"/api/conventions/{berlin.id}/event-slots"

    def ids(query):
        response = client.get(url + query)
        assert response.status_code == 200, response.get_json()
        return {s["id"] for s in response.get_json()["items"]}

    assert ids("") == {early.id, a_day1[0].id, a_day1[1].id, b_day1.id}
    assert ids(f"?location_id={b.id}") == {b_day1.id}
    assert ids("?day=2027-05-01") == {a_day1[0].id, a_day1[1].id, b_day1.id}
    assert ids("?day=2027-05-02") == {early.id}
    assert ids("?available=true") == {early.id, a_day1[1].id, b_day1.id}
    assert ids("?available=false") == {a_day1[0].id}
    assert ids(f"?available=true&location_id={a.id}&day=2027-05-01") == {a_day1[1].id}
    across = client.get(f"/api/event-slots?convention_id={berlin.id}&available=true").get_json()
    assert {s["id"] for s in across["items"]} == {early.id, a_day1[1].id, b_day1.id} and across["total"] == 3
    page = client.get(url + "?limit=1&offset=1").get_json()
    assert page["total"] == 4 and len(page["items"]) == 1
    for bad in ("?day=someday", "?available=perhaps", "?location_id=x", "?limit=0", "?colour=red"):
        assert_error(client.get(url + bad), 422)


def test_listing_across_needs_a_convention(client, con):
    assert "convention_id" in assert_error(client.get("/api/event-slots"), 422)["fields"]
    assert "convention_id" in assert_error(client.get("/api/event-slots?convention_id=abc"), 422)["fields"]
    assert_error(client.get("/api/event-slots?convention_id=4242"), 404)


def test_listing_slots_runs_a_constant_number_of_queries(client, people, auth_headers, con, room):
    f.slots(room, count=1, start=at(1, 8))
    db.session.commit()
    urls = (f"/api/conventions/{con.id}/event-slots", f"/api/event-slots?convention_id={con.id}")
    few = []
    for url in urls:
        with count_queries() as statements:
            assert client.get(url).get_json()["total"] == 1
        few.append(len(statements))
    other_room = f.location(con, name="Room B")
    ws = f.workshop(con, people["host"])
    f.place(ws, f.slots(room, count=20, start=at(2, 0), minutes=30))
    f.slots(other_room, count=20, start=at(2, 0), minutes=30)
    db.session.commit()
    for url, expected in zip(urls, few):
        with count_queries() as statements:
            assert client.get(url).get_json()["total"] == 41
        assert len(statements) == expected


# bulk -----------------------------------------------------------------------------------------


def bulk(client, headers, con_id, **changes):
    body = {"days": ["2027-05-01", "2027-05-02"], "time_ranges": [{"start": "09:00", "end": "12:00"}],
            "slot_minutes": 60, "gap_minutes": 0, **changes}
    return client.post(f"/api/conventions/{con_id}/bulk-slots", json=body, headers=headers)


def test_bulk_creates_every_slot_and_a_second_run_creates_none(client, people, auth_headers, con, room):
    other_room = f.location(con, name="Room B")
    db.session.commit()
    admin = auth_headers(people["admin"])
    first = bulk(client, admin, con.id, location_ids=[room.id, other_room.id])
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["created_count"] == 12 == len(body["created"]) and body["skipped"] == []
    assert slots_of(room.id) == [(room.id, at(d, h), at(d, h + 1)) for d in (1, 2) for h in (9, 10, 11)]
    assert {s["id"] for s in body["created"]} == set(db.session.scalars(sa.select(EventSlot.id)))

    again = bulk(client, admin, con.id, location_ids=[room.id, other_room.id]).get_json()
    assert again["created_count"] == 0 and again["created"] == []
    assert again["skipped_count"] == 12
    assert all(s["reason"].startswith("exists") for s in again["skipped"])
    assert count_rows(EventSlot) == 12


def test_bulk_with_gaps_fits_only_whole_slots(client, people, auth_headers, con, room):
    response = bulk(client, auth_headers(people["admin"]), con.id, days=["2027-05-03"], slot_minutes=50,
                    gap_minutes=10, time_ranges=[{"start": "09:00", "end": "11:40"}, {"start": "14:00", "end": "24:00"}],
                    location_ids=[room.id])
    starts = [s["start"] for s in response.get_json()["created"]]
    assert starts[:2] == ["2027-05-03T09:00:00+00:00", "2027-05-03T10:00:00+00:00"]  # 11:00-11:50 does not fit
    assert starts[2] == "2027-05-03T14:00:00+00:00" and len(starts) == 2 + 10
    assert response.get_json()["created"][-1]["end"] == "2027-05-03T23:50:00+00:00"


def test_bulk_follows_the_wall_clock_across_daylight_saving_changes(client, people, auth_headers):
    spring = f.convention(name="Spring", start=date(2027, 3, 27), days=2, tz="Europe/Berlin")  # DST from Mar 28
    autumn = f.convention(name="Autumn", start=date(2027, 10, 30), days=2, tz="Europe/Berlin")  # back on Oct 31
    spring_room, autumn_room = f.location(spring), f.location(autumn)
    db.session.commit()
    admin = auth_headers(people["admin"])

    body = bulk(client, admin, spring.id, days=["2027-03-27", "2027-03-28"],
                time_ranges=[{"start": "09:00", "end": "10:00"}], location_ids=[spring_room.id]).get_json()
    # 09:00 in Berlin is 08:00 UTC before the change and 07:00 UTC after it
    assert [s["start"] for s in body["created"]] == ["2027-03-27T08:00:00+00:00", "2027-03-28T07:00:00+00:00"]

    # 01:00-04:00 local on the night clocks go forward is only two real hours: two 60-minute slots
    night = bulk(client, admin, spring.id, days=["2027-03-28"], time_ranges=[{"start": "01:00", "end": "04:00"}],
                 location_ids=[spring_room.id]).get_json()
    assert [(s["start"], s["end"]) for s in night["created"]] == [
        ("2027-03-28T00:00:00+00:00", "2027-03-28T01:00:00+00:00"),
        ("2027-03-28T01:00:00+00:00", "2027-03-28T02:00:00+00:00"),
    ]
    # ...and four real hours on the night they go back
    back = bulk(client, admin, autumn.id, days=["2027-10-31"], time_ranges=[{"start": "01:00", "end": "04:00"}],
                location_ids=[autumn_room.id]).get_json()
    assert [s["start"] for s in back["created"]] == [
        "2027-10-30T23:00:00+00:00", "2027-10-31T00:00:00+00:00", "2027-10-31T01:00:00+00:00",
        "2027-10-31T02:00:00+00:00",
    ]
    assert back["created"][-1]["end"] == "2027-10-31T03:00:00+00:00"  # 04:00 CET


def test_bulk_outside_the_convention(client, people, auth_headers, con, room):
    admin = auth_headers(people["admin"])
    all_outside = bulk(client, admin, con.id, days=["2027-04-30", "2027-05-04"], location_ids=[room.id])
    assert "days" in assert_error(all_outside, 422, "validation_failed")["fields"]
    assert count_rows(EventSlot) == 0
    partly = bulk(client, admin, con.id, days=["2027-05-03", "2027-05-04"], location_ids=[room.id]).get_json()
    assert partly["created_count"] == 3 and partly["skipped_count"] == 3
    assert {s["reason"] for s in partly["skipped"]} == {"outside the convention's dates"}
    assert all(s["start"].startswith("2027-05-04") for s in partly["skipped"])
    assert count_rows(EventSlot) == 3


def test_bulk_skips_slots_overlapping_existing_or_each_other(client, people, auth_headers, con, room):
    existing = f.slots(room, count=1, start=at(1, 10, 30), minutes=30)[0]  # 10:30-11:00
    db.session.commit()
    response = bulk(client, auth_headers(people["admin"]), con.id, days=["2027-05-01"], location_ids=[room.id],
                    time_ranges=[{"start": "09:00", "end": "12:00"}, {"start": "11:30", "end": "13:30"}])
    body = response.get_json()
    created = [(s["start"][11:16], s["end"][11:16]) for s in body["created"]]
    assert created == [("09:00", "10:00"), ("11:00", "12:00"), ("12:30", "13:30")]
    reasons = {s["start"][11:16]: s["reason"] for s in body["skipped"]}
    assert reasons["10:00"].startswith(f"overlaps slot {existing.id}")
    assert reasons["11:30"] == "overlaps another slot of this request"
    assert body["skipped_count"] == 2 and count_rows(EventSlot) == 4


def test_bulk_locations_must_be_of_this_convention(client, people, auth_headers, con, room):
    foreign = f.location(f.convention(name="Other"), name="Foreign")
    db.session.commit()
    response = bulk(client, auth_headers(people["admin"]), con.id, location_ids=[room.id, foreign.id, 999999])
    error = assert_error(response, 422)
    assert error["fields"]["location_ids"] == f"unknown: {foreign.id}, 999999"
    assert count_rows(EventSlot) == 0


@pytest.mark.parametrize(
    "change,field",
    [
        ({"slot_minutes": 4}, "slot_minutes"),
        ({"slot_minutes": 601}, "slot_minutes"),
        ({"gap_minutes": 241}, "gap_minutes"),
        ({"gap_minutes": -1}, "gap_minutes"),
        ({"location_ids": []}, "location_ids"),
        ({"days": []}, "days"),
        ({"days": ["May 1st"]}, "days.0"),
        ({"time_ranges": []}, "time_ranges"),
        ({"time_ranges": [{"start": "25:00", "end": "26:00"}]}, "time_ranges.0.start"),
        ({"time_ranges": [{"start": "9:00", "end": "10:00"}]}, "time_ranges.0.start"),
        ({"time_ranges": [{"start": "12:00", "end": "09:00"}]}, "time_ranges.0"),
        ({"time_ranges": [{"start": "09:00"}]}, "time_ranges.0.end"),
        ({"slot_minutes": 240}, "slot_minutes"),  # longer than the range: no slot fits
        ({"slot_minutes": "60"}, "slot_minutes"),
    ],
)
def test_bulk_refuses_invalid_input(client, people, auth_headers, con, room, change, field):
    response = bulk(client, auth_headers(people["admin"]), con.id, **{"location_ids": [room.id], **change})
    assert field in assert_error(response, 422, "validation_failed")["fields"]
    assert count_rows(EventSlot) == 0


def test_bulk_refuses_absurd_amounts(client, people, auth_headers):
    year = f.convention(name="Long", start=date(2027, 1, 1), days=300)
    rooms = [f.location(year, name=f"R{i}") for i in range(5)]
    db.session.commit()
    days = [(date(2027, 1, 1) + timedelta(days=i)).isoformat() for i in range(300)]
    response = bulk(client, auth_headers(people["admin"]), year.id, days=days, slot_minutes=5,
                    time_ranges=[{"start": "00:00", "end": "24:00"}], location_ids=[r.id for r in rooms])
    assert_error(response, 422)
    assert count_rows(EventSlot) == 0


def test_bulk_into_an_unknown_convention(client, people, auth_headers, room):
    assert_error(bulk(client, auth_headers(people["admin"]), 4242, location_ids=[room.id]), 404)
    assert_refused(bulk(client, {}, 4242, location_ids=[room.id]), "anonymous")


def test_a_slot_cannot_move_to_another_conventions_room(client, people, auth_headers, con, room):
    slot = f.slots(room, count=1, start=at(2, 9))[0]
    foreign = f.location(f.convention(name="Other"), name="Foreign")
    db.session.commit()
    response = client.put(f"/api/conventions/{con.id}/event-slots/{slot.id}", json={"location_id": foreign.id},
                          headers=auth_headers(people["admin"]))
    assert assert_error(response, 422)["fields"]["location_id"] == f"unknown: {foreign.id}"
    assert slots_of() == [(room.id, at(2, 9), at(2, 10))]


def test_bulk_names_each_day_once_even_when_repeated(client, people, auth_headers, con, room):
    body = bulk(client, auth_headers(people["admin"]), con.id, days=["2027-05-02", "2027-05-02"],
                location_ids=[room.id, room.id]).get_json()
    assert (body["created_count"], body["skipped_count"]) == (3, 0)
    assert slots_of() == [(room.id, at(2, h), at(2, h + 1)) for h in (9, 10, 11)]
