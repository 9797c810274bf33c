"""Writes of the network's dates. Every write is keyword-only and atomic (but the reminders,
which stamp one registration at a time on purpose, see ``reminders_send``)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from network.dates import tasks
from network.dates.models import (
    Appointment,
    FeedToken,
    Registration,
    Series,
    TopicSuggestion,
    new_feed_token,
)
from network.dates.permissions import NOT_MEMBER, NOT_OFFICE, can_manage, can_register
from workspace import mail
from workspace.models import Municipality, Topic, User

logger = logging.getLogger(__name__)

# A sender (a keyed hash of the address) may suggest this many topics an hour; all senders
# together this many a day. The office reads every suggestion, so a flood is what to prevent.
SUGGESTIONS_PER_SENDER_AND_HOUR = 3
SUGGESTIONS_PER_DAY = 100

MAX_SERIES = 26


def _office_only(by: User) -> None:
    if not can_manage(by):
        raise ValidationError(NOT_OFFICE)


def _mail(*, to: str, subject: str, template: str, context: dict) -> mail.Mail:
    context = {**context, "site_url": settings.SITE_URL}
    return mail.build(
        subject=subject,
        body=render_to_string(f"dates/mail/{template}.txt", context),
        html=render_to_string(f"dates/mail/{template}.html", context),
        to=[to],
    )


# --- dates -----------------------------------------------------------------------------------


def _validate(appointment: Appointment) -> None:
    errors: dict[str, str] = {}
    if (
        appointment.starts_at
        and appointment.ends_at
        and appointment.ends_at <= appointment.starts_at
    ):
        errors["ends_at"] = _("Das Ende muss nach dem Beginn liegen.")
    if not appointment.place and not appointment.video_url:
        errors["place"] = _("Bitte nennen Sie einen Ort oder einen Videolink.")
    if appointment.kind == Appointment.Kind.PAUSENHOF and not appointment.video_url:
        errors["video_url"] = _("Der Pausenhof ist eine Videorunde: Bitte nennen Sie den Link.")
    if appointment.capacity is not None and not appointment.takes_registrations:
        errors["capacity"] = _("Plätze gibt es nur beim Klassentreffen, das Anmeldungen nimmt.")
    if errors:
        raise ValidationError(errors)
    appointment.full_clean(exclude=["created_by"])


def _schedule_reminder(appointment: Appointment) -> None:
    """The reminder task for the day before. It waits in the database table of the task backend,
    written in this transaction, so a rolled-back date leaves no task behind; a task of a date
    moved since checks the time again and does nothing (see ``reminders_send``)."""
    if appointment.takes_registrations and not appointment.has_started():
        tasks.send_reminders.using(run_after=appointment.reminder_due_at()).enqueue(appointment.pk)


@transaction.atomic
def appointment_create(
    *,
    by: User,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    video_url: str = "",
    speaker_name: str = "",
    speaker: User | None = None,
    speaker_municipality: Municipality | None = None,
    description: str = "",
    topics: Iterable[Topic] = (),
    capacity: int | None = None,
    series: Series | None = None,
) -> Appointment:
    _office_only(by)
    appointment = Appointment(
        kind=kind,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        video_url=video_url,
        speaker_name=speaker_name.strip(),
        speaker=speaker,
        speaker_municipality=speaker_municipality,
        description=description,
        capacity=capacity,
        series=series,
        created_by=by,
    )
    _validate(appointment)
    appointment.save()
    appointment.topics.set(topics)
    _schedule_reminder(appointment)
    return appointment


EDITABLE = {
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "video_url",
    "speaker_name",
    "speaker",
    "speaker_municipality",
    "description",
    "capacity",
}


@transaction.atomic
def appointment_update(*, by: User, appointment: Appointment, **fields) -> Appointment:
    """Change a date; calendars see a higher SEQUENCE. More seats let the waiting list move up;
    a new day means a new reminder."""
    _office_only(by)
    unknown = set(fields) - EDITABLE - {"topics"}
    if unknown:
        raise TypeError(f"appointment_update: unbekannte Felder {sorted(unknown)}")
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    old_day = timezone.localtime(appointment.starts_at).date()
    topics = fields.pop("topics", None)
    for name, value in fields.items():
        setattr(appointment, name, value.strip() if isinstance(value, str) else value)
    confirmed = appointment.registrations.confirmed().count()
    if not appointment.takes_registrations and appointment.registrations.active().exists():
        raise ValidationError(
            {"kind": _("Für diesen Termin gibt es Anmeldungen; er bleibt ein Klassentreffen.")}
        )
    _validate(appointment)
    appointment.sequence += 1
    appointment.updated_at = timezone.now()
    appointment.save()
    if topics is not None:
        appointment.topics.set(topics)
    moved = _fill_from_waiting_list(appointment, confirmed=confirmed)
    if timezone.localtime(appointment.starts_at).date() != old_day:
        appointment.registrations.filter(reminded_at__isnull=False).update(reminded_at=None)
        _schedule_reminder(appointment)
    _notify_moved_up(moved)
    return appointment


# --- registrations ---------------------------------------------------------------------------


def _locked(appointment: Appointment) -> Appointment:
    """The date's row, locked: registrations and cancellations of one date queue up here, so
    counting the seats and taking one is a single step (no capacity is ever exceeded)."""
    return Appointment.objects.select_for_update().get(pk=appointment.pk)


@transaction.atomic
def registration_create(*, appointment: Appointment, user: User) -> Registration:
    """A seat if one is free, else a place on the waiting list."""
    if not can_register(user):
        raise ValidationError(NOT_MEMBER)
    appointment = _locked(appointment)
    if not appointment.takes_registrations:
        raise ValidationError(_("Für diesen Termin braucht es keine Anmeldung."))
    if appointment.has_started():
        raise ValidationError(_("Der Termin hat schon begonnen; eine Anmeldung geht nicht mehr."))
    if appointment.registrations.active().filter(user=user).exists():
        raise ValidationError(_("Sie sind für diesen Termin schon angemeldet."))
    confirmed = appointment.registrations.confirmed().count()
    full = appointment.capacity is not None and confirmed >= appointment.capacity
    status = Registration.Status.WAITING if full else Registration.Status.CONFIRMED
    try:
        with transaction.atomic():
            return Registration.objects.create(appointment=appointment, user=user, status=status)
    except IntegrityError as error:  # a second click of the same person, a moment later
        raise ValidationError(_("Sie sind für diesen Termin schon angemeldet.")) from error


def _fill_from_waiting_list(appointment: Appointment, *, confirmed: int) -> list[Registration]:
    """Move people up while seats are free (the caller holds the date's lock)."""
    if appointment.has_started():
        return []
    free = None if appointment.capacity is None else appointment.capacity - confirmed
    waiting = appointment.registrations.waiting()
    if free is not None:
        waiting = waiting[: max(free, 0)]
    moved = list(waiting.select_related("user"))
    now = timezone.now()
    for registration in moved:
        registration.status = Registration.Status.CONFIRMED
        registration.moved_up_at = now
        registration.save(update_fields=["status", "moved_up_at"])
        registration.appointment = appointment
    return moved


def _notify_moved_up(moved: list[Registration]) -> None:
    mails = [
        _mail(
            to=r.user.email,
            subject=_("Sie sind nachgerückt: %(title)s") % {"title": r.appointment.title},
            template="moved_up",
            context={"registration": r, "appointment": r.appointment},
        )
        for r in moved
        if r.user.email
    ]
    mail.send_on_commit(*mails)


@transaction.atomic
def registration_cancel(*, appointment: Appointment, user: User) -> Registration:
    """The participant cancels; a freed seat goes to the first on the waiting list (by mail)."""
    appointment = _locked(appointment)
    registration = appointment.registrations.active().filter(user=user).first()
    if registration is None:
        raise ValidationError(_("Sie sind für diesen Termin nicht angemeldet."))
    if appointment.has_started():
        raise ValidationError(_("Der Termin hat schon begonnen; abmelden geht nicht mehr."))
    was_confirmed = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    if was_confirmed:
        confirmed = appointment.registrations.confirmed().count()
        _notify_moved_up(_fill_from_waiting_list(appointment, confirmed=confirmed))
    return registration


# --- reminders -------------------------------------------------------------------------------


def reminders_send(*, appointment_id: int, now: datetime.datetime | None = None) -> int:
    """Remind everyone with a seat, once: each registration is stamped by a conditional UPDATE
    before its mail goes out, so two workers (or the task and the cron command) never both send.
    Returns how many mails were sent; nothing before the due time or after the start."""
    now = now or timezone.now()
    appointment = Appointment.objects.filter(pk=appointment_id).first()
    if appointment is None or not appointment.takes_registrations:
        return 0
    if not (appointment.reminder_due_at() <= now < appointment.starts_at):
        return 0
    sent = 0
    candidates = (
        appointment.registrations.confirmed()
        .filter(reminded_at__isnull=True)
        .select_related("user")
    )
    for registration in candidates:
        stamped = Registration.objects.filter(
            pk=registration.pk,
            status=Registration.Status.CONFIRMED,
            reminded_at__isnull=True,
        ).update(reminded_at=now)
        if not stamped or not registration.user.email:
            continue
        message = _mail(
            to=registration.user.email,
            subject=_("Morgen: %(title)s") % {"title": appointment.title},
            template="reminder",
            context={"registration": registration, "appointment": appointment},
        )
        try:
            mail.send_or_raise(message)
        except Exception:
            # Not sent: take the stamp back, so the next run tries again.
            Registration.objects.filter(pk=registration.pk, reminded_at=now).update(
                reminded_at=None
            )
            logger.exception("Erinnerung an %s nicht verschickt", registration.user.email)
            continue
        sent += 1
    return sent


def due_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Every reminder that is due now (for the cron command); the same once-only rule."""
    now = now or timezone.now()
    soon = Appointment.objects.filter(
        kind=Appointment.Kind.KLASSENTREFFEN,
        starts_at__gt=now,
        starts_at__lte=now + datetime.timedelta(days=2),
    )
    return sum(
        reminders_send(appointment_id=a.pk, now=now) for a in soon if a.reminder_due_at() <= now
    )


# --- series ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime


def series_slots(
    *,
    first_day: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    interval_weeks: int,
    count: int,
) -> list[Slot]:
    """The dates of a series in Berlin wall-clock time: 12–13 o'clock stays 12–13 o'clock
    across the change to and from summer time."""
    if end_time <= start_time:
        raise ValidationError({"end_time": _("Das Ende muss nach dem Beginn liegen.")})
    if not 1 <= count <= MAX_SERIES:
        raise ValidationError(
            {"count": _("Eine Reihe hat 1 bis %(n)s Termine.") % {"n": MAX_SERIES}}
        )
    if not 1 <= interval_weeks <= 8:
        raise ValidationError({"interval_weeks": _("Der Abstand ist 1 bis 8 Wochen.")})
    slots = []
    for n in range(count):
        day = first_day + datetime.timedelta(weeks=n * interval_weeks)
        slots.append(
            Slot(
                timezone.make_aware(datetime.datetime.combine(day, start_time)),
                timezone.make_aware(datetime.datetime.combine(day, end_time)),
            )
        )
    return slots


@transaction.atomic
def series_create(
    *,
    by: User,
    kind: str = Appointment.Kind.PAUSENHOF,
    title: str,
    first_day: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    interval_weeks: int,
    count: int,
    video_url: str = "",
    place: str = "",
    description: str = "",
) -> Series:
    _office_only(by)
    slots = series_slots(
        first_day=first_day,
        start_time=start_time,
        end_time=end_time,
        interval_weeks=interval_weeks,
        count=count,
    )
    if slots[0].starts_at <= timezone.now():
        raise ValidationError({"first_day": _("Eine Reihe beginnt in der Zukunft.")})
    rule = _("alle %(weeks)s Wochen, %(start)s–%(end)s Uhr, %(count)s Termine") % {
        "weeks": interval_weeks,
        "start": start_time.strftime("%H:%M"),
        "end": end_time.strftime("%H:%M"),
        "count": count,
    }
    series = Series.objects.create(title=title.strip(), rule=rule, created_by=by)
    for slot in slots:
        appointment_create(
            by=by,
            kind=kind,
            title=title,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            video_url=video_url,
            place=place,
            description=description,
            series=series,
        )
    return series


# --- topic suggestions -----------------------------------------------------------------------


@transaction.atomic
def suggestion_submit(
    *,
    title: str,
    description: str = "",
    name: str = "",
    email: str = "",
    by: User | None = None,
    sender_hash: str = "",
) -> TopicSuggestion:
    """Anyone may suggest a topic; a sender who keeps sending is asked to wait."""
    now = timezone.now()
    recent = TopicSuggestion.objects.filter(created_at__gte=now - datetime.timedelta(hours=1))
    if sender_hash and (
        recent.filter(sender_hash=sender_hash).count() >= SUGGESTIONS_PER_SENDER_AND_HOUR
    ):
        raise ValidationError(
            _(
                "Sie haben in der letzten Stunde schon mehrere Themen vorgeschlagen. Vielen Dank! "
                "Bitte versuchen Sie es später noch einmal."
            )
        )
    day = TopicSuggestion.objects.filter(created_at__gte=now - datetime.timedelta(days=1))
    if day.count() >= SUGGESTIONS_PER_DAY:
        raise ValidationError(
            _("Heute sind sehr viele Vorschläge eingegangen. Bitte versuchen Sie es morgen wieder.")
        )
    suggestion = TopicSuggestion(
        title=title.strip(),
        description=description.strip(),
        name=name.strip(),
        email=email.strip(),
        submitted_by=by if by is not None and by.is_authenticated else None,
        sender_hash=sender_hash,
    )
    suggestion.full_clean()
    suggestion.save()
    return suggestion


@transaction.atomic
def suggestion_schedule(
    *, by: User, suggestion: TopicSuggestion, appointment: Appointment
) -> TopicSuggestion:
    """Give a Pausenhof date the suggested topic (its title and, if empty, its description)."""
    _office_only(by)
    suggestion = TopicSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != TopicSuggestion.Status.OPEN:
        raise ValidationError({"appointment": _("Dieser Vorschlag ist schon bearbeitet.")})
    if appointment.kind != Appointment.Kind.PAUSENHOF or appointment.has_started():
        raise ValidationError(
            {"appointment": _("Bitte wählen Sie einen kommenden Pausenhof-Termin.")}
        )
    fields = {"title": _("Pausenhof: %(title)s") % {"title": suggestion.title}}
    if not appointment.description.strip():
        fields["description"] = suggestion.description
    appointment_update(by=by, appointment=appointment, **fields)
    suggestion.status = TopicSuggestion.Status.SCHEDULED
    suggestion.appointment = appointment
    suggestion.save(update_fields=["status", "appointment"])
    return suggestion


@transaction.atomic
def suggestion_decline(*, by: User, suggestion: TopicSuggestion) -> TopicSuggestion:
    _office_only(by)
    suggestion = TopicSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != TopicSuggestion.Status.OPEN:
        raise ValidationError(_("Dieser Vorschlag ist schon bearbeitet."))
    suggestion.status = TopicSuggestion.Status.DECLINED
    suggestion.save(update_fields=["status"])
    return suggestion


# --- personal feed ---------------------------------------------------------------------------


@transaction.atomic
def feed_token_get_or_create(*, user: User) -> FeedToken:
    feed, _created = FeedToken.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def feed_token_renew(*, user: User) -> FeedToken:
    """A new secret; the old feed address answers 404 from now on."""
    feed, created = FeedToken.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.token = new_feed_token()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
    return feed
