"""The schedule grid at convention size in a real browser: readable blocks that never overlap, the room row
and the time column kept in view, a room filter, links, hosts, the viewer's own runs, "now", print and
door signs, at laptop and phone widths."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from webapp.extensions import db
from webapp.conventions.grid import contrast, track_colours
from webapp.models import EventSlot, Location, Track

from .. import factories as f
from ..conftest import PASSWORD
from .test_sign_in import sign_in

ROOMS, SLOTS = 60, 8
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}


@pytest.fixture
def large_grid(make_user):
    """60 rooms x 8 slots on one day, most of them taken by workshops with long titles, some two slots long,
    a few with a co-host; an attendee registered for one run."""
    host = make_user(roles=("host",), name="Hana Host")
    cohost = make_user(roles=("host",), name="Cory Cohost")
    attendee = make_user(name="Ann Attendee")
    con = f.convention(name="Huge Con", days=1)
    rooms = [Location(convention_id=con.id, name=f"Room {i:02d}", capacity=40) for i in range(ROOMS)]
    db.session.add_all(rooms)
    db.session.flush()
    grid = {}
    for room in rooms:
        grid[room.id] = [EventSlot(convention_id=con.id, location_id=room.id, start=f.T0 + timedelta(hours=h),
                                   end=f.T0 + timedelta(hours=h + 1)) for h in range(SLOTS)]
        db.session.add_all(grid[room.id])
    db.session.flush()
    placed = []
    for r, room in enumerate(rooms):
        hour = 0
        while hour < SLOTS:
            if (r + hour) % 5 == 4:  # leave some slots free
                hour += 1
                continue
            length = 2 if (r + hour) % 7 == 0 and hour + 1 < SLOTS else 1
            ws = f.workshop(con, host, title=f"Advanced chainmail weaving and armour repair clinic {r}-{hour}",
                            duration_slots=length)
            if r % 9 == 0:
                ws.cohosts.append(cohost)
            f.place(ws, grid[room.id][hour:hour + length])
            placed.append((ws, grid[room.id][hour]))
            hour += length
    mine_ws, mine_slot = placed[3]
    f.registration(attendee, con)
    f.selection(attendee, mine_ws, status="registered", slot=mine_slot)
    db.session.commit()
    return {"con": con, "rooms": rooms, "host": host, "cohost": cohost, "attendee": attendee,
            "mine": (mine_ws, mine_slot), "placed": placed}


IN_VIEW = """() => {
  // The blocks a person sees now (inside the grid's frame and the window), each title inside its block,
  // no two blocks overlapping, none narrower than 120 px. Cells far out of view are not laid out yet
  // (content-visibility), so what they would measure is not what anyone sees.
  const frame = document.querySelector('.grid-scroll').getBoundingClientRect();
  const view = {left: Math.max(frame.left, 0), top: Math.max(frame.top, 0),
                right: Math.min(frame.right, innerWidth), bottom: Math.min(frame.bottom, innerHeight)};
  const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const boxes = [...document.querySelectorAll('table.grid .block')].map(block => {
    const title = block.querySelector('.title').getBoundingClientRect();
    const b = block.getBoundingClientRect();
    return {id: block.closest('td').id, title, block: b, inside: title.left >= b.left - 0.5 && title.right <= b.right + 0.5
            && title.top >= b.top - 0.5 && title.bottom <= b.bottom + 0.5};
  }).filter(box => hit(box.block, view));
  const problems = [];
  boxes.forEach((a, i) => {
    if (!a.inside) problems.push(['title outside its block', a.id]);
    if (a.block.width < 120) problems.push(['block narrower than 120 px', a.id, a.block.width]);
    for (let j = i + 1; j < boxes.length; j++) if (hit(a.block, boxes[j].block)) problems.push(['overlap', a.id, boxes[j].id]);
  });
  return {seen: boxes.map(box => box.id), problems: problems.slice(0, 10)};
}"""
NEXT_FRAME = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def readable_everywhere(page: Page) -> tuple[set[str], list]:
    """Scroll the grid's frame over the whole grid, a screenful at a time, checking what is in view each time:
    the blocks seen and the problems found."""
    frame = page.locator(".grid-scroll")
    frame.evaluate("el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY)")  # all of it in the window
    width, height, client_width, client_height = frame.evaluate(
        "el => [el.scrollWidth, el.scrollHeight, el.clientWidth, el.clientHeight]")
    seen, problems = set(), []
    for top in range(0, height, max(client_height - 60, 100)):
        for left in range(0, width, max(client_width - 80, 100)):
            frame.evaluate("(el, at) => { el.scrollLeft = at[0]; el.scrollTop = at[1]; }", [left, top])
            page.evaluate(NEXT_FRAME)
            found = page.evaluate(IN_VIEW)
            seen.update(found["seen"])
            problems += found["problems"]
    frame.evaluate("el => { el.scrollLeft = 0; el.scrollTop = 0; window.scrollTo(0, 0); }")
    return seen, problems


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_a_large_grid_is_readable_blocks_never_overlap(page: Page, large_grid, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, large_grid["attendee"].email, PASSWORD)
    page.goto(f"/conventions/{large_grid['con'].id}/schedule")
    expect(page.locator("table.grid th.room")).to_have_count(ROOMS)
    expect(page.locator("table.grid .block")).to_have_count(len(large_grid["placed"]))  # one per run, two-slot ones too
    assert page.evaluate(IN_VIEW)["problems"] == []
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    # the room row and the time column stay in view while the grid scrolls inside its frame
    frame = page.locator(".grid-scroll")
    frame_box = frame.bounding_box()
    frame.evaluate("el => { el.scrollTop = 300; el.scrollLeft = 1500; }")
    page.evaluate(NEXT_FRAME)
    room_header = page.locator("table.grid th.room").nth(20).bounding_box()
    time_cell = page.locator("table.grid tbody th.time").nth(5).bounding_box()
    assert abs(room_header["y"] - frame_box["y"]) < 3
    assert abs(time_cell["x"] - frame_box["x"]) < 3
    # ...and everywhere the grid scrolls to, every block in view is legible: each seen once at least
    seen, problems = readable_everywhere(page)
    assert problems == []
    assert seen == {f"slot-{slot.id}" for _, slot in large_grid["placed"]}


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_blocks_link_name_hosts_and_mark_the_viewers_runs(page: Page, large_grid, viewport):
    page.set_viewport_size(viewport)
    con, (mine_ws, mine_slot) = large_grid["con"], large_grid["mine"]
    sign_in(page, large_grid["attendee"].email, PASSWORD)
    page.goto(f"/conventions/{con.id}/schedule")
    mine = page.locator(f"#slot-{mine_slot.id}")
    expect(mine).to_have_class("cell placed mine")
    expect(mine).to_contain_text("registered")
    expect(page.locator("td.cell.mine")).to_have_count(1)
    expect(page.locator("td.cell.hosting")).to_have_count(0)
    cohosted = next(ws for ws, _ in large_grid["placed"] if ws.cohosts)
    cohosted_slot = next(slot for ws, slot in large_grid["placed"] if ws is cohosted)
    expect(page.locator(f"#slot-{cohosted_slot.id} .hosts")).to_have_text("Hana Host, Cory Cohost")
    two_slot = next(slot for ws, slot in large_grid["placed"] if ws.duration_slots == 2)
    expect(page.locator(f"#slot-{two_slot.id}")).to_have_attribute("rowspan", "2")
    page.locator(f"#slot-{mine_slot.id} a.title").click()
    expect(page).to_have_url(f"{page.url.split('/workshops/')[0]}/workshops/{mine_ws.id}")
    expect(page.locator("h1")).to_contain_text(mine_ws.title)

    # a co-host sees the workshops they host marked, and nobody's registrations
    page.context.clear_cookies()
    sign_in(page, large_grid["cohost"].email, PASSWORD)
    page.goto(f"/conventions/{con.id}/schedule")
    cohosted_count = sum(1 for ws, _ in large_grid["placed"] if ws.cohosts)
    expect(page.locator("td.cell.hosting")).to_have_count(cohosted_count)
    expect(page.locator("td.cell.mine")).to_have_count(0)


def test_room_filter_shows_only_the_rooms_chosen_and_keeps_them_across_days(page: Page, large_grid):
    rooms = large_grid["rooms"]
    page.set_viewport_size(PHONE)
    page.goto(f"/conventions/{large_grid['con'].id}/schedule")
    page.locator(".room-filter summary").click()
    for room in (rooms[3], rooms[41]):
        page.locator(".room-filter").get_by_label(room.name, exact=True).check()
    page.get_by_role("button", name="Show these rooms").click()
    expect(page.locator("table.grid th.room")).to_have_count(2)
    expect(page.locator("table.grid thead")).to_contain_text(rooms[41].name)
    assert f"room={rooms[3].id}" in page.url and f"room={rooms[41].id}" in page.url
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.locator(".room-filter summary")).to_have_text(f"Rooms: 2 of {ROOMS}")
    page.get_by_role("link", name="Every room").click()
    expect(page.locator("table.grid th.room")).to_have_count(ROOMS)


def test_now_is_marked_while_the_convention_runs(page: Page, make_user):
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    con = f.convention(name="Running now", start=now.date(), days=1)
    room = f.location(con, name="Room A")
    first = now - timedelta(minutes=90)
    f.slots(room, count=4, start=first)
    db.session.commit()
    page.goto(f"/conventions/{con.id}/schedule")
    marked = page.locator("table.grid tr.now")
    expect(marked).to_have_count(1)
    expect(marked.locator("th")).to_contain_text((first + timedelta(hours=1)).strftime("%H:%M"))
    expect(marked.locator(".now-label")).to_have_text("now")

    later = f.convention(name="Next year", start=(now + timedelta(days=400)).date(), days=1)
    f.slots(f.location(later, name="Room B"), count=2, start=now + timedelta(days=400))
    db.session.commit()
    page.goto(f"/conventions/{later.id}/schedule")
    expect(page.locator("table.grid tr.now")).to_have_count(0)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_the_day_grid_prints_without_the_page_chrome_and_a_door_sign_per_room(page: Page, large_grid, viewport):
    page.set_viewport_size(viewport)
    con, room = large_grid["con"], large_grid["rooms"][0]
    page.goto(f"/conventions/{con.id}/schedule?day={f.DAY1.isoformat()}&room={room.id}")
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.locator(".grid-filter")).to_be_hidden()
    assert page.locator(".grid-scroll").evaluate("el => getComputedStyle(el).overflow") == "visible"
    pdf = page.pdf(landscape=True)
    assert pdf[:4] == b"%PDF" and len(pdf) > 1000
    page.emulate_media(media="screen")

    page.locator("table.grid th.room a", has_text=room.name).click()
    expect(page.locator(".door-sign h1")).to_have_text(room.name)
    runs = [(ws, slot) for ws, slot in large_grid["placed"] if slot.location_id == room.id]
    expect(page.locator("ol.door-runs li")).to_have_count(len(runs))
    first_ws, first_slot = runs[0]
    sign = page.locator(f"#sign-slot-{first_slot.id}")
    expect(sign.locator(".door-title")).to_have_text(first_ws.title)
    expect(sign.locator(".door-time")).to_have_text("09:00–11:00" if first_ws.duration_slots == 2 else "09:00–10:00")
    expect(sign.locator(".door-hosts")).to_contain_text("Hana Host")
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.locator(".door-sign h1")).to_be_visible()


TRACKS = (("Textiles", "#c11574"), ("Electronics", "#175cd3"), ("Food and drink", "#ffd60a"))


@pytest.fixture
def tracked_grid(large_grid):
    """The large grid with three tracks, ten rooms each (Food and drink's yellow is too light as chosen);
    the other thirty rooms' workshops have no track."""
    con, rooms = large_grid["con"], large_grid["rooms"]
    tracks = [Track(convention_id=con.id, name=name, colour=colour) for name, colour in TRACKS]
    db.session.add_all(tracks)
    db.session.flush()
    room_track = {room.id: tracks[i // 10] for i, room in enumerate(rooms[:30])}
    for ws, slot in large_grid["placed"]:
        if slot.location_id in room_track:
            ws.track_id = room_track[slot.location_id].id
    db.session.commit()
    return {**large_grid, "tracks": tracks, "room_track": room_track}


def colour_of(value: str) -> str:
    """A computed CSS colour ("rgb(r, g, b)") as "#rrggbb"."""
    r, g, b = (int(part) for part in value[value.index("(") + 1:value.index(")")].split(",")[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_blocks_take_their_tracks_colours_with_a_legend_and_stay_readable(page: Page, tracked_grid, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"/conventions/{tracked_grid['con'].id}/schedule")
    legend = page.locator(".legend .key-track")
    expect(legend).to_have_text([name for name, _ in sorted(TRACKS)])
    for track in tracked_grid["tracks"]:
        edge, background = track_colours(track.colour)
        ws, slot = next((ws, slot) for ws, slot in tracked_grid["placed"] if ws.track_id == track.id)
        block = page.locator(f"#slot-{slot.id} .block")
        expect(block.locator(".track")).to_have_text(track.name)
        style = block.evaluate("b => { const s = getComputedStyle(b); return [s.borderLeftColor, s.backgroundColor,"
                               " getComputedStyle(b.querySelector('.hosts')).color] }")
        assert [colour_of(style[0]), colour_of(style[1])] == [edge, background]
        assert contrast(colour_of(style[2]), background) >= 4.5  # the lightest text on the block
        assert contrast(edge, "#ffffff") >= 3
        swatch = legend.filter(has_text=track.name).locator(".swatch")
        assert colour_of(swatch.evaluate("s => getComputedStyle(s).borderLeftColor")) == edge
    untracked = next(slot for ws, slot in tracked_grid["placed"] if ws.track_id is None)
    expect(page.locator(f"#slot-{untracked.id} .track")).to_have_count(0)
    seen, problems = readable_everywhere(page)  # the track's name makes blocks taller: still legible
    assert problems == [] and len(seen) == len(tracked_grid["placed"])
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_track_filter_shows_the_rooms_of_the_tracks_chosen(page: Page, tracked_grid, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, tracked_grid["attendee"].email, PASSWORD)
    con, textiles, food = tracked_grid["con"], *tracked_grid["tracks"][::2]
    page.goto(f"/conventions/{con.id}/schedule")
    page.locator(".track-filter summary").click()
    for track in (textiles, food):
        page.locator(".track-filter").get_by_label(track.name).check()
    page.get_by_role("button", name="Show these tracks").click()
    expect(page.locator("table.grid th.room")).to_have_count(20)
    expect(page.locator(".track-filter summary")).to_have_text(f"Tracks: 2 of {len(TRACKS)}")
    assert f"track={textiles.id}" in page.url and f"track={food.id}" in page.url
    shown = {room.name for room in tracked_grid["rooms"] if tracked_grid["room_track"].get(room.id) in (textiles, food)}
    assert set(page.locator("table.grid th.room a").all_inner_texts()) == shown
    expect(page.locator(".legend .key-track")).to_have_text(sorted([food.name, textiles.name]))
    expect(page.locator(f"table.grid td.track-{tracked_grid['tracks'][1].id}")).to_have_count(0)
    expect(page.locator("td.cell.mine")).to_have_count(1)  # the attendee's run is in a Textiles room
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    # the room filter and the day tabs keep the track filter; "Every track" drops it
    page.locator(".room-filter summary").click()
    first_room = next(room for room in tracked_grid["rooms"] if tracked_grid["room_track"].get(room.id) is textiles)
    page.locator(".room-filter").get_by_label(first_room.name, exact=True).check()
    page.get_by_role("button", name="Show these rooms").click()
    expect(page.locator("table.grid th.room")).to_have_count(1)
    assert f"track={textiles.id}" in page.url and f"room={first_room.id}" in page.url
    page.get_by_role("link", name="Every track").click()
    expect(page.locator("table.grid th.room")).to_have_count(1)
    expect(page.locator(".track-filter summary")).to_have_text(f"Tracks: all {len(TRACKS)}")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_an_admin_places_and_unplaces_in_the_large_grid(page: Page, large_grid, make_user, viewport):
    """Placement keeps working inside the new grid, from stored tables, at both widths."""
    page.set_viewport_size(viewport)
    con, rooms = large_grid["con"], large_grid["rooms"]
    f.workshop(con, make_user(roles=("host",)), title="Waiting for a room")  # its host is free all day
    admin = make_user(roles=("admin",), name="Ada Admin")
    db.session.commit()
    taken = {slot.id for _, slot in large_grid["placed"]}
    free = next(s for s in db.session.scalars(db.select(EventSlot).where(EventSlot.location_id == rooms[4].id)
                                              .order_by(EventSlot.start)) if s.workshop_id is None and s.id not in taken)
    sign_in(page, admin.email, PASSWORD)
    page.goto(f"/conventions/{con.id}/schedule")  # once, so the tables are stored before placing
    page.goto(f"/conventions/{con.id}/schedule?room={rooms[4].id}")
    cell = page.locator(f"#slot-{free.id}")
    cell.get_by_role("link", name="Place…").click()
    cell.get_by_label("Workshop").select_option(label="Waiting for a room (10 seats, 1 slot)")
    cell.get_by_role("button", name="Place").click()
    expect(page.locator("#schedule-grid .notice")).to_have_text("Placed at 1 slot(s).")
    expect(page.locator(f"#slot-{free.id} a.title")).to_have_text("Waiting for a room")
    expect(page.locator("table.grid th.room")).to_have_count(1)  # the room filter stays after placing
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.goto(f"/conventions/{con.id}/schedule")  # the next reader of every room sees it too
    expect(page.locator(f"#slot-{free.id} a.title")).to_have_text("Waiting for a room")
    page.locator(f"#slot-{free.id}").get_by_role("button", name="Unplace").click()
    expect(page.locator("#schedule-grid .notice")).to_have_text("Unplaced: 1 slot(s) freed.")
    expect(page.locator(f"#slot-{free.id}")).to_contain_text("free")
