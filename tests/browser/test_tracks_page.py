"""Admins manage a convention's tracks in a real browser: from the convention page to the tracks page, add one
with the colour picker, meet a name taken in another case, rename and recolour, delete after being told how
many workshops lose their track; the page fits a phone and a laptop."""
from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from webapp.extensions import db
from webapp.models import Track, Workshop

from .. import factories as f
from ..conftest import PASSWORD
from .test_sign_in import sign_in

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
LONG_NAME = "Free Java and the very long-named devroom of everything that runs on a virtual machine"


def _tracks() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(t.name, t.colour) for t in db.session.scalars(sa.select(Track).order_by(Track.id))]


def test_an_admin_adds_renames_recolours_and_deletes_a_track(page: Page, make_user):
    admin = make_user(roles=("admin",), name="Ada Admin")
    host = make_user(roles=("host",), name="Hana Host")
    con = f.convention(name="Devroom Days")
    workshops = [f.workshop(con, host, title=f"Talk {i}") for i in range(2)]
    db.session.commit()

    sign_in(page, admin.email, PASSWORD)
    page.goto(f"/conventions/{con.id}")
    page.locator("#tracks-link").click()
    expect(page.get_by_role("heading", name="Tracks")).to_be_visible()
    expect(page.locator("#no-tracks")).to_be_visible()

    new = page.locator("#new-track")
    new.get_by_label("Name").fill("Rust")
    new.get_by_label("Colour").fill("#ff8800")
    new.get_by_role("button", name="Add track").click()
    expect(page.locator(".flashes")).to_have_text("Track 'Rust' added.")
    assert _tracks() == [("Rust", "#ff8800")]
    track_id = db.session.scalar(sa.select(Track.id))
    row = page.locator(f"#track-{track_id}")
    expect(row).to_contain_text("Rust")
    expect(row).to_contain_text("#ff8800")
    expect(row.locator("svg.swatch rect")).to_have_attribute("fill", "#ff8800")

    # the same name in other letters' case is refused beside the input, and nothing is added
    new = page.locator("#new-track")
    new.get_by_label("Name").fill("RUST")
    new.get_by_role("button", name="Add track").click()
    expect(new.locator(".error")).to_contain_text("already has a track named 'Rust'")
    expect(new.locator(".field-error[data-field=name]")).to_have_text("already used by 'Rust'")
    assert len(_tracks()) == 1

    for workshop in workshops:  # two workshops in the track
        db.session.get(Workshop, workshop.id).track_id = track_id
    db.session.commit()
    page.goto(f"/admin/conventions/{con.id}/tracks")
    row = page.locator(f"#track-{track_id}")
    expect(row.locator("td").nth(1)).to_have_text("2")
    row.get_by_text("Rename or recolour").click()
    row.get_by_label("Name").fill("Rust devroom")
    row.get_by_label("Colour").fill("#2255aa")
    row.get_by_role("button", name="Save track").click()
    expect(page.locator(".flashes")).to_have_text("Track 'Rust devroom' saved.")
    assert _tracks() == [("Rust devroom", "#2255aa")]

    row = page.locator(f"#track-{track_id}")
    row.get_by_role("button", name="Delete…").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Delete the track 'Rust devroom'? 2 workshops will lose their track")
    dialog.get_by_role("link", name="Keep it").click()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    assert len(_tracks()) == 1

    page.locator(f"#track-{track_id}").get_by_role("button", name="Delete…").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete the track").click()
    expect(page.locator(".flashes")).to_have_text("Track 'Rust devroom' deleted; its workshops have no track now.")
    expect(page.locator("#no-tracks")).to_be_visible()
    assert _tracks() == []
    db.session.expire_all()
    assert [db.session.get(Workshop, w.id).track_id for w in workshops] == [None, None]  # the workshops stay


def test_the_tracks_page_fits_a_phone_and_a_laptop(page: Page, make_user, tmp_path):
    admin = make_user(roles=("admin",), name="Ada Admin")
    con = f.convention(name="Responsive Makers Festival of Everything")
    for i, (name, colour) in enumerate([(LONG_NAME, "#b42318"), ("Embedded", "#2f6fdb"), ("Design", "#1a7f37")]):
        db.session.add(Track(convention_id=con.id, name=name, colour=colour))
    db.session.commit()
    sign_in(page, admin.email, PASSWORD)
    shots = Path(os.environ.get("SLOTWISE_SCREENSHOTS", tmp_path))
    too_wide = []
    for viewport in (PHONE, LAPTOP):
        page.set_viewport_size(viewport)
        for path in (f"/conventions/{con.id}", f"/admin/conventions/{con.id}/tracks"):
            assert page.goto(path).status == 200
            if path.endswith("tracks"):
                page.locator("tbody tr").first.get_by_role("button", name="Delete…").click()  # the widest state
                expect(page.get_by_role("alertdialog")).to_be_visible()
                page.locator("tbody tr").nth(1).get_by_text("Rename or recolour").click()
                page.screenshot(path=str(shots / f"tracks-{viewport['width']}.png"), full_page=True)
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if widths[0] > widths[1]:
                too_wide.append((viewport["width"], path, widths[0]))
    assert too_wide == []
