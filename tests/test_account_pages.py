"""The account page's actions go through `page_action`: a refusal is shown beside the input it concerns, with
the service's words and status, and nothing is written; a sign-up signs a new address in (item 12, issue 12)."""
from __future__ import annotations

import html
import re

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import User

from .conftest import PASSWORD
from .test_host_pages import sign_in


def field_errors(response) -> list[str]:
    return [html.unescape(e) for e in re.findall(r'<p class="field-error">([^<]*)</p>', response.get_data(as_text=True))]


def test_refusals_stand_beside_their_inputs_and_change_nothing(client, make_user):
    eve = make_user(email="eve@example.org", name="Eve")
    make_user(email="taken@example.org")
    sign_in(client, eve)
    wrong = client.post("/account/password", data={"password-current_password": "not it",
                                                   "password-password": "a new passphrase",
                                                   "password-confirm": "a new passphrase"})
    assert wrong.status_code == 422
    assert field_errors(wrong) == ["Enter your current password to change your password or email address."]
    taken = client.post("/account/email", data={"email-email": "taken@example.org",
                                                "email-current_password": PASSWORD})
    assert taken.status_code == 409 and field_errors(taken) == ["Another account uses this address."]
    blank = client.post("/account/name", data={"profile-display_name": ""})
    assert blank.status_code == 422 and field_errors(blank) == ["This field is required."]
    db.session.expire_all()
    user = db.session.get(User, eve.id)
    assert (user.display_name, user.pending_email) == ("Eve", None)
    sign_in(client, user)  # the old password still works


def test_sign_up_signs_a_new_address_in_and_not_a_taken_one(client, make_user):
    make_user(email="taken@example.org", name="Owner")
    fresh = client.post("/register", data={"display_name": "Ada", "email": "Ada@Example.org", "password": PASSWORD})
    assert fresh.status_code == 302 and fresh.headers["Location"] == "/"
    assert "Hello Ada." in client.get("/").get_data(as_text=True)
    client.post("/sign-out")
    taken = client.post("/register", data={"display_name": "Mal", "email": "taken@example.org",
                                           "password": "another long one"})
    assert taken.status_code == 302 and taken.headers["Location"] == "/"
    assert "Hello" not in client.get("/").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
    short = client.post("/register", data={"display_name": "Bo", "email": "bo@example.org", "password": "short"})
    assert short.status_code == 422 and field_errors(short)
