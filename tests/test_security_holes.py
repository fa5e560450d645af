"""The holes of the security audit (issue 11) that concern sessions, links, races, origins, headers,
proxies and starting the server: each test failed before its fix."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import EventSlot, OutboxMessage, ScheduleRun, User, utcnow
from webapp.services.accounts import issue_api_token

from . import factories as f
from .conftest import PASSWORD
from .test_registration_concurrency import _all_at_once

NEW_PASSWORD = "a brand new passphrase"


def _sign_in(client, user, password=PASSWORD):
    response = client.post("/sign-in", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.data


def _copy_session(app, client):
    """Another browser holding a copy of `client`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _last_mail(recipient: str) -> str:
    db.session.expire_all()
    body = db.session.scalars(
        sa.select(OutboxMessage.body).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc())
    ).first()
    assert body is not None, f"no mail to {recipient}"
    return body


def _reset_token(recipient: str) -> str:
    return re.search(r"API: (\S+)", _last_mail(recipient)).group(1)


# 1. placements in one convention are judged one after another

def test_six_simultaneous_placements_of_a_one_run_workshop_place_it_once(app, make_user):
    host = make_user(roles=("host",))
    admin = make_user(roles=("admin",))
    con = f.convention()
    free = [f.slots(f.location(con, name=f"Room {i}"), count=1)[0] for i in range(6)]
    ws = f.workshop(con, host, title="Once only")
    token = issue_api_token(admin)[0]
    db.session.commit()
    results = _all_at_once(app, [("POST", f"/api/workshops/{ws.id}/assign-slot", token,
                                  {"event_slot_id": slot.id}) for slot in free])
    codes = [code for code, _ in results]
    assert codes.count(201) == 1 and set(codes) == {201, 409}, results
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSlot)
                             .where(EventSlot.workshop_id == ws.id)) == 1


def test_one_hosts_workshops_placed_at_the_same_moment_never_double_book_the_host(app, make_user):
    host = make_user(roles=("host",))
    con = f.convention()
    same_time = [f.slots(f.location(con, name=f"Room {i}"), count=1)[0] for i in range(4)]
    workshops = [f.workshop(con, host, title=f"Talk {i}") for i in range(4)]
    token = issue_api_token(host)[0]
    db.session.commit()
    results = _all_at_once(app, [("POST", f"/api/workshops/{ws.id}/assign-slot", token, {"event_slot_id": slot.id})
                                 for ws, slot in zip(workshops, same_time)])
    codes = [code for code, _ in results]
    assert codes.count(201) == 1, results
    refused = [body for code, body in results if code == 409]
    assert all("host_double_booked" in {v["code"] for v in body["error"]["fields"]["violations"]} for body in refused)


# 2. mailed links never come from the request

def test_reset_link_without_a_configured_address_ignores_the_host_header(client, make_user):
    user = make_user()
    client.post("/api/auth/password-reset", json={"email": user.email}, headers={"Host": "evil.example"})
    body = _last_mail(user.email)
    assert "evil.example" not in body
    assert "http://127.0.0.1:5000/password-reset/" in body


def _slotwise(*args, env_extra: dict, timeout=60):
    env = {k: v for k, v in os.environ.items() if k != "SLOTWISE_BASE_URL"} | env_extra
    return subprocess.run([sys.executable, "-c", "from webapp.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=timeout, env=env)


def test_serving_publicly_without_a_base_url_refuses_to_start_in_one_line(tmp_path):
    database = tmp_path / "never.db"
    done = _slotwise("serve", "--host", "0.0.0.0", "--port", "1",
                     env_extra={"DATABASE_URL": f"sqlite:///{database}"})
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLOTWISE_BASE_URL" in lines[0], done.stderr
    assert not database.exists() or database.stat().st_size == 0  # nothing touched the database


# 14. a busy port is one clear line, before the database is touched

def test_a_busy_port_is_one_line_and_touches_nothing(tmp_path):
    database = tmp_path / "never.db"
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        done = _slotwise("serve", "--port", str(port), env_extra={"DATABASE_URL": f"sqlite:///{database}"})
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "Traceback" not in done.stderr, done.stderr
    assert not database.exists() or database.stat().st_size == 0


def test_a_starting_server_leaves_a_live_run_alone_and_fails_only_a_silent_one(app, make_user):
    from worker.embedded import start_embedded_worker

    admin = make_user(roles=("admin",))
    live_con, silent_con = f.convention(name="Live"), f.convention(name="Silent")
    live = ScheduleRun(convention_id=live_con.id, requested_by_id=admin.id, status="running",
                       started_at=utcnow(), heartbeat_at=utcnow())
    silent = ScheduleRun(convention_id=silent_con.id, requested_by_id=admin.id, status="running",
                         started_at=utcnow() - timedelta(minutes=10), heartbeat_at=utcnow() - timedelta(minutes=10))
    db.session.add_all([live, silent])
    db.session.commit()
    start_embedded_worker(app)
    app.extensions["slotwise_embedded_worker"].stop(timeout=10)
    app.extensions["slotwise_stale_run_sweeper"].stop(timeout=10)
    db.session.expire_all()
    assert db.session.get(ScheduleRun, live.id).status == "running"
    assert db.session.get(ScheduleRun, silent.id).status == "failed"
    assert "stopped reporting" in db.session.get(ScheduleRun, silent.id).error_message


# 3. sessions end on sign-out and password changes

def test_a_copied_cookie_stops_working_after_sign_out(app, client, make_user):
    _sign_in(client, make_user())
    thief = _copy_session(app, client)
    assert thief.get("/api/users/me").status_code == 200
    client.post("/sign-out")
    assert thief.get("/api/users/me").status_code == 401
    assert thief.get("/my/schedule").status_code == 302  # to the sign-in page


def test_a_password_reset_ends_every_session_and_token(app, client, make_user):
    user = make_user()
    _sign_in(client, user)
    thief = _copy_session(app, client)
    token = issue_api_token(user)[0]
    db.session.commit()
    anonymous = app.test_client()
    anonymous.post("/api/auth/password-reset", json={"email": user.email})
    confirmed = anonymous.post("/api/auth/password-reset/confirm",
                               json={"token": _reset_token(user.email), "password": NEW_PASSWORD})
    assert confirmed.status_code == 200
    assert thief.get("/api/users/me").status_code == 401
    assert client.get("/my/schedule").status_code == 302
    assert anonymous.get("/api/users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions(app, client, make_user):
    user = make_user()
    mine = {"Authorization": f"Bearer {issue_api_token(user)[0]}"}
    other = {"Authorization": f"Bearer {issue_api_token(user)[0]}"}
    db.session.commit()
    _sign_in(client, user)
    browser = app.test_client()
    without = browser.put(f"/api/users/{user.id}", json={"password": NEW_PASSWORD}, headers=mine)
    assert without.status_code == 422 and without.get_json()["error"]["fields"]["current_password"]
    wrong = browser.put(f"/api/users/{user.id}", json={"password": NEW_PASSWORD, "current_password": "nope nope"},
                        headers=mine)
    assert wrong.status_code == 422
    changed = browser.put(f"/api/users/{user.id}", json={"password": NEW_PASSWORD, "current_password": PASSWORD},
                          headers=mine)
    assert changed.status_code == 200
    assert browser.get("/api/users/me", headers=mine).status_code == 200  # the token that changed it stays
    assert browser.get("/api/users/me", headers=other).status_code == 401
    assert client.get("/api/users/me").status_code == 401
    assert browser.post("/api/auth/token", json={"email": user.email, "password": NEW_PASSWORD}).status_code == 201


def test_a_new_email_applies_only_once_the_link_mailed_to_it_is_opened(app, make_user):
    user = make_user(email="ana@example.org")
    taken = make_user(email="taken@example.org")
    headers = {"Authorization": f"Bearer {issue_api_token(user)[0]}"}
    db.session.commit()
    client = app.test_client()
    assert client.put(f"/api/users/{user.id}", json={"email": "new@example.org"}, headers=headers).status_code == 422
    assert client.put(f"/api/users/{user.id}", json={"email": taken.email, "current_password": PASSWORD},
                      headers=headers).status_code == 409
    asked = client.put(f"/api/users/{user.id}", json={"email": "New@Example.org", "current_password": PASSWORD},
                       headers=headers)
    assert asked.status_code == 200
    assert asked.get_json()["email"] == "ana@example.org" and asked.get_json()["pending_email"] == "new@example.org"
    first_link = re.search(r"(http://\S+/confirm-email/(\S+))", _last_mail("new@example.org"))
    assert "new@example.org" in _last_mail("ana@example.org")  # the old address hears of it
    client.put(f"/api/users/{user.id}", json={"email": "newer@example.org", "current_password": PASSWORD},
               headers=headers)
    stale = client.post("/api/users/me/email/confirm", json={"token": first_link.group(2)})
    assert stale.status_code == 422  # replaced by the newer request
    newer = re.search(r"/confirm-email/(\S+)", _last_mail("newer@example.org")).group(1)
    page = client.get(f"/confirm-email/{newer}")
    assert page.status_code == 200 and b"Use this address" in page.data
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "ana@example.org"  # opening the page changes nothing
    confirmed = client.post(f"/confirm-email/{newer}")
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "newer@example.org"
    assert db.session.get(User, user.id).pending_email is None


def test_account_page_changes_name_and_password(app, client, make_user):
    user = make_user(name="Ana")
    _sign_in(client, user)
    phone = app.test_client()
    _sign_in(phone, user)
    page = client.get("/account")
    assert page.status_code == 200 and b"Your account" in page.data
    assert client.post("/account/name", data={"profile-display_name": "Ana Lovelace"}).status_code == 302
    wrong = client.post("/account/password", data={"password-current_password": "not it at all",
                                                   "password-password": NEW_PASSWORD,
                                                   "password-confirm": NEW_PASSWORD})
    assert wrong.status_code == 422 and b"current password" in wrong.data
    done = client.post("/account/password", data={"password-current_password": PASSWORD,
                                                  "password-password": NEW_PASSWORD,
                                                  "password-confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/api/users/me").get_json()["display_name"] == "Ana Lovelace"  # still signed in here
    assert phone.get("/api/users/me").status_code == 401  # signed out everywhere else


# 4. a reset voids every other reset link

def test_an_older_reset_link_dies_when_a_newer_one_is_used(client, make_user):
    user = make_user()
    client.post("/api/auth/password-reset", json={"email": user.email})
    older = _reset_token(user.email)
    client.post("/api/auth/password-reset", json={"email": user.email})
    newer = _reset_token(user.email)
    assert older != newer
    assert client.post("/api/auth/password-reset/confirm",
                       json={"token": newer, "password": NEW_PASSWORD}).status_code == 200
    late = client.post("/api/auth/password-reset/confirm", json={"token": older, "password": "another passphrase"})
    assert late.status_code == 422
    assert client.post("/api/auth/token", json={"email": user.email, "password": NEW_PASSWORD}).status_code == 201


# 5. a run's status changes are compare-and-set

def test_accept_and_reject_at_the_same_moment_one_wins(app, make_user):
    admin = make_user(roles=("admin",))
    token = issue_api_token(admin)[0]
    runs = []
    for i in range(4):
        con = f.convention(name=f"Con {i}")
        run = ScheduleRun(convention_id=con.id, requested_by_id=admin.id, status="succeeded", stats={})
        db.session.add(run)
        db.session.flush()
        runs.append(run.id)
    db.session.commit()
    for run_id in runs:
        results = _all_at_once(app, [("POST", f"/api/schedule-runs/{run_id}/accept", token, None),
                                     ("POST", f"/api/schedule-runs/{run_id}/reject", token, None)])
        codes = sorted(code for code, _ in results)
        assert codes == [200, 409], results
        db.session.expire_all()
        final = db.session.get(ScheduleRun, run_id).status
        winner = "accepted" if results[0][0] == 200 else "rejected"
        assert final == winner
        loser = next(body for code, body in results if code == 409)
        assert loser["error"]["code"] == "run_not_reviewable" and final in loser["error"]["message"]


# 9. cross-site writes through the cookie

def test_cookie_writes_from_another_site_are_refused(app, client, make_user):
    admin = make_user(roles=("admin",))
    con = f.convention()
    run = ScheduleRun(convention_id=con.id, requested_by_id=admin.id, status="succeeded", stats={})
    db.session.add(run)
    db.session.commit()
    _sign_in(client, admin)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for source in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {"Referer": "https://evil.example/x"}):
        refused = client.post(f"/api/schedule-runs/{run.id}/accept", headers={**form, **source})
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "cross_site_request"
        assert client.post("/api/auth/logout", headers=source).status_code == 403
        assert client.post(f"/api/conventions/{con.id}/register", headers=source).status_code == 403
    db.session.expire_all()
    assert db.session.get(ScheduleRun, run.id).status == "succeeded"
    assert client.get("/api/users/me").status_code == 200  # still signed in: the logout was refused
    same_site = client.post(f"/api/schedule-runs/{run.id}/accept", headers={"Origin": "http://localhost"})
    assert same_site.status_code == 200


def test_bearer_requests_are_not_judged_by_their_origin(client, make_user):
    user = make_user()
    con = f.convention()
    token = issue_api_token(user)[0]
    db.session.commit()
    answer = client.post(f"/api/conventions/{con.id}/register",
                         headers={"Authorization": f"Bearer {token}", "Origin": "https://app.example"})
    assert answer.status_code == 201


# 10. security headers

def test_pages_carry_security_headers_and_no_inline_script(client, make_user):
    _sign_in(client, make_user(roles=("admin",)))
    page = client.get("/conventions")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in page.headers  # plain http: HSTS would mean nothing
    html = page.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=|hx-on", html)
    secure = client.get("/conventions", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_template_has_inline_script_or_event_handlers():
    from pathlib import Path

    import webapp

    for template in (Path(webapp.__file__).parent / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        assert not re.search(r"\s(on[a-z]+|hx-on[:\w-]*)=", text), template


# 13. the client address behind a proxy

def _attempts(client, address: str, times: int) -> list[int]:
    return [client.post("/api/auth/token", json={"email": "x@example.org", "password": "wrong password"},
                        headers={"X-Forwarded-For": address}).status_code for _ in range(times)]


@pytest.mark.parametrize("proxies, separate", [(0, False), (1, True)])
def test_rate_limits_see_each_client_behind_a_trusted_proxy(make_app, proxies, separate):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN="2 per minute", TRUSTED_PROXIES=proxies)
    with app.app_context():
        client = app.test_client()
        assert _attempts(client, "203.0.113.1", 3) == [401, 401, 429]
        assert _attempts(client, "203.0.113.2", 1) == ([401] if separate else [429])
