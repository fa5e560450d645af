"""Integers read from a query string are bounded before they reach the database: an offset no integer column holds
is a 422 on the API, and a page number past the end shows the last page (both were OverflowError, a 500)."""
from __future__ import annotations

import html

import pytest

from webapp.extensions import db
from webapp.schemas import MAX_OFFSET
from webapp.services.mail import send_mail

from . import factories as f
from .conftest import PASSWORD

pytestmark = pytest.mark.db
TOO_BIG = 9223372036854775808  # 2**63: past SQLite's and PostgreSQL's bigint


@pytest.mark.parametrize("path", ["/api/users", "/api/outbox", "/api/conventions/{id}/schedule-runs"])
def test_an_offset_past_any_integer_is_a_422_naming_it(client, admin, auth_headers, path):
    con = f.convention()
    db.session.commit()
    headers = auth_headers(admin)
    url = path.format(id=con.id)
    for offset in (TOO_BIG, MAX_OFFSET + 1, -1, "x"):
        response = client.get(f"{url}?offset={offset}", headers=headers)
        assert response.status_code == 422, (offset, response.data[:200])
        assert "offset" in response.get_json()["error"]["fields"]
    largest = client.get(f"{url}?offset={MAX_OFFSET}", headers=headers)
    assert largest.status_code == 200 and largest.get_json()["items"] == []
    assert client.get(f"{url}?limit=501", headers=headers).status_code == 422


def test_the_users_search_is_still_read_with_the_paging(client, admin, auth_headers, make_user):
    make_user(name="Zoë Searched", email="zoe@example.org")
    found = client.get("/api/users?q=zoe&limit=5", headers=auth_headers(admin)).get_json()
    assert [u["email"] for u in found["items"]] == ["zoe@example.org"] and found["total"] == 1


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_page_number_past_the_end_of_the_workshop_list_shows_the_last_page(client, host):
    con = f.convention()
    for i in range(23):
        f.workshop(con, host, title=f"Pottery {i:02d}")
    db.session.commit()
    for page in ("99999999999999999999", str(TOO_BIG), "3"):
        response = client.get(f"/conventions/{con.id}/workshops?page={page}")
        assert response.status_code == 200, (page, response.data[:300])
        body = _text(response)
        assert "Page 2 of 2" in body and "Pottery 22" in body and "Pottery 00" not in body
    assert client.get(f"/conventions/{con.id}/workshops?page=0").status_code == 422


def test_a_page_number_past_the_end_of_the_outbox_shows_the_last_page(client, admin):
    for i in range(55):
        send_mail("someone@example.org", f"Letter {i:02d}", "body")
    db.session.commit()
    assert client.post("/sign-in", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    first = _text(client.get("/admin/outbox"))
    assert "Page 1 of 2" in first and "Letter 54" in first and "Letter 04" not in first
    for page in ("99999999999999999999", "2"):
        response = client.get(f"/admin/outbox?page={page}")
        assert response.status_code == 200, (page, response.data[:300])
        body = _text(response)
        assert "Page 2 of 2" in body and "Letter 04" in body and "Letter 05" not in body
    assert client.get("/admin/outbox?page=abc").status_code == 422
