"""Flask's Celery pattern: each task runs inside the app context; tasks take ids, never model objects."""
from __future__ import annotations

from celery import Celery, Task
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
    )
    celery.set_default()
    app.extensions["celery"] = celery
    from . import tasks  # noqa: F401  (register the tasks with this app)

    return celery
