"""Attendees' pages through the test client: browsing with HTMX search, the workshop page's action block
(convention registration, interest, seats, waitlist, refusals as friendly messages) and /my/schedule."""
from __future__ import annotations

import html
from datetime import timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import ConventionRegistration, OutboxMessage, Selection

from . import factories as f
from .conftest import PASSWORD

HX = {"HX-Request": "true"}


def sign_in(client, user) -> None:
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def sign_out(client) -> None:
    assert client.post("/sign-out").status_code == 302


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def selections_of(user) -> list[Selection]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Selection).where(Selection.user_id == user.id)))


@pytest.fixture
def fest(app, make_user):
    """An open, free convention in Berlin time: 'Knots' placed once (2 seats), 'Weaving' not placed."""
    host = make_user(roles=("host",), name="Hana Host")
    con = f.convention(tz="Europe/Berlin")
    room = f.location(con, name="Hall 1", capacity=2)
    slots = f.slots(room, 4)
    knots = f.workshop(con, host, title="Knots", max_attendees=5)
    f.place(knots, slots[:1])
    weaving = f.workshop(con, host, title="Weaving", max_attendees=5)
    db.session.commit()
    return {"con": con, "host": host, "room": room, "slots": slots, "knots": knots, "weaving": weaving}


# browsing -------------------------------------------------------------------------------------


def test_browse_shows_hosts_runs_in_local_time_and_seats_left(client, fest, make_user):
    attendee = make_user()
    f.registration(attendee, fest["con"])
    f.selection(attendee, fest["knots"], status="registered", slot=fest["slots"][0])
    db.session.commit()

    page = text(client.get(f"/conventions/{fest['con'].id}/workshops"))

    knots_row = page[page.index(f'id="workshop-{fest["knots"].id}"'):]
    knots_row = knots_row[:knots_row.index("</tr>")]
    assert "Hana Host" in knots_row
    assert "Sat 01 May 11:00–12:00, Hall 1" in knots_row  # 09:00 UTC is 11:00 in Berlin in May
    assert "1 of 2" in knots_row  # the room seats 2, one is taken
    assert "not scheduled yet" in page  # Weaving
    assert "times in Europe/Berlin" in page


def test_htmx_search_answers_only_the_rows_partial(client, fest):
    url = f"/conventions/{fest['con'].id}/workshops?q=kno"

    partial = client.get(url, headers=HX)
    full = client.get(url)

    assert partial.status_code == 200 and "<html" not in text(partial)
    assert "Knots" in text(partial) and "Weaving" not in text(partial)
    assert 'id="workshop-rows"' in text(partial) and 'id="workshop-filters"' not in text(partial)
    assert "<html" in text(full) and 'id="workshop-filters"' in text(full) and 'value="kno"' in text(full)
    assert "HX-Request" in partial.headers["Vary"]
    # a history restore after a cache miss needs the whole page, even though htmx asks
    restore = client.get(url, headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in text(restore)


def test_filter_by_capability_and_by_free_seats(client, fest, make_user):
    rope = f.capability("Rope work")
    fest["weaving"].teaches = [rope]
    full = f.workshop(fest["con"], fest["host"], title="Tiny", max_attendees=1)
    f.place(full, fest["slots"][1:2])
    taker = make_user()
    f.registration(taker, fest["con"])
    f.selection(taker, full, status="registered", slot=fest["slots"][1])
    db.session.commit()
    base = f"/conventions/{fest['con'].id}/workshops"

    by_capability = text(client.get(f"{base}?capability_id={rope.id}", headers=HX))
    free_only = text(client.get(f"{base}?free=1", headers=HX))
    everything = text(client.get(base, headers=HX))

    assert "Weaving" in by_capability and "Knots" not in by_capability
    assert "Knots" in free_only and "Tiny" not in free_only and "Weaving" not in free_only  # full; not placed
    assert "1 workshop" in free_only
    assert all(title in everything for title in ("Knots", "Tiny", "Weaving"))


def test_paging_keeps_the_filters(client, fest):
    for i in range(23):
        f.workshop(fest["con"], fest["host"], title=f"Pottery {i:02d}")
    db.session.commit()
    base = f"/conventions/{fest['con'].id}/workshops"

    first = text(client.get(f"{base}?q=pottery", headers=HX))
    second = text(client.get(f"{base}?q=pottery&page=2", headers=HX))

    assert first.count('<tr id="workshop-') == 20 and "Page 1 of 2" in first
    assert "q=pottery&page=2" in first
    assert second.count('<tr id="workshop-') == 3 and "Pottery 22" in second and "Pottery 00" not in second


@pytest.mark.parametrize("query", ["capability_id=abc", "capability_id=0", "page=x", "q=" + "x" * 300])
def test_bad_search_input_is_a_422_page_not_a_500(client, fest, query):
    response = client.get(f"/conventions/{fest['con'].id}/workshops?{query}")
    assert response.status_code == 422
    assert "invalid" in text(response)


def test_draft_conventions_and_their_workshops_are_not_found_for_attendees(client, make_user):
    host = make_user(roles=("host",))
    con = f.convention(status="draft")
    ws = f.workshop(con, host)
    db.session.commit()
    sign_in(client, make_user())
    assert client.get(f"/conventions/{con.id}/workshops").status_code == 404
    assert client.get(f"/workshops/{ws.id}").status_code == 404


# the workshop page and its action block ------------------------------------------------------


def test_anonymous_visitor_sees_the_workshop_and_a_sign_in_link_only(client, fest):
    page = text(client.get(f"/workshops/{fest['knots'].id}"))
    assert "Knots" in page and "Hall 1" in page
    assert "to show interest or register" in page
    assert ">Register</button>" not in page and "Interested</button>" not in page


def test_actions_need_a_signed_in_person(client, fest):
    response = client.post(f"/workshops/{fest['knots'].id}/register", data={"event_slot_id": fest["slots"][0].id})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_register_for_a_free_convention_then_a_run_by_htmx(client, fest, make_user):
    attendee = make_user()
    sign_in(client, attendee)
    page = text(client.get(f"/workshops/{fest['knots'].id}"))
    assert "Register for the convention" in page

    block = client.post(f"/conventions/{fest['con'].id}/attend", data={"workshop_id": fest["knots"].id}, headers=HX)
    assert block.status_code == 200 and "<html" not in text(block)
    assert f'id="workshop-{fest["knots"].id}-actions"' in text(block)
    assert "You are registered for the convention." in text(block)
    reg = db.session.scalar(sa.select(ConventionRegistration).where(ConventionRegistration.user_id == attendee.id))
    assert reg.status == "registered"

    block = client.post(f"/workshops/{fest['knots'].id}/register",
                        data={"event_slot_id": fest["slots"][0].id}, headers=HX)
    assert block.status_code == 200
    assert "the seat is yours" in text(block)
    assert 'data-status="registered"' in text(block) and "Sat 01 May 11:00, Hall 1" in text(block)
    assert [(s.status, s.event_slot_id) for s in selections_of(attendee)] == [("registered", fest["slots"][0].id)]


def test_paid_convention_says_payment_is_pending(client, make_user):
    host = make_user(roles=("host",))
    con = f.convention(fee="25")
    ws = f.workshop(con, host)
    db.session.commit()
    attendee = make_user()
    sign_in(client, attendee)

    block = text(client.post(f"/conventions/{con.id}/attend", data={"workshop_id": ws.id}, headers=HX))

    assert "complete once the fee is paid" in block
    assert "waits for payment" in block
    db.session.expire_all()
    assert db.session.scalar(sa.select(ConventionRegistration.status)) == "pending_payment"


def test_registering_for_a_run_without_a_convention_registration_is_a_friendly_409(client, fest, make_user):
    attendee = make_user()
    sign_in(client, attendee)

    block = client.post(f"/workshops/{fest['knots'].id}/register",
                        data={"event_slot_id": fest["slots"][0].id}, headers=HX)

    assert block.status_code == 409
    assert 'role="alert" data-code="convention_registration_required"' in text(block)
    assert "you are not registered" in text(block)
    assert "<html" not in text(block)
    assert selections_of(attendee) == []


def test_full_run_puts_the_next_on_the_waitlist_and_a_cancel_promotes_them(client, fest, make_user):
    first, second, third = (make_user(name=n) for n in ("Ann", "Bob", "Cy"))
    for user in (first, second, third):
        f.registration(user, fest["con"])
    db.session.commit()
    slot_id = fest["slots"][0].id
    url = f"/workshops/{fest['knots'].id}/register"
    for user in (first, second):
        sign_in(client, user)
        assert "the seat is yours" in text(client.post(url, data={"event_slot_id": slot_id}, headers=HX))
        sign_out(client)

    sign_in(client, third)
    block = text(client.post(url, data={"event_slot_id": slot_id}, headers=HX))
    assert "This run is full: you are on the waitlist, position 1." in block
    assert "You are on the waitlist for Sat 01 May 11:00, position 1." in block
    schedule = text(client.get("/my/schedule"))
    assert "Knots" in schedule[schedule.index('id="my-waitlist"'):] and "position 1" in schedule
    sign_out(client)

    sign_in(client, first)
    mine = selections_of(first)[0]
    asked = client.post(f"/selections/{mine.id}/cancel", headers=HX)
    assert "Give up your seat?" in text(asked) and selections_of(first)[0].status == "registered"  # asked first
    block = client.post(f"/selections/{mine.id}/cancel", headers=HX, data={"confirmed": "1"})
    assert block.status_code == 200 and "Cancelled" in text(block)
    assert selections_of(first)[0].status == "cancelled"
    assert selections_of(third)[0].status == "registered"
    assert db.session.scalar(sa.select(OutboxMessage.recipient).where(OutboxMessage.subject.like("You have a seat%"))) \
        == third.email


def test_time_clash_is_shown_as_a_message_and_nothing_is_written(client, fest, make_user):
    other = f.workshop(fest["con"], fest["host"], title="Sailing")
    room2 = f.location(fest["con"], name="Hall 2", capacity=10)
    clash_slot = f.slots(room2, 1)[0]  # same 09:00 UTC start as Knots
    f.place(other, [clash_slot])
    attendee = make_user()
    f.registration(attendee, fest["con"])
    f.selection(attendee, fest["knots"], status="registered", slot=fest["slots"][0])
    db.session.commit()
    sign_in(client, attendee)

    response = client.post(f"/workshops/{other.id}/register", data={"event_slot_id": clash_slot.id}, headers=HX)

    assert response.status_code == 409
    assert "overlaps 'Knots'" in text(response)
    assert [s.workshop_id for s in selections_of(attendee)] == [fest["knots"].id]


def test_missing_prerequisite_is_a_friendly_message(client, fest, make_user):
    knots_skill = f.capability("Knot tying")
    advanced = f.workshop(fest["con"], fest["host"], title="Advanced knots", prerequisites=[knots_skill])
    f.place(advanced, fest["slots"][2:3])
    attendee = make_user()
    f.registration(attendee, fest["con"])
    db.session.commit()
    sign_in(client, attendee)

    response = client.post(f"/workshops/{advanced.id}/register",
                           data={"event_slot_id": fest["slots"][2].id}, headers=HX)

    assert response.status_code == 409
    assert "needs Knot tying" in text(response)
    assert selections_of(attendee) == []


def test_interest_with_a_rank_and_a_bad_rank_writes_nothing(client, fest, make_user):
    attendee = make_user()
    f.registration(attendee, fest["con"], status="pending_payment")  # interest does not wait for payment
    db.session.commit()
    sign_in(client, attendee)
    url = f"/workshops/{fest['weaving'].id}/interest"

    bad = client.post(url, data={"rank": "11"}, headers=HX)
    assert bad.status_code == 422 and "rank" in text(bad)
    assert selections_of(attendee) == []

    good = client.post(url, data={"rank": "3"}, headers=HX)
    assert good.status_code == 200 and "you are interested (rank 3)" in text(good)
    assert [(s.status, s.rank) for s in selections_of(attendee)] == [("interested", 3)]
    schedule = text(client.get("/my/schedule"))
    assert "Weaving" in schedule[schedule.index('id="my-interests"'):] and "rank 3" in schedule


def test_without_htmx_a_registration_redirects_back_with_a_flash(client, fest, make_user):
    attendee = make_user()
    f.registration(attendee, fest["con"])
    db.session.commit()
    sign_in(client, attendee)

    response = client.post(f"/workshops/{fest['knots'].id}/register", data={"event_slot_id": fest["slots"][0].id})

    assert response.status_code == 302 and response.headers["Location"].endswith(f"/workshops/{fest['knots'].id}")
    page = text(client.get(response.headers["Location"]))
    assert "the seat is yours" in page and 'data-status="registered"' in page


def test_a_bad_slot_id_is_a_422_in_the_page_without_htmx(client, fest, make_user):
    attendee = make_user()
    f.registration(attendee, fest["con"])
    db.session.commit()
    sign_in(client, attendee)

    response = client.post(f"/workshops/{fest['knots'].id}/register", data={"event_slot_id": "first"})

    assert response.status_code == 422
    assert "<html" in text(response) and "event_slot_id" in text(response)
    assert selections_of(attendee) == []


def test_cancelling_another_persons_selection_is_forbidden(client, fest, make_user):
    owner, intruder = make_user(), make_user()
    f.registration(owner, fest["con"])
    row = f.selection(owner, fest["knots"], status="registered", slot=fest["slots"][0])
    db.session.commit()
    sign_in(client, intruder)

    response = client.post(f"/selections/{row.id}/cancel", headers=HX)

    assert response.status_code == 403
    assert selections_of(owner)[0].status == "registered"


# my schedule ----------------------------------------------------------------------------------


def test_my_schedule_needs_signing_in(client):
    response = client.get("/my/schedule")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_my_schedule_lists_runs_in_time_order_grouped_by_local_day(client, fest, make_user):
    attendee = make_user()
    f.registration(attendee, fest["con"])
    late = f.workshop(fest["con"], fest["host"], title="Late knitting")
    late_slot = f.slots(fest["room"], 1, start=f.T0 + timedelta(days=1, hours=12))[0]  # Sunday 21:00 UTC = 23:00 local
    f.place(late, [late_slot])
    f.place(fest["weaving"], fest["slots"][3:4])
    f.selection(attendee, late, status="registered", slot=late_slot)
    f.selection(attendee, fest["weaving"], status="registered", slot=fest["slots"][3])
    f.selection(attendee, fest["knots"], status="interested", rank=2)
    db.session.commit()
    sign_in(client, attendee)

    page = text(client.get("/my/schedule"))

    saturday, sunday = page.index("Saturday 01 May 2027"), page.index("Sunday 02 May 2027")
    assert saturday < page.index("Weaving") < sunday < page.index("Late knitting")
    assert "14:00–15:00" in page and "23:00–00:00" in page and "Hall 1" in page
    assert "Knots" in page[page.index('id="my-interests"'):]


def test_nav_links_for_attendees_and_hosts(client, fest, make_user):
    sign_in(client, make_user())
    page = text(client.get("/my/schedule"))
    assert 'href="/my/schedule"' in page and "Become a host" in page and "My workshops" not in page
    sign_out(client)
    sign_in(client, fest["host"])
    page = text(client.get("/my/schedule"))
    assert "My workshops" in page and "Become a host" not in page


@pytest.mark.parametrize("method, url", [
    ("get", "/workshops/99999999999999999999"),
    ("get", "/conventions/99999999999999999999/workshops"),
    ("post", "/selections/99999999999999999999/cancel"),
    ("post", "/workshops/99999999999999999999/register"),
])
def test_ids_no_column_can_hold_are_not_found(client, make_user, method, url):
    sign_in(client, make_user())
    assert getattr(client, method)(url, data={"event_slot_id": "1"}).status_code == 404


def test_every_post_form_on_the_attendee_pages_carries_the_csrf_token(client, fest, make_user):
    attendee = make_user()
    f.registration(attendee, fest["con"])
    f.selection(attendee, fest["knots"], status="registered", slot=fest["slots"][0])
    db.session.commit()
    sign_in(client, attendee)
    for url in (f"/workshops/{fest['knots'].id}", f"/workshops/{fest['weaving'].id}", "/my/schedule"):
        page = text(client.get(url))
        forms = page.split("<form")[1:]
        posts = [form[:form.index("</form>")] for form in forms if 'method="post"' in form[:200]]
        assert len(posts) >= 2, url  # the action buttons and sign-out at least
        assert all('name="csrf_token"' in form for form in posts), url


def test_a_full_run_offers_join_waitlist_not_register(client, make_user):
    con = f.convention()
    first, second = f.slots(f.location(con, capacity=1), count=2)
    knots = f.workshop(con, make_user(roles=("host",)), title="Knots", max_attendees=1, runs=2)
    f.place(knots, [first], run_index=0)
    f.place(knots, [second], run_index=1)
    taker = make_user()
    f.registration(taker, con)
    f.selection(taker, knots, "registered", slot=first)
    ann = make_user()
    f.registration(ann, con)
    db.session.commit()
    sign_in(client, ann)
    page = text(client.get(f"/workshops/{knots.id}"))
    full_run = page[page.index(f'id="register-run-{first.id}"'):page.index(f'id="register-run-{second.id}"')]
    free_run = page[page.index(f'id="register-run-{second.id}"'):]
    assert ">Join waitlist</button>" in full_run and "(full)" in full_run
    assert ">Register</button>" in free_run and "(full)" not in free_run[:free_run.index("</form>")]
