"""The schedule page's stored day tables: a second read is served from the store with each viewer's own marks,
a change reaches the next reader, forms carry the reader's own token; the track filter and the tracks'
colours; responses leave compressed."""
from __future__ import annotations

import gzip
import re
from datetime import datetime, timedelta, timezone

import pytest

from webapp.conventions.grid import INK, MUTED, contrast, track_colours
from webapp.extensions import db
from webapp.models import Track

from . import factories as f
from .conftest import PASSWORD
from .query_count import count_queries


def sign_in(client, user) -> None:
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def festival(make_user):
    """Two rooms, four slots each; three placed workshops (one by the host, two tracks), two attendees each
    registered for a different run."""
    host = make_user(roles=("host",), name="Hana Host")
    other_host = make_user(roles=("host",), name="Otto Other")
    ann, bob = make_user(name="Ann"), make_user(name="Bob")
    con = f.convention(name="Fest", days=1)
    rooms = [f.location(con, name="Hall"), f.location(con, name="Attic")]
    slots = {room.id: f.slots(room, count=4) for room in rooms}
    textiles = Track(convention_id=con.id, name="Textiles", colour="#c11574")
    food = Track(convention_id=con.id, name="Food", colour="#ffd60a")
    db.session.add_all([textiles, food])
    db.session.flush()
    knots = f.workshop(con, host, title="Knots")
    knots.track_id = textiles.id
    bread = f.workshop(con, other_host, title="Bread")
    bread.track_id = food.id
    solder = f.workshop(con, other_host, title="Solder")
    f.place(knots, [slots[rooms[0].id][0]])
    f.place(bread, [slots[rooms[1].id][1]])
    f.place(solder, [slots[rooms[0].id][2]])
    for person, ws, slot in ((ann, knots, slots[rooms[0].id][0]), (bob, bread, slots[rooms[1].id][1])):
        f.registration(person, con)
        f.selection(person, ws, status="registered", slot=slot)
    db.session.commit()
    return {"con": con, "rooms": rooms, "slots": slots, "host": host, "ann": ann, "bob": bob,
            "knots": knots, "bread": bread, "solder": solder, "textiles": textiles, "food": food}


def cell(page: str, slot) -> str:
    found = re.search(rf'<td id="slot-{slot.id}" class="([^"]*)"', page)
    assert found, f"no cell for slot {slot.id}"
    return found.group(1)


def test_each_reader_gets_the_stored_tables_with_only_their_own_marks(client, make_app, festival):
    con, hall, attic = festival["con"], *festival["rooms"]
    ann_slot, bob_slot = festival["slots"][hall.id][0], festival["slots"][attic.id][1]
    url = f"/conventions/{con.id}/schedule"
    sign_in(client, festival["ann"])
    first = client.get(url).get_data(as_text=True)
    assert cell(first, ann_slot).split() == ["cell", "placed", f"track-{festival['textiles'].id}", "mine"]
    assert "mine" not in cell(first, bob_slot).split()

    bob = client.application.test_client()
    sign_in(bob, festival["bob"])
    assert con.id and hall.id and attic.id and ann_slot.id and bob_slot.id  # load them before counting
    with count_queries() as reads:
        page = bob.get(url).get_data(as_text=True)
    assert "mine" in cell(page, bob_slot).split() and "mine" not in cell(page, ann_slot).split()
    assert page.count('<span class="badge">registered</span>') == 1
    # no slot, room or workshop is read again: the tables come from the store
    assert not [s for s in reads.statements if "FROM event_slots" in s and "workshop_id" in s and "count" not in s]
    assert not [s for s in reads.statements if "FROM workshops" in s and "hosted" not in s and "host_id" not in s]

    assert "your registered runs" in first
    food_only = client.get(f"{url}?track={festival['food'].id}").get_data(as_text=True)
    assert "your registered runs" not in food_only  # Ann's run is not among the blocks shown

    anonymous = client.application.test_client().get(url).get_data(as_text=True)
    assert "mine" not in anonymous and "registered</span>" not in anonymous
    assert "\x1e" not in anonymous and "\x1d" not in anonymous  # no cut or placeholder reaches a page


def test_the_host_sees_their_workshops_marked_with_unplace_and_the_token_is_their_own(client, festival, make_user):
    con, hall = festival["con"], festival["rooms"][0]
    knots_slot, solder_slot = festival["slots"][hall.id][0], festival["slots"][hall.id][2]
    sign_in(client, festival["host"])
    page = client.get(f"/conventions/{con.id}/schedule").get_data(as_text=True)
    assert "hosting" in cell(page, knots_slot).split() and "hosting" not in cell(page, solder_slot).split()
    # the Unplace form shows where the host may manage the workshop, the rule of Workshop.can_manage
    block = page[page.index(f'id="slot-{knots_slot.id}"'):]
    assert "Unplace" in block[:block.index("</td>")]
    other = page[page.index(f'id="slot-{solder_slot.id}"'):]
    assert "Unplace" not in other[:other.index("</td>")]
    assert festival["knots"].can_manage(festival["host"]) and not festival["solder"].can_manage(festival["host"])

    admin = client.application.test_client()
    sign_in(admin, make_user(roles=("admin",)))
    for _ in range(2):  # built, then from the store: each page's forms carry that page's own token
        admin_page = admin.get(f"/conventions/{con.id}/schedule").get_data(as_text=True)
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', admin_page).group(1)
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', admin_page))
        assert tokens == {token} and admin_page.count("Unplace") >= 3


def test_a_change_reaches_the_next_reader_of_the_stored_tables(client, festival):
    con, attic = festival["con"], festival["rooms"][1]
    url = f"/conventions/{con.id}/schedule"
    assert "Late bloomers" not in client.get(url).get_data(as_text=True)
    late = f.workshop(con, festival["host"], title="Late bloomers")
    f.place(late, [festival["slots"][attic.id][3]])
    db.session.commit()
    assert "Late bloomers" in client.get(url).get_data(as_text=True)
    festival["food"].colour = "#123456"
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    version = re.search(r"tracks\.css\?v=(\d+)", page).group(1)
    assert "#123456" in client.get(f"/conventions/{con.id}/tracks.css?v={version}").get_data(as_text=True)


def test_now_is_marked_from_the_stored_tables_on_every_read(client, make_user):
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    con = f.convention(name="Running", start=now.date(), days=1)
    f.slots(f.location(con), count=4, start=now - timedelta(minutes=90))
    db.session.commit()
    for _ in range(2):
        page = client.get(f"/conventions/{con.id}/schedule").get_data(as_text=True)
        assert page.count('<tr class="now">') == 1


def test_track_filter_shows_the_rooms_of_the_chosen_tracks(client, festival):
    con, (hall, attic) = festival["con"], festival["rooms"]
    url = f"/conventions/{con.id}/schedule"
    page = client.get(f"{url}?track={festival['food'].id}").get_data(as_text=True)
    assert re.findall(r'<th class="room" scope="col"><a [^>]*>([^<]+)</a>', page) == ["Attic"]
    assert "Bread" in page and "Knots" not in page
    both = client.get(f"{url}?track={festival['food'].id}&track={festival['textiles'].id}").get_data(as_text=True)
    # Hall holds Knots (Textiles) and Solder (no track): Solder's place shows as another track's, untitled
    assert "Solder" not in both and "another track" in both and "Knots" in both
    every_room = re.search(r'<a class="button small secondary" href="([^"]+)"[^>]*>\s*Every room', page).group(1)
    assert f"track={festival['food'].id}" in every_room and "room=" not in every_room
    nothing = client.get(f"{url}?track={festival['food'].id}&room={hall.id}").get_data(as_text=True)
    assert "No run of this track in these rooms on these days." in " ".join(nothing.split())
    assert client.get(f"{url}?track=abc&track=999999").status_code == 200  # unknown tracks: no filter


def test_tracks_css_colours_every_track_readably(client, festival):
    css = client.get(f"/conventions/{festival['con'].id}/tracks.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    text = css.get_data(as_text=True)
    for track in (festival["textiles"], festival["food"]):
        edge, background = track_colours(track.colour)
        assert f"td.cell.track-{track.id} .block {{ border-left-color: {edge}; }}" in text
        assert f"td.track-{track.id} .block {{ background: {background}; }}" in text
    draft = f.convention(name="Draft", status="draft")
    db.session.commit()
    assert client.get(f"/conventions/{draft.id}/tracks.css").status_code == 404


@pytest.mark.parametrize("colour", ["#ffffff", "#ffff00", "#ffd60a", "#00ff00", "#000000", "#0000ff", "#ff0000",
                                    "#6b7280", "#c11574", "#00ffff", "#808080", "#f0f0f0"])
def test_track_colours_keep_edges_visible_and_text_readable(colour):
    edge, background = track_colours(colour)
    assert re.fullmatch(r"#[0-9a-f]{6}", edge) and re.fullmatch(r"#[0-9a-f]{6}", background)
    assert contrast(edge, "#ffffff") >= 3
    assert contrast(background, INK) >= 4.5 and contrast(background, MUTED) >= 4.5
    if contrast(colour, "#ffffff") >= 3:
        assert edge == colour  # a colour that stands out already is kept as chosen


def test_pages_json_and_csv_leave_compressed(client, festival, admin, auth_headers):
    con = festival["con"]
    room = f.location(con, name="Long hall")
    for i, slot in enumerate(f.slots(room, count=12)):  # enough rows that the CSV is worth compressing
        f.place(f.workshop(con, festival["host"], title=f"Evening session number {i}"), [slot])
    db.session.commit()
    for url, headers in ((f"/conventions/{con.id}/schedule", {}),
                         (f"/api/conventions/{con.id}/schedule", {}),
                         (f"/api/conventions/{con.id}/schedule.csv", auth_headers(admin))):
        plain = client.get(url, headers=headers)
        packed = client.get(url, headers={**headers, "Accept-Encoding": "gzip"})
        assert plain.status_code == packed.status_code == 200, url
        assert "Content-Encoding" not in plain.headers
        assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
        assert len(packed.data) < len(plain.data)
        body = gzip.decompress(packed.data)
        if url.endswith("/schedule"):  # the page's token differs per read; the rest is the same
            body, expected = (re.sub(rb'content="[^"]+"|value="[^"]+"|"X-CSRFToken": "[^"]+"', b"", b)
                              for b in (body, plain.data))
        else:
            expected = plain.data
        assert body == expected, url
