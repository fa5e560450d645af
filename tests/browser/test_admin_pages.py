"""Admins in a real browser: the host applications inbox (item 1 of issue 12)."""
from __future__ import annotations

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
