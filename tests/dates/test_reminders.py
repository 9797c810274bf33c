"""The reminder the day before a Klassentreffen: scheduled as a task, sent once, over a real
SMTP server on loopback (the ``smtp`` fixture)."""

from __future__ import annotations

import datetime
from email import message_from_bytes, policy
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from network.dates import services, tasks
from network.dates.models import Registration
from tests.dates.conftest import at, klassentreffen_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def soon(office, editor, outsider, coordinator):
    """A Klassentreffen in two hours (so its reminder, due the day before at nine, is due
    whenever the test runs): two seats taken, one person waiting."""
    appointment = klassentreffen_for(
        office, starts_at=timezone.now().replace(microsecond=0) + datetime.timedelta(hours=2)
    )
    for user in (editor, outsider, coordinator):
        services.registration_create(appointment=appointment, user=user)
    return appointment


def due(appointment) -> datetime.datetime:
    return appointment.reminder_due_at() + datetime.timedelta(minutes=1)


def test_creating_a_klassentreffen_schedules_its_reminder_for_the_day_before(office):
    appointment = klassentreffen_for(office, starts_at=at(datetime.date(2031, 5, 8), 10))
    [queued] = DBTaskResult.objects.filter(task_path=tasks.send_reminders.module_path)
    assert queued.args_kwargs == {"args": [appointment.pk], "kwargs": {}}
    assert timezone.localtime(queued.run_after) == at(datetime.date(2031, 5, 7), 9)


def test_a_pausenhof_schedules_no_reminder(pausenhof):
    assert not DBTaskResult.objects.exists()


def test_moving_the_date_schedules_a_new_reminder_and_the_old_one_does_nothing(smtp, office, soon):
    later = soon.starts_at + datetime.timedelta(days=7)
    services.appointment_update(
        by=office,
        appointment=soon,
        starts_at=later,
        ends_at=later + datetime.timedelta(hours=6),
    )
    assert DBTaskResult.objects.count() == 2
    # The first task, due today, finds the date a week later: nothing to send yet.
    assert tasks.send_reminders.call(soon.pk) == 0
    assert smtp.messages == []


def test_the_reminder_goes_out_once_though_it_runs_twice(smtp, soon, editor, outsider, settings):
    settings.SITE_URL = "https://klassenraum.example.org"
    now = due(soon)

    first = services.reminders_send(appointment_id=soon.pk, now=now)
    second = services.reminders_send(appointment_id=soon.pk, now=now)

    assert (first, second) == (2, 0)
    assert sorted(e.rcpt_tos[0] for e in smtp.messages) == sorted([editor.email, outsider.email])
    mail = message_from_bytes(smtp.messages[0].content, policy=policy.default)
    assert mail["Subject"] == "Morgen: Klassentreffen in Olpe"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert f"https://klassenraum.example.org/termine/{soon.pk}/" in text
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert f'href="https://klassenraum.example.org/termine/{soon.pk}/"' in html
    assert Registration.objects.filter(reminded_at__isnull=False).count() == 2
    assert Registration.objects.get(status="waiting").reminded_at is None


def test_the_worker_runs_the_task_twice_and_the_mail_goes_out_once(smtp, soon):
    # Two more copies in the queue beside the one of creation, all due.
    for _ in range(2):
        tasks.send_reminders.using(
            run_after=timezone.now() - datetime.timedelta(seconds=1)
        ).enqueue(soon.pk)
    assert soon.reminder_due_at() <= timezone.now()  # so the task of its creation runs, too
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())

    results = DBTaskResult.objects.order_by("enqueued_at")
    assert [r.status for r in results] == ["SUCCESSFUL"] * 3
    assert sorted(r.return_value for r in results) == [0, 0, 2]
    assert len(smtp.messages) == 2  # two people with a seat, one mail each


def test_the_command_sends_what_is_due_once(smtp, soon):
    out = StringIO()
    call_command("send_date_reminders", stdout=out)
    call_command("send_date_reminders", stdout=out)
    assert len(smtp.messages) == 2
    assert out.getvalue().splitlines() == [
        "2 Erinnerung(en) verschickt.",
        "0 Erinnerung(en) verschickt.",
    ]


def test_nothing_before_the_day_before_or_after_the_start(smtp, soon):
    early = soon.reminder_due_at() - datetime.timedelta(minutes=1)
    assert services.reminders_send(appointment_id=soon.pk, now=early) == 0
    assert services.reminders_send(appointment_id=soon.pk, now=soon.starts_at) == 0
    assert smtp.messages == []


def test_who_moves_up_after_the_reminders_is_reminded_on_the_next_run(smtp, soon, outsider):
    now = due(soon)
    services.reminders_send(appointment_id=soon.pk, now=now)
    services.registration_cancel(appointment=soon, user=outsider)  # coordinator moves up
    assert services.reminders_send(appointment_id=soon.pk, now=now) == 1
    assert [e.rcpt_tos for e in smtp.messages][-1] == ["koordination-menden@example.org"]


def test_a_failed_delivery_is_tried_again(settings, soon):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nobody listens
    settings.EMAIL_TIMEOUT = 2
    assert services.reminders_send(appointment_id=soon.pk, now=due(soon)) == 0
    assert not Registration.objects.filter(reminded_at__isnull=False).exists()
