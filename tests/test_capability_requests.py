"""Skills attendees hold (item 8 of issue 12): a person asks for a capability with a note, admins see the
pending requests on the people page with a count and grant or refuse them, the person is mailed; the same
through the JSON API. Registering for a workshop that needs the capability works once it is granted."""
from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from webapp.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from webapp.extensions import db
from webapp.models import CapabilityRequest, OutboxMessage, Selection, UserCapability
from webapp.services import attending, held_capabilities

from . import factories as f
from . import factories_attending as fa
from .test_host_pages import sign_in


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def mails_to(email: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == email)
                                   .order_by(OutboxMessage.id)))


@pytest.fixture
def world(make_user, admin, host):
    """Soldering is needed by Synths, which is placed; Ann is registered for the convention."""
    con = f.convention(name="Makerfest")
    room = f.location(con)
    solder = f.capability("Soldering")
    knots = f.capability("Knots")
    synths = f.workshop(con, host, title="Synths", prerequisites=[solder])
    [slot] = f.slots(room, count=1)
    f.place(synths, [slot])
    ann = make_user(name="Ann", email="ann@example.org")
    f.registration(ann, con)
    db.session.commit()
    return {"ann": ann, "admin": admin, "solder": solder, "knots": knots, "synths": synths, "slot": slot,
            "room": room}


# the service ---------------------------------------------------------------------------------


def test_a_request_is_granted_and_the_person_may_then_register(world):
    ann, admin, solder, synths, slot = world["ann"], world["admin"], world["solder"], world["synths"], world["slot"]
    with pytest.raises(Conflict) as refused:
        attending.register_for_workshop(ann, synths.id, slot.id)
    assert refused.value.code == "missing_prerequisites"
    assert refused.value.fields["missing_capability_ids"] == [solder.id]
    db.session.rollback()

    row = held_capabilities.request_capability(ann, solder.id, "  I build synth kits.  ")
    assert (row.status, row.note) == ("pending", "I build synth kits.")
    assert held_capabilities.pending_request_count(admin) == 1
    decided = held_capabilities.decide_capability_request(admin, row.id, True, "Welcome to Synths.")
    assert (decided.status, decided.decided_by_id, decided.answer) == ("granted", admin.id, "Welcome to Synths.")
    assert held_capabilities.pending_request_count(admin) == 0
    [mail] = mails_to(ann.email)
    assert "granted you 'Soldering'" in mail.body and "Welcome to Synths." in mail.body
    [view] = attending.user_capabilities(ann, ann.id)
    assert (view.capability.name, view.source) == ("Soldering", "granted")
    selection, _ = attending.register_for_workshop(ann, synths.id, slot.id)
    assert selection.selection.status == "registered"


def test_a_refused_request_grants_nothing_and_may_be_asked_again(world):
    ann, admin, solder = world["ann"], world["admin"], world["solder"]
    row = held_capabilities.request_capability(ann, solder.id)
    held_capabilities.decide_capability_request(admin, row.id, False, "")
    assert db.session.get(UserCapability, (ann.id, solder.id)) is None
    [mail] = mails_to(ann.email)
    assert "did not grant you 'Soldering'" in mail.body and "note from the admin" not in mail.body
    with pytest.raises(Conflict, match="refused already"):
        held_capabilities.decide_capability_request(admin, row.id, True)
    again = held_capabilities.request_capability(ann, solder.id, "I took a course since.")
    assert again.id != row.id and again.status == "pending"


def test_what_is_held_or_asked_already_or_unknown_is_refused(world):
    ann, solder, knots, synths = world["ann"], world["solder"], world["knots"], world["synths"]
    held_capabilities.request_capability(ann, solder.id)
    with pytest.raises(Conflict) as pending:
        held_capabilities.request_capability(ann, solder.id)
    assert pending.value.code == "capability_request_pending"
    fa.hold(ann, knots, source="granted")
    with pytest.raises(Conflict) as held:
        held_capabilities.request_capability(ann, knots.id)
    assert held.value.code == "capability_held"
    with pytest.raises(ValidationFailed) as unknown:
        held_capabilities.request_capability(ann, 999_999)
    assert unknown.value.fields == {"capability_id": "unknown: 999999"}
    # earned by registering for a run that teaches it counts as held too
    welding = f.capability("Welding")
    teacher = f.workshop(synths.convention, synths.host, title="Welding basics", teaches=[welding])
    [first] = fa.run(teacher, world["room"], fa.at(-3))
    f.selection(ann, teacher, status="registered", slot=first)
    db.session.commit()
    with pytest.raises(Conflict) as earned:
        held_capabilities.request_capability(ann, welding.id)
    assert earned.value.code == "capability_held"


def test_only_admins_decide_and_people_see_only_their_own(world, make_user):
    ann, admin, solder = world["ann"], world["admin"], world["solder"]
    bo = make_user(name="Bo")
    row = held_capabilities.request_capability(ann, solder.id)
    held_capabilities.request_capability(bo, solder.id)
    with pytest.raises(Forbidden):
        held_capabilities.decide_capability_request(bo, row.id, True)
    with pytest.raises(Unauthorized):
        held_capabilities.request_capability(None, solder.id)
    mine, total = held_capabilities.list_capability_requests(bo, None, 50, 0)
    assert total == 1 and mine[0].user_id == bo.id
    with pytest.raises(Forbidden):
        held_capabilities.list_capability_requests(bo, None, 50, 0, user_id=ann.id)
    everyone, total = held_capabilities.list_capability_requests(admin, "pending", 50, 0)
    assert total == 2 and [r.user_id for r in everyone] == [ann.id, bo.id]
    with pytest.raises(NotFound):
        held_capabilities.decide_capability_request(admin, 999_999, True)


# the pages -----------------------------------------------------------------------------------


def test_skills_page_asks_and_the_people_page_grants(client, world):
    ann, admin, solder, synths, slot = world["ann"], world["admin"], world["solder"], world["synths"], world["slot"]
    assert "Needs:\n    Soldering</p>" in text(client.get(f"/workshops/{synths.id}"))  # anonymous: no link
    sign_in(client, ann)
    detail = text(client.get(f"/workshops/{synths.id}"))
    assert f'Soldering (<a href="/my/skills?capability_id={solder.id}#ask-capability">ask for it</a>)' in detail
    refused = client.post(f"/workshops/{synths.id}/register", data={"event_slot_id": str(slot.id)})
    assert refused.status_code == 409
    link = f'/my/skills?capability_id={solder.id}#ask-capability'
    assert link in text(refused)
    page = text(client.get(f"/my/skills?capability_id={solder.id}"))
    assert "You hold no skill yet." in page and f'<option value="{solder.id}" selected>Soldering' in page

    blank = client.post("/my/skills/request", data={"capability_id": "", "note": ""})
    assert blank.status_code == 422 and 'id="capability_id-error">Fill this in.' in text(blank)
    asked = client.post("/my/skills/request", data={"capability_id": str(solder.id), "note": "I build kits."},
                        follow_redirects=True)
    page = text(asked)
    assert "You asked for 'Soldering'." in page and "waiting for an admin" in page
    assert f'<option value="{solder.id}"' not in page  # asked: not offered again
    twice = client.post("/my/skills/request", data={"capability_id": str(solder.id)})
    assert twice.status_code == 409 and "You asked for 'Soldering' already" in text(twice)
    client.post("/sign-out")

    sign_in(client, admin)
    people = text(client.get("/admin/people"))
    assert "1 skill request waiting" in people and "Ann</a> asks for" in people and "I build kits." in people
    assert 'aria-label="1 skill requests waiting">1</span>' in people
    [row] = db.session.scalars(sa.select(CapabilityRequest)).all()
    person = text(client.get(f"/admin/people/{ann.id}"))
    assert f'Asks for <strong>Soldering</strong>:\n      <a href="/admin/people#capability-request-{row.id}">' in person
    done = text(client.post(f"/admin/capability-requests/{row.id}/grant", data={"message": "Go ahead."},
                            follow_redirects=True))
    assert "Ann: 'Soldering' granted; they were mailed the answer." in done
    assert "No skill requests are waiting." in done
    again = text(client.post(f"/admin/capability-requests/{row.id}/refuse", follow_redirects=True))
    assert "This request was granted already." in again
    client.post("/sign-out")

    sign_in(client, ann)
    page = text(client.get("/my/skills"))
    assert "Soldering" in page and "granted by an admin" in page and "Go ahead." in page
    assert 'Soldering <span class="muted">(you hold it)</span>' in text(client.get(f"/workshops/{synths.id}"))
    assert client.post(f"/workshops/{synths.id}/register", data={"event_slot_id": str(slot.id)}).status_code == 302
    assert db.session.scalar(sa.select(Selection.status).where(Selection.user_id == ann.id)) == "registered"


def test_an_attendee_cannot_decide_from_the_page(client, world):
    ann, solder = world["ann"], world["solder"]
    row = held_capabilities.request_capability(ann, solder.id)
    db.session.commit()
    sign_in(client, ann)
    assert client.post(f"/admin/capability-requests/{row.id}/grant").status_code == 403
    assert client.get("/admin/people").status_code == 403
    assert db.session.get(CapabilityRequest, row.id).status == "pending"


# the JSON API --------------------------------------------------------------------------------


def test_request_list_and_decide_through_the_api(client, world, auth_headers):
    ann, admin, solder = world["ann"], world["admin"], world["solder"]
    as_ann, as_admin = auth_headers(ann), auth_headers(admin)
    made = client.post("/api/capability-requests", json={"capability_id": solder.id, "note": "kits"}, headers=as_ann)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["capability_name"], body["status"], body["note"], body["display_name"]) == (
        "Soldering", "pending", "kits", "Ann")
    assert client.post("/api/capability-requests", json={"capability_id": solder.id},
                       headers=as_ann).get_json()["error"]["code"] == "capability_request_pending"
    assert client.post("/api/capability-requests", json={"capability_id": "x"}, headers=as_ann).status_code == 422
    listed = client.get("/api/capability-requests?status=pending", headers=as_admin).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    assert client.post(f"/api/capability-requests/{body['id']}/decide", json={"decision": "grant"},
                       headers=as_ann).status_code == 403
    assert client.post(f"/api/capability-requests/{body['id']}/decide", json={"decision": "maybe"},
                       headers=as_admin).status_code == 422
    decided = client.post(f"/api/capability-requests/{body['id']}/decide",
                          json={"decision": "refuse", "message": "Show us first."}, headers=as_admin)
    assert decided.status_code == 200 and decided.get_json()["status"] == "refused"
    assert decided.get_json()["answer"] == "Show us first." and decided.get_json()["decided_by_id"] == admin.id
    mine = client.get("/api/capability-requests", headers=as_ann).get_json()
    assert [r["status"] for r in mine["items"]] == ["refused"]
    assert client.get("/api/capability-requests").status_code == 401
