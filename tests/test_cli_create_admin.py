"""`slotwise create-admin` asks for the password twice when it is not given."""
from __future__ import annotations

from click.testing import CliRunner
from flask.cli import ScriptInfo

from webapp.cli import main
from webapp.extensions import db
from webapp.services.accounts import authenticate, find_user_by_email


def test_create_admin_asks_twice_and_repeats_on_a_mismatch(app):
    runner = CliRunner()
    result = runner.invoke(main, ["create-admin", "--email", "Root@Example.org"],
                           input="first try typo\nfirst try tpyo\nthe real password\nthe real password\n",
                           obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "Repeat it" in result.output and "do not match" in result.output
    db.session.expire_all()
    admin = find_user_by_email("root@example.org")
    assert admin is not None and admin.is_admin
    assert authenticate("root@example.org", "the real password").id == admin.id
