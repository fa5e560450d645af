"""Accounts: sign-up, passwords, bearer tokens, password reset and OAuth identities."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..errors import Conflict, Unauthorized, ValidationFailed
from ..extensions import db
from ..models.accounts import NAME_MAX
from ..models import ApiToken, OAuthIdentity, PasswordResetToken, User, UserRole, UserSession, utcnow
from .links import external_url
from .mail import send_mail

PASSWORD_MIN = 8
PASSWORD_MAX = 128
RESET_SALT = "slotwise-password-reset"
EMAIL_CHANGE_SALT = "slotwise-email-change"
EMAIL_CHANGE_TTL_SECONDS = 2 * 24 * 3600


def _hasher() -> PasswordHasher:
    hasher = current_app.extensions.get("slotwise_hasher")
    if hasher is None:
        hasher = PasswordHasher(
            time_cost=current_app.config["ARGON2_TIME_COST"],
            memory_cost=current_app.config["ARGON2_MEMORY_COST_KIB"],
        )
        current_app.extensions["slotwise_hasher"] = hasher
    return hasher


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str) -> None:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise ValidationFailed(
            f"A password has {PASSWORD_MIN} to {PASSWORD_MAX} characters.",
            fields={"password": f"must have {PASSWORD_MIN} to {PASSWORD_MAX} characters"},
        )


def set_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = _hasher().hash(password)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, password: str | None, display_name: str, roles: set[str] | None = None, *,
                flush: bool = True) -> User:
    """A new user with the attendee role (plus any given); the caller checks the address is free.
    `flush=False` leaves the insert to the caller's next flush (an import making hundreds at once)."""
    user = User(email=normalise_email(email), display_name=display_name.strip() or email.split("@")[0])
    if password is not None:
        set_password(user, password)
    for role in sorted((roles or set()) | {"attendee"}):
        user.role_rows.append(UserRole(role=role))
    db.session.add(user)
    if flush:
        db.session.flush()
    return user


def register(email: str, password: str, display_name: str) -> User | None:
    """Sign up: the new account (the page signs it in), or None when the address has one already.
    Either way one mail goes to the address, so "check your mail" is true in both cases: the new
    person is welcomed, the owner of a taken address hears that someone tried (see README, Accounts)."""
    check_password_rules(password)
    existing = find_user_by_email(email)
    if existing is not None:
        _hasher().hash(password)  # same cost as a real sign-up, so timing tells nothing either
        send_mail(
            existing.email,
            "Someone tried to sign up with your address",
            "Somebody (perhaps you) tried to create a Slotwise account with this address, which "
            "already has one. If it was you, sign in, or reset your password if you forgot it.",
        )
        return None
    user = create_user(email, password, display_name)
    send_mail(
        user.email,
        "Welcome to Slotwise",
        f"Hello {user.display_name},\n\nyour Slotwise account with this address is ready, and the browser you "
        "signed up in is signed in. If you did not create it, choose a new password with \"Forgot your "
        "password?\" on the sign-in page and tell the convention's organisers.",
    )
    return user


_DUMMY_HASH: str | None = None


def authenticate(email: str, password: str) -> User:
    global _DUMMY_HASH
    user = find_user_by_email(email)
    hasher = _hasher()
    if user is None or not user.password_hash or not user.is_active:
        # Verify against a throwaway hash so unknown addresses cost the same time.
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hasher.hash(secrets.token_hex(8))
        try:
            hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        raise Unauthorized("Wrong email or password.", code="invalid_credentials")
    if not _password_matches(user, password):
        raise Unauthorized("Wrong email or password.", code="invalid_credentials")
    return user


def _password_matches(user: User, password: str) -> bool:
    hasher = _hasher()
    if not user.password_hash:
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def require_current_password(user: User, current_password: str | None) -> None:
    """Changing the password or the address needs the current password: a borrowed session is not enough."""
    if not current_password or not _password_matches(user, current_password):
        raise ValidationFailed(
            "Enter your current password to change your password or email address.",
            code="current_password_wrong",
            fields={"current_password": "missing or wrong"},
        )


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User) -> tuple[str, ApiToken]:
    plain = secrets.token_urlsafe(32)
    ttl = current_app.config["API_TOKEN_TTL_SECONDS"]
    row = ApiToken(user_id=user.id, token_hash=_token_digest(plain), expires_at=utcnow() + timedelta(seconds=ttl))
    db.session.add(row)
    db.session.flush()
    return plain, row


def user_for_api_token(plain: str) -> User | None:
    # One query for every API request's sign-in: the token, its user and the user's roles.
    row = db.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == _token_digest(plain))
        .options(joinedload(ApiToken.user).joinedload(User.role_rows))
    ).unique().first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    if not row.user.is_active:
        return None
    return row.user


def revoke_api_token(plain: str) -> bool:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(plain)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def _end_all(model, ended_column: str, user: User, keep: str | None) -> None:
    """Stamp `ended_column` on every still-open row of `model` (tokens, sessions) of the user, but `keep`'s."""
    column = getattr(model, ended_column)
    query = select(model).where(model.user_id == user.id, column.is_(None))
    if keep:
        query = query.where(model.token_hash != _token_digest(keep))
    now = utcnow()
    for row in db.session.scalars(query):
        setattr(row, ended_column, now)


def revoke_all_api_tokens(user: User, keep_token: str | None = None) -> None:
    _end_all(ApiToken, "revoked_at", user, keep_token)


def open_session(user: User) -> str:
    """A new signed-in browser for `user`; the plain token goes into its session cookie."""
    plain = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=_token_digest(plain)))
    db.session.flush()
    return plain


def user_for_session(user_id: str, plain: str | None) -> User | None:
    """The user of a session cookie, while the server has not ended that session (one query)."""
    if not plain or not user_id.isdigit():
        return None
    row = db.session.scalars(
        select(UserSession).where(UserSession.token_hash == _token_digest(plain), UserSession.ended_at.is_(None))
        .options(joinedload(UserSession.user).selectinload(User.role_rows))
    ).first()
    if row is None or row.user_id != int(user_id) or not row.user.is_active:
        return None
    return row.user


def end_session(plain: str | None) -> None:
    if plain:
        for row in db.session.scalars(select(UserSession).where(UserSession.token_hash == _token_digest(plain))):
            row.ended_at = row.ended_at or utcnow()


def end_all_sessions(user: User, keep_session: str | None = None) -> None:
    _end_all(UserSession, "ended_at", user, keep_session)


def _void_reset_tokens(user: User) -> None:
    for row in db.session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
    ):
        row.used_at = utcnow()


def replace_password(user: User, new_password: str, *, keep_session: str | None = None,
                     keep_token: str | None = None) -> None:
    """A new password ends every other way in: sessions, bearer tokens and unused reset links.
    The browser or token that made the change (when given) stays signed in."""
    set_password(user, new_password)
    end_all_sessions(user, keep_session)
    revoke_all_api_tokens(user, keep_token)
    _void_reset_tokens(user)
    db.session.flush()


def _email_change_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=EMAIL_CHANGE_SALT)


def request_email_change(user: User, new_email: str) -> None:
    """Mail a confirmation link to the new address; the account keeps its address until it is opened."""
    new_email = normalise_email(new_email)
    if new_email == user.email:
        user.pending_email = None
        return
    if find_user_by_email(new_email) is not None:
        raise Conflict("Another account uses this address.", code="email_taken", fields={"email": "taken"})
    user.pending_email = new_email
    token = _email_change_serializer().dumps({"uid": user.id, "email": new_email})
    link = external_url("auth.confirm_email", token=token)
    send_mail(
        new_email,
        "Confirm your new Slotwise address",
        f"Hello {user.display_name},\n\nopen this link within two days to use this address for your Slotwise "
        f"account from now on:\n\n{link}\n\nUntil then you sign in with {user.email}. If you did not ask for "
        "this, ignore this mail.",
    )
    send_mail(
        user.email,
        "Your Slotwise address is about to change",
        f"Hello {user.display_name},\n\nsomeone signed in to your account asked to change its address to "
        f"{new_email}. Nothing changes until that address confirms. If it was not you, change your password now.",
    )
    db.session.flush()


def confirm_email_change(token: str) -> User:
    invalid = ValidationFailed(
        "This confirmation link is invalid, expired or replaced by a newer one; change your address again.",
        code="invalid_email_token",
        fields={"token": "invalid, expired or replaced"},
    )
    try:
        data = _email_change_serializer().loads(token, max_age=EMAIL_CHANGE_TTL_SECONDS)
    except (SignatureExpired, BadSignature):
        raise invalid from None
    user = db.session.get(User, data.get("uid")) if isinstance(data.get("uid"), int) else None
    # only the latest request counts: an older link names an address that is no longer pending
    if user is None or not user.pending_email or user.pending_email != data.get("email"):
        raise invalid
    if find_user_by_email(user.pending_email) is not None:
        raise Conflict("Another account uses this address now.", code="email_taken", fields={"email": "taken"})
    user.email = user.pending_email
    user.pending_email = None
    db.session.flush()
    return user


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def request_password_reset(email: str) -> None:
    """Mail a reset link when the address has an account; says nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    link, token, ttl = _password_link(user)
    send_mail(
        user.email,
        "Reset your Slotwise password",
        f"Open this link within {ttl // 60} minutes to choose a new password:\n\n{link}\n\n"
        f"Or send this token to the API: {token}\n\nIf you did not ask for this, ignore this mail.",
    )


def _password_link(user: User) -> tuple[str, str, int]:
    """A one-use link to choose a password: (link, token, seconds it stays valid)."""
    ttl = current_app.config["PASSWORD_RESET_TTL_SECONDS"]
    nonce = secrets.token_hex(16)
    db.session.add(PasswordResetToken(user_id=user.id, nonce=nonce, expires_at=utcnow() + timedelta(seconds=ttl)))
    token = _reset_serializer().dumps({"uid": user.id, "nonce": nonce})
    return external_url("auth.reset_password", token=token), token, ttl


def send_invitation(user: User, convention_name: str) -> None:
    """Mail a person whose account someone else made (an imported speaker) a link to choose a password."""
    link, _, ttl = _password_link(user)
    send_mail(
        user.email,
        f"You are a host at {convention_name} on Slotwise",
        f"An organiser of {convention_name} added you as a host on Slotwise, with this address.\n\n"
        f"Open this link within {ttl // 60} minutes to choose your password:\n\n{link}\n\n"
        "If the link has expired, ask for a new one with \"Forgot your password?\" on the sign-in page.",
    )


def reset_password(token: str, new_password: str) -> User:
    invalid = ValidationFailed(
        "This reset link is invalid, expired or already used; ask for a new one.",
        code="invalid_reset_token",
        fields={"token": "invalid, expired or already used"},
    )
    check_password_rules(new_password)
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_TTL_SECONDS"])
    except SignatureExpired:
        raise invalid from None
    except BadSignature:
        raise invalid from None
    row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.nonce == str(data.get("nonce")))
    )
    if row is None or row.user_id != data.get("uid") or row.used_at is not None or row.expires_at <= utcnow():
        raise invalid
    user = db.session.get(User, row.user_id)
    if user is None:
        raise invalid
    row.used_at = utcnow()
    replace_password(user, new_password)  # a reset ends every session, token and other reset link
    return user


def sign_in_with_identity(provider: str, subject: str, email: str | None, display_name: str | None) -> User:
    """The user behind an OAuth/OIDC identity, linking by verified email or creating one."""
    identity = db.session.scalar(
        select(OAuthIdentity).where(OAuthIdentity.provider == provider, OAuthIdentity.subject == subject)
    )
    if identity is not None:
        user = identity.user
    elif not email:
        raise Unauthorized("The identity provider did not share a verified email address.")
    else:
        name = (display_name or email.split("@")[0]).strip()[:NAME_MAX]
        user = find_user_by_email(email) or create_user(email, None, name)
        db.session.add(OAuthIdentity(user_id=user.id, provider=provider, subject=subject))
        db.session.flush()
    if not user.is_active:
        raise Unauthorized("This account is disabled.", code="account_disabled")
    return user
