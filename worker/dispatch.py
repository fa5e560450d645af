"""Hand a run to whichever worker this deployment has: Celery on Redis, or the embedded thread."""
from __future__ import annotations

from flask import current_app

RUN_SCHEDULE_TASK = "slotwise.run_schedule"


def enqueue(run_id: int) -> None:
    app = current_app._get_current_object()
    celery = app.extensions.get("celery")
    if celery is not None:
        # by name: the web process need not import the solver to queue work for it
        celery.send_task(RUN_SCHEDULE_TASK, args=[run_id])
    else:
        from .embedded import embedded_worker

        embedded_worker(app).submit(run_id)
