"""Background work of the Schülerzeitung (django-tasks, database backend, ``db_worker``)."""

from django_tasks import task

from network.newsletter import services


@task(takes_context=True)
def send_issue(context, issue_id: int) -> str:
    """Mail one batch of an issue; the same task is the watchdog that resumes after a crash
    (see ``services`` for the whole protocol). Its result id names the lease holder."""
    return services.issue_send_batch(issue_id=issue_id, runner=str(context.task_result.id))
