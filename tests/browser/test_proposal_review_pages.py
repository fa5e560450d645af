"""The review of a proposal of a hundred-odd runs in a real browser, on a laptop and on a phone: changes first,
grouped by day, a filter with counts, pages, quality in words, progress bars while solving, and the record an
accepted run keeps; the page never scrolls sideways."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from webapp.extensions import db

from ..conftest import PASSWORD
from ..test_proposal_review import proposal  # noqa: F401 (fixture)
from .test_sign_in import sign_in

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_the_review_shows_changes_by_day_filters_pages_and_keeps_the_record(page: Page, proposal, make_user,
                                                                            viewport):
    page.set_viewport_size(viewport)
    admin = make_user(roles=("admin",), name="Ada Admin")
    run = proposal["run"]
    run.status = "running"
    db.session.commit()
    sign_in(page, admin.email, PASSWORD)
    page.goto(f"/schedule-runs/{run.id}")
    for bar in ("#run-time-bar", "#run-placed-bar"):  # while solving: time used of the limit, runs placed of all
        expect(page.locator(bar)).to_be_visible()
        assert page.locator(bar).bounding_box()["width"] <= viewport["width"]
    assert page.locator("#run-placed-bar").evaluate("b => [b.value, b.max]") == [127, 131]
    assert page.evaluate(FITS)

    run.status = "succeeded"
    db.session.commit()
    page.goto(f"/schedule-runs/{run.id}")
    expect(page.locator("#quality")).to_contain_text("Places 127 of 131 workshop runs")
    expect(page.locator("#quality")).to_contain_text("12 attendee clashes")
    filters = page.locator(".review-filter a")
    expect(filters).to_have_text(["All changes (126)", "Added (120)", "Moved (3)", "Removed (3)", "Not placed (1)",
                                  "Unchanged (4)"])
    expect(page.locator("table.proposal tbody tr")).to_have_count(100)  # changes first, a hundred a page
    expect(page.locator("tr.diff-unchanged")).to_have_count(0)
    expect(page.locator("h3.day").first).to_have_text("Saturday 01 May")
    assert page.evaluate(FITS)
    page.get_by_role("link", name="Next →").click()
    expect(page.locator(".pager")).to_contain_text("Page 2 of 2 (126 rows)")
    expect(page.locator("table.proposal tbody tr")).to_have_count(26)
    expect(page.locator("h3.day", has_text="Sunday 02 May")).to_have_count(1)
    assert "page=2" in page.url
    page.locator(".review-filter").get_by_role("link", name="Moved (3)", exact=True).click()
    expect(page.locator("table.proposal tbody tr.diff-moved")).to_have_count(3)
    expect(page.locator("table.proposal tbody tr")).to_have_count(3)
    assert page.evaluate(FITS)

    page.get_by_role("button", name="Accept this schedule").click()
    expect(page.locator("#moves")).to_contain_text("Accepting it added 120 runs, moved 3 and removed 3")
    expect(page.locator(".review-filter a", has_text="Unchanged")).to_have_count(0)  # a record of changes only
    page.locator(".review-filter").get_by_role("link", name="Moved (3)", exact=True).click()
    expect(page.locator("table.proposal tbody tr.diff-moved")).to_have_count(3)
    assert page.evaluate(FITS)
