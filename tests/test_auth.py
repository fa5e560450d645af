"""Accounts: sign-up, tokens, sign-out, password reset, pages and rate limits."""
import re
from datetime import timedelta

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import ApiToken, OutboxMessage, PasswordResetToken, User, utcnow

from .conftest import PASSWORD


def _register(client, email="ana@example.org", password="long enough pw", name="Ana"):
    return client.post("/api/users/register", json={"email": email, "password": password, "display_name": name})


def _reset_token_from_outbox(recipient: str) -> str:
    message = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, "no reset mail in the outbox"
    return re.search(r"API: (\S+)", message.body).group(1)


def test_register_creates_an_attendee_with_a_hashed_password(client):
    assert _register(client).status_code == 202
    user = db.session.scalar(sa.select(User).where(User.email == "ana@example.org"))
    assert user.roles == ["attendee"]
    assert user.password_hash.startswith("$argon2")
    assert "long enough pw" not in user.password_hash


def test_register_does_not_reveal_a_taken_address(client, make_user):
    user = make_user(email="taken@example.org")
    fresh = _register(client, email="fresh@example.org")
    taken = _register(client, email="TAKEN@example.org")
    assert taken.status_code == fresh.status_code == 202
    assert taken.get_json() == fresh.get_json()
    mails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == user.email)).all()
    assert len(mails) == 1 and "already has one" in mails[0].body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == "taken@example.org")) == 1


def test_wrong_password_and_unknown_address_answer_alike(client, make_user):
    user = make_user()
    wrong = client.post("/api/auth/token", json={"email": user.email, "password": "not the password"})
    unknown = client.post("/api/auth/token", json={"email": "nobody@example.org", "password": "whatever123"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["error"]["code"] == "invalid_credentials"


def test_token_is_stored_hashed_and_expires(client, make_user, token_for):
    user = make_user()
    token = token_for(user)
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.token_hash != token and len(row.token_hash) == 64
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/users/me", headers=headers).status_code == 200
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = client.get("/api/users/me", headers=headers)
    assert expired.status_code == 401
    assert expired.get_json()["error"]["code"] == "unauthorized"


def test_logout_revokes_the_token(client, make_user, token_for):
    user = make_user()
    token = token_for(user)
    other = token_for(user)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/auth/logout", headers=headers).status_code == 200
    assert client.get("/api/users/me", headers=headers).status_code == 401
    assert client.get("/api/users/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_garbage_bearer_token_is_unauthorized(client):
    response = client.get("/api/users/me", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401


def test_password_reset_works_once(client, make_user):
    user = make_user(email="reset@example.org")
    assert client.post("/api/auth/password-reset", json={"email": user.email}).status_code == 202
    token = _reset_token_from_outbox(user.email)
    old_api_token = client.post("/api/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()
    done = client.post("/api/auth/password-reset/confirm", json={"token": token, "password": "brand new secret"})
    assert done.status_code == 200, done.get_json()
    assert client.post("/api/auth/token", json={"email": user.email, "password": PASSWORD}).status_code == 401
    assert client.post("/api/auth/token", json={"email": user.email, "password": "brand new secret"}).status_code == 201
    # a reset revokes the tokens issued with the old password
    me = client.get("/api/users/me", headers={"Authorization": f"Bearer {old_api_token['access_token']}"})
    assert me.status_code == 401
    again = client.post("/api/auth/password-reset/confirm", json={"token": token, "password": "another secret"})
    assert again.status_code == 422
    assert again.get_json()["error"]["code"] == "invalid_reset_token"


def test_expired_reset_token_is_refused(client, make_user):
    user = make_user()
    client.post("/api/auth/password-reset", json={"email": user.email})
    token = _reset_token_from_outbox(user.email)
    row = db.session.scalar(sa.select(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post("/api/auth/password-reset/confirm", json={"token": token, "password": "brand new secret"})
    assert response.status_code == 422


def test_tampered_reset_token_is_refused(client, make_user):
    user = make_user()
    client.post("/api/auth/password-reset", json={"email": user.email})
    token = _reset_token_from_outbox(user.email)
    response = client.post("/api/auth/password-reset/confirm", json={"token": token[:-2] + "xx", "password": "new secret!"})
    assert response.status_code == 422


def test_reset_for_unknown_address_looks_the_same_and_sends_nothing(client):
    response = client.post("/api/auth/password-reset", json={"email": "nobody@example.org"})
    assert response.status_code == 202
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_sign_in_page_starts_a_session_and_sign_out_ends_it(client, make_user):
    user = make_user(name="Ana Page")
    wrong = client.post("/sign-in", data={"email": user.email, "password": "wrong password"})
    assert wrong.status_code == 200 and b"Wrong email or password" in wrong.data
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD}, follow_redirects=True)
    assert b"Hello Ana Page" in response.data
    assert client.get("/api/users/me").get_json()["email"] == user.email
    client.post("/sign-out")
    assert client.get("/api/users/me").status_code == 401


def test_sign_in_redirect_stays_on_this_site(client, make_user):
    user = make_user()
    response = client.post("/sign-in?next=https://evil.example/", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_session_cookie_is_http_only_and_secure_by_default(make_app, make_user):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        user = make_user()
        response = app.test_client().post("/sign-in", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_forms_need_a_csrf_token(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = make_user()
        response = app.test_client().post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert b"CSRF" in response.data


def test_token_endpoint_is_rate_limited(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN="3 per minute")
    with app.app_context():
        user = make_user()
        client = app.test_client()
        codes = [client.post("/api/auth/token", json={"email": user.email, "password": "wrong one"}).status_code
                 for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        limited = client.post("/api/auth/token", json={"email": user.email, "password": PASSWORD})
        assert limited.status_code == 429
        assert limited.get_json()["error"]["code"] == "rate_limited"


def test_reset_link_uses_the_configured_address_not_the_host_header(make_app, make_user):
    app = make_app(SLOTWISE_BASE_URL="https://con.example.org/")
    with app.app_context():
        user = make_user()
        app.test_client().post("/api/auth/password-reset", json={"email": user.email},
                               headers={"Host": "evil.example"})
        body = db.session.scalar(sa.select(OutboxMessage.body).where(OutboxMessage.recipient == user.email))
    assert "https://con.example.org/password-reset/" in body
    assert "evil.example" not in body


def test_untrusted_host_is_refused_when_trusted_hosts_are_set(make_app):
    app = make_app(TRUSTED_HOSTS=["con.example.org"])
    with app.app_context():
        assert app.test_client().get("/sign-in", headers={"Host": "evil.example"}).status_code == 400
        assert app.test_client().get("/sign-in", headers={"Host": "con.example.org"}).status_code == 200
