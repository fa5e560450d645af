"""Single sign-on end to end: Slotwise against a real OpenID Connect provider over HTTP (tests/oidc_provider.py).

Nothing in Authlib is mocked: Slotwise fetches the discovery document, exchanges the code at /token,
fetches the JWKS and checks the id_token signature, issuer, audience and nonce itself.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import OAuthIdentity, User

from .conftest import PASSWORD
from .oidc_provider import Identity, OIDCProvider, generate_signing_key

CLIENT_ID = "slotwise-test-client"
CLIENT_SECRET = "provider-shared-secret"
CALLBACK_PATH = "/sign-in/oidc/callback"

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def signing_key():
    return generate_signing_key()  # RSA generation costs ~0.1 s: once per module is enough


@pytest.fixture
def provider(signing_key):
    with OIDCProvider(CLIENT_ID, CLIENT_SECRET, signing_key=signing_key) as running:
        yield running


@pytest.fixture
def make_sso_app(app, make_app, provider):
    """Slotwise apps configured for the provider. They share the database of the `app` fixture,
    whose context the test runs in and whose teardown empties every table."""

    def factory(client_secret: str = CLIENT_SECRET):
        return make_app(
            OIDC_DISCOVERY_URL=provider.discovery_url,
            OIDC_CLIENT_ID=CLIENT_ID,
            OIDC_CLIENT_SECRET=client_secret,
        )

    return factory


@pytest.fixture
def sso_client(make_sso_app):
    return make_sso_app().test_client()


def go_to_provider(client, provider):
    """Slotwise's redirect to the provider, then the provider's answer fetched over HTTP."""
    start = client.get("/sign-in/oidc")
    assert start.status_code == 302
    authorize_url = start.headers["Location"]
    assert authorize_url.startswith(f"{provider.issuer}/authorize?")
    at_provider = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert (back.scheme, back.netloc, back.path) == ("http", "localhost", CALLBACK_PATH)
    return authorize_url, back


def sign_in_via_provider(client, provider, **get_kwargs):
    _, back = go_to_provider(client, provider)
    return client.get(f"{back.path}?{back.query}", **get_kwargs)


def me(client):
    return client.get("/api/users/me")


def all_rows(model):
    db.session.commit()  # end any read snapshot, so rows written by the requests are visible
    return db.session.scalars(sa.select(model).order_by(model.id)).all()


def assert_failed_back_on_sign_in(response, message: str, client) -> None:
    assert response.status_code == 200
    assert response.request.path == "/sign-in"
    assert message in response.get_data(as_text=True)
    assert me(client).status_code == 401


def test_sign_in_page_offers_single_sign_on(sso_client):
    page = sso_client.get("/sign-in").get_data(as_text=True)
    assert 'href="/sign-in/oidc"' in page


def test_first_sign_in_creates_user_and_identity(sso_client, provider):
    provider.next_identity = Identity(sub="alice-0001", email="Alice@Example.org", name="Alice Liddell")

    authorize_url, back = go_to_provider(sso_client, provider)
    asked = parse_qs(urlsplit(authorize_url).query)
    assert asked["client_id"] == [CLIENT_ID]
    assert asked["response_type"] == ["code"]
    assert set(asked["scope"][0].split()) == {"openid", "email", "profile"}
    assert asked["redirect_uri"] == [f"http://localhost{CALLBACK_PATH}"]
    assert asked["nonce"][0] and asked["state"][0]
    assert parse_qs(back.query)["state"] == asked["state"]
    assert me(sso_client).status_code == 401  # nothing happens before the callback

    landed = sso_client.get(f"{back.path}?{back.query}")
    assert landed.status_code == 302
    assert urlsplit(landed.headers["Location"]).path == "/"

    # Slotwise really exchanged the code, with its own credentials and the same redirect URI.
    assert len(provider.token_requests) == 1
    exchange = provider.token_requests[0]
    assert exchange["client_id"] == CLIENT_ID
    assert exchange["code"] == parse_qs(back.query)["code"][0]
    assert exchange["redirect_uri"] == f"http://localhost{CALLBACK_PATH}"

    response = me(sso_client)
    assert response.status_code == 200
    body = response.get_json()
    assert body["email"] == "alice@example.org"
    assert body["display_name"] == "Alice Liddell"
    assert body["roles"] == ["attendee"]

    (identity,) = all_rows(OAuthIdentity)
    assert (identity.provider, identity.subject, identity.user_id) == (provider.issuer, "alice-0001", body["id"])
    (user,) = all_rows(User)
    assert user.password_hash is None  # no password that anybody could guess


def test_second_sign_in_reuses_the_user(make_sso_app, provider):
    provider.next_identity = Identity(sub="bob-42", email="bob@example.org", name="Bob")
    first = make_sso_app().test_client()
    assert sign_in_via_provider(first, provider).status_code == 302
    first_id = me(first).get_json()["id"]

    # Another browser, and the provider now reports a new address: the subject decides who it is.
    provider.next_identity = Identity(sub="bob-42", email="robert@example.org", name="Robert")
    second = make_sso_app().test_client()
    assert sign_in_via_provider(second, provider).status_code == 302
    again = me(second).get_json()
    assert again["id"] == first_id
    assert again["email"] == "bob@example.org"

    assert len(all_rows(User)) == 1
    assert len(all_rows(OAuthIdentity)) == 1
    assert provider.issued_codes == 2


def test_signed_out_user_signs_in_again_with_the_same_account(sso_client, provider):
    provider.next_identity = Identity(sub="dora-7", email="dora@example.org", name="Dora")
    sign_in_via_provider(sso_client, provider)
    user_id = me(sso_client).get_json()["id"]
    sso_client.post("/sign-out")
    assert me(sso_client).status_code == 401

    sign_in_via_provider(sso_client, provider)
    assert me(sso_client).get_json()["id"] == user_id


def test_verified_email_links_to_the_existing_password_account(sso_client, provider, make_user):
    existing = make_user(email="erin@example.org", name="Erin")
    provider.next_identity = Identity(sub="erin-sso", email="ERIN@example.org", name="Erin SSO")

    sign_in_via_provider(sso_client, provider)

    assert me(sso_client).get_json()["id"] == existing.id
    assert [(i.user_id, i.subject) for i in all_rows(OAuthIdentity)] == [(existing.id, "erin-sso")]
    # The password still works next to the new identity.
    assert sso_client.post("/api/auth/token", json={"email": "erin@example.org", "password": PASSWORD}).status_code == 201


def test_unverified_email_does_not_take_over_a_password_account(sso_client, provider, make_user):
    existing = make_user(email="carol@example.org", name="Carol")
    provider.next_identity = Identity(sub="mallory", email="carol@example.org", name="Mallory", email_verified=False)

    response = sign_in_via_provider(sso_client, provider, follow_redirects=True)

    assert_failed_back_on_sign_in(response, "did not share a verified email address", sso_client)
    assert all_rows(OAuthIdentity) == []
    assert [u.id for u in all_rows(User)] == [existing.id]


def test_denied_authorization_signs_nobody_in(sso_client, provider):
    provider.deny = True

    response = sign_in_via_provider(sso_client, provider, follow_redirects=True)

    assert_failed_back_on_sign_in(response, "Single sign-on failed: The user said no.", sso_client)
    assert provider.token_requests == []
    assert all_rows(User) == []


def test_wrong_client_secret_signs_nobody_in(make_sso_app, provider):
    client = make_sso_app(client_secret="not-the-shared-secret").test_client()
    provider.next_identity = Identity(sub="frank", email="frank@example.org", name="Frank")

    response = sign_in_via_provider(client, provider, follow_redirects=True)

    assert_failed_back_on_sign_in(response, "Single sign-on failed: Client authentication failed.", client)
    assert len(provider.token_requests) == 1  # it did try, and the provider refused
    assert all_rows(User) == []


def test_callback_from_another_browser_is_refused(make_sso_app, provider):
    """Login CSRF: a code obtained by someone else must not sign this browser in."""
    provider.next_identity = Identity(sub="attacker", email="attacker@example.org", name="Attacker")
    attacker = make_sso_app().test_client()
    _, back = go_to_provider(attacker, provider)

    victim = make_sso_app().test_client()
    response = victim.get(f"{back.path}?{back.query}", follow_redirects=True)

    assert_failed_back_on_sign_in(response, "Single sign-on failed", victim)
    assert provider.token_requests == []
    assert all_rows(User) == []


def test_id_token_with_a_foreign_nonce_is_refused(sso_client, provider):
    """A replayed id_token (its nonce from another sign-in) must not sign anybody in."""
    provider.next_identity = Identity(sub="grace", email="grace@example.org", name="Grace")
    provider.id_token_nonce = "nonce-of-some-other-sign-in"

    response = sign_in_via_provider(sso_client, provider, follow_redirects=True)

    assert_failed_back_on_sign_in(response, "Single sign-on failed", sso_client)
    assert all_rows(User) == []


def test_id_token_signed_with_an_unpublished_key_is_refused(sso_client, provider):
    provider.next_identity = Identity(sub="heidi", email="heidi@example.org", name="Heidi")
    provider.forging_key = generate_signing_key()  # same kid, different key: only the signature tells

    response = sign_in_via_provider(sso_client, provider, follow_redirects=True)

    assert_failed_back_on_sign_in(response, "Single sign-on failed", sso_client)
    assert all_rows(User) == []
