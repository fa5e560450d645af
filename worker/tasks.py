"""Celery tasks: thin wrappers over the work in runner.py, which the embedded thread runs too."""
from celery import shared_task

# ortools loads at import time here, so the first task does not pay for it (about 350 ms)
from .dispatch import RUN_SCHEDULE_TASK
from .runner import execute_run


@shared_task(name=RUN_SCHEDULE_TASK, ignore_result=True)
def run_schedule(run_id: int) -> str:
    return execute_run(int(run_id))
