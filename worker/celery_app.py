"""The Celery worker's entry point: `celery -A worker.celery_app worker` (or `slotwise worker`)."""
from webapp import create_app

flask_app = create_app()
if "celery" not in flask_app.extensions:
    raise SystemExit("REDIS_URL is not set: the Celery worker needs Redis (embedded mode needs no worker).")
celery = flask_app.extensions["celery"]
