"""Malformed, missing, wrong-typed and oversized input gets 400/413/422 in the error shape, never 500."""
import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import User


def _assert_error_shape(response, status):
    assert response.status_code == status, response.data[:300]
    body = response.get_json()
    assert set(body) == {"error"}
    assert isinstance(body["error"]["code"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe", b"", b"null", b'"a string"'])
def test_malformed_json_is_400(client, raw):
    response = client.post("/api/users/register", data=raw, content_type="application/json")
    _assert_error_shape(response, 400)


def test_wrong_content_type_is_400(client):
    response = client.post("/api/users/register", data="email=a@b.c", content_type="application/x-www-form-urlencoded")
    assert _assert_error_shape(response, 400)["code"] == "malformed"


def test_missing_fields_are_named(client):
    error = _assert_error_shape(client.post("/api/users/register", json={"email": "a@example.org"}), 422)
    assert set(error["fields"]) == {"password", "display_name"}


@pytest.mark.parametrize(
    "body,field",
    [
        ({"email": 42, "password": "long enough pw", "display_name": "A"}, "email"),
        ({"email": "a@example.org", "password": ["x"], "display_name": "A"}, "password"),
        ({"email": "a@example.org", "password": "long enough pw", "display_name": None}, "display_name"),
        ({"email": "not-an-address", "password": "long enough pw", "display_name": "A"}, "email"),
        ({"email": "a@example.org", "password": "short", "display_name": "A"}, "password"),
        ({"email": "a@example.org", "password": "long enough pw", "display_name": "A", "admin": True}, "admin"),
    ],
)
def test_wrong_typed_or_invalid_fields_are_422(client, body, field):
    error = _assert_error_shape(client.post("/api/users/register", json=body), 422)
    assert field in error["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_oversized_strings_are_422(client):
    body = {"email": "a@example.org", "password": "long enough pw", "display_name": "x" * 101}
    assert "display_name" in _assert_error_shape(client.post("/api/users/register", json=body), 422)["fields"]
    body = {"email": "a@example.org", "password": "p" * 129, "display_name": "A"}
    assert "password" in _assert_error_shape(client.post("/api/users/register", json=body), 422)["fields"]


def test_oversized_body_is_413(client):
    huge = b'{"email": "' + b"a" * 1_100_000 + b'"}'
    assert _assert_error_shape(
        client.post("/api/users/register", data=huge, content_type="application/json"), 413
    )["code"] == "body_too_large"


def test_unknown_api_path_and_method_answer_json(client):
    assert _assert_error_shape(client.get("/api/no-such-thing"), 404)["code"] == "not_found"
    assert _assert_error_shape(client.delete("/api/users/register"), 405)["code"] == "method_not_allowed"


def test_unknown_page_answers_a_friendly_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Not found" in response.data and b"<html" in response.data


def test_htmx_request_gets_an_error_fragment(client):
    response = client.get("/no-such-page", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert b"<html" not in response.data and b'role="alert"' in response.data


@pytest.mark.parametrize("path", ["/api/users/99999999999999999999", "/api/workshops/99999999999999999999",
                                  "/api/users/2147483648"])
def test_ids_no_column_can_hold_are_404(client, make_user, auth_headers, path):
    headers = auth_headers(make_user(roles=("admin",)))
    assert _assert_error_shape(client.get(path, headers=headers), 404)["code"] == "not_found"


def test_huge_ids_in_write_urls_are_404_too(client, make_user, auth_headers):
    headers = auth_headers(make_user())
    response = client.delete("/api/attendees/selections/99999999999999999999", headers=headers)
    assert _assert_error_shape(response, 404)["code"] == "not_found"
    response = client.post("/api/workshops/99999999999999999999/show-interest", json={}, headers=headers)
    assert _assert_error_shape(response, 404)["code"] == "not_found"


def test_null_in_a_partial_update_is_named_and_changes_nothing(client, make_user, auth_headers):
    from . import factories as f
    from webapp.models import Workshop

    admin = auth_headers(make_user(roles=("admin",)))
    workshop = f.workshop(f.convention(), make_user(roles=("host",)), title="Knots")
    db.session.commit()
    response = client.put(f"/api/workshops/{workshop.id}", json={"title": "Better knots", "host_id": None,
                                                                  "max_attendees": None}, headers=admin)
    error = _assert_error_shape(response, 422)
    assert set(error["fields"]) == {"host_id", "max_attendees"} and "null" in error["fields"]["host_id"]
    db.session.expire_all()
    assert db.session.get(Workshop, workshop.id).title == "Knots"  # the valid field was not applied alone
    assert client.put(f"/api/workshops/{workshop.id}", json={"title": "Better knots"}, headers=admin).status_code == 200


def test_nul_characters_are_refused_everywhere_before_any_route(client, make_user, auth_headers):
    """PostgreSQL's text cannot hold U+0000 (it was a 500 there); SQLite stored it. Body, query and form alike."""
    from . import factories as f
    from webapp.models import Convention

    admin = auth_headers(make_user(roles=("admin",)))
    con = f.convention(name="Makerfest")
    db.session.commit()
    error = _assert_error_shape(client.put(f"/api/conventions/{con.id}", json={"name": "Maker\x00fest"},
                                           headers=admin), 422)
    assert "name" in error["fields"] and "NUL" in error["fields"]["name"]
    nested = client.post("/api/workshops", json={"convention_id": con.id, "title": "T", "max_attendees": 3,
                                                 "equipment": [{"equipment_id": 1, "quantity": 1, "x\x00": 1}]},
                         headers=admin)
    assert "equipment.0.x" in _assert_error_shape(nested, 422)["fields"]
    assert "q" in _assert_error_shape(client.get("/api/workshops?q=a%00b", headers=admin), 422)["fields"]

    page = client.post("/register", data={"email": "nul@example.org", "password": "a long password",
                                          "display_name": "Nul\x00Person"})
    assert page.status_code == 422 and "NUL" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Convention, con.id).name == "Makerfest"
    assert db.session.scalar(sa.select(User).where(User.email == "nul@example.org")) is None


@pytest.mark.parametrize("path", ["/api/auth/token", "/api/capabilities", "/api/users/register"])
def test_deeply_nested_json_is_400_before_any_route_and_logs_nothing(client, path, caplog):
    """100,000 `[` then `]` made the JSON parser recurse until RecursionError: a 500 and a traceback per request."""
    deep = b"[" * 100_000 + b"]" * 100_000
    error = _assert_error_shape(client.post(path, data=deep, content_type="application/json"), 400)
    assert error["code"] == "json_too_deep"
    objects = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
    _assert_error_shape(client.post(path, data=objects, content_type="application/json"), 400)
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []


def test_brackets_inside_strings_and_ordinary_nesting_are_not_depth(client):
    from webapp.input_guard import MAX_JSON_DEPTH, json_nesting_exceeds

    assert not json_nesting_exceeds(b'{"name": "' + b"[" * 5000 + b'"}')
    assert not json_nesting_exceeds(b'{"a": "\\"[[[[", "b": [' + b"[]," * 5000 + b"[]]}")
    assert not json_nesting_exceeds(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)
    assert json_nesting_exceeds(b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1))
    # a string holding brackets is still read as one value by the route
    response = client.post("/api/users/register", json={"email": "a@example.org", "password": "long enough pw",
                                                       "display_name": "[" * 60})
    assert response.status_code == 202
