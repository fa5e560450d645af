"""User administration: who may do what (anonymous, attendee, host, admin), and what it does."""
import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import User

ACTORS = ("anonymous", "attendee", "host", "admin")
ADMIN_ONLY = {
    ("GET", "/api/users"),
    ("POST", "/api/users"),
    ("PUT", "/api/users/{target}/roles"),
    ("DELETE", "/api/users/{target}"),
    ("GET", "/api/outbox"),
}
SELF_OR_ADMIN = {("GET", "/api/users/{target}"), ("PUT", "/api/users/{target}")}
BODIES = {
    ("POST", "/api/users"): {"email": "made@example.org", "password": "long enough pw", "display_name": "Made"},
    ("PUT", "/api/users/{target}/roles"): {"roles": ["host"]},
    ("PUT", "/api/users/{target}"): {"display_name": "Renamed"},
}


@pytest.fixture
def people(make_user):
    return {
        "attendee": make_user(roles=("attendee",)),
        "host": make_user(roles=("host",)),
        "admin": make_user(roles=("admin",)),
        "target": make_user(email="target@example.org"),
    }


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("method,path", sorted(ADMIN_ONLY | SELF_OR_ADMIN))
def test_permission_matrix(client, people, auth_headers, actor, method, path):
    headers = {} if actor == "anonymous" else auth_headers(people[actor])
    url = path.format(target=people["target"].id)
    response = client.open(url, method=method, json=BODIES.get((method, path)), headers=headers)
    expected = {"anonymous": 401, "attendee": 403, "host": 403, "admin": None}[actor]
    if expected is None:
        assert response.status_code in (200, 201, 204), response.get_json()
    else:
        assert response.status_code == expected, response.get_json()
        assert response.get_json()["error"]["code"] == ("unauthorized" if expected == 401 else "forbidden")


def test_users_may_read_and_edit_themselves_only(client, people, auth_headers):
    me = people["attendee"]
    headers = auth_headers(me)
    assert client.get(f"/api/users/{me.id}", headers=headers).status_code == 200
    renamed = client.put(f"/api/users/{me.id}", json={"display_name": "New Name"}, headers=headers)
    assert renamed.get_json()["display_name"] == "New Name"
    assert client.put(f"/api/users/{people['target'].id}", json={"display_name": "X"}, headers=headers).status_code == 403
    # nobody grants themselves roles through their own profile
    escalate = client.put(f"/api/users/{me.id}", json={"roles": ["admin"]}, headers=headers)
    assert escalate.status_code == 422
    assert db.session.get(User, me.id).roles == ["attendee"]


def test_admin_lists_with_paging_and_search(client, people, auth_headers):
    headers = auth_headers(people["admin"])
    page = client.get("/api/users?limit=2&offset=1", headers=headers).get_json()
    assert page["total"] == 4 and len(page["items"]) == 2
    found = client.get("/api/users?q=TARGET", headers=headers).get_json()
    assert [u["email"] for u in found["items"]] == ["target@example.org"]
    assert client.get("/api/users?limit=0", headers=headers).status_code == 422


def test_admin_sets_roles_and_attendee_always_stays(client, people, auth_headers):
    target = people["target"]
    response = client.put(f"/api/users/{target.id}/roles", json={"roles": ["host", "admin"]},
                          headers=auth_headers(people["admin"]))
    assert response.get_json()["roles"] == ["admin", "attendee", "host"]


def test_last_admin_cannot_be_demoted_or_deleted(client, people, auth_headers):
    admin = people["admin"]
    headers = auth_headers(admin)
    demote = client.put(f"/api/users/{admin.id}/roles", json={"roles": []}, headers=headers)
    assert demote.status_code == 409 and demote.get_json()["error"]["code"] == "last_admin"
    assert client.delete(f"/api/users/{admin.id}", headers=headers).status_code == 409
    assert db.session.get(User, admin.id).is_admin


def test_admin_creates_user_and_duplicate_is_a_conflict(client, people, auth_headers):
    headers = auth_headers(people["admin"])
    body = {"email": "New@Example.org", "password": "long enough pw", "display_name": "New", "roles": ["host"]}
    created = client.post("/api/users", json=body, headers=headers)
    assert created.status_code == 201
    assert created.get_json()["email"] == "new@example.org"
    assert created.get_json()["roles"] == ["attendee", "host"]
    again = client.post("/api/users", json=body, headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["fields"] == {"email": "taken"}


def test_delete_user_removes_it(client, people, auth_headers):
    target_id = people["target"].id
    headers = auth_headers(people["admin"])
    assert client.delete(f"/api/users/{target_id}", headers=headers).status_code == 204
    assert db.session.scalar(sa.select(User).where(User.id == target_id)) is None
    assert client.get(f"/api/users/{target_id}", headers=headers).status_code == 404


def _queries_for(client, path, headers) -> int:
    from .query_count import count_queries

    with count_queries() as counted:
        assert client.get(path, headers=headers).status_code == 200
    return counted.count


@pytest.mark.parametrize("path", ["/api/users?limit=500", "/api/outbox?limit=500"])
def test_admin_lists_use_the_same_number_of_queries_for_few_or_many_rows(client, make_user, auth_headers, path):
    from webapp.services.mail import send_mail

    headers = auth_headers(make_user(roles=("admin",)))
    few = _queries_for(client, path, headers)
    for i in range(15):
        send_mail(make_user(roles=("host",)).email, f"hello {i}", "body")
    db.session.commit()
    assert _queries_for(client, path, headers) == few


def test_a_host_is_deleted_with_their_cancelled_workshops_but_not_while_one_is_active(
        client, people, auth_headers, make_user):
    from webapp.models import Selection, Workshop

    from . import factories as f

    con = f.convention()
    host = make_user(roles=("host",))
    active = f.workshop(con, host, title="Still on")
    dropped = f.workshop(con, host, title="Dropped")
    f.selection(make_user(), dropped, status="cancelled")
    db.session.commit()
    host_id = host.id
    headers = auth_headers(people["admin"])
    assert client.delete(f"/api/workshops/{dropped.id}", headers=headers).status_code in (200, 204)
    refused = client.delete(f"/api/users/{host.id}", headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["fields"] == {"workshop_ids": [active.id]}
    assert db.session.get(User, host.id) is not None  # nothing removed by the refused request
    assert client.delete(f"/api/workshops/{active.id}", headers=headers).status_code in (200, 204)
    assert client.delete(f"/api/users/{host.id}", headers=headers).status_code == 204
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Workshop).where(Workshop.host_id == host_id)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Selection)) == 0
