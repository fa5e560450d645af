"""Admins in a real browser: the host applications inbox (item 1 of issue 12)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from webapp.extensions import db
from webapp.models import OutboxMessage, User

from .. import factories as f
from ..conftest import PASSWORD
from .test_sign_in import sign_in


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("header")).to_contain_text("Sign in")


def test_an_application_reaches_the_admins_inbox_and_is_approved_with_a_note(page: Page, make_user):
    f.convention(name="Makerfest")
    db.session.commit()
    admin = make_user(roles=("admin",), name="Root", email="root@example.org")
    ann = make_user(name="Ann", email="ann@example.org")

    sign_in(page, ann.email, PASSWORD)
    page.get_by_role("link", name="Become a host").click()
    page.get_by_label("Convention").select_option(label="Makerfest")
    page.get_by_label("Motivation").fill("I have taught knots for years.")
    page.get_by_role("button", name="Apply to host").click()
    expect(page.locator("#host-application")).to_contain_text("your application is pending")
    sign_out(page)

    sign_in(page, admin.email, PASSWORD)
    nav_link = page.locator("#nav-host-applications")
    expect(nav_link.locator(".count")).to_have_text("1")
    nav_link.click()
    application = page.locator("article.application")
    expect(application).to_have_count(1)
    expect(application).to_contain_text("Ann")
    expect(application).to_contain_text("ann@example.org")
    expect(application).to_contain_text("Makerfest")
    expect(application.locator(".motivation")).to_have_text("I have taught knots for years.")

    application.get_by_label("Note to Ann (optional)").fill("Welcome! Room B has the big tables.")
    application.get_by_role("button", name="Approve").click()
    expect(page.locator(".flashes")).to_have_text("Ann is a host now; they were mailed the answer.")
    expect(page.locator("#no-applications")).to_be_visible()
    expect(nav_link.locator(".count")).to_have_count(0)

    db.session.commit()
    assert db.session.get(User, ann.id).has_role("host")
    to_admin = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == admin.email)).one()
    assert "I have taught knots for years." in to_admin.body
    to_ann = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == ann.email)).one()
    assert "approved" in to_ann.body and "Room B has the big tables." in to_ann.body


def test_an_admin_rejects_an_application_without_a_note(page: Page, make_user):
    from webapp.models import HostApplication

    admin = make_user(roles=("admin",))
    bo = make_user(name="Bo", email="bo@example.org")
    db.session.add(HostApplication(user_id=bo.id, motivation="Origami"))
    db.session.commit()

    sign_in(page, admin.email, PASSWORD)
    page.get_by_role("link", name="Host applications").click()
    page.locator("article.application").get_by_role("button", name="Reject").click()
    expect(page.locator(".flashes")).to_have_text("Bo's application was rejected; they were mailed the answer.")
    db.session.commit()
    assert not db.session.get(User, bo.id).has_role("host")
    assert db.session.scalar(sa.select(HostApplication.status)) == "rejected"


HOW_TO_PAY = "Bank transfer to IBAN DE00 1234, your name as reference."


def test_attendee_reads_how_to_pay_and_an_admin_marks_paid_cancels_and_downloads(page: Page, make_user):
    from webapp.models import ConventionRegistration

    con = f.convention(name="Makerfest", fee="20")
    db.session.commit()
    admin = make_user(roles=("admin",), name="Root")
    ann = make_user(name="Ann", email="ann@example.org")
    bo = make_user(name="Bo", email="bo@example.org")
    f.registration(bo, con, "pending_payment")
    db.session.commit()

    # the admin writes how to pay on the convention's page
    sign_in(page, admin.email, PASSWORD)
    page.goto(f"/conventions/{con.id}")
    page.locator("#edit-convention summary").click()
    page.get_by_label("How to pay the fee").fill(HOW_TO_PAY)
    page.get_by_role("button", name="Save convention").click()
    expect(page.locator(".flashes")).to_have_text("Convention saved.")
    sign_out(page)

    # Ann reads it beside the fee before registering, and again while her payment is pending
    sign_in(page, ann.email, PASSWORD)
    page.goto(f"/conventions/{con.id}/workshops")
    block = page.locator(f"#convention-{con.id}-registration")
    expect(block).to_contain_text("fee 20.00, paid afterwards")
    expect(block.locator(".payment-instructions")).to_have_text(HOW_TO_PAY)
    block.get_by_role("button", name="Register for the convention").click()
    expect(page.locator("#pending-payment")).to_contain_text("waits for payment of the fee (20.00)")
    expect(page.locator("#pending-payment .payment-instructions")).to_have_text(HOW_TO_PAY)
    page.get_by_role("link", name="My schedule").click()
    expect(page.locator(f"#pending-registration-{con.id} .payment-instructions")).to_have_text(HOW_TO_PAY)
    sign_out(page)

    # the admin sees both waiting, marks Ann paid, cancels Bo after a confirm step, downloads the CSV
    sign_in(page, admin.email, PASSWORD)
    page.goto(f"/conventions/{con.id}")
    page.get_by_role("link", name="Registrations and payments").click()
    expect(page.locator('[data-count="pending_payment"]')).to_have_text("2")
    page.get_by_label("Status", exact=True).select_option(label="waiting for payment")
    page.get_by_label("Search name, email or payment reference").fill("ann")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("#registration-rows tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_label("Payment reference for Ann").fill("BANK-101")
    rows.first.get_by_role("button", name="Mark paid").click()
    expect(page.locator(".flashes")).to_have_text("Ann has paid (reference BANK-101) and is registered.")
    expect(page.locator('[data-count="registered"]')).to_have_text("1")
    expect(page.locator("#no-registrations")).to_have_text("No registration matches.")  # the filter stays

    page.get_by_label("Search name, email or payment reference").fill("")
    page.get_by_role("button", name="Show").click()
    page.locator(f"#registration-{bo.id}").get_by_role("link", name="Cancel…").click()
    expect(page.locator("#confirm-cancel h1")).to_have_text("Cancel Bo's registration?")
    page.get_by_role("button", name="Cancel the registration").click()
    expect(page.locator(".flashes")).to_have_text("Bo's registration is cancelled; they were mailed.")
    expect(page.locator('[data-count="cancelled"]')).to_have_text("1")

    page.get_by_label("Status", exact=True).select_option(label="all")
    page.get_by_role("button", name="Show").click()
    with page.expect_download() as download_info:
        page.locator("#csv-download").click()
    rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [("Ann", "registered", "BANK-101"), ("Bo", "cancelled", "")]
    db.session.commit()
    assert db.session.scalar(sa.select(ConventionRegistration.payment_reference).filter_by(user_id=ann.id)) == "BANK-101"


def test_an_admin_finds_a_person_makes_them_host_and_grants_a_capability(page: Page, make_user):
    from webapp.models import UserCapability

    con = f.convention(name="Makerfest")
    solder = f.capability("Soldering")
    db.session.commit()
    admin = make_user(roles=("admin",), name="Root")
    ann = make_user(name="Ann Archer", email="ann@example.org")
    make_user(name="Bo Baker")
    f.registration(ann, con, "registered")
    db.session.commit()

    sign_in(page, admin.email, PASSWORD)
    page.get_by_role("link", name="People").click()
    page.get_by_label("Search name or email").fill("archer")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#people-rows tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Ann Archer").click()
    expect(page.locator("#person-registrations")).to_contain_text("Makerfest")

    page.locator("#roles").get_by_label("host").check()
    page.get_by_role("button", name="Save roles").click()
    expect(page.locator(".flashes")).to_have_text("Ann Archer's roles saved: host.")
    expect(page.locator("#roles").get_by_label("host")).to_be_checked()

    page.locator("#capabilities").get_by_label("Grant").select_option(label="Soldering")
    page.locator("#capabilities").get_by_role("button", name="Grant").click()
    expect(page.locator(".flashes")).to_have_text("Capability granted.")
    expect(page.locator(f"#capability-{solder.id}")).to_contain_text("granted")

    db.session.commit()
    assert db.session.get(User, ann.id).has_role("host")
    assert db.session.get(UserCapability, (ann.id, solder.id)).source == "granted"
