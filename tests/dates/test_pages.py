"""The dates' pages: the Pausenhof open to all, registering over HTTP, planning a series,
suggesting topics, the start page and constant query counts."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from network.dates import services
from network.dates.demo import seed_dates
from network.dates.forms import form_started_token
from network.dates.models import Appointment, Registration, Series, TopicSuggestion
from tests.dates.conftest import klassentreffen_for, many_dates
from workspace.demo.core import seed_core

pytestmark = pytest.mark.django_db


def pausenhof_starting_in(office, minutes: int) -> Appointment:
    start = timezone.now() + datetime.timedelta(minutes=minutes)
    return services.appointment_create(
        by=office,
        kind="pausenhof",
        title="Pausenhof: Glasfaser",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        video_url="https://video.example.org/raum-42",
    )


# --- the Pausenhof ---------------------------------------------------------------------------


def test_a_pausenhof_page_needs_no_login(client, pausenhof):
    response = client.get(pausenhof.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in body and "Pausenhof: Offene Daten" in body
    assert "Mehmet Mertens" in body and "Menden" in body
    assert "braucht es keine Anmeldung" in body
    assert reverse("dates:register", kwargs={"pk": pausenhof.pk}) not in body


@pytest.mark.parametrize(
    ("minutes", "visible"),
    [(60 * 24, False), (16, False), (14, True), (0, True), (-59, True), (-61, False)],
)
def test_the_video_link_shows_shortly_before_the_start_for_everyone(
    client, as_user, office, outsider, minutes, visible
):
    date = pausenhof_starting_in(office, minutes)
    for viewer in (client, as_user(outsider), as_user(office)):
        body = viewer.get(date.get_absolute_url()).content.decode()
        assert ("https://video.example.org/raum-42" in body) is visible, (minutes, viewer)
    if minutes > 15:
        assert "eine Viertelstunde vor Beginn" in body


def test_the_list_and_the_feed_never_show_the_video_link(client, office):
    pausenhof_starting_in(office, 5)
    assert "raum-42" not in client.get(reverse("dates:list")).content.decode()
    assert "raum-42" not in client.get(reverse("dates:feed")).content.decode()


# --- registering over HTTP -------------------------------------------------------------------


def test_register_and_cancel_over_http(as_user, klassentreffen, outsider):
    member = as_user(outsider)
    page = member.get(klassentreffen.get_absolute_url()).content.decode()
    assert "Zum Klassentreffen anmelden" in page and "0 von 2 Plätzen" in page

    response = member.post(reverse("dates:register", kwargs={"pk": klassentreffen.pk}), follow=True)
    body = response.content.decode()
    assert "Sie sind angemeldet." in body and "1 von 2 Plätzen" in body
    assert Registration.objects.get().status == "confirmed"

    response = member.post(reverse("dates:cancel", kwargs={"pk": klassentreffen.pk}), follow=True)
    body = response.content.decode()
    assert "Sie sind abgemeldet." in body and "0 von 2 Plätzen" in body
    assert Registration.objects.get().status == "cancelled"


def test_a_full_klassentreffen_offers_the_waiting_list(
    as_user, klassentreffen, editor, delegate, outsider
):
    for user in (editor, delegate):
        services.registration_create(appointment=klassentreffen, user=user)
    member = as_user(outsider)
    assert (
        "Auf die Warteliste setzen"
        in member.get(klassentreffen.get_absolute_url()).content.decode()
    )
    body = member.post(
        reverse("dates:register", kwargs={"pk": klassentreffen.pk}), follow=True
    ).content.decode()
    assert "Sie stehen auf der Warteliste" in body
    assert "Von der Warteliste abmelden" in body


def test_only_the_office_sees_who_is_registered(
    client, as_user, klassentreffen, editor, office, outsider
):
    services.registration_create(appointment=klassentreffen, user=editor)
    name = editor.get_display_name()
    assert name in as_user(office).get(klassentreffen.get_absolute_url()).content.decode()
    for viewer in (client, as_user(outsider)):
        assert name not in viewer.get(klassentreffen.get_absolute_url()).content.decode()


def test_anonymous_visitors_are_invited_to_log_in(client, klassentreffen):
    body = client.get(klassentreffen.get_absolute_url()).content.decode()
    assert f"/konto/anmelden/?next=/termine/{klassentreffen.pk}/" in body


def test_a_bad_date_form_comes_back_with_german_messages(as_user, office):
    response = as_user(office).post(
        reverse("dates:create"),
        {
            "kind": "klassentreffen",
            "title": "Klassentreffen",
            "starts_at": "2031-10-23T16:00",
            "ends_at": "2031-10-23T10:00",
            "place": "",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Das Ende muss nach dem Beginn liegen." in body
    assert "Bitte nennen Sie einen Ort oder einen Videolink." in body
    assert not Appointment.objects.exists()


def test_the_office_creates_a_date_in_berlin_time(as_user, office, menden, coordinator):
    response = as_user(office).post(
        reverse("dates:create"),
        {
            "kind": "klassentreffen",
            "title": "Klassentreffen im Sommer",
            "starts_at": "2031-07-03T10:00",
            "ends_at": "2031-07-03T16:00",
            "place": "Menden",
            "speaker_name": "Mehmet Mertens",
            "speaker": coordinator.username,
            "speaker_municipality": "menden",
            "capacity": "30",
        },
    )
    date = Appointment.objects.get()
    assert response["Location"] == date.get_absolute_url()
    assert date.starts_at.astimezone(datetime.UTC).hour == 8  # 10:00 summer time
    assert (date.speaker, date.speaker_municipality, date.capacity) == (coordinator, menden, 30)


def date_form(**changes) -> dict:
    return {
        "kind": "pausenhof",
        "title": "Pausenhof: Offene Daten",
        "starts_at": "2031-07-01T12:00",
        "ends_at": "2031-07-01T13:00",
        "video_url": "https://video.example.org/pausenhof",
        **changes,
    }


@pytest.mark.parametrize(
    "given",
    [
        "menden",
        " Menden ",
        "/kommunen/menden/",
        "https://klassenraum.example.org/kommunen/menden/",
        "https://klassenraum.example.org/kommunen/menden/mitarbeitende/",
    ],
)
def test_the_speakers_municipality_is_named_by_its_short_name_or_page(
    as_user, office, menden, brilon, given
):
    response = as_user(office).post(reverse("dates:create"), date_form(speaker_municipality=given))
    assert response.status_code == 302
    assert Appointment.objects.get().speaker_municipality == menden


def test_an_unknown_municipality_is_refused_in_german(as_user, office, menden):
    response = as_user(office).post(
        reverse("dates:create"), date_form(speaker_municipality="Mendn")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Zu „Mendn“ gibt es keine Kommune im Klassenraum." in body
    assert "„menden“ aus /kommunen/menden/" in body
    assert not Appointment.objects.exists()


def test_the_date_form_lists_no_municipalities(as_user, office, pausenhof, menden, brilon):
    """A text field, not a list of every municipality: the form costs the same for ten and
    ten thousand, and the edit form shows the municipality's short name."""
    client = as_user(office)
    new = client.get(reverse("dates:create")).content.decode()
    assert "Brilon" not in new and "Menden" not in new
    edit = client.get(reverse("dates:edit", kwargs={"pk": pausenhof.pk})).content.decode()
    assert 'name="speaker_municipality" value="menden"' in edit
    assert "Brilon" not in edit
    # Saving the edit unchanged keeps the municipality.
    response = client.post(
        reverse("dates:edit", kwargs={"pk": pausenhof.pk}),
        date_form(
            title=pausenhof.title,
            speaker_name=pausenhof.speaker_name,
            speaker_municipality="menden",
        ),
    )
    assert response.status_code == 302
    pausenhof.refresh_from_db()
    assert pausenhof.speaker_municipality == menden


# --- series ----------------------------------------------------------------------------------


def series_data(**changes) -> dict:
    return {
        "title": "Pausenhof",
        "first_day": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
        "start_time": "12:00",
        "end_time": "13:00",
        "interval_weeks": "2",
        "count": "4",
        "video_url": "https://video.example.org/p",
        **changes,
    }


def test_a_series_is_previewed_then_created(as_user, office):
    office_client = as_user(office)
    preview = office_client.post(reverse("dates:series-create"), series_data(vorschau=""))
    assert preview.status_code == 200
    body = preview.content.decode()
    assert body.count("12:00–13:00 Uhr") == 4
    assert "4 Termine anlegen" in body
    assert not Appointment.objects.exists()
    fingerprint = preview.context["fingerprint"]

    created = office_client.post(
        reverse("dates:series-create"), series_data(anlegen="", vorschau_von=fingerprint)
    )

    assert created.status_code == 302
    assert Series.objects.get().appointments.count() == 4


def test_a_series_changed_after_the_preview_is_previewed_again(as_user, office):
    office_client = as_user(office)
    preview = office_client.post(reverse("dates:series-create"), series_data(vorschau=""))
    changed = office_client.post(
        reverse("dates:series-create"),
        series_data(count="6", anlegen="", vorschau_von=preview.context["fingerprint"]),
    )
    assert changed.status_code == 200
    assert "Die Angaben haben sich geändert" in changed.content.decode()
    assert not Appointment.objects.exists()


# --- topic suggestions -----------------------------------------------------------------------


def suggestion(title="Glasfaser im ländlichen Raum", **extra) -> dict:
    started = timezone.now() - datetime.timedelta(seconds=30)
    return {"title": title, "started": form_started_token(started), **extra}


def test_anyone_suggests_a_topic(client):
    response = client.post(reverse("dates:suggest"), suggestion(name="Sabine"), follow=True)
    assert "Vielen Dank für Ihren Vorschlag!" in response.content.decode()
    stored = TopicSuggestion.objects.get()
    assert (stored.title, stored.name, stored.submitted_by) == (
        "Glasfaser im ländlichen Raum",
        "Sabine",
        None,
    )
    assert stored.sender_hash and "127.0.0.1" not in stored.sender_hash


def test_a_filled_trap_is_thanked_and_forgotten(client):
    response = client.post(
        reverse("dates:suggest"), suggestion(homepage="https://spam.example"), follow=True
    )
    assert "Vielen Dank" in response.content.decode()
    assert not TopicSuggestion.objects.exists()


def test_a_form_sent_within_seconds_is_asked_again(client):
    data = {"title": "Schnell", "started": form_started_token()}
    response = client.post(reverse("dates:suggest"), data)
    assert response.status_code == 400
    assert "Das ging sehr schnell" in response.content.decode()
    assert not TopicSuggestion.objects.exists()


def test_a_forged_start_is_refused(client):
    response = client.post(reverse("dates:suggest"), {"title": "X", "started": "12345"})
    assert response.status_code == 400
    assert not TopicSuggestion.objects.exists()


def test_one_sender_suggests_three_topics_an_hour(client):
    for n in range(3):
        client.post(reverse("dates:suggest"), suggestion(title=f"Thema {n}"))
    response = client.post(reverse("dates:suggest"), suggestion(title="Thema 4"))
    assert response.status_code == 400
    assert "später noch einmal" in response.content.decode()
    assert TopicSuggestion.objects.count() == 3
    # Another address is not affected.
    client.post(reverse("dates:suggest"), suggestion(title="Thema 5"), REMOTE_ADDR="10.1.1.1")
    assert TopicSuggestion.objects.count() == 4


def test_the_office_schedules_a_suggestion(as_user, office, pausenhof):
    suggested = services.suggestion_submit(title="Glasfaser", description="Wie weit seid ihr?")
    office_client = as_user(office)
    assert "Glasfaser" in office_client.get(reverse("dates:suggestions")).content.decode()
    response = office_client.post(
        reverse("dates:suggestion-schedule", kwargs={"pk": suggested.pk}),
        {"appointment": pausenhof.pk},
    )
    assert response["Location"] == pausenhof.get_absolute_url()
    pausenhof.refresh_from_db()
    assert pausenhof.title == "Pausenhof: Glasfaser"
    assert pausenhof.description == "Wie weit seid ihr?"
    suggested.refresh_from_db()
    assert (suggested.status, suggested.appointment) == ("scheduled", pausenhof)


# --- the start page, a municipality, query counts --------------------------------------------


def test_the_start_page_shows_the_next_dates(client, klassentreffen, pausenhof):
    body = client.get("/").content.decode()
    assert "Nächste Termine" in body
    assert body.index("Pausenhof: Offene Daten") < body.index("Klassentreffen in Olpe")


def test_a_municipality_shows_the_impulses_of_its_colleagues(client, pausenhof, menden, brilon):
    assert "Pausenhof: Offene Daten" in client.get("/kommunen/menden/").content.decode()
    assert "Impulse bei Pausenhof" not in client.get("/kommunen/brilon/").content.decode()


def more_dates(office, n: int, start: int) -> None:
    for i in range(start, start + n):
        date = klassentreffen_for(office, title=f"Termin {i}", days=10 + i)
        services.appointment_update(by=office, appointment=date, capacity=5)


@pytest.mark.parametrize(
    ("url", "who"),
    [
        (reverse("dates:list"), "anonymous"),
        (reverse("dates:list"), "member"),
        (reverse("dates:feed"), "anonymous"),
        ("/", "anonymous"),
    ],
)
def test_queries_stay_constant_as_dates_grow(as_user, office, outsider, url, who):
    client = as_user(outsider if who == "member" else None)

    def count(n_dates: int) -> int:
        more_dates(office, n_dates, Appointment.objects.count())
        for date in Appointment.objects.all():
            if not Registration.objects.filter(appointment=date, user=outsider).exists():
                services.registration_create(appointment=date, user=outsider)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small, large = count(2), count(20)
    assert small == large, f"{url} als {who}: {small} Abfragen bei 2, {large} bei 22 Terminen"


def test_the_list_page_in_a_fixed_number_of_queries(
    as_user, office, outsider, django_assert_num_queries
):
    more_dates(office, 5, 0)
    client = as_user(outsider)
    # session, user (with the office check, workspace/backends.py), the number of dates to come
    # (for the pages), the page's dates, their seat counts, the member's own registrations on
    # them, the latest past dates.
    with django_assert_num_queries(7):
        client.get(reverse("dates:list"))


# --- the list in pages, at any size ----------------------------------------------------------


def titles_on(response) -> list[str]:
    """The titles of the dates to come on a list page, in order."""
    assert response.status_code == 200
    return [a.title for a in response.context["appointments"]]


def test_the_dates_to_come_are_listed_twenty_a_page(client, office):
    many_dates(office, 25)
    first = client.get(reverse("dates:list"))
    assert titles_on(first) == [f"Termin {i:04d}" for i in range(1, 21)]
    body = first.content.decode()
    assert '<nav class="kr-pagination" aria-label="Seiten der kommenden Termine">' in body
    assert 'href="?seite=1#kommende" aria-current="page"' in body
    assert 'href="?seite=2#kommende" rel="next"' in body
    assert "Seite 1 von 2 (1–20 von 25)" in body

    second = client.get(reverse("dates:list"), {"seite": 2})
    assert titles_on(second) == [f"Termin {i:04d}" for i in range(21, 26)]
    assert 'href="?seite=2#kommende" aria-current="page"' in second.content.decode()


def test_dates_at_the_same_time_keep_their_place_across_pages(client, office):
    """Start first, then the key: two dates at the same hour never swap between pages."""
    dates = many_dates(office, 30)
    Appointment.objects.filter(pk__in=[d.pk for d in dates]).update(
        starts_at=dates[0].starts_at, ends_at=dates[0].ends_at
    )
    seen = titles_on(client.get(reverse("dates:list"))) + titles_on(
        client.get(reverse("dates:list"), {"seite": 2})
    )
    assert seen == [f"Termin {i:04d}" for i in range(1, 31)]


@pytest.mark.parametrize(("asked", "shown"), [("99", 2), ("0", 2), ("zwei", 1), ("", 1)])
def test_a_page_past_the_end_shows_the_last_and_nonsense_the_first(client, office, asked, shown):
    many_dates(office, 25)
    response = client.get(reverse("dates:list"), {"seite": asked})
    assert response.context["page"].number == shown
    assert f'href="?seite={shown}#kommende" aria-current="page"' in response.content.decode()


def test_the_kind_and_the_page_go_together(client, office):
    many_dates(office, 25, kind=Appointment.Kind.PAUSENHOF, title="Pausenhof", days=1)
    many_dates(office, 25, kind=Appointment.Kind.KLASSENTREFFEN, title="Treffen", days=1)
    response = client.get(reverse("dates:list"), {"art": "pausenhof", "seite": 2})
    assert titles_on(response) == [f"Pausenhof {i:04d}" for i in range(21, 26)]
    body = response.content.decode()
    # The page links keep the kind.
    assert 'href="?art=pausenhof&amp;seite=1#kommende" rel="prev"' in body
    assert "Seite 2 von 2 (21–25 von 25)" in body


def test_my_registration_shows_on_the_page_of_its_date(as_user, office, outsider):
    dates = many_dates(office, 25)
    services.registration_create(appointment=dates[22], user=outsider)  # on page 2
    client = as_user(outsider)
    first = client.get(reverse("dates:list"))
    assert all(a.my_registration is None for a in first.context["appointments"])
    second = client.get(reverse("dates:list"), {"seite": 2})
    mine = {a.title: a.my_registration for a in second.context["appointments"]}
    assert mine["Termin 0023"].user == outsider
    assert "angemeldet" in second.content.decode()


def test_the_past_stays_a_short_list_of_the_latest(client, office):
    many_dates(office, 15, days=-20, title="Vorbei")  # from 20 to 6 days ago
    past = client.get(reverse("dates:list")).context["past"]
    assert [a.title for a in past] == [f"Vorbei {i:04d}" for i in range(15, 5, -1)]


@pytest.mark.parametrize(
    ("url", "who"),
    [
        (reverse("dates:list"), "anonymous"),
        (reverse("dates:list"), "member"),
        (reverse("dates:list") + "?art=klassentreffen&seite=2", "member"),
        (reverse("dates:feed"), "anonymous"),
        (reverse("dates:feed-kind", kwargs={"kind": "klassentreffen"}), "anonymous"),
        ("personal feed", "member"),
    ],
)
def test_the_list_and_the_feeds_cost_the_same_for_10_and_1000_dates(
    as_user, office, outsider, editor, iserlohn, url, who
):
    """Each size has dates to come and past ones, seats taken, the member's own registrations
    and speakers with an account (whose municipality a visitor sees instead of their name)."""
    client = as_user(outsider if who == "member" else None)
    if url == "personal feed":
        url = services.feed_token_get_or_create(user=outsider).get_absolute_url()

    def count(n: int) -> int:
        Appointment.objects.all().delete()
        dates = many_dates(office, n, days=-n // 10, speaker=editor, speaker_name="Eda Editor")
        Registration.objects.bulk_create(
            Registration(appointment=date, user=user, status=Registration.Status.CONFIRMED)
            for date in dates
            for user in (outsider, editor)
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            assert response.status_code == 200
        return len(queries)

    small, large = count(10), count(1000)
    assert small == large, f"{url} als {who}: {small} Abfragen bei 10, {large} bei 1000 Terminen"


# --- the demo world ----------------------------------------------------------------------------


def seed() -> None:
    """The core's demo world and the dates' part (the other apps' parts are theirs to test)."""
    seed_core(stdout=StringIO())
    seed_dates(stdout=StringIO())


def test_the_demo_world_has_the_next_klassentreffen_and_a_pausenhof_series():
    seed()
    meeting = Appointment.objects.get(kind="klassentreffen")
    assert meeting.starts_at > timezone.now() + datetime.timedelta(weeks=5)
    assert meeting.registrations.confirmed().count() == 2
    pausenhof = list(Appointment.objects.filter(kind="pausenhof").order_by("starts_at"))
    assert len(pausenhof) == 6
    assert {timezone.localtime(p.starts_at).weekday() for p in pausenhof} == {1}
    assert {timezone.localtime(p.starts_at).hour for p in pausenhof} == {12}
    assert pausenhof[0].speaker_municipality.name == "Menden"
    tasks = DBTaskResult.objects.count()

    seed()

    assert Appointment.objects.count() == 7
    assert Registration.objects.count() == 2
    assert TopicSuggestion.objects.count() == 1
    assert DBTaskResult.objects.count() == tasks == 1
