"""Every mail of Klassenraum is built and sent here.

Two promises, whatever the caller passes in:

- **No header spans two lines.** Subjects, addresses and every other header are made single-line
  when the mail is built (:class:`Mail`): line breaks of any kind (CR, LF, U+2028, U+0085, …) and
  other control characters become a space. A title typed with a line break can neither inject a
  header nor make Django refuse the mail (``BadHeaderError``) after the data is saved.
- **No mail is lost silently, and no request waits on a broken mail server.** :func:`send`
  tries once; what fails is stored as an :class:`~workspace.models.OutgoingMail` and tried again
  by the background worker with growing waits (``settings.MAIL_RETRY_DELAYS``). What still
  fails is listed for the office (the page "Postausgang" and the administration).

Background jobs with a retry of their own (the newsletter's delivery rows, the reminders, the
digests) build their mails with :class:`Mail` as well, and send with :func:`send_or_raise`.
"""

from __future__ import annotations

import base64
import datetime
import logging
import smtplib
import unicodedata
from collections.abc import Iterable
from email import message_from_string
from email.mime.base import MIMEBase
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from workspace.models import OutgoingMail

logger = logging.getLogger(__name__)

_ADDRESS_FIELDS = ("to", "cc", "bcc", "reply_to")


# --- headers ----------------------------------------------------------------------------------


def header_value(value: Any) -> str:
    """``value`` on one line: control characters and line or paragraph separators become a
    space, runs of white space one space."""
    text = "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in str(value)
    )
    # str.split() also splits on U+001C–U+001F and U+0085, which str.splitlines() treats as
    # line ends as well.
    return " ".join(text.split())


def address(name: str, email: str) -> str:
    """``"Name" <email>`` with a name that can neither break the line nor add an address."""
    return formataddr((header_value(name), header_value(email)))


class Mail(EmailMultiAlternatives):
    """Django's mail, made single-line in every header just before it is used: by the SMTP
    backend (which asks for ``recipients()`` first) and by ``message()``. So it holds also for
    values set after construction."""

    def _clean_headers(self) -> None:
        self.subject = header_value(self.subject)
        self.from_email = header_value(self.from_email or settings.DEFAULT_FROM_EMAIL)
        for field in _ADDRESS_FIELDS:
            setattr(self, field, [header_value(a) for a in getattr(self, field)])
        self.extra_headers = {
            header_value(name): header_value(value) for name, value in self.extra_headers.items()
        }

    def recipients(self) -> list[str]:
        self._clean_headers()
        return super().recipients()

    def message(self, *args, **kwargs):
        self._clean_headers()
        return super().message(*args, **kwargs)


def build(
    *,
    subject: str,
    body: str,
    to: Iterable[str],
    html: str | None = None,
    reply_to: Iterable[str] | None = None,
    headers: dict[str, str] | None = None,
    from_email: str | None = None,
) -> Mail:
    """One mail of the app: plain text, optionally an HTML alternative."""
    mail = Mail(
        subject=subject,
        body=body,
        from_email=from_email,
        to=list(to),
        reply_to=list(reply_to or []),
        headers=dict(headers or {}),
    )
    if html is not None:
        mail.attach_alternative(html, "text/html")
    return mail


def as_mail(message: EmailMessage) -> Mail:
    """The same mail as a :class:`Mail` (for mails built by Django itself)."""
    if isinstance(message, Mail):
        return message
    return rebuild(record(message))


# --- stored form --------------------------------------------------------------------------------


def _content(content: str | bytes) -> dict[str, str]:
    if isinstance(content, bytes):
        return {"base64": base64.b64encode(content).decode("ascii")}
    return {"text": content}


def _from_content(stored: dict[str, str]) -> str | bytes:
    return base64.b64decode(stored["base64"]) if "base64" in stored else stored["text"]


def record(message: EmailMessage) -> dict[str, Any]:
    """Everything of ``message`` as JSON, so the worker can build it again."""
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):
            attachments.append({"mime": attachment.as_string()})
        else:
            filename, content, mimetype = attachment
            attachments.append({"filename": filename, "mimetype": mimetype, **_content(content)})
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": str(message.from_email or settings.DEFAULT_FROM_EMAIL),
        **{field: [str(a) for a in getattr(message, field)] for field in _ADDRESS_FIELDS},
        "headers": {str(k): str(v) for k, v in message.extra_headers.items()},
        "alternatives": [
            {"mimetype": mimetype, **_content(content)}
            for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
        "content_subtype": message.content_subtype,
    }


def rebuild(stored: dict[str, Any]) -> Mail:
    mail = Mail(
        subject=stored["subject"],
        body=stored["body"],
        from_email=stored["from_email"],
        headers=stored["headers"],
        **{field: stored[field] for field in _ADDRESS_FIELDS},
    )
    mail.content_subtype = stored.get("content_subtype", "plain")
    for alternative in stored["alternatives"]:
        mail.attach_alternative(_from_content(alternative), alternative["mimetype"])
    for attachment in stored["attachments"]:
        if "mime" in attachment:
            mail.attach(message_from_string(attachment["mime"]))
        else:
            mail.attach(attachment["filename"], _from_content(attachment), attachment["mimetype"])
    return mail


# --- sending ------------------------------------------------------------------------------------


def _passing(error: Exception) -> bool:
    """Whether trying again later can help: the server down or busy, a 4xx answer."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code < 500
    return isinstance(error, (smtplib.SMTPException, OSError))


def send_or_raise(*messages: EmailMessage, connection=None) -> int:
    """Send now, one connection for all; raises what the mail server raises. For callers
    with a retry of their own."""
    mails = [as_mail(m) for m in messages]
    return (connection or get_connection()).send_messages(mails) or 0


def send(*messages: EmailMessage) -> int:
    """Send now; each mail that fails waits in the outbox for the worker (or, if trying again
    cannot help, is listed for the office at once). Never raises for a mail that fails.
    Returns how many went out now."""
    sent = 0
    mails = [as_mail(m) for m in messages]
    connection = get_connection()
    try:
        for mail in mails:
            try:
                connection.send_messages([mail])
            except Exception as error:  # noqa: BLE001 – whatever it is, the mail is kept
                _postpone(mail, error)
            else:
                sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001,S110 – a broken connection needs no closing
            pass
    return sent


def send_on_commit(*messages: EmailMessage) -> None:
    """Send once the caller's transaction is committed (nobody is told of a change that was
    rolled back); the request has its answer whatever the mail server does."""
    if messages:
        transaction.on_commit(lambda: send(*messages))


def _delay(attempts: int) -> datetime.timedelta | None:
    """The wait after the ``attempts``-th failed attempt; ``None``: give up."""
    delays = settings.MAIL_RETRY_DELAYS
    if attempts > len(delays):
        return None
    return datetime.timedelta(seconds=delays[attempts - 1])


def _postpone(mail: Mail, error: Exception) -> OutgoingMail:
    stored = record(mail)
    with transaction.atomic():
        outgoing = OutgoingMail.objects.create(
            subject=header_value(mail.subject),
            recipients=", ".join(mail.recipients()),
            message=stored,
            attempts=1,
            last_error=str(error)[:2000] or error.__class__.__name__,
        )
        _schedule(outgoing, error)
    return outgoing


def _schedule(outgoing: OutgoingMail, error: Exception) -> None:
    """After a failed attempt: queue the next one, or give up and tell the office."""
    delay = _delay(outgoing.attempts) if _passing(error) else None
    if delay is None:
        outgoing.state = OutgoingMail.State.FAILED
        outgoing.next_attempt_at = None
        logger.error(
            "Mail %s „%s“ an %s nach %s Versuch(en) aufgegeben: %s",
            outgoing.pk,
            outgoing.subject,
            outgoing.recipients,
            outgoing.attempts,
            outgoing.last_error,
        )
    else:
        outgoing.state = OutgoingMail.State.WAITING
        outgoing.next_attempt_at = timezone.now() + delay
        retry_mail.using(run_after=outgoing.next_attempt_at).enqueue(outgoing.pk)
        logger.warning(
            "Mail %s an %s nicht verschickt (%s); neuer Versuch um %s.",
            outgoing.pk,
            outgoing.recipients,
            outgoing.last_error,
            outgoing.next_attempt_at,
        )
    outgoing.save()


@task()
def retry_mail(outgoing_id: int) -> str:
    """The worker's next attempt at a mail of the outbox."""
    return outgoing_mail_retry(outgoing_id=outgoing_id)


def outgoing_mail_retry(*, outgoing_id: int) -> str:
    """Try a waiting mail again. The row stays locked during the SMTP conversation, so two
    workers never both send it; it is marked sent in the same commit."""
    with transaction.atomic():
        outgoing = (
            OutgoingMail.objects.select_for_update()
            .filter(pk=outgoing_id, state=OutgoingMail.State.WAITING)
            .first()
        )
        if outgoing is None:
            return "nothing to do"
        try:
            send_or_raise(rebuild(outgoing.message))
        except Exception as error:  # noqa: BLE001 – recorded, tried again or given up
            outgoing.attempts += 1
            outgoing.last_error = str(error)[:2000] or error.__class__.__name__
            _schedule(outgoing, error)
            return outgoing.state
        outgoing.state = OutgoingMail.State.SENT
        outgoing.sent_at = timezone.now()
        outgoing.next_attempt_at = None
        outgoing.save(update_fields=["state", "sent_at", "next_attempt_at"])
        return outgoing.state


@transaction.atomic
def outgoing_mail_resend(*, outgoing: OutgoingMail) -> OutgoingMail:
    """The office asks for a mail that was given up to be tried again: a fresh round of
    attempts, the first one by the worker at once."""
    outgoing = OutgoingMail.objects.select_for_update().get(pk=outgoing.pk)
    if outgoing.state != OutgoingMail.State.FAILED:
        return outgoing
    outgoing.state = OutgoingMail.State.WAITING
    outgoing.attempts = 0
    outgoing.next_attempt_at = timezone.now()
    outgoing.save(update_fields=["state", "attempts", "next_attempt_at"])
    retry_mail.enqueue(outgoing.pk)
    return outgoing


def classify_models() -> None:
    """The outbox in the registry of personal data: a waiting mail is about its recipients;
    erasing one of them deletes the mail."""
    from django.db.models import Q

    from workspace.personal_data import DELETE_ROW, classify

    classify(
        OutgoingMail,
        personal={
            "subject": DELETE_ROW,
            "recipients": DELETE_ROW,
            "message": DELETE_ROW,
            "last_error": DELETE_ROW,
        },
        not_personal=("id", "created_at", "state", "attempts", "next_attempt_at", "sent_at"),
        find=lambda person: Q(recipients__icontains=person.email) if person.email else Q(pk__in=[]),
    )
