"""Accounts through the pages, as a person would use them: sign up, sign in, sign out, reset a password."""
from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from webapp.extensions import db
from webapp.models import OutboxMessage

from ..conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase"


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def expect_signed_in_as(page: Page, name: str) -> None:
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(page.locator("main")).to_contain_text(f"Hello {name}.")
    expect(page.locator("header .who")).to_have_text(name)


def expect_signed_out(page: Page) -> None:
    page.goto("/")
    expect(page.locator("header")).to_contain_text("Sign in")
    expect(page.locator("header .who")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Hello")


def test_signing_up_signs_you_in_and_a_taken_address_reads_the_same(page: Page, make_user):
    page.goto("/")
    page.get_by_role("link", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/register$"))
    page.get_by_label("Name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("Ada@Example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect_signed_in_as(page, "Ada Lovelace")  # no second step: the new account is signed in
    expect(page.locator(".flashes")).to_have_text("Check your mail: we sent a message to ada@example.org.")
    expect(page.locator("main")).to_contain_text("signed in as attendee")
    db.session.commit()
    welcome = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == "ada@example.org")).one()
    assert welcome.subject == "Welcome to Slotwise"

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator(".flashes")).to_contain_text("Signed out.")
    expect_signed_out(page)

    # someone else tries the same address: the same words on the same page, nobody signed in, the owner told
    page.goto("/register")
    page.get_by_label("Name").fill("Mallory")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill("another long password")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(page.locator(".flashes")).to_have_text("Check your mail: we sent a message to ada@example.org.")
    expect(page.locator("header .who")).to_have_count(0)
    db.session.commit()
    subjects = db.session.scalars(sa.select(OutboxMessage.subject).where(
        OutboxMessage.recipient == "ada@example.org").order_by(OutboxMessage.id)).all()
    assert subjects == ["Welcome to Slotwise", "Someone tried to sign up with your address"]

    sign_in(page, "ada@example.org", PASSWORD)  # the first password still holds; Mallory's does not
    expect_signed_in_as(page, "Ada Lovelace")


def test_wrong_password_shows_the_error_and_signs_nobody_in(page: Page, make_user):
    user = make_user(email="bea@example.org", name="Bea")

    sign_in(page, user.email, "not the password at all")

    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator(".field-error")).to_have_text("Wrong email or password.")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    expect_signed_out(page)

    # The account itself is fine: the right password still gets in.
    sign_in(page, user.email, PASSWORD)
    expect_signed_in_as(page, "Bea")


def test_form_post_without_the_csrf_token_is_refused(page: Page, make_user):
    """The live server runs with CSRF protection on; a forged cross-site post must not sign in."""
    user = make_user(email="cal@example.org", name="Cal")

    response = page.request.post("/sign-in", form={"email": user.email, "password": PASSWORD})

    assert response.status == 400
    expect_signed_out(page)


def reset_link_from_outbox(recipient: str) -> str:
    db.session.commit()  # end any read snapshot, so the mail written by the server is visible
    messages = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == recipient)).all()
    assert [m.subject for m in messages] == ["Reset your Slotwise password"]
    links = re.findall(r"https?://\S+/password-reset/\S+", messages[0].body)
    assert len(links) == 1, messages[0].body
    return links[0]


def test_password_reset_through_the_pages(page: Page, make_user, live_server):
    user = make_user(email="dee@example.org", name="Dee")

    page.goto("/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("dee@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator(".flashes")).to_contain_text("a reset link is on its way")

    link = reset_link_from_outbox(user.email)
    assert link.startswith(f"{live_server}/password-reset/")  # the server's configured address

    page.goto(link)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat it").fill("a different passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".field-error")).to_have_text("The two do not match.")

    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat it").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator(".flashes")).to_contain_text("Password changed")

    sign_in(page, user.email, PASSWORD)
    expect(page.locator(".field-error")).to_have_text("Wrong email or password.")

    sign_in(page, user.email, NEW_PASSWORD)
    expect_signed_in_as(page, "Dee")

    # The link works once only.
    page.goto(link)
    page.get_by_label("New password").fill("yet another passphrase")
    page.get_by_label("Repeat it").fill("yet another passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".field-error")).to_contain_text("already used")


def test_account_page_changes_name_and_password_and_nothing_breaks_the_security_policy(page: Page, make_user):
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    make_user(email="eve@example.org", name="Eve", password=PASSWORD)
    sign_in(page, "eve@example.org", PASSWORD)
    expect_signed_in_as(page, "Eve")
    page.locator("header .who").click()
    expect(page.locator("h1")).to_have_text("Your account")

    page.get_by_label("Name").fill("Eve Online")
    page.get_by_role("button", name="Save name").click()
    expect(page.locator(".flashes")).to_contain_text("Your name is saved")
    expect(page.locator("header .who")).to_have_text("Eve Online")

    page.get_by_label("Current password").first.fill("not my password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat it").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".field-error")).to_contain_text("current password")

    page.get_by_label("Current password").first.fill(PASSWORD)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat it").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".flashes")).to_contain_text("Your password is changed")

    # the address: refused without the current password, then changed once the mailed link is opened
    page.get_by_label("New email address").fill("eve@example.net")
    page.locator("#email-current_password").fill("not my password")
    page.get_by_role("button", name="Send a confirmation link").click()
    expect(page.locator(".field-error")).to_contain_text("current password")
    page.get_by_label("New email address").fill("eve@example.net")
    page.locator("#email-current_password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Send a confirmation link").click()
    expect(page.locator(".flashes")).to_have_text(
        "We sent a link to eve@example.net. Your address changes once you open it.")
    db.session.commit()
    mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == "eve@example.net")).one()
    page.goto(re.search(r"https?://\S+/confirm-email/\S+", mail.body).group(0))
    page.get_by_role("button", name="Use this address for my account").click()
    expect(page.locator(".flashes")).to_have_text("Your address is now eve@example.net.")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "eve@example.net", NEW_PASSWORD)
    expect_signed_in_as(page, "Eve Online")
    assert refused == []
