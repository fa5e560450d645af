"""Pages act through one path (webapp/pages.py) and read forms one way (webapp/forms.py): reads never
commit, a refused action writes nothing, and the same mistake reads the same on every page."""
from __future__ import annotations

import pytest
from flask import has_request_context, request
import sqlalchemy as sa
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.models import Capability, ScheduleRun

from . import factories as f
from . import factories_attending as fa
from .conftest import PASSWORD

HX = {"HX-Request": "true"}


def sign_in(client, user) -> None:
    assert client.post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 302


@pytest.fixture
def commits():
    """The requests during which a session committed (the test client commits around each request to
    share the test's data; those commits are outside any request and do not count)."""
    seen = []

    def count(session):
        if has_request_context():
            seen.append(f"{request.method} {request.path}")

    sa.event.listen(Session, "after_commit", count)
    yield seen
    sa.event.remove(Session, "after_commit", count)


def test_no_page_read_commits(client, make_user, commits):
    admin = make_user(roles=("admin",))
    host = make_user(roles=("host",))
    con = f.convention()
    room = f.location(con)
    ws = f.workshop(con, host)
    slot = fa.run(ws, room, fa.at(0))[0]
    run = ScheduleRun(convention_id=con.id, requested_by_id=admin.id, status="running", parameters={})
    db.session.add(run)
    db.session.commit()
    sign_in(client, admin)
    commits.clear()
    pages = ["/", "/conventions", f"/conventions/{con.id}", f"/conventions/{con.id}/schedule",
             f"/conventions/{con.id}/schedule/slots/{slot.id}", f"/conventions/{con.id}/auto-schedule",
             f"/schedule-runs/{run.id}", f"/conventions/{con.id}/workshops", f"/workshops/{ws.id}", "/my/schedule",
             "/host/workshops", f"/host/workshops/{ws.id}/edit", f"/host/workshops/{ws.id}/attendees",
             "/capabilities", "/admin/outbox"]
    statuses = {page: client.get(page).status_code for page in pages}
    assert statuses == {page: 200 for page in pages}
    assert commits == []


def test_a_whole_number_mistake_reads_the_same_on_every_page(client, make_user):
    admin = make_user(roles=("admin",))
    con = f.convention()
    db.session.commit()
    sign_in(client, admin)
    refused = {
        "capacity": client.post(f"/conventions/{con.id}/locations", data={"name": "Hall", "capacity": "many"}),
        "max_attendees": client.post("/host/workshops", data={"convention_id": con.id, "title": "Knots",
                                                              "max_attendees": "many"}),
        "seed": client.post(f"/conventions/{con.id}/auto-schedule", data={"time_limit_seconds": "2", "seed": "many"}),
        "rank": client.post(f"/workshops/{f.workshop(con, admin).id}/interest", data={"rank": "many"}),
    }
    for name, response in refused.items():
        assert response.status_code == 422, name
        assert "Enter a whole number." in response.get_data(as_text=True), name
    assert db.session.scalar(sa.select(sa.func.count(ScheduleRun.id))) == 0


def test_a_refused_action_rolls_back_and_shows_the_form_again(client, make_user):
    admin = make_user(roles=("admin",))
    f.capability(name="Soldering")
    db.session.commit()
    sign_in(client, admin)
    response = client.post("/capabilities", data={"name": "Soldering", "description": "again"}, headers=HX)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "already a capability named" in page and "again" in page  # the message, and what was typed kept
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Capability.id))) == 1
