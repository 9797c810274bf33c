"""Following, notifications and the mail about them: the core's generic part.

Apps say *what* happened through :func:`notify` (inside their service's transaction, so a
change that is rolled back tells nobody); the core decides *who* hears of it (the followers of
the objects named, minus the actor, minus everyone who may not see the object — asked through
``workspace.hooks.register_visibility``), tells their open pages (the bell) after the commit
and mails them as they chose in their profile (``User.mail_frequency``): immediately, in a
daily or weekly digest, or never, with a one-click unsubscribe from each kind.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from workspace import mail
from workspace.events import group_name, send_event_on_commit, send_events_on_commit
from workspace.hooks import audience_rules, visibility_rules
from workspace.models import (
    Follow,
    MailOptOut,
    Notification,
    NotificationDigest,
    NotificationKind,
    User,
)

logger = logging.getLogger(__name__)

Kind = NotificationKind
Frequency = User.MailFrequency
ALL_KINDS = "all"  # the unsubscribe link of a digest: no more notification mails at all
_UNSUBSCRIBE_SALT = "workspace.notifications.unsubscribe"


# --- who may see it ---------------------------------------------------------------------


def _content_type(model_or_obj) -> ContentType:
    # Cached by Django per process: no query after the first.
    return ContentType.objects.get_for_model(model_or_obj, for_concrete_model=True)


def can_see(user: User, obj: models.Model) -> bool:
    """Whether ``user`` may see ``obj`` now (by the rule its app registered). One query."""
    if not user.is_active:
        return False
    visible = visibility_rules().get(type(obj)._meta.concrete_model)
    if visible is None:
        return True
    return visible(user).filter(pk=obj.pk).exists()


def visible_condition(user: User) -> Q:
    """A condition on ``target_type``/``target_id`` that keeps only what ``user`` may see:
    one subquery per registered model, however many notifications there are."""
    rules = visibility_rules()
    if not rules:
        return Q()
    types = {model: _content_type(model).pk for model in rules}
    condition = ~Q(target_type_id__in=list(types.values()))
    for model, visible in rules.items():
        condition |= Q(target_type_id=types[model], target_id__in=visible(user).values("pk"))
    return condition


# --- follows ----------------------------------------------------------------------------


def _target(obj: models.Model) -> dict[str, Any]:
    return {"target_type": _content_type(obj), "target_id": obj.pk}


@transaction.atomic
def follow(*, user: User, target: models.Model) -> Follow:
    """``user`` follows ``target`` from now on (following twice is following once)."""
    existing = Follow.objects.filter(user=user, **_target(target)).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Follow.objects.create(user=user, **_target(target))
    except IntegrityError:  # a second click in the same moment
        return Follow.objects.get(user=user, **_target(target))


@transaction.atomic
def unfollow(*, user: User, target: models.Model) -> None:
    Follow.objects.filter(user=user, **_target(target)).delete()


def is_following(user: User, target: models.Model) -> bool:
    if not user.is_authenticated:
        return False
    return Follow.objects.filter(user=user, **_target(target)).exists()


def followers(targets: Iterable[models.Model]) -> models.QuerySet[User]:
    """Everyone following any of ``targets`` (one query)."""
    condition = Q(pk__in=[])
    for obj in targets:
        if obj is not None:
            condition |= Q(**{f"follows__{k}": v for k, v in _target(obj).items()})
    return User.objects.filter(condition, is_active=True).distinct()


# --- notify -----------------------------------------------------------------------------
#
# The request that causes a notification only names it: one task in the queue, written in
# the caller's transaction (so it exists exactly when the change does), a constant number of
# queries however many follow the object. The background worker then finds the followers and
# writes their notifications in batches (NOTIFICATION_BATCH_SIZE people): per batch one query
# keeps whoever may see the object (the app's ``audience`` rule, the set-based twin of its
# ``visible``), one insert writes the rows, and the batch's bells and immediate mails go out
# after its commit.


def _audience(target: models.Model) -> Q:
    """Everyone who may see ``target`` now, as a condition on people (no query of its own,
    save loading what the rule reads of ``target``)."""
    rule = audience_rules().get(type(target)._meta.concrete_model)
    return Q(is_active=True) if rule is None else Q(is_active=True) & rule(target)


def notify(
    *,
    kind: str,
    actor: User | None,
    target: models.Model,
    via: Iterable[models.Model] | None = None,
    recipients: Iterable[User] = (),
    exclude: Iterable[int] = (),
    title: str | None = None,
    detail: str = "",
    url: str | None = None,
) -> set[int]:
    """Tell the followers of ``via`` (default: ``target`` itself) and ``recipients`` that
    ``kind`` happened to ``target``; the background worker writes the notifications.

    Exactly one notification per person: never the actor, never anyone in ``exclude`` (told
    already of the same event in another way), never anyone who may not see ``target``.
    Returns the ids of the ``recipients`` who will be told (one query, and only if some are
    named), so that the next call about the same event can ``exclude`` them; the followers
    are found later, by the worker, and are not part of it.
    """
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    skip = set(exclude)
    if actor is not None:
        skip.add(actor.pk)
    named = {person.pk for person in recipients if person.pk not in skip and person.is_active}
    told: set[int] = set()
    if named:
        told = set(
            User.objects.filter(_audience(target), pk__in=named).values_list("pk", flat=True)
        )
    followed = [_key(obj) for obj in ([target] if via is None else via) if obj is not None]
    if not told and not followed:
        return set()
    notify_people.enqueue(
        kind=kind,
        actor_id=actor.pk if actor is not None else None,
        target=_key(target),
        via=followed,
        recipient_ids=sorted(told),
        exclude_ids=sorted(skip),
        title=(title if title is not None else str(target))[:300],
        detail=detail,
        url=url if url is not None else target.get_absolute_url(),
        created_at=timezone.now().isoformat(),
    )
    return told


def _key(obj: models.Model) -> list[int]:
    return [_content_type(obj).pk, obj.pk]


@task()
def notify_people(**event: Any) -> int:
    """The worker's half of :func:`notify`: returns how many people it told."""
    return notifications_write(**event)


def notifications_write(
    *,
    kind: str,
    actor_id: int | None,
    target: list[int],
    via: list[list[int]],
    recipient_ids: list[int],
    exclude_ids: list[int],
    title: str,
    detail: str,
    url: str,
    created_at: str,
    batch_size: int | None = None,
) -> int:
    """Write the notifications of one event in batches; returns how many were written.

    Run again (a worker that died half-way), it writes only what is missing: a person who
    has this event's notification (same kind, object and time) is not told twice.
    """
    target_type = ContentType.objects.get_for_id(target[0])
    obj = target_type.model_class()._default_manager.filter(pk=target[1]).first()
    if obj is None:
        return 0  # gone before the worker came to it: nobody is told of it
    audience = _audience(obj)
    condition = Q(pk__in=[])
    for type_id, pk in via:
        condition |= Q(target_type_id=type_id, target_id=pk)
    candidates = set(Follow.objects.filter(condition).values_list("user_id", flat=True))
    people = sorted((candidates | set(recipient_ids)) - set(exclude_ids))
    fields = {
        "kind": kind,
        "actor_id": actor_id,
        "target_type_id": target_type.pk,
        "target_id": obj.pk,
        "title": title,
        "detail": detail,
        "url": url,
        "created_at": datetime.datetime.fromisoformat(created_at),
    }
    size = batch_size or settings.NOTIFICATION_BATCH_SIZE
    return sum(
        _write_batch(people[start : start + size], audience=audience, fields=fields)
        for start in range(0, len(people), size)
    )


@transaction.atomic
def _write_batch(batch: list[int], *, audience: Q, fields: dict[str, Any]) -> int:
    """One batch of people: who of them may see it and has not been told yet (one query),
    their notifications (one insert), and after the commit their bells and mails."""
    same_event = Notification.objects.filter(
        recipient=models.OuterRef("pk"),
        kind=fields["kind"],
        target_type_id=fields["target_type_id"],
        target_id=fields["target_id"],
        created_at=fields["created_at"],
    )
    allowed = list(
        User.objects.filter(audience, pk__in=batch)
        .exclude(models.Exists(same_event))
        .values_list("pk", "mail_frequency")
    )
    if not allowed:
        return 0
    made = Notification.objects.bulk_create(
        [Notification(recipient_id=pk, **fields) for pk, _frequency in allowed],
        batch_size=len(allowed),
    )
    send_events_on_commit(
        [group_name("notifications", pk) for pk, _frequency in allowed],
        "notifications.changed",
        {},
    )
    immediately = [
        n.pk for n, (_pk, frequency) in zip(made, allowed, strict=True)
        if frequency == Frequency.IMMEDIATELY
    ]  # fmt: skip
    if immediately:
        # Queued with the rows, in the batch's transaction: mailed exactly when written.
        send_immediately.enqueue(immediately)
    if any(frequency in (Frequency.DAILY, Frequency.WEEKLY) for _pk, frequency in allowed):
        transaction.on_commit(_ensure_digests_scheduled)
    return len(allowed)


# --- reading ----------------------------------------------------------------------------


def notifications_for(user: User) -> models.QuerySet[Notification]:
    """``user``'s notifications about what they may still see, newest first (one query)."""
    return (
        Notification.objects.filter(recipient=user)
        .filter(visible_condition(user))
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )


def unread_count(user: User) -> int:
    """The bell's number: one COUNT, whatever the number of notifications."""
    if not user.is_authenticated:
        return 0
    return notifications_for(user).unread().count()


def _changed(user: User) -> None:
    send_event_on_commit(group_name("notifications", user.pk), "notifications.changed", {})


@transaction.atomic
def notification_read(*, notification: Notification, by: User) -> None:
    if notification.recipient_id != by.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _changed(by)


@transaction.atomic
def notifications_read_all(*, by: User) -> int:
    marked = Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if marked:
        _changed(by)
    return marked


# --- mail preferences -------------------------------------------------------------------


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps([user.pk, kind], salt=_UNSUBSCRIBE_SALT, compress=False)


def read_unsubscribe_token(token: str) -> tuple[User, str] | None:
    """The person and kind behind an unsubscribe link, or ``None`` for a forged one."""
    try:
        user_id, kind = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if kind != ALL_KINDS and kind not in Kind.values:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return (user, kind) if user is not None else None


def unsubscribe_url(user: User, kind: str) -> str:
    path = reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user, kind)})
    return f"{settings.SITE_URL}{path}"


def is_unsubscribed(user: User, kind: str) -> bool:
    if kind == ALL_KINDS:
        return user.mail_frequency == Frequency.NEVER
    return MailOptOut.objects.filter(user=user, kind=kind).exists()


@transaction.atomic
def mail_unsubscribe(*, user: User, kind: str) -> bool:
    """No more mails of ``kind`` (``"all"``: none at all); returns whether anything changed."""
    if kind == ALL_KINDS:
        if user.mail_frequency == Frequency.NEVER:
            return False
        user.mail_frequency = Frequency.NEVER
        user.save(update_fields=["mail_frequency"])
        return True
    _opt_out, created = MailOptOut.objects.get_or_create(user=user, kind=kind)
    return created


@transaction.atomic
def mail_kinds_set(*, user: User, kinds: Iterable[str]) -> None:
    """Mail ``user`` about exactly these kinds (the others are opted out)."""
    wanted = set(kinds) & set(Kind.values)
    MailOptOut.objects.filter(user=user, kind__in=wanted).delete()
    have = set(MailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    MailOptOut.objects.bulk_create(
        MailOptOut(user=user, kind=kind) for kind in sorted(set(Kind.values) - wanted - have)
    )


def opted_out_kinds(user: User) -> set[str]:
    return set(MailOptOut.objects.filter(user=user).values_list("kind", flat=True))


# --- mails ------------------------------------------------------------------------------


def _mail_domain() -> str:
    return settings.SITE_URL.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{settings.SITE_URL}{url}"


def _message(user: User, *, subject: str, body: str, unsubscribe: str) -> mail.Mail:
    return mail.build(
        subject=subject,
        body=body,
        to=[user.email],
        headers={
            # RFC 2369 and RFC 8058: a one-click "unsubscribe" POSTs to this address,
            # without a session; the signed token in it is the permission.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"Klassenraum-Benachrichtigungen <benachrichtigungen.{_mail_domain()}>",
            "Auto-Submitted": "auto-generated",
        },
    )


def _language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def notification_mail(notification: Notification) -> mail.Mail:
    user = notification.recipient
    with translation.override(_language(user)):
        unsubscribe = unsubscribe_url(user, notification.kind)
        context = {
            "user": user,
            "notification": notification,
            "link": _absolute(notification.url),
            "unsubscribe_url": unsubscribe,
            "kind_label": notification.get_kind_display(),
            "settings_url": _absolute(reverse("notifications:list")),
        }
        return _message(
            user,
            subject=(_("Klassenraum: %(text)s") % {"text": notification.message})[:200],
            body=render_to_string("workspace/notifications_mail.txt", context),
            unsubscribe=unsubscribe,
        )


def _still_visible(notification: Notification) -> bool:
    user = notification.recipient
    return Notification.objects.filter(pk=notification.pk).filter(visible_condition(user)).exists()


@task()
def send_immediately(notification_ids: list[int]) -> int:
    """Mail each notification of someone who wants mails immediately; each one once."""
    return notifications_mail_now(notification_ids=notification_ids)


def notifications_mail_now(*, notification_ids: list[int]) -> int:
    sent = 0
    for notification_id in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(of=("self",))
                .select_related("recipient", "actor")
                .filter(pk=notification_id, mailed_at__isnull=True)
                .first()
            )
            if notification is None:
                continue  # mailed already (a task run twice sends once)
            user = notification.recipient
            notification.mailed_at = timezone.now()
            notification.save(update_fields=["mailed_at"])
            if (
                user.mail_frequency != Frequency.IMMEDIATELY
                or not user.email
                or not user.is_active
                or is_unsubscribed(user, notification.kind)
                or not _still_visible(notification)
            ):
                continue
            # A mail server that is down keeps the mark: the mail waits in the outbox and
            # the worker tries it again (workspace.mail), so it goes out once, not never.
            sent += mail.send(notification_mail(notification))
    return sent


# --- digests ----------------------------------------------------------------------------


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def due_period(frequency: str, today: datetime.date | None = None) -> datetime.date:
    """The period whose digest is due today: yesterday, or last week (from its Monday)."""
    today = today or timezone.localdate()
    if frequency == Frequency.DAILY:
        return today - datetime.timedelta(days=1)
    return today - datetime.timedelta(days=today.weekday() + 7)


def period_end(frequency: str, start: datetime.date) -> datetime.datetime:
    days = 1 if frequency == Frequency.DAILY else 7
    return _local_midnight(start + datetime.timedelta(days=days))


def digest_send(*, user: User, frequency: str, period_start: datetime.date) -> bool:
    """Collect ``user``'s notifications up to the end of the period into one mail, and
    record it: a second run for the same period sends nothing. Returns whether it mailed."""
    end = period_end(frequency, period_start)
    with transaction.atomic():
        digest, _created = NotificationDigest.objects.get_or_create(
            user=user, frequency=frequency, period_start=period_start
        )
        digest = NotificationDigest.objects.select_for_update().get(pk=digest.pk)
        if digest.sent_at is not None:
            return False
        waiting = Notification.objects.filter(
            recipient=user, mailed_at__isnull=True, created_at__lt=end
        )
        items = list(
            waiting.filter(visible_condition(user))
            .exclude(kind__in=opted_out_kinds(user))
            .select_related("actor")
            .order_by("created_at", "pk")
        )
        now = timezone.now()
        # Whatever the digest passes over (opted out, no longer visible) is done with too.
        waiting.update(mailed_at=now, digest=digest)
        digest.sent_at, digest.count = now, len(items)
        digest.save(update_fields=["sent_at", "count"])
        if not items or not user.email:
            return False
        with translation.override(_language(user)):
            unsubscribe = unsubscribe_url(user, ALL_KINDS)
            kinds = sorted({n.kind for n in items})
            context = {
                "user": user,
                "items": [(n, _absolute(n.url)) for n in items],
                "frequency": frequency,
                "period_start": period_start,
                "period_last": (end - datetime.timedelta(days=1)).date(),
                "unsubscribe_url": unsubscribe,
                "kind_links": [(Kind(k).label, unsubscribe_url(user, k)) for k in kinds],
                "settings_url": _absolute(reverse("notifications:list")),
            }
            subject = (
                _("Klassenraum: %(n)s Benachrichtigungen vom %(day)s")
                if frequency == Frequency.DAILY
                else _("Klassenraum: %(n)s Benachrichtigungen der Woche ab %(day)s")
            ) % {"n": len(items), "day": period_start.strftime("%d.%m.%Y")}
            message = _message(
                user,
                subject=subject,
                body=render_to_string("workspace/notifications_digest.txt", context),
                unsubscribe=unsubscribe,
            )
        message.extra_headers["Message-ID"] = (
            f"<digest-{user.pk}-{frequency}-{period_start.isoformat()}@{_mail_domain()}>"
        )
        mail.send_or_raise(message)
        return True


def digests_send(*, frequency: str, today: datetime.date | None = None) -> int:
    """Every digest of ``frequency`` that is due today (each person's once); returns how
    many mails went out."""
    if frequency not in (Frequency.DAILY, Frequency.WEEKLY):
        raise ValueError(frequency)
    start = due_period(frequency, today)
    end = period_end(frequency, start)
    people = User.objects.filter(
        is_active=True,
        mail_frequency=frequency,
        pk__in=Notification.objects.filter(mailed_at__isnull=True, created_at__lt=end).values(
            "recipient"
        ),
    ).exclude(notification_digests__frequency=frequency, notification_digests__period_start=start)
    sent = 0
    for user in people:
        try:
            sent += digest_send(user=user, frequency=frequency, period_start=start)
        except Exception:
            # One refused address must not keep everybody else's digest back.
            logger.exception("Sammel-E-Mail an %s nicht verschickt", user.pk)
    return sent


def next_digest_run(frequency: str, now: datetime.datetime | None = None) -> datetime.datetime:
    """When the next digest of ``frequency`` is sent: tomorrow (or next Monday) early."""
    today = timezone.localdate(now)
    days = 1 if frequency == Frequency.DAILY else 7 - today.weekday()
    day = today + datetime.timedelta(days=days)
    return _local_midnight(day) + datetime.timedelta(hours=settings.NOTIFICATION_DIGEST_HOUR)


@task()
def send_digests(frequency: str) -> int:
    """Send the digests due today, then wait in the queue for the next period."""
    try:
        return digests_send(frequency=frequency)
    finally:
        digest_schedule(frequency=frequency)


def _waiting_digest_tasks(frequency: str) -> models.QuerySet:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=send_digests.module_path, status="READY", args_kwargs__args=[frequency]
    )


def digest_schedule(*, frequency: str) -> bool:
    """Queue the next digest run unless one waits already; returns whether it queued one."""
    if _waiting_digest_tasks(frequency).exists():
        return False
    send_digests.using(run_after=next_digest_run(frequency)).enqueue(frequency)
    return True


_digests_scheduled = False


def _ensure_digests_scheduled() -> None:
    """Once per process: the periodic digest tasks wait in the queue (they re-queue
    themselves, so having seen them once is enough)."""
    global _digests_scheduled
    if _digests_scheduled:
        return
    try:
        for frequency in (Frequency.DAILY, Frequency.WEEKLY):
            digest_schedule(frequency=frequency)
        _digests_scheduled = True
    except Exception:
        logger.exception("Sammel-E-Mails konnten nicht eingeplant werden")


# --- the registry of personal data -------------------------------------------------------


def classify_models() -> None:
    from workspace.personal_data import classify

    classify(Follow, owner=("user",), not_personal=("id", "target_type", "target_id", "created_at"))
    classify(
        Notification,
        owner=("recipient",),
        person=("actor",),
        not_personal=(
            "id", "kind", "target_type", "target_id", "title", "detail", "url", "created_at",
            "read_at", "mailed_at", "digest",
        ),
    )  # fmt: skip
    classify(MailOptOut, owner=("user",), not_personal=("id", "kind", "created_at"))
    classify(
        NotificationDigest,
        owner=("user",),
        not_personal=("id", "frequency", "period_start", "created_at", "sent_at", "count"),
    )
