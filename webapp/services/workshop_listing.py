"""The workshop list of a convention as readers browse it: what changes rarely is built once per version.

A workshop's description, hosts, catalogue links and placed runs change only with a change that
bumps the convention's `schedule_version` (schedule_versions.py); its selection counts change with
every registration. So each process keeps, per convention and version, the rendered static part of
every workshop it has listed, and a request reads only the page's ids (with the actor's visibility
and the filters, in SQL) and the live counts. Lists not narrowed to one convention are built fresh.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..extensions import db
from .schedule_versions import version_of
from .versioned_cache import app_cache
from ..models import Workshop
from .workshops import PlacedRun, list_workshop_ids, list_workshops, load_for_display, selection_counts


@dataclass(frozen=True)
class ListedWorkshop:
    static: dict  # what `render` made of the workshop and its placed runs
    counts: dict[str, int]  # selections by status
    registered_per_run: dict[int, int]  # registrations by the run's first slot id


RenderStatic = Callable[[Workshop, list[PlacedRun]], dict]


def list_workshop_documents(actor, render: RenderStatic, *, limit: int, offset: int,
                            **filters) -> tuple[list[ListedWorkshop], int]:
    convention_id = filters.get("convention_id")
    found = version_of(db.session, convention_id) if convention_id is not None else None
    if found is None:
        views, total = list_workshops(actor, limit=limit, offset=offset, **filters)
        return [
            ListedWorkshop(render(v.workshop, v.runs), v.counts, v.registered_per_run)
            for v in views
        ], total

    # version first, then the rows: a document is never older than the version it is filed under
    version = found.version
    ids, total = list_workshop_ids(actor, limit=limit, offset=offset, **filters)
    documents: dict[int, dict] = app_cache("workshop-documents").cached(found.cache_key, version, dict)
    missing = [i for i in ids if i not in documents]
    if missing:
        for view in load_for_display(missing):
            documents[view.workshop.id] = render(view.workshop, view.runs)
    counts, registered_per_run = selection_counts(ids)
    return [ListedWorkshop(documents[i], counts[i], registered_per_run) for i in ids if i in documents], total
