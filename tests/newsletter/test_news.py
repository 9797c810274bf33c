"""Member news: members submit, the editorial team accepts, edits or declines with a note."""

from __future__ import annotations

import pytest
from django.urls import reverse

from network.newsletter.models import NewsItem
from tests.newsletter.conftest import PNG, png, submit

pytestmark = pytest.mark.django_db

CREATE = "/schuelerzeitung/beitraege/neu/"


def test_a_member_submits_news_with_a_picture_and_sees_its_state(as_user, outsider, brilon):
    client = as_user(outsider)
    response = client.post(
        CREATE,
        {
            "municipality": brilon.pk,
            "title": "Brilon baut ein Reallabor",
            "body": "Am **Marktplatz** entsteht ein Reallabor.\n\n<script>alert(1)</script>",
            "link": "www.brilon.de",
            "image": png(),
            "image_alt": "Der Briloner Marktplatz",
        },
    )
    item = NewsItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == item.get_absolute_url()
    assert item.submitted_by == outsider
    assert item.link == "https://www.brilon.de"
    assert item.image_content_type == "image/png"

    page = client.get(item.get_absolute_url()).content.decode()
    assert "Eingereicht" in page
    assert "<strong>Marktplatz</strong>" in page
    assert "<script>" not in page
    assert client.get(reverse("newsletter:item-image", args=[item.pk])).getvalue() == PNG


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (png("bild.png", b"<svg onload=alert(1)></svg>"), "PNG, JPEG oder GIF"),
        (png("riesig.png", PNG + b"0" * (2 * 1024 * 1024)), "größer als 2 MB"),
    ],
)
def test_only_small_real_pictures_are_taken(as_user, outsider, brilon, upload, message):
    response = as_user(outsider).post(
        CREATE,
        {"municipality": brilon.pk, "title": "T", "body": "B", "image": upload, "image_alt": "x"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not NewsItem.objects.exists()


def test_a_picture_needs_a_description_and_only_the_own_town_counts(
    as_user, outsider, brilon, menden
):
    client = as_user(outsider)
    no_alt = client.post(
        CREATE, {"municipality": brilon.pk, "title": "T", "body": "B", "image": png()}
    )
    assert no_alt.status_code == 400
    assert "beschreiben Sie das Bild" in no_alt.content.decode()
    other_town = client.post(CREATE, {"municipality": menden.pk, "title": "T", "body": "B"})
    assert other_town.status_code == 400
    assert not NewsItem.objects.exists()


def test_the_office_declines_with_a_note_the_submitter_reads(as_user, outsider, office):
    item = submit(outsider)
    url = reverse("newsletter:item-decline", args=[item.pk])

    without = as_user(office).post(url, {"note": ""}, follow=True)
    assert "warum" in without.content.decode()
    item.refresh_from_db()
    assert item.state == NewsItem.State.SUBMITTED

    as_user(office).post(url, {"note": "Bitte mit Foto noch einmal einreichen."})
    item.refresh_from_db()
    assert item.state == NewsItem.State.DECLINED
    page = as_user(outsider).get(item.get_absolute_url()).content.decode()
    assert "Abgelehnt" in page
    assert "Bitte mit Foto noch einmal einreichen." in page


def test_the_office_edits_and_accepts(as_user, outsider, office):
    item = submit(outsider)
    client = as_user(office)
    response = client.post(
        reverse("newsletter:item-edit", args=[item.pk]),
        {"title": "Brilon: besser formuliert", "body": "Neuer Text", "link": ""},
    )
    assert response.status_code == 302
    client.post(reverse("newsletter:item-accept", args=[item.pk]), {"note": "Danke!"})
    item.refresh_from_db()
    assert (item.title, item.body, item.state) == (
        "Brilon: besser formuliert",
        "Neuer Text",
        "accepted",
    )
    assert item.reviewed_by == office
    assert "Angenommen" in as_user(outsider).get(reverse("newsletter:items")).content.decode()


def test_a_published_item_stays_as_it_appeared(as_user, world, office):
    response = as_user(office).post(
        reverse("newsletter:item-edit", args=[world.pictured.pk]),
        {"title": "Anders", "body": "Anders"},
    )
    assert response.status_code == 400
    assert "erschienenen Ausgabe" in response.content.decode()
    world.pictured.refresh_from_db()
    assert world.pictured.title == "Iserlohn mit Bild"


@pytest.mark.parametrize("size", [3, 30])
def test_item_list_queries_stay_constant(
    as_user, office, outsider, django_assert_num_queries, size
):
    for n in range(size):
        submit(outsider, title=f"Nachricht {n}")
    client = as_user(office)
    client.get(reverse("newsletter:items"))  # warm the session
    # session, user (with the office group, workspace/backends.py), membership (may submit?),
    # items with municipality, submitter and issue
    with django_assert_num_queries(4):
        response = client.get(reverse("newsletter:items"))
    assert response.content.decode().count("Nachricht ") == size
