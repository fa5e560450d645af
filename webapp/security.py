"""Request-level defences: security headers, same-origin API writes, and the client address behind proxies."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

# No inline script or style anywhere: htmx is configured from a <meta> tag, behaviour lives in static files.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

talisman = Talisman()


def init_security(app: Flask) -> None:
    talisman.init_app(
        app,
        force_https=False,  # TLS ends at the proxy; HSTS is still sent on requests that arrived over HTTPS
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="strict-origin-when-cross-origin",
        # the cookie flags are the app's own settings (SESSION_COOKIE_SECURE may be off on loopback)
        session_cookie_secure=False,
        session_cookie_http_only=True,
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
    )
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        # the client's address, scheme and host as the given number of proxies in front forwarded them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def cross_site_write_refusal() -> str | None:
    """Why a cookie-authenticated API write must be refused as cross-site, or None when it may go on.

    A bearer token cannot be sent by another site, so those requests pass. Browsers name the page a
    write comes from in `Origin` (or at least `Referer`); a request naming neither is not from a browser."""
    if request.method not in UNSAFE_METHODS or request.headers.get("Authorization"):
        return None
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if source is None:
        return None
    if source == "null" or urlsplit(source).netloc.lower() not in _own_hosts():
        return ("This request came from another site; write requests that use the sign-in cookie must come "
                "from Slotwise's own pages (scripts use a bearer token).")
    return None


def _own_hosts() -> set[str]:
    from flask import current_app

    hosts = {request.host.lower()}
    base = current_app.config.get("SLOTWISE_BASE_URL")
    if base:
        hosts.add(urlsplit(base).netloc.lower())
    return hosts
