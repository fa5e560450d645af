"""Absolute links for mails: from the configured public address, never from a request's Host header."""
from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    base = current_app.config.get("SLOTWISE_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    # Unset only in local use: then Flask's TRUSTED_HOSTS, if set, guards the Host header.
    return url_for(endpoint, _external=True, **values)
