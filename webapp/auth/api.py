"""JSON endpoints for accounts: sign-up, tokens, sign-out, password reset, me."""
from flask import current_app
from flask_login import current_user

from ..api import bp as api_bp
from ..api.routing import api_route, parse_body
from ..extensions import limiter
from ..schemas import EmailConfirmIn, MessageOut, PasswordResetConfirmIn, PasswordResetIn, RegisterIn, TokenIn, TokenOut, UserOut
from ..serializers import iso, user_json
from ..services import accounts
from ..services.permissions import require_signed_in
from .sessions import bearer_token, sign_out_browser

REGISTER_MESSAGE = "If this address had no account, it has one now: sign in with it. Otherwise check your mail."
RESET_MESSAGE = "If this address has an account, a reset link is on its way."


def _sign_in_limit() -> str:
    return current_app.config["RATELIMIT_SIGN_IN"]


def _reset_limit() -> str:
    return current_app.config["RATELIMIT_PASSWORD_RESET"]


@api_route(api_bp, "/users/register", ["POST"], summary="Create an account", body=RegisterIn,
           response=MessageOut, status=202, auth=False, tag="auth")
@limiter.limit(_sign_in_limit)
def api_register():
    data = parse_body(RegisterIn)
    accounts.register(data.email, data.password, data.display_name)
    return {"message": REGISTER_MESSAGE}


@api_route(api_bp, "/auth/token", ["POST"], summary="Exchange email and password for a bearer token",
           body=TokenIn, response=TokenOut, status=201, auth=False, tag="auth")
@limiter.limit(_sign_in_limit)
def api_token():
    data = parse_body(TokenIn)
    user = accounts.authenticate(data.email, data.password)
    token, row = accounts.issue_api_token(user)
    return {"access_token": token, "token_type": "bearer", "expires_at": iso(row.expires_at)}


@api_route(api_bp, "/auth/logout", ["POST"], summary="Revoke the bearer token and end the session",
           response=MessageOut, tag="auth")
def api_logout():
    require_signed_in(current_user)
    token = bearer_token()
    if token:
        accounts.revoke_api_token(token)
    sign_out_browser()
    return {"message": "Signed out."}


@api_route(api_bp, "/auth/password-reset", ["POST"], summary="Mail a password reset link",
           body=PasswordResetIn, response=MessageOut, status=202, auth=False, tag="auth")
@limiter.limit(_reset_limit)
def api_password_reset():
    data = parse_body(PasswordResetIn)
    accounts.request_password_reset(data.email)
    return {"message": RESET_MESSAGE}


@api_route(api_bp, "/auth/password-reset/confirm", ["POST"], summary="Set a new password with a reset token",
           body=PasswordResetConfirmIn, response=MessageOut, auth=False, tag="auth")
@limiter.limit(_reset_limit)
def api_password_reset_confirm():
    data = parse_body(PasswordResetConfirmIn)
    accounts.reset_password(data.token, data.password)
    return {"message": "Password changed; sign in with the new one."}


@api_route(api_bp, "/users/me", ["GET"], summary="The signed-in user", response=UserOut, tag="auth")
def api_me():
    return user_json(require_signed_in(current_user))


@api_route(api_bp, "/users/me/email/confirm", ["POST"], summary="Apply a new email address with the mailed token",
           body=EmailConfirmIn, response=UserOut, auth=False, tag="auth")
@limiter.limit(_reset_limit)
def api_confirm_email():
    data = parse_body(EmailConfirmIn)
    return user_json(accounts.confirm_email_change(data.token))
