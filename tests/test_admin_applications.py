"""The host applications inbox: admins are mailed about new applications, see them on a page with a count
in the navigation, and approve or reject with a note the applicant receives (page and API alike)."""
from __future__ import annotations

import html

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import HostApplication, OutboxMessage, User

from . import factories as f
from .test_host_pages import sign_in


def mails_to(email: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == email)
                                   .order_by(OutboxMessage.id)))


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_every_admin_is_mailed_about_a_new_application(client, auth_headers, make_user):
    first = make_user(roles=("admin",), email="root@example.org")
    second = make_user(roles=("admin", "host"), email="ops@example.org")
    bystander = make_user(roles=("host",), email="hana@example.org")
    ann = make_user(email="ann@example.org", name="Ann Applicant")
    con = f.convention(name="Makerfest")
    db.session.commit()

    response = client.post("/api/hosts/apply", json={"convention_id": con.id, "motivation": "Knots for years."},
                           headers=auth_headers(ann))
    assert response.status_code == 201
    for admin in (first, second):
        [mail] = mails_to(admin.email)
        assert mail.subject == "New host application from Ann Applicant"
        assert "ann@example.org" in mail.body and "Makerfest" in mail.body and "Knots for years." in mail.body
    assert mails_to(bystander.email) == [] and mails_to(ann.email) == []


def test_inbox_lists_pending_applications_with_a_count_in_the_navigation(client, make_user):
    admin = make_user(roles=("admin",))
    con = f.convention(name="Makerfest")
    ann, bo = make_user(name="Ann"), make_user(name="Bo")
    db.session.add_all([
        HostApplication(user_id=ann.id, convention_id=con.id, motivation="I teach knots"),
        HostApplication(user_id=bo.id, convention_id=None, motivation="Origami"),
        HostApplication(user_id=make_user(name="Cy").id, status="rejected", motivation="old"),
    ])
    db.session.commit()
    sign_in(client, admin)

    page = page_text(client.get("/admin/host-applications"))
    assert "Host applications <small>(2 waiting)</small>" in page
    assert 'aria-label="2 waiting">2</span>' in page  # the navigation's count
    assert "I teach knots" in page and "Makerfest" in page and ann.email in page
    assert "Origami" in page and "any convention" in page
    assert "Cy" not in page  # reviewed applications are not in the inbox


def test_approve_from_the_page_with_a_note(client, make_user):
    admin = make_user(roles=("admin",))
    ann = make_user(name="Ann", email="ann@example.org")
    application = HostApplication(user_id=ann.id, motivation="knots")
    db.session.add(application)
    db.session.commit()
    sign_in(client, admin)

    response = client.post(f"/admin/host-applications/{application.id}/approve",
                           data={"message": "Welcome aboard: room B is yours."}, follow_redirects=True)
    assert response.status_code == 200
    page = page_text(response)
    assert "Ann is a host now; they were mailed the answer." in page
    assert "No applications are waiting." in page and 'class="count"' not in page  # no count left
    assert db.session.get(User, ann.id).has_role("host")
    [mail] = mails_to("ann@example.org")
    assert "approved" in mail.body and "Welcome aboard: room B is yours." in mail.body

    # a second admin's click on the same application: said plainly, nothing changes
    again = page_text(client.post(f"/admin/host-applications/{application.id}/reject", follow_redirects=True))
    assert "This application was approved already." in again and 'class="flashes flash-errors"' in again
    assert db.session.get(HostApplication, application.id).status == "approved"
    assert len(mails_to("ann@example.org")) == 1


def test_reject_through_the_api_with_a_note_and_without_one(client, auth_headers, make_user):
    admin = make_user(roles=("admin",))
    ann, bo = make_user(email="ann@example.org"), make_user(email="bo@example.org")
    first, second = HostApplication(user_id=ann.id), HostApplication(user_id=bo.id)
    db.session.add_all([first, second])
    db.session.commit()

    response = client.post(f"/api/hosts/{first.id}/reject", json={"message": "Full programme this year."},
                           headers=auth_headers(admin))
    assert response.status_code == 200 and response.get_json()["status"] == "rejected"
    assert "Full programme this year." in mails_to("ann@example.org")[0].body
    response = client.post(f"/api/hosts/{second.id}/reject", headers=auth_headers(admin))
    assert response.status_code == 200
    assert "note from the admin" not in mails_to("bo@example.org")[0].body
    too_long = client.post(f"/api/hosts/{second.id}/approve", json={"message": "x" * 5001}, headers=auth_headers(admin))
    assert too_long.status_code == 422 and "message" in too_long.get_json()["error"]["fields"]


def test_only_admins_open_or_use_the_inbox(client, make_user):
    host = make_user(roles=("host",))
    ann = make_user()
    application = HostApplication(user_id=ann.id)
    db.session.add(application)
    db.session.commit()
    sign_in(client, host)
    assert client.get("/admin/host-applications").status_code == 403
    assert client.post(f"/admin/host-applications/{application.id}/approve").status_code == 403
    assert db.session.get(HostApplication, application.id).status == "pending"
    assert "Host applications" not in page_text(client.get("/"))
