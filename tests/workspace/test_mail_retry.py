"""A mail sent while the mail server is down is not lost (workspace/mail.py).

The SMTP port is closed when the visitor reports a barrier: the answer is the normal one, the
report is stored and the mail waits in the outbox. The background worker (the real
``db_worker`` in batch mode) delivers it once the server (aiosmtpd on loopback) is back, exactly
once; a mail that fails every attempt is listed for the office, who may ask for another round.
"""

from __future__ import annotations

import socket
import time
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import _Inbox
from tests.workspace.test_notifications import new_version, project, result  # noqa: F401
from workspace.models import BarrierReport, OutgoingMail

pytestmark = pytest.mark.django_db(transaction=True)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_down(settings, office):
    """Mail goes to a loopback port where nobody listens (yet); no wait between attempts."""
    office.email = "buero@smartcities.example"
    office.save()
    port = _closed_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.MAIL_RETRY_DELAYS = [0, 0, 0]
    return port


def _smtp_up(port: int) -> tuple[Controller, _Inbox]:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def _run_worker() -> None:
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--interval=0",
        "--no-reload",
        "--queue-name=*",
        stdout=StringIO(),
        stderr=StringIO(),
    )


def _report(client):
    started = time.monotonic()
    response = client.post(
        "/barrierefreiheit/",
        {"message": "Die Tabelle hat keine Überschriften.", "page": "/klassen/"},
    )
    return response, time.monotonic() - started


def test_a_mail_sent_while_smtp_is_down_arrives_once_it_is_back(client, smtp_down):
    response, seconds = _report(client)
    assert response.status_code == 302 and seconds < 3
    assert "Danke! Ihre Meldung" in client.get("/barrierefreiheit/").content.decode()
    assert BarrierReport.objects.count() == 1
    waiting = OutgoingMail.objects.get()
    assert (waiting.state, waiting.attempts) == (OutgoingMail.State.WAITING, 1)
    assert waiting.recipients == "buero@smartcities.example"
    assert DBTaskResult.objects.count() == 1  # the worker's next attempt is queued

    controller, inbox = _smtp_up(smtp_down)
    try:
        _run_worker()
        _run_worker()  # a second run finds nothing left to send
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == ["buero@smartcities.example"]
    assert b"Barriere gemeldet: /klassen/" in envelope.content
    assert b"Die Tabelle hat keine" in envelope.content
    sent = OutgoingMail.objects.get()
    assert sent.state == OutgoingMail.State.SENT and sent.sent_at is not None


def test_a_mail_that_fails_every_attempt_is_listed_for_the_office(
    client, as_user, office, outsider, smtp_down
):
    response, _seconds = _report(client)
    assert response.status_code == 302
    _run_worker()  # three more attempts, all against the closed port
    failed = OutgoingMail.objects.get()
    assert (failed.state, failed.attempts) == (OutgoingMail.State.FAILED, 4)
    assert "refused" in failed.last_error.lower() or "111" in failed.last_error

    page = as_user(office).get(reverse("outbox"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Barriere gemeldet: /klassen/" in html and "Nicht zustellbar" in html
    assert as_user(outsider).get(reverse("outbox")).status_code == 403

    # The office has the mail server fixed and asks for another round.
    controller, inbox = _smtp_up(smtp_down)
    try:
        resent = as_user(office).post(reverse("outbox-resend", kwargs={"pk": failed.pk}))
        assert resent.status_code == 302
        _run_worker()
    finally:
        controller.stop()
    assert [e.rcpt_tos for e in inbox.messages] == [["buero@smartcities.example"]]
    assert OutgoingMail.objects.get().state == OutgoingMail.State.SENT
    assert "Alle Mails sind verschickt." in as_user(office).get(reverse("outbox")).content.decode()


def test_a_refused_recipient_is_not_tried_again_but_listed_at_once(settings, office):
    """A permanent refusal (5xx) cannot be helped by waiting."""
    from workspace import mail

    class Refusing(_Inbox):
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            return "550 5.1.1 Unbekannter Empfänger"

    port = _closed_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    try:
        assert mail.send(mail.build(subject="Hallo", body="Text", to=["weg@example.org"])) == 0
    finally:
        controller.stop()
    given_up = OutgoingMail.objects.get()
    assert (given_up.state, given_up.attempts) == (OutgoingMail.State.FAILED, 1)
    assert DBTaskResult.objects.count() == 0


def test_an_invitation_with_calendar_and_html_goes_out_unchanged_after_waiting(smtp_down):
    """What waits in the outbox is the whole mail: alternatives, attachments, headers."""
    from email import message_from_bytes, policy

    from workspace import mail

    message = mail.build(
        subject="Einladung: 3. Sitzung",
        body="TOP 1: Bericht",
        html="<p>TOP 1: Bericht</p>",
        to=["delegierte@example.org"],
        headers={"List-Id": "Steuerkreis <steuerkreis.example.org>"},
    )
    message.attach("sitzung.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    message.attach("anlage.bin", b"\x00\x01\xff", "application/octet-stream")
    assert mail.send(message) == 0
    controller, inbox = _smtp_up(smtp_down)
    try:
        _run_worker()
    finally:
        controller.stop()
    [envelope] = inbox.messages
    parsed = message_from_bytes(envelope.content, policy=policy.default)
    assert parsed["Subject"] == "Einladung: 3. Sitzung"
    assert parsed["List-Id"] == "Steuerkreis <steuerkreis.example.org>"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>TOP 1: Bericht</p>"
    attachments = {a.get_filename(): a for a in parsed.iter_attachments()}
    assert attachments["sitzung.ics"].get_content_type() == "text/calendar"
    assert "BEGIN:VCALENDAR" in str(attachments["sitzung.ics"].get_content())
    assert attachments["anlage.bin"].get_content() == b"\x00\x01\xff"


def test_an_immediate_notification_mailed_while_smtp_is_down_arrives_later(
    smtp_down,
    settings,
    result,  # noqa: F811 – the fixture of tests/workspace/test_notifications.py
    coordinator,
    editor,
):
    """The worker tells the editor and mails at once; the server is down, so the mail waits for
    its next attempt a minute later, and goes out then, once."""
    from workspace.models import Notification

    settings.MAIL_RETRY_DELAYS = [60, 60, 60]
    editor.mail_frequency = "immediately"
    editor.email = "team@iserlohn.example"
    editor.save()
    new_version(result, coordinator)  # runs the worker: notification, then the failed attempt
    assert Notification.objects.filter(recipient=editor).count() == 1
    waiting = OutgoingMail.objects.get()
    assert waiting.recipients == "team@iserlohn.example"
    assert waiting.state != OutgoingMail.State.SENT
    controller, inbox = _smtp_up(smtp_down)
    try:
        _run_worker()  # not yet due: nothing goes out
        assert inbox.messages == []
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())  # a minute on
        _run_worker()
        _run_worker()
    finally:
        controller.stop()
    [envelope] = [e for e in inbox.messages if e.rcpt_tos == ["team@iserlohn.example"]]
    assert b"List-Unsubscribe:" in envelope.content
    assert OutgoingMail.objects.get().state == OutgoingMail.State.SENT
