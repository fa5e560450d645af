"""Absolute links for mails: from the configured public address, never from a request's Host header."""
from typing import Callable
from urllib.parse import urlsplit

from flask import current_app, url_for

# `slotwise serve` sets SLOTWISE_BASE_URL to its own address when none is configured; this is that
# address's default, for mails sent by the command line and the tests.
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def external_url(endpoint: str, **values) -> str:
    base = current_app.config.get("SLOTWISE_BASE_URL") or DEFAULT_BASE_URL
    # a request context of the public address alone: a path under it (https://x.org/con/...) is kept
    with current_app.test_request_context(base_url=base):
        path = url_for(endpoint, **values)
    origin = urlsplit(base)
    return f"{origin.scheme}://{origin.netloc}{path}"



ID_MARK = 2147483647  # the largest id a route takes: stands for the id in a link made once


def id_link_maker(make_url: Callable[..., str], endpoint: str, id_name: str, **values) -> Callable[[int], str]:
    """A function from an id to `make_url(endpoint, **{id_name: id}, **values)`, with `make_url` called once: a
    grid day has thousands of links and an export hundreds that differ only in one id (`url_for` resolves
    the route each time, `external_url` also sets up a request context)."""
    head, tail = make_url(endpoint, **values, **{id_name: ID_MARK}).split(str(ID_MARK), 1)
    return lambda object_id: f"{head}{object_id}{tail}"
