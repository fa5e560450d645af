"""Signing a browser in and out. The cookie carries a session token the server records
(`UserSession`), so a copied cookie stops working once that session ends."""
from __future__ import annotations

from flask import request, session
from flask_login import login_user, logout_user

from ..models import User
from ..services import accounts

SESSION_TOKEN_KEY = "_slotwise_session"


def sign_in_browser(user: User) -> None:
    session.clear()  # no state from before sign-in survives into the signed-in session
    login_user(user)
    session[SESSION_TOKEN_KEY] = accounts.open_session(user)


def sign_out_browser() -> None:
    accounts.end_session(session.get(SESSION_TOKEN_KEY))
    logout_user()
    session.pop(SESSION_TOKEN_KEY, None)


def current_session_token() -> str | None:
    return session.get(SESSION_TOKEN_KEY)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None
