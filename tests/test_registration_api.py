"""Convention registration: free and paid sign-up, completion by admins and by the signed webhook,
cancelling (with the workshop selections), attendee lists and their permissions."""
import hashlib
import hmac
import json

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import ConventionRegistration, OutboxMessage, Selection

from . import factories as f
from .query_count import count_queries
from . import factories_attending as fa

SECRET = "webhook-test-secret"


def _assert_error(response, status):
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]


def _registration(user, con):
    db.session.expire_all()
    return db.session.scalar(sa.select(ConventionRegistration).where(
        ConventionRegistration.user_id == user.id, ConventionRegistration.convention_id == con.id))


# registering ----------------------------------------------------------------------------------


def test_free_convention_registers_at_once_and_twice_answers_the_same(client, make_user, auth_headers):
    user = make_user()
    con = f.convention(fee="0")
    headers = auth_headers(user)
    first = client.post(f"/api/conventions/{con.id}/register", headers=headers)
    assert first.status_code == 201
    body = first.get_json()
    assert body["status"] == "registered" and body["user_id"] == user.id and body["convention_id"] == con.id
    assert body["created_at"].endswith("+00:00")
    again = client.post(f"/api/conventions/{con.id}/register", headers=headers)
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConventionRegistration)) == 1


def test_paid_convention_waits_for_payment(client, make_user, auth_headers):
    user = make_user()
    con = f.convention(fee="25.50")
    response = client.post(f"/api/conventions/{con.id}/register", headers=auth_headers(user))
    assert response.status_code == 201 and response.get_json()["status"] == "pending_payment"
    assert _registration(user, con).payment_reference is None


@pytest.mark.parametrize("status,code", [("closed", 409), ("draft", 404)])
def test_only_open_conventions_take_registrations(client, make_user, auth_headers, status, code):
    user = make_user()
    con = f.convention(status=status)
    _assert_error(client.post(f"/api/conventions/{con.id}/register", headers=auth_headers(user)), code)
    assert _registration(user, con) is None


def test_admin_gets_409_not_404_for_a_draft(client, make_user, auth_headers):
    con = f.convention(status="draft")
    error = _assert_error(client.post(f"/api/conventions/{con.id}/register", headers=auth_headers(make_user(roles=("admin",)))), 409)
    assert error["code"] == "convention_not_open"


def test_register_needs_sign_in_and_a_real_convention(client, make_user, auth_headers):
    con = f.convention()
    _assert_error(client.post(f"/api/conventions/{con.id}/register"), 401)
    _assert_error(client.post("/api/conventions/999999/register", headers=auth_headers(make_user())), 404)


def test_cancelled_registration_may_register_again(client, make_user, auth_headers):
    user = make_user()
    con = f.convention(fee="10")
    f.registration(user, con, status="cancelled")
    response = client.post(f"/api/conventions/{con.id}/register", headers=auth_headers(user))
    assert response.status_code == 201 and response.get_json()["status"] == "pending_payment"


# completing -----------------------------------------------------------------------------------


def test_admin_completes_someone_elses_registration(client, make_user, auth_headers):
    admin, user = make_user(roles=("admin",)), make_user()
    con = f.convention(fee="10")
    f.registration(user, con, status="pending_payment")
    response = client.post(f"/api/conventions/{con.id}/complete-registration", headers=auth_headers(admin),
                           json={"payment_reference": "PAY-123", "user_id": user.id})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "registered"
    row = _registration(user, con)
    assert (row.status, row.payment_reference) == ("registered", "PAY-123")


@pytest.mark.parametrize("roles", [("attendee",), ("host",)])
def test_only_admins_complete_registrations(client, make_user, auth_headers, roles):
    user = make_user(roles=roles)
    con = f.convention(fee="10")
    f.registration(user, con, status="pending_payment")
    body = {"payment_reference": "mine"}
    _assert_error(client.post(f"/api/conventions/{con.id}/complete-registration", json=body), 401)
    _assert_error(client.post(f"/api/conventions/{con.id}/complete-registration", json=body, headers=auth_headers(user)), 403)
    assert _registration(user, con).status == "pending_payment"


def test_complete_registration_conflicts_and_bad_ids(client, make_user, auth_headers):
    admin, user, other = make_user(roles=("admin",)), make_user(), make_user()
    con = f.convention(fee="10")
    f.registration(user, con, status="registered").payment_reference = "PAY-1"
    f.registration(other, con, status="cancelled")
    headers = auth_headers(admin)
    url = f"/api/conventions/{con.id}/complete-registration"
    assert client.post(url, headers=headers, json={"payment_reference": "PAY-1", "user_id": user.id}).status_code == 200
    assert _assert_error(client.post(url, headers=headers, json={"payment_reference": "PAY-2", "user_id": user.id}),
                  409)["code"] == "already_registered"
    assert _assert_error(client.post(url, headers=headers, json={"payment_reference": "X", "user_id": other.id}),
                  409)["code"] == "registration_cancelled"
    assert _assert_error(client.post(url, headers=headers, json={"payment_reference": "X", "user_id": 987654}),
                  422)["fields"] == {"user_id": "unknown: 987654"}
    assert _assert_error(client.post(url, headers=headers, json={"payment_reference": "X"}), 404)["code"] == "no_registration"
    assert "payment_reference" in _assert_error(client.post(url, headers=headers, json={"user_id": user.id}), 422)["fields"]
    assert "payment_reference" in _assert_error(
        client.post(url, headers=headers, json={"payment_reference": "x" * 201, "user_id": user.id}), 422)["fields"]
    _assert_error(client.post(url, headers=headers, data=b"{nope", content_type="application/json"), 400)
    _assert_error(client.post("/api/conventions/424242/complete-registration", headers=headers,
                       json={"payment_reference": "X", "user_id": user.id}), 404)
    assert _registration(user, con).payment_reference == "PAY-1"


# the payment webhook --------------------------------------------------------------------------


def _signed(payload: dict, secret: str = SECRET) -> tuple[bytes, dict]:
    raw = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Slotwise-Signature": signature, "Content-Type": "application/json"}


def test_webhook_with_a_good_signature_completes_and_is_idempotent(app, client, make_user):
    app.config["PAYMENT_WEBHOOK_SECRET"] = SECRET
    user = make_user()
    con = f.convention(fee="10")
    f.registration(user, con, status="pending_payment")
    raw, headers = _signed({"convention_id": con.id, "user_id": user.id, "payment_reference": "ch_42"})
    response = client.post("/api/payments/webhook", data=raw, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "registered"
    assert _registration(user, con).payment_reference == "ch_42"
    assert client.post("/api/payments/webhook", data=raw, headers=headers).status_code == 200  # provider retry


@pytest.mark.parametrize("signature", [None, "", "sha256=", "sha256=" + "0" * 64, "md5=abc",
                                       "signed-with-another-secret"])
def test_webhook_with_a_missing_or_wrong_signature_is_401(app, client, make_user, signature):
    app.config["PAYMENT_WEBHOOK_SECRET"] = SECRET
    user = make_user()
    con = f.convention(fee="10")
    f.registration(user, con, status="pending_payment")
    raw, headers = _signed({"convention_id": con.id, "user_id": user.id, "payment_reference": "ch_42"},
                           secret="another-secret")
    if signature is None:
        del headers["X-Slotwise-Signature"]
    elif signature != "signed-with-another-secret":
        headers["X-Slotwise-Signature"] = signature
    _assert_error(client.post("/api/payments/webhook", data=raw, headers=headers), 401)
    assert _registration(user, con).status == "pending_payment"


def test_webhook_signature_covers_the_exact_body(app, client, make_user):
    app.config["PAYMENT_WEBHOOK_SECRET"] = SECRET
    user = make_user()
    con = f.convention(fee="10")
    f.registration(user, con, status="pending_payment")
    raw, headers = _signed({"convention_id": con.id, "user_id": user.id, "payment_reference": "ch_1"})
    tampered = raw.replace(b"ch_1", b"ch_2")
    _assert_error(client.post("/api/payments/webhook", data=tampered, headers=headers), 401)
    assert _registration(user, con).status == "pending_payment"


def test_webhook_is_404_when_no_secret_is_configured(app, client, make_user):
    app.config["PAYMENT_WEBHOOK_SECRET"] = None
    raw, headers = _signed({"convention_id": 1, "user_id": 1, "payment_reference": "x"})
    _assert_error(client.post("/api/payments/webhook", data=raw, headers=headers), 404)


def test_webhook_validates_a_signed_body(app, client, make_user):
    app.config["PAYMENT_WEBHOOK_SECRET"] = SECRET
    user = make_user()
    con = f.convention(fee="10")
    raw, headers = _signed({"convention_id": 777777, "user_id": 888888, "payment_reference": "x"})
    assert _assert_error(client.post("/api/payments/webhook", data=raw, headers=headers), 422)["fields"] == {
        "convention_id": "unknown: 777777", "user_id": "unknown: 888888"}
    raw, headers = _signed({"convention_id": con.id, "user_id": user.id})
    assert "payment_reference" in _assert_error(client.post("/api/payments/webhook", data=raw, headers=headers), 422)["fields"]
    raw, headers = _signed({"convention_id": con.id, "user_id": user.id, "payment_reference": "x"})
    assert _assert_error(client.post("/api/payments/webhook", data=raw, headers=headers), 409)["code"] == "no_registration"
    raw = b"[not json"
    headers["X-Slotwise-Signature"] = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    _assert_error(client.post("/api/payments/webhook", data=raw, headers=headers), 400)


# cancelling -----------------------------------------------------------------------------------


def test_cancel_registration_cancels_selections_and_promotes_the_waitlist(client, make_user, auth_headers):
    host, leaver, waiting, bystander = make_user(roles=("host",)), make_user(), make_user(), make_user()
    con = f.convention()
    other_con = f.convention(name="Elsewhere")
    room = f.location(con, capacity=30)
    ws = f.workshop(con, host, title="Knots", max_attendees=1)
    other_ws = f.workshop(con, host, title="Loops")
    elsewhere = f.workshop(other_con, host, title="Far away")
    first = fa.run(ws, room, fa.at(0))[0]
    for person in (leaver, waiting, bystander):
        f.registration(person, con)
    f.registration(leaver, other_con)
    seat = f.selection(leaver, ws, status="registered", slot=first)
    queued = f.selection(waiting, ws, status="waitlisted", slot=first)
    queued.queued_at = fa.at(-5)
    interest = f.selection(leaver, other_ws, status="interested")
    kept = f.selection(leaver, elsewhere, status="interested")
    response = client.post(f"/api/conventions/{con.id}/cancel-registration", headers=auth_headers(leaver))
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    db.session.expire_all()
    assert db.session.get(Selection, seat.id).status == "cancelled"
    assert db.session.get(Selection, interest.id).status == "cancelled"
    assert db.session.get(Selection, kept.id).status == "interested"  # another convention
    assert db.session.get(Selection, queued.id).status == "registered"
    assert db.session.scalar(sa.select(OutboxMessage.recipient).where(OutboxMessage.subject.contains("Knots"))) \
        == waiting.email
    again = client.post(f"/api/conventions/{con.id}/cancel-registration", headers=auth_headers(leaver))
    assert again.status_code == 200 and again.get_json()["status"] == "cancelled"
    assert _registration(bystander, con).status == "registered"


def test_cancel_without_registration_is_404(client, make_user, auth_headers):
    con = f.convention()
    _assert_error(client.post(f"/api/conventions/{con.id}/cancel-registration"), 401)
    assert _assert_error(client.post(f"/api/conventions/{con.id}/cancel-registration", headers=auth_headers(make_user())),
                  404)["code"] == "no_registration"


# lists ----------------------------------------------------------------------------------------


def test_convention_attendees_by_role(client, make_user, auth_headers):
    admin = make_user(roles=("admin",))
    host, cohost, other_host = make_user(roles=("host",)), make_user(roles=("host",)), make_user(roles=("host",))
    attendee = make_user(name="Zed")
    mine, cohosted_guest, elsewhere, pending = (make_user(name=n) for n in ("Ann", "Bob", "Cy", "Dee"))
    con = f.convention(fee="5")
    own_ws = f.workshop(con, host, title="Own")
    cohosted = f.workshop(con, other_host, title="Shared", cohosts=[cohost])
    foreign = f.workshop(con, other_host, title="Foreign")
    for person in (mine, cohosted_guest, elsewhere, attendee):
        f.registration(person, con).payment_reference = "REF"
    f.registration(pending, con, status="pending_payment")
    f.selection(mine, own_ws, status="registered")
    f.selection(cohosted_guest, cohosted, status="waitlisted")
    f.selection(elsewhere, foreign, status="registered")
    f.selection(attendee, own_ws, status="cancelled")
    url = f"/api/conventions/{con.id}/attendees"

    everyone = client.get(url, headers=auth_headers(admin)).get_json()
    assert everyone["total"] == 5
    assert [i["display_name"] for i in everyone["items"]] == ["Ann", "Bob", "Cy", "Dee", "Zed"]
    assert {i["display_name"]: i["status"] for i in everyone["items"]}["Dee"] == "pending_payment"
    assert everyone["items"][0]["payment_reference"] == "REF"
    only_pending = client.get(url + "?status=pending_payment", headers=auth_headers(admin)).get_json()
    assert [i["display_name"] for i in only_pending["items"]] == ["Dee"]

    hosted = client.get(url, headers=auth_headers(host)).get_json()
    assert [i["display_name"] for i in hosted["items"]] == ["Ann"] and hosted["total"] == 1
    assert hosted["items"][0]["payment_reference"] is None
    assert [i["display_name"] for i in client.get(url, headers=auth_headers(cohost)).get_json()["items"]] == ["Bob"]
    assert {i["display_name"] for i in client.get(url, headers=auth_headers(other_host)).get_json()["items"]} \
        == {"Bob", "Cy"}
    _assert_error(client.get(url, headers=auth_headers(attendee)), 403)
    _assert_error(client.get(url), 401)
    _assert_error(client.get("/api/conventions/55555/attendees", headers=auth_headers(admin)), 404)
    assert "status" in _assert_error(client.get(url + "?status=paid", headers=auth_headers(admin)), 422)["fields"]
    assert "limit" in _assert_error(client.get(url + "?limit=0", headers=auth_headers(admin)), 422)["fields"]
    paged = client.get(url + "?limit=2&offset=1", headers=auth_headers(admin)).get_json()
    assert [i["display_name"] for i in paged["items"]] == ["Bob", "Cy"] and paged["total"] == 5


def test_my_conventions_lists_only_mine(client, make_user, auth_headers):
    me, someone = make_user(), make_user()
    spring = f.convention(name="Spring", start=fa.at(0).date(), fee="12.5")
    autumn = f.convention(name="Autumn", start=fa.at(24 * 100).date())
    f.registration(me, autumn, status="registered")
    f.registration(me, spring, status="pending_payment")
    f.registration(someone, spring)
    body = client.get("/api/attendees/my-conventions", headers=auth_headers(me)).get_json()
    assert body["total"] == 2
    assert [(i["convention"]["name"], i["status"]) for i in body["items"]] == [
        ("Spring", "pending_payment"), ("Autumn", "registered")]
    assert body["items"][0]["convention"]["registration_fee"] == "12.50"
    assert all(i["user_id"] == me.id for i in body["items"])
    _assert_error(client.get("/api/attendees/my-conventions"), 401)


# queries do not grow with rows ----------------------------------------------------------------




def _count_queries(client, url, headers) -> int:
    with count_queries() as counter:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_json()
    return counter.count


def test_registration_lists_use_a_constant_number_of_queries(client, make_user, auth_headers):
    admin, host = make_user(roles=("admin",)), make_user(roles=("host",))
    cons = [f.convention(name=f"Con {i}") for i in range(6)]
    ws = f.workshop(cons[0], host)
    headers, host_headers = auth_headers(admin), auth_headers(host)
    people = [make_user() for _ in range(8)]

    def add(count):
        for person in people[:count]:
            if _registration(person, cons[0]) is None:
                f.registration(person, cons[0])
                f.selection(person, ws, status="registered")
        for con in cons[:count]:
            if _registration(admin, con) is None:
                f.registration(admin, con)

    add(1)
    url = f"/api/conventions/{cons[0].id}/attendees"
    few = (_count_queries(client, url, headers), _count_queries(client, url, host_headers),
           _count_queries(client, "/api/attendees/my-conventions", headers))
    add(8)
    many = (_count_queries(client, url, headers), _count_queries(client, url, host_headers),
            _count_queries(client, "/api/attendees/my-conventions", headers))
    assert client.get(url, headers=headers).get_json()["total"] == 9
    assert client.get("/api/attendees/my-conventions", headers=headers).get_json()["total"] == 6
    assert many == few
