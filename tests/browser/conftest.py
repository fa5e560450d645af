"""Browser tests: Slotwise served over real HTTP from a thread, driven by Debian's Chromium through Playwright.

Chromium comes from the system (`apt-get install -y chromium`, as scripts/test.sh does); Playwright never
downloads a browser here. The server app has CSRF protection on, so the real forms are exercised.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

HERE = Path(__file__).parent
CHROMIUM = os.environ.get("SLOTWISE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(items):
    """Every test under tests/browser is a browser test, so `-m "not browser"` leaves them all out."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright_driver():
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver, tmp_path_factory):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install -y chromium, or set SLOTWISE_CHROMIUM")
    home = tmp_path_factory.mktemp("chromium-home")
    # Chromium writes its config and caches under XDG folders: keep them out of the real home folder.
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache")}
    try:
        browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=env)
    except PlaywrightError as error:
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}")
    yield browser
    browser.close()


@pytest.fixture
def live_server(app, make_app):
    """The URL of a Slotwise app served over HTTP. It shares the database of the `app` fixture,
    whose context the test runs in (to read the outbox, say) and whose teardown empties the tables."""
    served = make_app(WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, served, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    served.config["SLOTWISE_BASE_URL"] = url  # as `slotwise serve` sets its own address for mailed links
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="slotwise-live-server", daemon=True)
    thread.start()
    yield url
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test, with relative URLs resolved against the live server."""
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
