"""Cancelling what a later registration depends on (item 9 of issue 12): cancelling a registered run that
teaches a prerequisite of a later registration lists that registration first, and cancels it too or keeps it,
as the person chooses; the rule is the service's, used by the page and the API alike."""
from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Selection
from webapp.services import attending

from . import factories as f
from . import factories_attending as fa
from .test_host_pages import sign_in


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def status(selection) -> str:
    return db.session.scalar(sa.select(Selection.status).where(Selection.id == selection.id))


@pytest.fixture
def day(make_user, host):
    """Ann is registered for Solder basics (teaches Soldering), then Synths (needs it), then Knots."""
    con = f.convention(name="Makerfest")
    room = f.location(con)
    solder = f.capability("Soldering")
    basics = f.workshop(con, host, title="Solder basics", teaches=[solder])
    synths = f.workshop(con, host, title="Synths", prerequisites=[solder])
    knots = f.workshop(con, host, title="Knots")
    runs = {w.title: fa.run(w, room, fa.at(hours))[0] for w, hours in ((basics, 0), (synths, 2), (knots, 4))}
    ann = make_user(name="Ann")
    f.registration(ann, con)
    db.session.commit()
    picks = {}
    for workshop in (basics, synths, knots):
        view, _ = attending.register_for_workshop(ann, workshop.id, runs[workshop.title].id)
        picks[workshop.title] = view.selection
    db.session.commit()
    return {"ann": ann, "solder": solder, "room": room, "con": con, "host": host, "basics": basics, **picks}


def test_the_later_registration_that_needs_the_taught_skill_is_listed(day):
    ann = day["ann"]
    [dependent] = attending.dependent_registrations(ann, day["Solder basics"].id)
    assert dependent.workshop_title == "Synths"
    assert attending.dependent_registrations(ann, day["Synths"].id) == []
    assert attending.dependent_registrations(ann, day["Knots"].id) == []


def test_nothing_depends_when_the_skill_is_held_or_taught_by_another_earlier_run(day, make_user):
    ann = day["ann"]
    fa.hold(ann, day["solder"], source="granted")
    assert attending.dependent_registrations(ann, day["Solder basics"].id) == []
    db.session.rollback()
    again = f.workshop(day["con"], day["host"], title="Solder again", teaches=[day["solder"]])
    [slot] = fa.run(again, f.location(day["con"], name="Room B"), fa.at(1))
    db.session.commit()
    attending.register_for_workshop(ann, again.id, slot.id)
    assert attending.dependent_registrations(ann, day["Solder basics"].id) == []


def test_cancel_keeps_the_dependents_unless_asked_and_then_cancels_them_too(day):
    ann = day["ann"]
    attending.cancel_selection(ann, day["Solder basics"].id)
    db.session.commit()
    assert (status(day["Solder basics"]), status(day["Synths"]), status(day["Knots"])) == (
        "cancelled", "registered", "registered")
    # registered again, then cancelled with its dependents: Synths goes too, Knots stays
    attending.register_for_workshop(ann, day["basics"].id, day["Solder basics"].event_slot_id)
    attending.cancel_selection(ann, day["Solder basics"].id, cancel_dependents=True)
    db.session.commit()
    assert (status(day["Solder basics"]), status(day["Synths"]), status(day["Knots"])) == (
        "cancelled", "cancelled", "registered")


def test_another_persons_selection_is_not_theirs_to_ask_about(day, make_user):
    from webapp.errors import Forbidden

    with pytest.raises(Forbidden):
        attending.dependent_registrations(make_user(name="Bo"), day["Solder basics"].id)


def test_the_confirm_page_lists_the_dependents_and_both_choices_work(client, day):
    sign_in(client, day["ann"])
    basics = day["Solder basics"]
    asked = text(client.post(f"/selections/{basics.id}/cancel", data={"back": "schedule"}))
    assert "Give up your seat in 'Solder basics'?" in asked
    assert f'id="dependent-{day["Synths"].id}"' in asked and "Knots" not in asked
    assert "Cancel both" in asked and "Give up only this seat" in asked
    assert status(basics) == "registered"  # asking writes nothing

    kept = text(client.post(f"/selections/{basics.id}/cancel",
                            data={"confirmed": "1", "back": "schedule", "dependents": "keep"}, follow_redirects=True))
    assert "Cancelled: Solder basics." in kept
    assert (status(basics), status(day["Synths"])) == ("cancelled", "registered")

    client.post(f"/workshops/{day['basics'].id}/register", data={"event_slot_id": str(basics.event_slot_id)})
    both = text(client.post(f"/selections/{basics.id}/cancel",
                            data={"confirmed": "1", "back": "schedule", "dependents": "cancel"}, follow_redirects=True))
    assert "Cancelled: Solder basics, and 'Synths', which needed it." in both
    assert (status(basics), status(day["Synths"]), status(day["Knots"])) == ("cancelled", "cancelled", "registered")


def test_the_htmx_question_shows_the_dependents_in_the_action_block(client, day):
    sign_in(client, day["ann"])
    basics = day["Solder basics"]
    block = text(client.post(f"/selections/{basics.id}/cancel", headers={"HX-Request": "true"}))
    assert block.strip().startswith(f'<section class="actions-block" id="workshop-{day["basics"].id}-actions"')
    assert "Synths" in block and "Cancel both" in block
    plain = text(client.post(f"/selections/{day['Knots'].id}/cancel", headers={"HX-Request": "true"}))
    assert "Give up your seat? The next person waiting gets it" in plain and "dependent" not in plain


def test_the_api_lists_dependents_and_cancels_them_with_the_flag(client, day, auth_headers):
    headers = auth_headers(day["ann"])
    basics = day["Solder basics"]
    listed = client.get(f"/api/attendees/selections/{basics.id}/dependents", headers=headers).get_json()
    assert [item["workshop_id"] for item in listed["items"]] == [day["Synths"].workshop_id]
    assert client.delete(f"/api/attendees/selections/{basics.id}?cancel_dependents=maybe",
                         headers=headers).status_code == 422
    done = client.delete(f"/api/attendees/selections/{basics.id}?cancel_dependents=true", headers=headers)
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    assert (status(day["Synths"]), status(day["Knots"])) == ("cancelled", "registered")
