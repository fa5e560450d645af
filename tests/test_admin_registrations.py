"""A convention's registrations and payments for admins (item 2 of issue 12): counts, status filter and search;
mark paid with a reference; cancel after a confirm step; CSV download; and the convention's "how to pay" text
shown to attendees with the fee before they register and while their payment is pending."""
from __future__ import annotations

import csv
import html
import io
from datetime import datetime, timezone

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import ConventionRegistration, OutboxMessage, Selection
from webapp.services import registration
from webapp.services.registration_export import registrations_csv

from . import factories as f
from .test_host_pages import sign_in

HOW_TO_PAY = "Bank transfer to IBAN DE00 1234, with your name as reference."


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def people(make_user):
    """A paid convention and four people in each registration status."""
    con = f.convention(name="Makerfest", fee="20", tz="Europe/Berlin")
    con.payment_instructions = HOW_TO_PAY
    ann = make_user(name="Ann Archer", email="ann@example.org")
    bo = make_user(name="Bo Baker", email="bo@example.org")
    cy = make_user(name="Cy Cooper", email="cy@example.org")
    dan = make_user(name="Dan Drake", email="dan@example.org")
    f.registration(ann, con, "pending_payment")
    paid = f.registration(bo, con, "registered")
    paid.payment_reference = "BANK-77"
    f.registration(cy, con, "cancelled")
    f.registration(dan, con, "signed_up")
    db.session.commit()
    return con, (ann, bo, cy, dan)


def test_counts_status_filter_and_search(app, make_user, admin):
    con, (ann, bo, cy, dan) = people(make_user)
    assert registration.registration_counts(admin, con.id) == {
        "signed_up": 1, "pending_payment": 1, "registered": 1, "cancelled": 1}

    def names(**filters):
        views, total = registration.search_registrations(admin, con.id, limit=50, offset=0, **filters)
        assert total == len(views)
        return [v.user.display_name for v in views]

    assert names() == ["Ann Archer", "Bo Baker", "Cy Cooper", "Dan Drake"]
    assert names(status="pending_payment") == ["Ann Archer"]
    assert names(q="bank-7") == ["Bo Baker"]  # by payment reference
    assert names(q="DAN@") == ["Dan Drake"]  # by email, any case
    assert names(q="cooper") == ["Cy Cooper"]
    assert names(q="50%") == []  # % is a character to find, not a wildcard


def test_the_page_lists_counts_and_filters(client, make_user, admin):
    con, _ = people(make_user)
    sign_in(client, admin)
    page = page_text(client.get(f"/admin/conventions/{con.id}/registrations"))
    assert '<span data-count="all">4</span>' in page and '<span data-count="pending_payment">1</span>' in page
    assert all(name in page for name in ("Ann Archer", "Bo Baker", "Cy Cooper", "Dan Drake"))
    filtered = page_text(client.get(f"/admin/conventions/{con.id}/registrations?status=registered&q=bo"))
    assert "Bo Baker" in filtered and "BANK-77" in filtered and "Ann Archer" not in filtered
    nothing = page_text(client.get(f"/admin/conventions/{con.id}/registrations?q=nobody"))
    assert "No registration matches." in nothing


def test_mark_paid_records_the_reference_and_mails_the_person(client, make_user, admin):
    con, (ann, *_) = people(make_user)
    sign_in(client, admin)
    url = f"/admin/conventions/{con.id}/registrations/{ann.id}/paid"

    blank = page_text(client.post(url, data={"payment_reference": "  ", "status": "pending_payment"},
                                  follow_redirects=True))
    assert "Payment reference: Fill this in." in blank
    assert db.session.scalar(sa.select(ConventionRegistration.status).filter_by(user_id=ann.id)) == "pending_payment"

    done = client.post(url, data={"payment_reference": "BANK-101", "status": "pending_payment"})
    assert done.status_code == 302 and "status=pending_payment" in done.headers["Location"]  # back to the same filter
    row = db.session.scalar(sa.select(ConventionRegistration).filter_by(user_id=ann.id))
    assert (row.status, row.payment_reference) == ("registered", "BANK-101")
    mail = db.session.scalar(sa.select(OutboxMessage).filter_by(recipient="ann@example.org"))
    assert "BANK-101" in mail.body and "complete" in mail.body
    again = page_text(client.get(done.headers["Location"]))
    assert "Ann Archer has paid (reference BANK-101) and is registered." in again


def test_cancel_asks_first_then_cancels_workshop_places_and_mails(client, make_user, admin, host):
    con, (ann, *_) = people(make_user)
    ws = f.workshop(con, host, title="Knots")
    other = f.workshop(con, host, title="Origami")
    f.selection(ann, ws, "registered", slot=f.slots(f.location(con), 1)[0])
    f.selection(ann, other, "interested")
    db.session.commit()
    sign_in(client, admin)

    confirm = page_text(client.get(f"/admin/conventions/{con.id}/registrations/{ann.id}/cancel"))
    assert "Cancel Ann Archer's registration?" in confirm and "Their 2 workshop places" in confirm
    assert db.session.scalar(sa.select(ConventionRegistration.status).filter_by(user_id=ann.id)) == "pending_payment"

    client.post(f"/admin/conventions/{con.id}/registrations/{ann.id}/cancel")
    assert db.session.scalar(sa.select(ConventionRegistration.status).filter_by(user_id=ann.id)) == "cancelled"
    assert set(db.session.scalars(sa.select(Selection.status).filter_by(user_id=ann.id))) == {"cancelled"}
    mail = db.session.scalar(sa.select(OutboxMessage).filter_by(recipient="ann@example.org"))
    assert mail.subject == "Your registration for Makerfest was cancelled"


def test_csv_holds_every_matching_registration_in_local_time(app, make_user, admin):
    con, (ann, bo, cy, dan) = people(make_user)
    evil = make_user(name="=HYPERLINK(\"x\")", email="eve@example.org")
    reg = f.registration(evil, con, "pending_payment")
    reg.created_at = datetime(2027, 4, 1, 8, 30, tzinfo=timezone.utc)
    db.session.commit()

    rows = list(csv.reader(io.StringIO(registrations_csv(admin, con.id))))
    assert rows[0] == ["name", "email", "status", "payment_reference", "registered_at"]
    assert len(rows) == 6
    eve = next(r for r in rows if r[1] == "eve@example.org")
    assert eve[0] == "'=HYPERLINK(\"x\")"  # a spreadsheet shows it, never runs it
    assert eve[4] == "2027-04-01 10:30"  # Europe/Berlin, summer time
    pending = list(csv.reader(io.StringIO(registrations_csv(admin, con.id, status="pending_payment"))))
    assert sorted(r[1] for r in pending[1:]) == ["ann@example.org", "eve@example.org"]


def test_csv_download_and_the_pages_are_for_admins_only(client, make_user, admin):
    con, (ann, *_) = people(make_user)
    sign_in(client, ann)
    for url in (f"/admin/conventions/{con.id}/registrations", f"/admin/conventions/{con.id}/registrations.csv",
                f"/admin/conventions/{con.id}/registrations/{ann.id}/cancel"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/admin/conventions/{con.id}/registrations/{ann.id}/paid",
                       data={"payment_reference": "self-paid"}).status_code == 403
    client.post("/sign-out")
    sign_in(client, admin)
    response = client.get(f"/admin/conventions/{con.id}/registrations.csv?status=registered")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).splitlines()[1].startswith("Bo Baker,bo@example.org,registered,BANK-77,")


def test_payment_instructions_through_the_api(client, auth_headers, admin):
    created = client.post("/api/conventions", headers=auth_headers(admin), json={
        "name": "Paid con", "start_date": "2027-05-01", "end_date": "2027-05-02", "registration_fee": "15",
        "payment_instructions": HOW_TO_PAY})
    assert created.status_code == 201 and created.get_json()["payment_instructions"] == HOW_TO_PAY
    con_id = created.get_json()["id"]
    changed = client.put(f"/api/conventions/{con_id}", headers=auth_headers(admin),
                         json={"payment_instructions": "Pay at the door."})
    assert changed.get_json()["payment_instructions"] == "Pay at the door."
    assert client.get(f"/api/conventions/{con_id}", headers=auth_headers(admin)).get_json()[
        "payment_instructions"] == "Pay at the door."


def test_attendees_see_how_to_pay_before_registering_and_while_pending(client, make_user):
    con = f.convention(name="Makerfest", fee="20")
    con.payment_instructions = HOW_TO_PAY
    db.session.commit()
    ann = make_user(name="Ann")
    sign_in(client, ann)
    before = page_text(client.get(f"/conventions/{con.id}/workshops"))
    assert "Register for the convention" in before and "fee 20.00" in before and HOW_TO_PAY in before

    client.post(f"/conventions/{con.id}/attend")
    pending = page_text(client.get(f"/conventions/{con.id}/workshops"))
    assert "waits for payment of the fee (20.00)" in pending and HOW_TO_PAY in pending
    schedule = page_text(client.get("/my/schedule"))
    assert "Makerfest: payment pending" in schedule and HOW_TO_PAY in schedule
