"""The background worker's queue, run inside a test's transaction.

``manage.py db_worker --batch`` itself needs a test with ``transaction=True`` (it commits and
closes connections); :func:`run_worker` hands each due task to the same worker's
``run_task``, in the same order, so a test in an ordinary transaction sees what the worker
would have done after the request — and fails with the task's own error if one failed.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_worker() -> int:
    """Run every task that is due (and those they queue) until none is left; returns how
    many ran."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with transaction.atomic():
            row = DBTaskResult.objects.ready().get_locked()
            if row is None:
                return ran
            row.claim(worker.worker_id)
        worker.run_task(row)
        row.refresh_from_db()
        if row.status != "SUCCESSFUL":
            raise AssertionError(f"{row.task_path} failed:\n{row.traceback}")
        ran += 1
