"""Background work: the Celery app (production) and an in-process thread (embedded mode) run the same tasks."""
