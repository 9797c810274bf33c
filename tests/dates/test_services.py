"""Registration for a Klassentreffen: seats, the waiting list, moving up, and its mail."""

from __future__ import annotations

import datetime
import threading
from email import message_from_bytes, policy

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone

from network.dates import services
from network.dates.models import Appointment, Registration
from tests.dates.conftest import in_days, klassentreffen_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def statuses(appointment) -> dict[str, str]:
    return {
        r.user.username: r.status
        for r in Registration.objects.active()
        .filter(appointment=appointment)
        .select_related("user")
    }


def test_seats_first_then_the_waiting_list(klassentreffen, editor, outsider, coordinator):
    first = services.registration_create(appointment=klassentreffen, user=editor)
    second = services.registration_create(appointment=klassentreffen, user=outsider)
    third = services.registration_create(appointment=klassentreffen, user=coordinator)

    assert (first.status, second.status, third.status) == ("confirmed", "confirmed", "waiting")


def test_nobody_registers_twice(klassentreffen, editor):
    services.registration_create(appointment=klassentreffen, user=editor)
    with pytest.raises(ValidationError, match="schon angemeldet"):
        services.registration_create(appointment=klassentreffen, user=editor)
    assert Registration.objects.count() == 1


def test_only_members_and_the_office_register(klassentreffen, stranger, office):
    with pytest.raises(ValidationError, match="Mitgliedskommunen"):
        services.registration_create(appointment=klassentreffen, user=stranger)
    assert services.registration_create(appointment=klassentreffen, user=office).status == (
        "confirmed"
    )


def test_a_pausenhof_needs_no_registration(pausenhof, editor):
    with pytest.raises(ValidationError, match="keine Anmeldung"):
        services.registration_create(appointment=pausenhof, user=editor)


def test_no_registration_once_the_date_has_begun(office, editor):
    started = klassentreffen_for(office, starts_at=timezone.now() - datetime.timedelta(minutes=5))
    with pytest.raises(ValidationError, match="begonnen"):
        services.registration_create(appointment=started, user=editor)


def test_the_waiting_list_moves_up_on_cancellation_in_order_with_a_mail(
    smtp,
    klassentreffen,
    editor,
    outsider,
    coordinator,
    delegate,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.SITE_URL = "https://klassenraum.example.org"
    for user in (editor, outsider, coordinator, delegate):
        services.registration_create(appointment=klassentreffen, user=user)
    assert statuses(klassentreffen) == {
        "team-iserlohn": "confirmed",
        "kommune-brilon": "confirmed",
        "koordination-menden": "waiting",
        "steuerkreis-arnsberg": "waiting",
    }

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(appointment=klassentreffen, user=outsider)

    assert statuses(klassentreffen) == {
        "team-iserlohn": "confirmed",
        "koordination-menden": "confirmed",  # the first on the list
        "steuerkreis-arnsberg": "waiting",
    }
    moved = Registration.objects.get(user=coordinator)
    assert moved.moved_up_at is not None
    [envelope] = smtp.messages
    assert envelope.rcpt_tos == [coordinator.email]
    mail = message_from_bytes(envelope.content, policy=policy.default)
    assert "nachgerückt" in mail["Subject"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert f"https://klassenraum.example.org/termine/{klassentreffen.pk}/" in text
    assert "Sie sind von der Warteliste nachgerückt" in text


def test_leaving_the_waiting_list_moves_nobody(
    smtp, klassentreffen, editor, outsider, coordinator, django_capture_on_commit_callbacks
):
    for user in (editor, outsider, coordinator):
        services.registration_create(appointment=klassentreffen, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(appointment=klassentreffen, user=coordinator)
    assert statuses(klassentreffen) == {"team-iserlohn": "confirmed", "kommune-brilon": "confirmed"}
    assert smtp.messages == []


def test_more_seats_let_the_waiting_list_move_up(
    office, klassentreffen, editor, outsider, members, django_capture_on_commit_callbacks
):
    for user in (editor, outsider, *members[:3]):
        services.registration_create(appointment=klassentreffen, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_update(by=office, appointment=klassentreffen, capacity=4)
    assert list(Registration.objects.confirmed().values_list("user__username", flat=True)) == [
        "team-iserlohn",
        "kommune-brilon",
        "kollegin-0",
        "kollegin-1",
    ]
    assert Registration.objects.waiting().get().user == members[2]


def test_fewer_seats_take_no_seat_away(office, klassentreffen, editor, outsider):
    services.registration_create(appointment=klassentreffen, user=editor)
    services.registration_create(appointment=klassentreffen, user=outsider)
    services.appointment_update(by=office, appointment=klassentreffen, capacity=1)
    assert Registration.objects.confirmed().count() == 2


def test_cancelling_again_or_without_registration_is_refused(klassentreffen, editor):
    with pytest.raises(ValidationError, match="nicht angemeldet"):
        services.registration_cancel(appointment=klassentreffen, user=editor)
    services.registration_create(appointment=klassentreffen, user=editor)
    services.registration_cancel(appointment=klassentreffen, user=editor)
    with pytest.raises(ValidationError, match="nicht angemeldet"):
        services.registration_cancel(appointment=klassentreffen, user=editor)
    # … and registering again afterwards is fine (the cancelled row stays as a record).
    assert services.registration_create(appointment=klassentreffen, user=editor).status == (
        "confirmed"
    )


def test_only_the_office_creates_and_edits_dates(coordinator, klassentreffen):
    with pytest.raises(ValidationError, match="Geschäftsstelle"):
        klassentreffen_for(coordinator)
    with pytest.raises(ValidationError, match="Geschäftsstelle"):
        services.appointment_update(by=coordinator, appointment=klassentreffen, title="Anders")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_at": in_days(30, hour=9)}, "ends_at"),
        ({"place": ""}, "place"),
    ],
)
def test_a_date_is_checked_before_it_is_saved(office, fields, field):
    with pytest.raises(ValidationError) as caught:
        klassentreffen_for(office, **fields)
    assert field in caught.value.error_dict
    assert not Appointment.objects.exists()


def test_a_pausenhof_has_no_seats_and_a_video_link(office):
    start = in_days(3, hour=12)
    with pytest.raises(ValidationError) as caught:
        services.appointment_create(
            by=office,
            kind="pausenhof",
            title="Pausenhof",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            place="Irgendwo",
            capacity=10,
        )
    assert set(caught.value.error_dict) == {"video_url", "capacity"}


def test_an_edit_raises_the_calendar_sequence(office, klassentreffen):
    services.appointment_update(by=office, appointment=klassentreffen, title="Neuer Titel")
    klassentreffen.refresh_from_db()
    assert (klassentreffen.sequence, klassentreffen.title) == (1, "Neuer Titel")


# --- series ----------------------------------------------------------------------------------


def test_a_series_keeps_its_wall_clock_time_across_the_change_of_time(office):
    # Every second Tuesday, 12–13 o'clock, over the end of October (CEST → CET).
    slots = services.series_slots(
        first_day=datetime.date(2031, 10, 14),
        start_time=datetime.time(12),
        end_time=datetime.time(13),
        interval_weeks=2,
        count=3,
    )
    local = [(timezone.localtime(s.starts_at), timezone.localtime(s.ends_at)) for s in slots]
    assert [(a.date().isoformat(), a.hour, b.hour) for a, b in local] == [
        ("2031-10-14", 12, 13),
        ("2031-10-28", 12, 13),
        ("2031-11-11", 12, 13),
    ]
    assert {a.weekday() for a, _ in local} == {1}  # Tuesdays
    # In UTC the first is at 10:00, the others (winter time) at 11:00.
    assert [s.starts_at.astimezone(datetime.UTC).hour for s in slots] == [10, 11, 11]


def test_a_series_creates_its_dates(office):
    series = services.series_create(
        by=office,
        title="Pausenhof",
        first_day=timezone.localdate() + datetime.timedelta(days=1),
        start_time=datetime.time(12),
        end_time=datetime.time(13),
        interval_weeks=2,
        count=4,
        video_url="https://video.example.org/p",
    )
    dates = list(series.appointments.order_by("starts_at"))
    assert len(dates) == 4
    assert all(d.kind == "pausenhof" for d in dates)
    assert (dates[1].starts_at - dates[0].starts_at).days in (13, 14)  # 14 days ± DST hour


def test_a_series_must_be_sensible(office):
    with pytest.raises(ValidationError) as caught:
        services.series_slots(
            first_day=datetime.date(2031, 1, 7),
            start_time=datetime.time(13),
            end_time=datetime.time(12),
            interval_weeks=2,
            count=3,
        )
    assert "end_time" in caught.value.error_dict
    with pytest.raises(ValidationError):
        services.series_create(
            by=office,
            title="Zu früh",
            first_day=timezone.localdate() - datetime.timedelta(days=1),
            start_time=datetime.time(12),
            end_time=datetime.time(13),
            interval_weeks=1,
            count=2,
            video_url="https://video.example.org/p",
        )
    assert not Appointment.objects.exists()


# --- concurrency -----------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_registrations_never_exceed_the_capacity(office, iserlohn):
    appointment = klassentreffen_for(office, capacity=5)
    people = [
        MembershipFactory(user__username=f"gleichzeitig-{n}", municipality=iserlohn).user
        for n in range(20)
    ]
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def register(user) -> None:
        close_old_connections()
        try:
            barrier.wait()
            services.registration_create(appointment=appointment, user=user)
        except BaseException as error:  # noqa: BLE001 – reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert Registration.objects.confirmed().count() == 5
    assert Registration.objects.waiting().count() == 15


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_simultaneous_cancellations_fill_each_freed_seat_exactly_once(office, iserlohn):
    appointment = klassentreffen_for(office, capacity=5)
    people = [
        MembershipFactory(user__username=f"wechsel-{n}", municipality=iserlohn).user
        for n in range(12)
    ]
    for user in people:
        services.registration_create(appointment=appointment, user=user)
    leaving = people[:5]
    barrier = threading.Barrier(len(leaving))

    def cancel(user) -> None:
        close_old_connections()
        try:
            barrier.wait()
            services.registration_cancel(appointment=appointment, user=user)
        finally:
            connection.close()

    threads = [threading.Thread(target=cancel, args=(user,)) for user in leaving]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    confirmed = set(Registration.objects.confirmed().values_list("user__username", flat=True))
    assert confirmed == {u.username for u in people[5:10]}
    assert Registration.objects.waiting().count() == 2
