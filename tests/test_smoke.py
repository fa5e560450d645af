def test_sign_in_page_is_served(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert b"Sign in" in response.data


def test_register_token_me(client):
    response = client.post(
        "/api/users/register", json={"email": "Ana@Example.org", "password": "long enough pw", "display_name": "Ana"}
    )
    assert response.status_code == 202, response.get_json()
    token = client.post("/api/auth/token", json={"email": "ana@example.org", "password": "long enough pw"})
    assert token.status_code == 201
    me = client.get("/api/users/me", headers={"Authorization": f"Bearer {token.get_json()['access_token']}"})
    assert me.status_code == 200
    assert me.get_json()["email"] == "ana@example.org"
    assert me.get_json()["roles"] == ["attendee"]


def test_home_page_lists_open_conventions_only(client):
    from webapp.extensions import db

    from . import factories as f

    open_one = f.convention(name="Open Makerfest", status="open")
    f.convention(name="Secret Draft", status="draft")
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Open Makerfest" in page and f"/conventions/{open_one.id}/workshops" in page
    assert "Secret Draft" not in page


def test_serve_refuses_several_processes_without_redis(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from webapp.cli import main

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    result = CliRunner().invoke(main, ["serve", "--workers", "2"])
    assert result.exit_code == 2
    assert "needs REDIS_URL" in result.output
    assert not (tmp_path / "serve.db").exists()  # refused before touching the database
