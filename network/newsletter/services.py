"""Every write of the Schülerzeitung: subscriptions, member news, issues and their sending.

Sending (``issue_send`` → the task in ``tasks.py`` → ``issue_send_batch``) is built to survive a
crash of the worker at any instruction:

- ``issue_send`` writes one :class:`Delivery` row per confirmed subscriber, in the same
  transaction that publishes the issue and queues the first send task.
- A send task first takes the issue's *lease* and, in the same transaction, queues a *watchdog*
  (the same task, due when the lease would run out). It then mails one batch: each row is
  marked ``in_flight`` and committed before the SMTP conversation and ``sent`` after it (in the
  commit that also claims the next row, so at most one row is ever in flight), and the lease
  is renewed with every mail. At the end of the batch it releases the lease and queues the
  next batch.
- A worker killed with SIGKILL leaves its task RUNNING forever (db_worker never takes it again)
  and stops renewing the lease. The watchdog, still waiting in the queue, is taken by the
  restarted worker; it finds the lease run out and takes over: rows found in flight are logged
  by address as "may have gone out twice" and sent again, everything else exactly once.
- If the watchdog chain itself is ever lost, ``manage.py resume_newsletter_sending`` or the
  button "Versand fortsetzen" on the issue's progress page queue a fresh task
  (``issue_sending_resume``); both are harmless while a sender is alive.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from network.newsletter import mails, tokens
from network.newsletter.consent import CONSENT_VERSION
from network.newsletter.models import Delivery, Issue, NewsItem, Subscriber, SubscriptionLog
from network.newsletter.tokens import Outcome
from workspace import mail
from workspace.models import Municipality, User
from workspace.permissions import is_network_member, is_network_office

logger = logging.getLogger("network.newsletter")

# A second signup within this time sends no second confirmation mail (no mail bombing
# through the form); the link already sent stays valid.
RESEND_AFTER = datetime.timedelta(minutes=10)
MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_TYPES = {  # magic bytes → content type and file extension; no SVG (it can carry scripts)
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"GIF87a": ("image/gif", "gif"),
    b"GIF89a": ("image/gif", "gif"),
}
MAX_ATTEMPTS = 3
RETRY_AFTER = datetime.timedelta(seconds=60)


def _office_only(by: User) -> None:
    if not is_network_office(by):
        raise PermissionDenied(_("Das tut die Redaktion der Geschäftsstelle."))


# --- subscriptions ---------------------------------------------------------------------------


def _log(subscriber: Subscriber, action: str, via: str = "") -> None:
    SubscriptionLog.objects.create(
        subscriber=subscriber,
        action=action,
        consent_version=subscriber.consent_version,
        via=via,
    )


@transaction.atomic
def subscription_request(*, email: str, consent: bool) -> Subscriber | None:
    """Sign ``email`` up: a confirmation mail (after the commit) with a fresh, expiring link.

    Answers the same for every address (the page says "check your mail"), so nobody can test
    whether an address is subscribed. A confirmed address gets no mail; a second request
    within ``RESEND_AFTER`` gets none either. Returns the subscriber that was mailed, if any.
    """
    if not consent:
        raise ValidationError({"consent": _("Bitte willigen Sie in den Empfang ein.")})
    email = email.strip().lower()
    now = timezone.now()
    subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
    if subscriber is not None and subscriber.state == Subscriber.State.CONFIRMED:
        return None
    if (
        subscriber is not None
        and subscriber.state == Subscriber.State.PENDING
        and subscriber.confirm_token_used_at is None
        and subscriber.confirm_token_expires_at
        and subscriber.confirm_token_expires_at - now
        > datetime.timedelta(hours=tokens.CONFIRM_HOURS) - RESEND_AFTER
    ):
        return None
    if subscriber is None:
        subscriber = Subscriber(email=email)
    secret = tokens.new_secret()
    subscriber.state = Subscriber.State.PENDING
    subscriber.consent_version = CONSENT_VERSION
    subscriber.signed_up_at = now
    subscriber.confirm_token_hash = tokens.digest(secret)
    subscriber.confirm_token_expires_at = now + datetime.timedelta(hours=tokens.CONFIRM_HOURS)
    subscriber.confirm_token_used_at = None
    subscriber.save()
    _log(subscriber, SubscriptionLog.Action.SIGNUP, via="website")
    mail.send_on_commit(mails.confirmation_mail(subscriber, secret))
    return subscriber


def subscription_confirmation_check(*, secret: str) -> tuple[Outcome, Subscriber | None]:
    """What following the confirmation link would do, without doing it (the page's GET)."""
    subscriber = Subscriber.objects.filter(confirm_token_hash=tokens.digest(secret)).first()
    if subscriber is None:
        return Outcome.INVALID, None
    if subscriber.confirm_token_used_at is not None:
        return Outcome.ALREADY, subscriber
    if subscriber.confirm_token_expires_at is None or (
        subscriber.confirm_token_expires_at <= timezone.now()
    ):
        return Outcome.EXPIRED, subscriber
    return Outcome.DONE, subscriber


@transaction.atomic
def subscription_confirm(*, secret: str) -> tuple[Outcome, Subscriber | None]:
    """Follow a confirmation link: once, before it expires. Anything else changes nothing."""
    outcome, subscriber = subscription_confirmation_check(secret=secret)
    if outcome != Outcome.DONE:
        return outcome, subscriber
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.confirm_token_used_at is not None:  # confirmed meanwhile, in another tab
        return Outcome.ALREADY, subscriber
    now = timezone.now()
    subscriber.state = Subscriber.State.CONFIRMED
    subscriber.confirmed_at = now
    subscriber.confirm_token_used_at = now
    subscriber.unsubscribe_key = get_random_string(32)
    subscriber.save()
    _log(subscriber, SubscriptionLog.Action.CONFIRM, via="link")
    return Outcome.DONE, subscriber


def subscription_from_token(token: str) -> tuple[Outcome, Subscriber | None]:
    """Read an unsubscribe link without changing anything (for the confirmation page)."""
    outcome, subscriber_id, key = tokens.read_unsubscribe_token(token)
    if outcome != Outcome.DONE:
        return outcome, None
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or not key or subscriber.unsubscribe_key != key:
        return Outcome.INVALID, None
    if subscriber.state != Subscriber.State.CONFIRMED:
        return Outcome.ALREADY, subscriber
    return Outcome.DONE, subscriber


@transaction.atomic
def subscription_cancel(*, token: str, via: str) -> tuple[Outcome, Subscriber | None]:
    """Unsubscribe through a link of a mail (the page's button or a mail program's one-click)."""
    outcome, subscriber = subscription_from_token(token)
    if outcome != Outcome.DONE:
        return outcome, subscriber
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.state != Subscriber.State.CONFIRMED:
        return Outcome.ALREADY, subscriber
    subscriber.state = Subscriber.State.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    subscriber.save(update_fields=["state", "unsubscribed_at"])
    _log(subscriber, SubscriptionLog.Action.UNSUBSCRIBE, via=via)
    # Rows of an issue still being sent are not mailed to an address that left meanwhile.
    Delivery.objects.filter(subscriber=subscriber, state=Delivery.State.QUEUED).update(
        state=Delivery.State.SKIPPED
    )
    return Outcome.DONE, subscriber


# --- member news -----------------------------------------------------------------------------


def image_validate(upload) -> tuple[str, str]:
    """The content type and extension of an uploaded picture (PNG, JPEG, GIF, ≤ 2 MB), read
    from its first bytes, never from the name or the browser's claim."""
    if upload.size > MAX_IMAGE_BYTES:
        raise ValidationError({"image": _("Das Bild ist größer als 2 MB.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, kind in IMAGE_TYPES.items():
        if head.startswith(magic):
            return kind
    raise ValidationError({"image": _("Bitte laden Sie ein Bild als PNG, JPEG oder GIF hoch.")})


def _store_image(item: NewsItem, upload) -> None:
    content_type, extension = image_validate(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    item.image.save(f"{digest.hexdigest()[:20]}.{extension}", upload, save=False)
    item.image_content_type = content_type


def _check_item_fields(title: str, body: str, image_alt: str, has_image: bool) -> None:
    errors = {}
    if not title.strip():
        errors["title"] = _("Bitte geben Sie eine Überschrift ein.")
    if not body.strip():
        errors["body"] = _("Bitte schreiben Sie einen Text.")
    if has_image and not image_alt.strip():
        errors["image_alt"] = _("Bitte beschreiben Sie das Bild für Menschen, die es nicht sehen.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def news_item_submit(
    *,
    by: User,
    municipality: Municipality,
    title: str,
    body: str,
    link: str = "",
    image=None,
    image_alt: str = "",
) -> NewsItem:
    """A member brings in news of their municipality; the editorial team reviews it."""
    if not is_network_member(by):
        raise PermissionDenied(_("Beiträge reichen Mitarbeitende der Mitgliedskommunen ein."))
    if not by.memberships.active().filter(municipality=municipality, municipality__is_member=True):
        raise ValidationError(
            {"municipality": _("Sie können nur für Ihre eigene Kommune einreichen.")}
        )
    _check_item_fields(title, body, image_alt, image is not None)
    item = NewsItem(
        title=title.strip(),
        body=body.strip(),
        link=link.strip(),
        image_alt=image_alt.strip() if image is not None else "",
        municipality=municipality,
        submitted_by=by,
    )
    if image is not None:
        _store_image(item, image)
    item.save()
    return item


def _editable(item: NewsItem) -> NewsItem:
    item = NewsItem.objects.select_for_update(of=("self",)).select_related("issue").get(pk=item.pk)
    if item.is_locked:
        raise ValidationError(
            _("Der Beitrag ist in einer erschienenen Ausgabe und bleibt, wie er erschienen ist.")
        )
    return item


@transaction.atomic
def news_item_update(
    *,
    item: NewsItem,
    by: User,
    title: str,
    body: str,
    link: str = "",
    image_alt: str = "",
    image=None,
    remove_image: bool = False,
) -> NewsItem:
    """The editorial team edits an item (wording, link, picture) until it is published."""
    _office_only(by)
    item = _editable(item)
    has_image = image is not None or (bool(item.image) and not remove_image)
    _check_item_fields(title, body, image_alt, has_image)
    item.title, item.body, item.link = title.strip(), body.strip(), link.strip()
    if remove_image and image is None:
        item.image, item.image_content_type = "", ""
    if image is not None:
        _store_image(item, image)
    item.image_alt = image_alt.strip() if has_image else ""
    item.save()
    return item


@transaction.atomic
def news_item_accept(*, item: NewsItem, by: User, note: str = "") -> NewsItem:
    _office_only(by)
    item = _editable(item)
    if item.state == NewsItem.State.ACCEPTED:
        raise ValidationError(_("Der Beitrag ist schon angenommen."))
    item.state = NewsItem.State.ACCEPTED
    item.review_note, item.reviewed_by, item.reviewed_at = note.strip(), by, timezone.now()
    item.save()
    return item


@transaction.atomic
def news_item_decline(*, item: NewsItem, by: User, note: str) -> NewsItem:
    """Decline with a note to the submitter, who sees why."""
    _office_only(by)
    item = _editable(item)
    if not note.strip():
        raise ValidationError({"note": _("Bitte schreiben Sie der Einreichung, warum.")})
    if item.state == NewsItem.State.DECLINED:
        raise ValidationError(_("Der Beitrag ist schon abgelehnt."))
    item.state = NewsItem.State.DECLINED
    item.review_note, item.reviewed_by, item.reviewed_at = note.strip(), by, timezone.now()
    item.issue, item.position = None, 0
    item.save()
    return item


# --- issues ----------------------------------------------------------------------------------


def _set_items(issue: Issue, items: list[NewsItem]) -> None:
    wanted = [item.pk for item in items]
    available = set(
        NewsItem.objects.filter(pk__in=wanted, state=NewsItem.State.ACCEPTED)
        .exclude(issue__in=Issue.objects.exclude(pk=issue.pk))
        .values_list("pk", flat=True)
    )
    if set(wanted) - available:
        raise ValidationError(
            {"items": _("Nur angenommene Beiträge, die in keiner anderen Ausgabe stehen.")}
        )
    for item in issue.items.exclude(pk__in=wanted):
        item.issue, item.position = None, 0
        item.save(update_fields=["issue", "position"])
    for item in NewsItem.objects.filter(pk__in=wanted):
        item.issue, item.position = issue, wanted.index(item.pk) + 1
        item.save(update_fields=["issue", "position"])


@transaction.atomic
def issue_create(*, by: User, title: str, editorial: str = "", items: list[NewsItem] = ()) -> Issue:
    _office_only(by)
    if not title.strip():
        raise ValidationError({"title": _("Bitte geben Sie der Ausgabe einen Titel.")})
    issue = Issue.objects.create(title=title.strip(), editorial=editorial.strip(), created_by=by)
    _set_items(issue, list(items))
    return issue


@transaction.atomic
def issue_update(*, issue: Issue, by: User, title: str, editorial: str, items: list[NewsItem]):
    _office_only(by)
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.state != Issue.State.DRAFT:
        raise ValidationError(_("Eine erschienene Ausgabe bleibt, wie sie erschienen ist."))
    if not title.strip():
        raise ValidationError({"title": _("Bitte geben Sie der Ausgabe einen Titel.")})
    issue.title, issue.editorial = title.strip(), editorial.strip()
    issue.save()
    _set_items(issue, list(items))
    return issue


@transaction.atomic
def issue_send(
    *,
    issue: Issue,
    by: User,
    deliver: bool = True,
    published_at: datetime.datetime | None = None,
) -> int:
    """Publish the issue and send it to every confirmed subscriber, in the background.

    Returns how many mails are to go out. ``deliver=False`` publishes without mailing anyone
    (issues that went out before Klassenraum existed, the demo world).
    """
    _office_only(by)
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.state != Issue.State.DRAFT:
        raise ValidationError(_("Diese Ausgabe ist schon erschienen."))
    if not issue.items.exists() and not issue.editorial.strip():
        raise ValidationError(_("Die Ausgabe ist leer: ein Editorial oder Beiträge, bitte."))
    now = timezone.now()
    issue.number = (Issue.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    issue.published_at = published_at or now
    issue.published_by = by
    recipients = []
    if deliver:
        recipients = list(
            Subscriber.objects.filter(state=Subscriber.State.CONFIRMED).values_list("pk", "email")
        )
    if recipients:
        issue.state = Issue.State.SENDING
        issue.save()
        Delivery.objects.bulk_create(
            Delivery(issue=issue, subscriber_id=pk, email=email) for pk, email in recipients
        )
        _enqueue(issue)
    else:
        issue.state = Issue.State.SENT
        issue.finished_at = issue.published_at
        issue.save()
    return len(recipients)


def _enqueue(issue: Issue, *, at: datetime.datetime | None = None):
    """Queue a send task for ``issue`` (inside the caller's transaction: the task exists
    exactly when the change that needs it is committed)."""
    from network.newsletter.tasks import send_issue

    task = send_issue.using(run_after=at) if at else send_issue
    return task.enqueue(issue.pk)


def is_stalled(issue: Issue, *, now: datetime.datetime | None = None) -> bool:
    """Sending, but nobody has held the lease for a while: the worker died or never ran."""
    if issue.state != Issue.State.SENDING:
        return False
    now = now or timezone.now()
    if issue.lease_until is None:
        return issue.published_at is not None and now - issue.published_at > _lease()
    return issue.lease_until < now


@transaction.atomic
def issue_sending_resume(*, issue: Issue, by: User | None = None) -> bool:
    """Queue a fresh send task for an issue whose sending stalled. ``by=None``: the operator's
    management command. Harmless while a sender is alive (the task finds the lease held)."""
    if by is not None:
        _office_only(by)
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if not is_stalled(issue):
        return False
    _enqueue(issue)
    logger.warning("Versand der Ausgabe %s wird fortgesetzt.", issue.number)
    return True


# --- sending (runs in the worker) ----------------------------------------------------------


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)


@dataclass
class _Lease:
    taken: bool
    after_crash: bool = False


@transaction.atomic
def _take_lease(issue_id: int, runner: str) -> _Lease:
    issue = Issue.objects.select_for_update().filter(pk=issue_id).first()
    if issue is None or issue.state != Issue.State.SENDING:
        return _Lease(taken=False)
    now = timezone.now()
    if issue.lease_holder and issue.lease_holder != runner and issue.lease_until > now:
        # A sender is alive. Only the issue's current watchdog keeps watching, so there is
        # always exactly one waiting, never a growing crowd.
        if issue.watchdog_id == runner:
            issue.watchdog_id = str(
                _enqueue(issue, at=issue.lease_until + datetime.timedelta(seconds=1)).id
            )
            issue.save(update_fields=["watchdog_id"])
        return _Lease(taken=False)
    after_crash = bool(issue.lease_holder) and issue.lease_holder != runner
    issue.lease_holder = runner
    issue.lease_until = now + _lease()
    issue.watchdog_id = str(
        _enqueue(issue, at=issue.lease_until + datetime.timedelta(seconds=1)).id
    )
    issue.save(update_fields=["lease_holder", "lease_until", "watchdog_id"])
    in_flight = list(
        Delivery.objects.filter(issue=issue, state=Delivery.State.IN_FLIGHT).values_list(
            "pk", "email"
        )
    )
    for pk, email in in_flight:
        logger.warning(
            "Schülerzeitung %s: %s war beim Abbruch des Versands unterwegs und wird erneut "
            "versendet; diese Adresse hat die Ausgabe möglicherweise zweimal erhalten.",
            issue.number,
            email,
        )
        Delivery.objects.filter(pk=pk).update(state=Delivery.State.QUEUED, resent=True)
    return _Lease(taken=True, after_crash=after_crash or bool(in_flight))


@dataclass
class _Outcome:
    """How one mail went; written in the same commit that claims the next one."""

    delivery: Delivery
    state: str
    error: str = ""


def _record(outcome: _Outcome) -> None:
    Delivery.objects.filter(pk=outcome.delivery.pk).update(
        state=outcome.state,
        sent_at=timezone.now() if outcome.state == Delivery.State.SENT else None,
        error=outcome.error[:1000],
    )


def _advance(issue_id: int, runner: str, done: _Outcome | None) -> Delivery | None | bool:
    """One commit: record the mail just sent, renew the lease and mark the next row in
    flight. So at any instant at most one row is in flight. ``False``: the lease is lost."""
    with transaction.atomic():
        if done is not None:
            _record(done)
        now = timezone.now()
        renewed = Issue.objects.filter(pk=issue_id, lease_holder=runner).update(
            lease_until=now + _lease()
        )
        if not renewed:
            return False
        delivery = (
            Delivery.objects.select_related("subscriber")
            .filter(issue_id=issue_id, state=Delivery.State.QUEUED)
            .order_by("pk")
            .first()
        )
        if delivery is None:
            return None
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.IN_FLIGHT, claimed_at=now, attempts=F("attempts") + 1
        )
        delivery.attempts += 1
        return delivery


@transaction.atomic
def _release(issue_id: int, runner: str, *, retry: bool) -> str:
    issue = Issue.objects.select_for_update().get(pk=issue_id)
    if issue.lease_holder != runner:
        return "lease lost"
    issue.lease_holder = ""
    open_rows = issue.deliveries.filter(
        state__in=[Delivery.State.QUEUED, Delivery.State.IN_FLIGHT]
    ).exists()
    if not open_rows:
        issue.state = Issue.State.SENT
        issue.finished_at = timezone.now()
        issue.save(update_fields=["lease_holder", "state", "finished_at"])
        return "finished"
    issue.save(update_fields=["lease_holder"])
    _enqueue(issue, at=timezone.now() + RETRY_AFTER if retry else None)
    return "retry later" if retry else "next batch"


def issue_send_batch(*, issue_id: int, runner: str) -> str:
    """Mail one batch of ``issue_id`` as the send task ``runner``; the body of the task.

    Deliberately not one transaction: a row's "in flight" and "sent" are committed either
    side of its SMTP conversation, so a crash at any point leaves a true record.
    """
    lease = _take_lease(issue_id, runner)
    if not lease.taken:
        return "nothing to do"
    issue = Issue.objects.get(pk=issue_id)
    rendered = mails.IssueMail.render(issue)
    connection = get_connection(fail_silently=False)
    retry, done = False, None
    try:
        connection.open()
        for _n in range(settings.NEWSLETTER_BATCH_SIZE):
            delivery, done = _advance(issue_id, runner, done), None
            if delivery is False:
                return "lease lost"
            if delivery is None:
                break
            message = rendered.for_subscriber(delivery.subscriber, delivery_id=delivery.pk)
            try:
                connection.send_messages([message])
            except smtplib.SMTPRecipientsRefused as error:
                done = _Outcome(delivery, Delivery.State.FAILED, str(error))
            except smtplib.SMTPResponseException as error:
                if error.smtp_code >= 500:
                    done = _Outcome(delivery, Delivery.State.FAILED, str(error))
                else:
                    done, retry = _retry_later(delivery, error), True
                    break
            except (smtplib.SMTPException, OSError) as error:
                done, retry = _retry_later(delivery, error), True
                break
            else:
                done = _Outcome(delivery, Delivery.State.SENT)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Schülerzeitung %s: SMTP nicht erreichbar (%s).", issue.number, error)
        retry = True
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            pass
    if done is not None:
        with transaction.atomic():
            _record(done)
    return _release(issue_id, runner, retry=retry)


def _retry_later(delivery: Delivery, error: Exception) -> _Outcome:
    """A passing fault (connection lost, 4xx): the row waits for the next attempt; it is
    given up after ``MAX_ATTEMPTS``."""
    logger.warning("Schülerzeitung: Versand an %s gescheitert (%s).", delivery.email, error)
    state = Delivery.State.FAILED if delivery.attempts >= MAX_ATTEMPTS else Delivery.State.QUEUED
    return _Outcome(delivery, state, str(error))
