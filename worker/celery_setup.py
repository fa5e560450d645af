"""Flask's Celery pattern: each task runs inside the app context; tasks take ids, never model objects."""
from __future__ import annotations

from celery import Celery, Task
from celery.signals import worker_process_init, worker_ready
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=app.config["REDIS_URL"],
        task_ignore_result=True,
        # A task is acknowledged once done, so a lost worker's run is redelivered; the run's
        # status guard then makes the redelivery a no-op if it was marked failed meanwhile.
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        broker_transport_options=_redelivery_options(app.config["CELERY_VISIBILITY_TIMEOUT_SECONDS"]),
    )
    celery.set_default()
    celery.flask_app = app
    app.extensions["celery"] = celery
    from . import tasks  # noqa: F401  (register the tasks with this app)

    return celery


def _redelivery_options(visibility_timeout: int) -> dict:
    """Redis keeps a killed worker's unacknowledged task for `visibility_timeout` seconds, then any
    worker's next scan hands it out again (see README). One cheap scan per interval, not kombu's
    default of one in ten, so redelivery comes within the timeout plus that interval."""
    return {"visibility_timeout": visibility_timeout,
            "unacked_restore_interval": min(10, max(1, visibility_timeout // 4)),
            "unacked_restore_throttle": 1}


@worker_ready.connect
def _sweep_stale_runs_in_this_worker(sender=None, **_) -> None:
    """Each worker process records its dead peers' runs as failed (worker/stale_runs.py)."""
    from .stale_runs import start_stale_run_sweeper

    flask_app = getattr(getattr(sender, "app", None), "flask_app", None)
    if flask_app is not None:
        start_stale_run_sweeper(flask_app)


@worker_process_init.connect
def _fresh_connections_after_fork(**_) -> None:
    """A prefork child must not share the parent's database connections."""
    from celery import current_app as current_celery

    flask_app = getattr(current_celery, "flask_app", None)
    if flask_app is not None:
        from webapp.extensions import db

        with flask_app.app_context():
            db.engine.dispose(close=False)
