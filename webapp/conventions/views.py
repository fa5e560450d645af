"""Organisers' pages: conventions, their rooms, equipment and slots, and the schedule grid (HTMX).

Every route parses the form into the JSON API's schema (`forms.py`), calls the same service
function as the API, and renders. Permissions and rules live in the services: a 401/403/404
goes to the one error renderer, while a 409/422 (the person can fix it) is shown on the page,
beside the inputs. An htmx request gets only the section or cell it swaps; a plain one the page.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from ..errors import NotFound
from ..extensions import htmx
from ..models.conventions import TITLE_MAX
from ..services.links import id_link_maker
from ..services import attending, catalogue, conventions, locations, placement, slots, workshops
from . import bp
from .grid import Cell, build_grid
from .forms import (
    BULK_FIELDS, CONVENTION_FIELDS, EQUIPMENT_FIELDS, LOCATION_FIELDS,
    parse_bulk_slots, parse_convention, parse_equipment, parse_location, parse_place,
)
from ..forms import FormErrors
from ..pages import page_action
from .schemas import known_timezones

LIST_LIMIT = 500
ALL_DAYS = "all"
WHOLE_GRID_MAX_CELLS = 600  # above this the schedule opens on one day: 60 rooms x 3 days was 900 KB of HTML
SECTIONS = ("locations", "equipment", "bulk")


# conventions ----------------------------------------------------------------------------------


@bp.get("/conventions")
def list_page():
    q = request.args.get("q", "").strip()[:TITLE_MAX] or None
    rows, total = conventions.list_conventions(current_user, LIST_LIMIT, 0, q)
    if htmx:
        return render_template("conventions/_rows.html", conventions=rows)
    return render_template("conventions/list.html", conventions=rows, total=total, q=q or "",
                           values={}, errors=FormErrors())


def _create_refused(errors: FormErrors):
    rows, total = conventions.list_conventions(current_user, LIST_LIMIT, 0)
    return render_template("conventions/list.html", conventions=rows, total=total, q="",
                           values=request.form, errors=errors), errors.status


@bp.post("/conventions")
@login_required
@page_action(_create_refused, CONVENTION_FIELDS)
def create():
    data = parse_convention(request.form)
    row = conventions.create_convention(current_user, **data.model_dump())
    flash(f"Convention '{row.name}' created.")
    return redirect(url_for("conventions.detail", convention_id=row.id))


def _page_context(convention_id: int, **extra) -> dict:
    """What the convention page shows: every read goes through the services' visibility rules."""
    convention = conventions.get_convention(current_user, convention_id)
    rooms, _ = locations.list_locations(current_user, convention_id, LIST_LIMIT, 0)
    pool, _ = catalogue.list_equipment(current_user, LIST_LIMIT, 0, convention_id=convention_id)
    days = [convention.start_date + timedelta(days=i)
            for i in range((convention.end_date - convention.start_date).days + 1)]
    context = {"convention": convention, "locations": rooms, "equipment": pool, "days": days,
               "errors": {}, "values": {}, "bulk_result": None, "notice": {}, "confirm_delete": {},
               "zone": ZoneInfo(convention.timezone), "location_values": location_values,
               "convention_values": convention_values}
    context.update(extra)
    return context


def location_values(row) -> dict:
    """A room as its edit form's inputs."""
    values = {"name": row.name, "capacity": row.capacity}
    values.update({f"equipment-{e.equipment_id}": e.quantity for e in row.equipment})
    return values


def convention_values(row) -> dict:
    return {"name": row.name, "description": row.description, "start_date": row.start_date.isoformat(),
            "end_date": row.end_date.isoformat(), "timezone": row.timezone,
            "registration_fee": str(row.registration_fee), "payment_instructions": row.payment_instructions,
            "status": row.status}


@bp.get("/conventions/<int:convention_id>")
def detail(convention_id: int):
    return render_template("conventions/detail.html", **_page_context(convention_id))


@bp.get("/conventions/<int:convention_id>/sections/<any(locations, equipment, bulk):section>")
def section(convention_id: int, section: str):
    """One admin section on its own, for htmx to refresh it when another section changed."""
    return render_template(f"conventions/_{section}.html", **_page_context(convention_id))


def _page_refused(key: str, section: str | None = None):
    """The refusal of a form on the convention page: the section it sits in (htmx) or the page again,
    with the errors beside its inputs; `key` names the form (`{id}` is filled from the URL)."""

    def refused(errors: FormErrors, convention_id: int, **ids):
        name = key.format(**ids)
        context = _page_context(convention_id, errors={name: errors}, values={name: request.form})
        template = f"conventions/_{section}.html" if htmx and section else "conventions/detail.html"
        return render_template(template, **context), errors.status

    return refused


def _section_done(convention_id: int, section: str, message: str | None, trigger: str | None = None, **extra):
    """After a write in one section: flash and go back, or (htmx) swap the section in."""
    if not htmx:
        if message:
            flash(message)
        return redirect(url_for("conventions.detail", convention_id=convention_id, _anchor=section))
    context = _page_context(convention_id, notice={section: message}, **extra)
    response = make_response(render_template(f"conventions/_{section}.html", **context))
    if trigger:
        response.headers["HX-Trigger"] = trigger
    return response


def _confirm(convention_id: int, section: str, key: str, impact):
    """The section (or page) again, with the row asking "delete?" and saying what goes with it."""
    context = _page_context(convention_id, confirm_delete={key: impact})
    if htmx:
        return render_template(f"conventions/_{section}.html", **context)
    return render_template("conventions/detail.html", **context)


@bp.post("/conventions/<int:convention_id>/edit")
@login_required
@page_action(_page_refused("convention"), CONVENTION_FIELDS)
def update(convention_id: int):
    data = parse_convention(request.form)
    conventions.update_convention(current_user, convention_id, **data.model_dump())
    flash("Convention saved.")
    return redirect(url_for("conventions.detail", convention_id=convention_id))


@bp.post("/conventions/<int:convention_id>/delete")
@login_required
@page_action(_page_refused("delete"))
def delete(convention_id: int):
    conventions.delete_convention(current_user, convention_id, cascade=request.form.get("cascade") == "on")
    flash("Convention deleted.")
    return redirect(url_for("conventions.list_page"))


# locations ------------------------------------------------------------------------------------


def _pool_ids(convention_id: int) -> list[int]:
    pool, _ = catalogue.list_equipment(current_user, LIST_LIMIT, 0, convention_id=convention_id)
    return [item.id for item in pool]


@bp.post("/conventions/<int:convention_id>/locations")
@login_required
@page_action(_page_refused("location-new", "locations"), LOCATION_FIELDS)
def create_location(convention_id: int):
    data = parse_location(request.form, _pool_ids(convention_id))
    row = locations.create_location(current_user, convention_id, **data.model_dump())
    return _section_done(convention_id, "locations", f"Room '{row.name}' added.", trigger="locations-changed")


@bp.post("/conventions/<int:convention_id>/locations/<int:location_id>")
@login_required
@page_action(_page_refused("location-{location_id}", "locations"), LOCATION_FIELDS)
def update_location(convention_id: int, location_id: int):
    data = parse_location(request.form, _pool_ids(convention_id))
    row = locations.update_location(current_user, convention_id, location_id, **data.model_dump())
    return _section_done(convention_id, "locations", f"Room '{row.name}' saved.", trigger="locations-changed")


@bp.post("/conventions/<int:convention_id>/locations/<int:location_id>/delete")
@login_required
@page_action(_page_refused("location-{location_id}", "locations"))
def delete_location(convention_id: int, location_id: int):
    if request.form.get("confirmed") != "1":  # ask first, saying what goes with the room
        impact = locations.location_deletion_impact(current_user, convention_id, location_id)
        return _confirm(convention_id, "locations", f"location-{location_id}", impact)
    locations.delete_location(current_user, convention_id, location_id, cascade=request.form.get("cascade") == "on")
    return _section_done(convention_id, "locations", "Room deleted.", trigger="locations-changed")


# equipment pool -------------------------------------------------------------------------------


def _equipment_of(convention_id: int, equipment_id: int):
    """The pool item, when it belongs to this convention (the URL names both)."""
    pool, _ = catalogue.list_equipment(current_user, LIST_LIMIT, 0, convention_id=convention_id)
    for item in pool:
        if item.id == equipment_id:
            return item
    raise NotFound(f"No equipment {equipment_id} in convention {convention_id}.", fields={"id": equipment_id})


@bp.post("/conventions/<int:convention_id>/equipment")
@login_required
@page_action(_page_refused("equipment-new", "equipment"), EQUIPMENT_FIELDS)
def create_equipment(convention_id: int):
    data = parse_equipment(request.form, convention_id)
    row = catalogue.create_equipment(current_user, **data.model_dump())
    return _section_done(convention_id, "equipment", f"Equipment '{row.name}' added.", trigger="equipment-changed")


@bp.post("/conventions/<int:convention_id>/equipment/<int:equipment_id>")
@login_required
@page_action(_page_refused("equipment-{equipment_id}", "equipment"), EQUIPMENT_FIELDS)
def update_equipment(convention_id: int, equipment_id: int):
    _equipment_of(convention_id, equipment_id)
    data = parse_equipment(request.form, convention_id)
    row = catalogue.update_equipment(current_user, equipment_id, name=data.name, quantity=data.quantity)
    return _section_done(convention_id, "equipment", f"Equipment '{row.name}' saved.", trigger="equipment-changed")


@bp.post("/conventions/<int:convention_id>/equipment/<int:equipment_id>/delete")
@login_required
@page_action(_page_refused("equipment-{equipment_id}", "equipment"))
def delete_equipment(convention_id: int, equipment_id: int):
    _equipment_of(convention_id, equipment_id)
    if request.form.get("confirmed") != "1":  # ask first, saying what it is taken from
        usage = catalogue.equipment_usage(current_user, equipment_id)
        return _confirm(convention_id, "equipment", f"equipment-{equipment_id}", usage)
    catalogue.delete_equipment(current_user, equipment_id, cascade=request.form.get("cascade") == "on")
    return _section_done(convention_id, "equipment", "Equipment deleted.", trigger="equipment-changed")


# slots in bulk --------------------------------------------------------------------------------


@bp.post("/conventions/<int:convention_id>/bulk-slots")
@login_required
@page_action(_page_refused("bulk", "bulk"), BULK_FIELDS)
def bulk_slots(convention_id: int):
    data = parse_bulk_slots(request.form)
    created, skipped = slots.bulk_create_slots(current_user, convention_id, **data.model_dump())
    if htmx:
        return _section_done(convention_id, "bulk", None, bulk_result={"created": len(created), "skipped": skipped})
    flash(f"{len(created)} slot(s) created, {len(skipped)} skipped.")
    return redirect(url_for("conventions.detail", convention_id=convention_id, _anchor="bulk"))


# the schedule grid ----------------------------------------------------------------------------


def _requested_day() -> str | None:
    """`?day=` as given when it names a day ("YYYY-MM-DD") or every day ("all"); otherwise None."""
    wanted = request.args.get("day", "")
    if wanted == ALL_DAYS:
        return wanted
    try:
        return date.fromisoformat(wanted).isoformat()
    except ValueError:
        return None


def _chosen_day(dates: list[date], slot_count: int, zone: ZoneInfo) -> str:
    """The day to show ("all" for every day): the requested one when the grid has it; without one, every
    day of a small grid, and the first day (today's, while the convention runs) of a large one."""
    wanted = _requested_day()
    known = [d.isoformat() for d in dates]
    if wanted == ALL_DAYS or wanted in known:
        return wanted
    if slot_count <= WHOLE_GRID_MAX_CELLS or not known:
        return ALL_DAYS
    today = datetime.now(zone).date().isoformat()
    return today if today in known else known[0]


def _day_window(day: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A local day as the UTC instants it starts and ends (23 or 25 hours on a clock change)."""
    first = date.fromisoformat(day)
    return (datetime.combine(first, time.min, zone).astimezone(timezone.utc),
            datetime.combine(first + timedelta(days=1), time.min, zone).astimezone(timezone.utc))


def _requested_rooms() -> list[int]:
    """`?room=ID` (repeatable): the rooms the grid is filtered to, passed on in every link and form."""
    return sorted({int(v) for v in request.args.getlist("room") if v.isdigit() and len(v) < 10})


def _viewer(convention_id: int) -> dict:
    """Who is looking, read once for the whole grid: what they may do, and which runs and workshops are theirs."""
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return {"signed_in": False, "viewer_is_admin": False, "may_place": False}
    mine, hosting = attending.own_runs_and_workshops(user, convention_id)
    return {"signed_in": True, "viewer_is_admin": user.is_admin,
            "may_place": user.is_admin or user.has_role("host"), "mine": frozenset(mine), "hosting": frozenset(hosting)}


def _link_maker(endpoint: str, **values):
    """A function from an id to the link `url_for(endpoint, **values)` gives for it, with url_for called
    once: a day of the grid has about two thousand links that differ only in their slot or workshop id."""
    return id_link_maker(url_for, endpoint, "slot_id" if "convention_id" in values else "workshop_id", **values)


def _grid_links(convention_id: int, chosen: str | None, rooms: list[int]) -> dict:
    keep = {"convention_id": convention_id, "day": chosen, "room": rooms}
    return {"assign_link": _link_maker("conventions.assign", **keep),
            "unassign_link": _link_maker("conventions.unassign", **keep),
            "pick_link": _link_maker("conventions.pick_cell", **keep),
            "cancel_link": _link_maker("conventions.pick_cell", cancel=1, **keep),
            "workshop_link": _link_maker("workshop_pages.detail")}


def _context(schedule, *, dates: list[date], chosen: str | None, whole_grid: bool, **extra) -> dict:
    requested = _requested_rooms()
    # a cell read alone is shown whatever the filter; the whole grid shows the rooms asked for that it has
    rooms = ({loc.id for loc in schedule.locations} & set(requested) or None) if whole_grid else None
    viewer = _viewer(schedule.convention.id)
    mine, hosting = viewer.pop("mine", frozenset()), viewer.pop("hosting", frozenset())
    days = build_grid(schedule, room_ids=rooms, now=datetime.now(timezone.utc), mine=mine, hosting=hosting)
    viewer.update(has_own_runs=bool(mine), hosts_some=bool(hosting))
    context = {"schedule": schedule, "convention": schedule.convention, "day_dates": dates, "days": days,
               "chosen_day": chosen, "chosen_rooms": requested,
               "shown_rooms": [loc for loc in schedule.locations if rooms is None or loc.id in rooms],
               "picking": None, "choices": [], "cell_errors": {}, "unplace_impact": {}, "form_token": generate_csrf(),
               **viewer,
               **_grid_links(schedule.convention.id, chosen, requested)}
    context.update(extra)
    return context


def _grid_context(convention_id: int, **extra) -> dict:
    """The grid of the chosen day (or every day): the days are listed first, then only that day is read."""
    convention, starts = placement.slot_starts(current_user, convention_id)
    zone = ZoneInfo(convention.timezone)
    dates = sorted({start.astimezone(zone).date() for start, _ in starts})
    chosen = _chosen_day(dates, sum(count for _, count in starts), zone)
    between = None if chosen == ALL_DAYS else _day_window(chosen, zone)
    schedule = placement.convention_schedule(current_user, convention_id, between=between)
    return _context(schedule, dates=dates, chosen=chosen, whole_grid=True, **extra)


def _cell_context(convention_id: int, slot_id: int, **extra) -> dict:
    """One block read alone; a one-slot grid cannot tell whether the requested day is real, so it only
    passes the day on in its links."""
    schedule = placement.slot_schedule(current_user, convention_id, slot_id)
    return _context(schedule, dates=[], chosen=_requested_day(), whole_grid=False, **extra)


def _placeable(convention_id: int) -> list:
    """Workshops with a run still to place that this person may place: all for an admin, their own for a host."""
    if not current_user.is_authenticated:
        return []
    host_id = None if current_user.is_admin else current_user.id
    views, _ = workshops.list_workshops(current_user, limit=LIST_LIMIT, offset=0, convention_id=convention_id,
                                        host_id=host_id, available_slots_only=True)
    return [view.workshop for view in views]


@bp.get("/conventions/<int:convention_id>/schedule")
def schedule(convention_id: int):
    context = _grid_context(convention_id)
    if htmx:
        return render_template("conventions/_grid.html", **context)
    return render_template("conventions/schedule.html", **context)


def _cell_of(context: dict, slot_id: int) -> Cell:
    for day in context["days"]:
        for row in day.rows:
            for cell in row.cells:
                if cell and any(s.id == slot_id for s in cell.slots):
                    return cell
    raise NotFound(f"No event slot {slot_id} in convention {context['convention'].id}.", fields={"id": slot_id})


def _slot_cell(convention_id: int, slot_id: int) -> Cell:
    """The cell as the grid shows it, read alone (NotFound when the slot is not in this convention)."""
    return _cell_of(_cell_context(convention_id, slot_id), slot_id)


def _render_cell(convention_id: int, slot_id: int, status: int = 200, *, pick: bool = False, **extra):
    """The one cell (htmx, swapped in place: only that slot is read) or the whole grid page showing it.
    With `pick`, the cell offers the workshops to place in it, listed once the slot is known to be this
    convention's (NotFound otherwise)."""
    if htmx:
        context = _cell_context(convention_id, slot_id, **extra)
    else:
        context = _grid_context(convention_id, **extra)
    cell = _cell_of(context, slot_id)
    if pick:
        context.update(picking=slot_id, choices=_placeable(convention_id))
    if not htmx:
        return render_template("conventions/schedule.html", **context), status
    response = make_response(render_template("conventions/_cell.html", cell=cell, **context), status)
    response.headers["HX-Retarget"] = f"#slot-{cell.slot.id}"  # a run's block is named after its first slot
    response.headers["HX-Reswap"] = "outerHTML"
    return response


@bp.get("/conventions/<int:convention_id>/schedule/slots/<int:slot_id>")
@login_required
def pick_cell(convention_id: int, slot_id: int):
    """A free cell with the choice of workshops to place in it (or back to plain with ?cancel=1)."""
    return _render_cell(convention_id, slot_id, pick=not request.args.get("cancel"))


def _problems(errors: FormErrors) -> list[str]:
    """What a cell shows of a refusal: the placement's violations, else its message or the form's errors."""
    found = [v.get("message") for v in errors.details.get("violations", []) if isinstance(v, dict)]
    return [m for m in found if m] or ([errors.general] if errors.general else list(errors.values()))


def _cell_refused(*, pick: bool):
    """The cell again with the refusal in it (still offering the workshops to place when `pick`)."""

    def refused(errors: FormErrors, convention_id: int, slot_id: int):
        return _render_cell(convention_id, slot_id, errors.status, pick=pick, cell_errors={slot_id: _problems(errors)})

    return refused


def _grid_done(convention_id: int, message: str, **anchor):
    if htmx:
        return render_template("conventions/_grid.html", notice=message, **_grid_context(convention_id))
    flash(message)
    return redirect(url_for("conventions.schedule", convention_id=convention_id, day=request.args.get("day"),
                            room=_requested_rooms(), **anchor))


@bp.post("/conventions/<int:convention_id>/schedule/slots/<int:slot_id>/assign")
@login_required
@page_action(_cell_refused(pick=True))
def assign(convention_id: int, slot_id: int):
    data = parse_place(request.form, slot_id)
    _slot_cell(convention_id, slot_id)  # the slot must be in this convention's grid
    run = placement.assign_slot(current_user, data.workshop_id, data.event_slot_id, data.run_index)
    return _grid_done(convention_id, f"Placed at {len(run.slots)} slot(s).", _anchor=f"slot-{slot_id}")


@bp.post("/conventions/<int:convention_id>/schedule/slots/<int:slot_id>/unassign")
@login_required
@page_action(_cell_refused(pick=False))
def unassign(convention_id: int, slot_id: int):
    cell = _slot_cell(convention_id, slot_id)
    if cell.slot.workshop_id is None:
        return _render_cell(convention_id, slot_id, 409, cell_errors={slot_id: ["This slot is free already."]})
    if request.form.get("confirmed") != "1":
        registered, waiting = placement.run_attendance(current_user, cell.slot.workshop_id, slot_id)
        if registered or waiting:  # say who is affected first; the cell then offers "Unplace anyway"
            return _render_cell(convention_id, slot_id, unplace_impact={cell.slot.id: (registered, waiting)})
    freed, _ = placement.unassign_slot(current_user, cell.slot.workshop_id, slot_id)
    return _grid_done(convention_id, f"Unplaced: {len(freed)} slot(s) freed.")


@bp.app_template_global("timezone_names")
def timezone_names() -> list[str]:
    """The IANA names the schema accepts, for the time zone input's suggestions."""
    return sorted(known_timezones())


@bp.app_template_filter("in_zone")
def in_zone(moment: datetime, zone: ZoneInfo, pattern: str = "%a %d %b %H:%M") -> str:
    """A stored UTC instant as the convention's local wall-clock time."""
    return moment.astimezone(zone).strftime(pattern)


@bp.get("/conventions/<int:convention_id>/rooms/<int:location_id>/door-sign")
def door_sign(convention_id: int, location_id: int):
    """One room's runs of one day (`?day=`, else its first day), laid out to print and pin on its door."""
    convention, starts = placement.slot_starts(current_user, convention_id)
    zone = ZoneInfo(convention.timezone)
    dates = sorted({start.astimezone(zone).date() for start, _ in starts})
    wanted = _requested_day()
    day = next((d for d in dates if d.isoformat() == wanted), dates[0] if dates else None)
    schedule = placement.convention_schedule(current_user, convention_id,
                                             between=_day_window(day.isoformat(), zone) if day else None)
    room = next((loc for loc in schedule.locations if loc.id == location_id), None)
    if room is None:
        raise NotFound(f"No room {location_id} in convention {convention_id}.", fields={"id": location_id})
    grid = build_grid(schedule, room_ids={location_id})
    runs = [cell for d in grid for row in d.rows for cell in row.cells if cell and cell.workshop]
    return render_template("conventions/door_sign.html", convention=convention, room=room, day=day,
                           dates=dates, runs=runs)
