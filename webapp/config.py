"""Settings read from the environment (12-factor); one place for every default."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _persistent_secret_key(instance_path: Path) -> str:
    """Generate a key once and keep it, so sessions survive restarts of a local install."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def settings_from_environment(instance_path: str) -> dict:
    env = os.environ
    instance = Path(instance_path)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'slotwise.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    redis_url = env.get("REDIS_URL") or None
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or _persistent_secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        # Public address used in mailed links (reset links must not trust the request's Host header).
        "SLOTWISE_BASE_URL": env.get("SLOTWISE_BASE_URL") or None,
        # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: the headers are ignored).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", 0)),
        "TRUSTED_HOSTS": [h.strip() for h in env["TRUSTED_HOSTS"].split(",")] if env.get("TRUSTED_HOSTS") else None,
        "MAX_CONTENT_LENGTH": int(env.get("SLOTWISE_MAX_BODY_BYTES", 1_000_000)),
        # Schedule files to import (FOSDEM's schedule.xml is 1.6 MB): only the import routes take this much.
        "SLOTWISE_MAX_IMPORT_BYTES": int(env.get("SLOTWISE_MAX_IMPORT_BYTES", 25_000_000)),
        # Namespace (a UUID) of the guids in exported schedules; unset: derived from SECRET_KEY.
        "SLOTWISE_EXPORT_NAMESPACE": env.get("SLOTWISE_EXPORT_NAMESPACE") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), True),
        "WTF_CSRF_TIME_LIMIT": None,
        "API_TOKEN_TTL_SECONDS": int(env.get("API_TOKEN_TTL_SECONDS", 7 * 24 * 3600)),
        "PASSWORD_RESET_TTL_SECONDS": int(env.get("PASSWORD_RESET_TTL_SECONDS", 3600)),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_SIGN_IN": env.get("RATELIMIT_SIGN_IN", "10 per minute"),
        "RATELIMIT_PASSWORD_RESET": env.get("RATELIMIT_PASSWORD_RESET", "5 per minute"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT", 587)),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), True),
        "MAIL_SENDER": env.get("MAIL_SENDER", "Slotwise <no-reply@localhost>"),
        "OIDC_NAME": env.get("OIDC_NAME", "Single sign-on"),
        "OIDC_DISCOVERY_URL": env.get("OIDC_DISCOVERY_URL") or None,
        "OIDC_CLIENT_ID": env.get("OIDC_CLIENT_ID") or None,
        "OIDC_CLIENT_SECRET": env.get("OIDC_CLIENT_SECRET") or None,
        "OIDC_SCOPE": env.get("OIDC_SCOPE", "openid email profile"),
        # Shared secret of the payment provider's webhook (HMAC-SHA256); unset = the webhook answers 404.
        "PAYMENT_WEBHOOK_SECRET": env.get("PAYMENT_WEBHOOK_SECRET") or None,
        # Auto-schedule: a running run whose worker wrote nothing for this long is marked failed.
        "SCHEDULE_HEARTBEAT_TIMEOUT_SECONDS": int(env.get("SCHEDULE_HEARTBEAT_TIMEOUT_SECONDS", 30)),
        # How often each worker process looks for such runs and stores them as failed.
        "SCHEDULE_STALE_SWEEP_SECONDS": float(env.get("SCHEDULE_STALE_SWEEP_SECONDS", 10)),
        # Redis keeps a killed worker's unacknowledged task this long before handing it out again.
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": int(env.get("CELERY_VISIBILITY_TIMEOUT_SECONDS", 3600)),
        "SCHEDULE_MAX_TIME_LIMIT_SECONDS": int(env.get("SCHEDULE_MAX_TIME_LIMIT_SECONDS", 600)),
        "SCHEDULE_SOLVER_WORKERS": int(env.get("SCHEDULE_SOLVER_WORKERS", 2)),
        # argon2 cost; tests lower it so that hundreds of sign-ups stay fast.
        "ARGON2_TIME_COST": int(env.get("ARGON2_TIME_COST", 3)),
        "ARGON2_MEMORY_COST_KIB": int(env.get("ARGON2_MEMORY_COST_KIB", 65536)),
    }
