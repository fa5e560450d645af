"""Attendees' workshop pages: browse a convention's workshops (HTMX live search) and one workshop.

Every read goes through the services the JSON API calls, so visibility (drafts, hidden
workshops) is judged once. An htmx request for the list gets only the `_rows` partial; a plain
one (or a history restore) the whole page. The workshop page's action block lives in
`workshops/_actions.html`; the attending blueprint answers its buttons.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from flask import Blueprint, make_response, render_template, request
from flask_login import current_user

from ..extensions import htmx
from ..models import Convention
from ..services import access, attending, catalogue, registration, workshops
from ..services.attending import Run
from ..services.local_time import local_moment
from ..services.tracks import list_tracks
from ..forms import validate_form
from ..models.workshops import seats_left as seats_left_of
from ..paging import page_count, page_of, requested_page
from .schemas import MAX_DURATION_SLOTS, WorkshopQuery

bp = Blueprint("workshop_pages", __name__)

PAGE_SIZE = 20
SERVICE_PAGE = 500  # the most one service call lists


# shown by every attendee and host page ---------------------------------------------------------


def at_local(moment: datetime | None, zone: str, pattern: str = "%a %d %b %H:%M") -> str:
    """A stored UTC instant as the convention's local wall-clock time."""
    if moment is None:
        return "–"
    return local_moment(moment, zone, pattern)


def page_helpers() -> dict:
    return {"at_local": at_local, "max_duration_slots": MAX_DURATION_SLOTS}


bp.context_processor(page_helpers)


@dataclass
class WorkshopRow:
    """A workshop as the pages show it: its hosts, placed runs (with rooms) and seats."""

    workshop: object
    runs: list[Run] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    registered_per_run: dict[int, int] = field(default_factory=dict)  # by the run's first slot id

    @property
    def hosts(self) -> list:
        w = self.workshop
        return [w.host] + [u for u in w.cohosts if u.id != w.host_id]

    @property
    def seats(self) -> int:
        return sum(run.seats(self.workshop) for run in self.runs)

    def seats_left_in(self, run: Run) -> int:
        return seats_left_of(run.seats(self.workshop), self.registered_per_run.get(run.first_slot_id, 0))

    @property
    def seats_left(self) -> int:
        return sum(self.seats_left_in(run) for run in self.runs)

    def run_for(self, first_slot_id: int | None) -> Run | None:
        return next((run for run in self.runs if run.first_slot_id == first_slot_id), None)


def workshop_rows(views) -> list[WorkshopRow]:
    """Rows for these service views, with every placed run's room in one query."""
    by_workshop: dict[int, list[Run]] = defaultdict(list)
    for run in attending.runs_of_workshops([v.workshop.id for v in views]).values():
        by_workshop[run.workshop_id].append(run)
    return [
        WorkshopRow(v.workshop, sorted(by_workshop[v.workshop.id], key=lambda r: (r.start, r.run_index)), v.counts,
                    v.registered_per_run)
        for v in views
    ]


def my_registration(convention_id: int):
    """The signed-in person's registration for this convention, or None."""
    if not current_user.is_authenticated:
        return None
    views, _ = registration.my_conventions(current_user, SERVICE_PAGE, 0)
    return next((v.registration for v in views if v.convention.id == convention_id), None)


def action_context(workshop_id: int, **extra) -> dict:
    """What a workshop's action block shows: the workshop, and the person's registration and selection."""
    view = workshops.get_workshop(current_user, workshop_id)
    convention = access.load(current_user, Convention, view.workshop.convention_id)
    selection = None
    if current_user.is_authenticated:
        selections, _ = attending.list_my_selections(current_user, convention.id, None, SERVICE_PAGE, 0)
        selection = next((s for s in selections if s.selection.workshop_id == workshop_id), None)
    context = {
        "workshop": view.workshop, "row": workshop_rows([view])[0], "convention": convention,
        "registration": my_registration(convention.id), "selection": selection, "message": None, "error": None,
    }
    context.update(extra)
    return context


# browsing -------------------------------------------------------------------------------------


@dataclass
class Filters:
    q: str = ""
    capability_id: int | None = None
    free: bool = False
    page: int = 1
    track_id: int | None = None

    def args(self, **changes) -> dict:
        """Query-string arguments for links (empty filters and the first page left out)."""
        values = {"q": self.q, "capability_id": self.capability_id, "free": self.free, "page": self.page,
                  "track_id": self.track_id}
        values.update(changes)
        args = {}
        if values["q"]:
            args["q"] = values["q"]
        if values["capability_id"] is not None:
            args["capability_id"] = values["capability_id"]
        if values["free"]:
            args["free"] = "1"
        if values["track_id"] is not None:
            args["track_id"] = values["track_id"]
        if values["page"] != 1:
            args["page"] = values["page"]
        return args


def _filters(convention_id: int) -> Filters:
    """The query string read with the API's own WorkshopQuery (a bad value is a 422 page, not a 500)."""
    args = request.args
    raw = {"convention_id": convention_id, "q": args.get("q", "").strip() or None,
           "capability_id": args.get("capability_id") or None, "track_id": args.get("track_id") or None}
    query = validate_form(WorkshopQuery, raw, message="Some search fields are invalid.")
    return Filters(query.q or "", query.capability_id, args.get("free") in ("1", "on", "true"),
                   requested_page(PAGE_SIZE), query.track_id)


def _search(convention_id: int, filters: Filters, offset: int) -> tuple[list[WorkshopRow], int]:
    search = {"convention_id": convention_id, "q": filters.q or None, "capability_id": filters.capability_id,
              "track_id": filters.track_id}
    if not filters.free:
        views, total = workshops.list_workshops(current_user, limit=PAGE_SIZE, offset=offset, **search)
        return workshop_rows(views), total
    # "Only with free seats" counts seats per run, which the list service has no filter for:
    # read every match (in the service's pages) and keep those with a seat left.
    rows: list[WorkshopRow] = []
    total, start = 1, 0
    while start < total:
        views, total = workshops.list_workshops(current_user, limit=SERVICE_PAGE, offset=start, **search)
        rows += [row for row in workshop_rows(views) if row.seats_left > 0]
        start += SERVICE_PAGE
    return rows[offset:offset + PAGE_SIZE], len(rows)


@bp.get("/conventions/<int(max=2147483647):convention_id>/workshops")
def browse(convention_id: int):
    convention = access.load(current_user, Convention, convention_id)
    filters = _filters(convention_id)
    rows, total, page = page_of(lambda offset: _search(convention_id, filters, offset), filters.page, PAGE_SIZE)
    filters = replace(filters, page=page)
    pages = page_count(total, PAGE_SIZE)
    context = {"convention": convention, "rows": rows, "total": total, "filters": filters, "pages": pages}
    if htmx and not htmx.history_restore_request:
        response = make_response(render_template("workshops/_rows.html", **context))
    else:
        capabilities, _ = catalogue.list_capabilities(current_user, SERVICE_PAGE, 0)
        response = make_response(render_template(
            "workshops/browse.html", capabilities=capabilities, registration=my_registration(convention_id),
            tracks=list_tracks(current_user, convention_id),
            **context))
    response.headers["Vary"] = "HX-Request"  # the same URL answers a page or a partial
    return response


@bp.get("/workshops/<int(max=2147483647):workshop_id>")
def detail(workshop_id: int):
    context = action_context(workshop_id)
    if current_user.is_authenticated and context["workshop"].prerequisites:  # "Needs: X (ask for it)"
        context["held_ids"] = {v.capability.id for v in attending.user_capabilities(current_user, current_user.id)}
    return render_template("workshops/detail.html", **context)
