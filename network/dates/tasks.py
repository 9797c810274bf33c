"""Background work of the dates, run by ``manage.py db_worker`` (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_reminders(appointment_id: int) -> int:
    """The reminder of a Klassentreffen, the day before; sending twice sends once."""
    from network.dates.services import reminders_send  # services enqueue this task

    return reminders_send(appointment_id=appointment_id)
