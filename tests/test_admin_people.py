"""People for admins (item 3 of issue 12): search; one person's roles, capabilities, registrations and workshops;
roles changed and capabilities granted or taken back from the page and through the API, by admins only."""
from __future__ import annotations

import html

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import User, UserCapability
from webapp.services import attending, held_capabilities

from . import factories as f
from .test_host_pages import sign_in


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_search_finds_people_by_name_or_email(client, make_user, admin):
    make_user(name="Ann Archer", email="ann@example.org", roles=("host",))
    make_user(name="Bo Baker", email="bo@makers.test")
    sign_in(client, admin)
    everyone = page_text(client.get("/admin/people"))
    assert "Ann Archer" in everyone and "Bo Baker" in everyone
    by_name = page_text(client.get("/admin/people?q=archer"))
    assert "Ann Archer" in by_name and "Bo Baker" not in by_name and "<td>host</td>" in by_name
    by_email = page_text(client.get("/admin/people?q=makers.test"))
    assert "Bo Baker" in by_email and "Ann Archer" not in by_email
    assert "Nobody matches “zed”." in page_text(client.get("/admin/people?q=zed"))


def test_a_person_page_shows_roles_capabilities_registrations_and_workshops(client, make_user, admin, host):
    con = f.convention(name="Makerfest")
    ann = make_user(name="Ann", roles=("host",))
    f.workshop(con, ann, title="Knots 101")
    origami = f.workshop(con, host, title="Origami")
    f.registration(ann, con, "pending_payment")
    f.selection(ann, origami, "interested")
    solder = f.capability("Soldering")
    db.session.add(UserCapability(user_id=ann.id, capability_id=solder.id, source="declared"))
    db.session.commit()
    sign_in(client, admin)
    page = page_text(client.get(f"/admin/people/{ann.id}"))
    assert 'value="host" checked' in page and 'value="admin" >' in page
    assert "Soldering" in page and "declared by Ann" in page
    assert "Makerfest" in page and "pending payment" in page
    assert "Knots 101" in page and "Origami" in page and "interested" in page
    assert f'<option value="{solder.id}">Soldering' not in page  # held: not offered again


def test_roles_change_from_the_page_and_the_last_admin_stays(client, make_user, admin):
    ann = make_user(name="Ann")
    sign_in(client, admin)
    saved = page_text(client.post(f"/admin/people/{ann.id}/roles", data={"roles": ["host", "admin"]},
                                  follow_redirects=True))
    assert "Ann's roles saved: admin, host." in saved
    assert db.session.get(User, ann.id).roles == ["admin", "attendee", "host"]
    client.post(f"/admin/people/{ann.id}/roles", data={})
    assert db.session.get(User, ann.id).roles == ["attendee"]
    refused = page_text(client.post(f"/admin/people/{admin.id}/roles", data={"roles": ["host"]}, follow_redirects=True))
    assert "This is the last admin; make someone else admin first." in refused
    assert db.session.get(User, admin.id).is_admin


def test_grant_and_take_back_a_capability(client, make_user, admin):
    ann = make_user(name="Ann")
    solder = f.capability("Soldering")
    db.session.commit()
    sign_in(client, admin)
    page = page_text(client.post(f"/admin/people/{ann.id}/capabilities", data={"capability_id": str(solder.id)},
                                 follow_redirects=True))
    assert "Capability granted." in page and "granted" in page
    [view] = attending.user_capabilities(admin, ann.id)
    assert (view.capability.name, view.source) == ("Soldering", "granted")
    page = page_text(client.post(f"/admin/people/{ann.id}/capabilities/{solder.id}/revoke", follow_redirects=True))
    assert "Capability taken back." in page and "None yet." in page
    again = page_text(client.post(f"/admin/people/{ann.id}/capabilities/{solder.id}/revoke", follow_redirects=True))
    assert "there is no grant to take back" in again


def test_granting_is_idempotent_and_overrides_a_declaration(app, make_user, admin):
    ann = make_user()
    solder = f.capability("Soldering")
    db.session.add(UserCapability(user_id=ann.id, capability_id=solder.id, source="declared"))
    db.session.commit()
    held_capabilities.grant_capability(admin, ann.id, solder.id)
    held_capabilities.grant_capability(admin, ann.id, solder.id)
    rows = db.session.scalars(sa.select(UserCapability)).all()
    assert [(r.user_id, r.source) for r in rows] == [(ann.id, "granted")]


def test_capability_grants_through_the_api(client, auth_headers, make_user, admin):
    ann = make_user()
    solder = f.capability("Soldering")
    db.session.commit()
    response = client.post(f"/api/attendees/{ann.id}/capabilities", json={"capability_id": solder.id},
                           headers=auth_headers(admin))
    assert response.status_code == 201
    assert [(c["name"], c["source"]) for c in response.get_json()["items"]] == [("Soldering", "granted")]
    assert client.post(f"/api/attendees/{ann.id}/capabilities", json={"capability_id": 99999},
                       headers=auth_headers(admin)).status_code == 404
    assert client.post(f"/api/attendees/{ann.id}/capabilities", json={"capability_id": solder.id},
                       headers=auth_headers(ann)).status_code == 403
    assert client.delete(f"/api/attendees/{ann.id}/capabilities/{solder.id}", headers=auth_headers(ann)).status_code == 403
    assert client.delete(f"/api/attendees/{ann.id}/capabilities/{solder.id}",
                         headers=auth_headers(admin)).status_code == 204
    assert client.delete(f"/api/attendees/{ann.id}/capabilities/{solder.id}",
                         headers=auth_headers(admin)).status_code == 409


def test_people_pages_are_for_admins_only(client, make_user):
    host = make_user(roles=("host",))
    ann = make_user()
    solder = f.capability("Soldering")
    db.session.commit()
    sign_in(client, host)
    assert client.get("/admin/people").status_code == 403
    assert client.get(f"/admin/people/{ann.id}").status_code == 403
    assert client.post(f"/admin/people/{host.id}/roles", data={"roles": ["admin"]}).status_code == 403
    assert client.post(f"/admin/people/{ann.id}/capabilities", data={"capability_id": solder.id}).status_code == 403
    assert not db.session.get(User, host.id).is_admin
    assert db.session.scalars(sa.select(UserCapability)).all() == []
