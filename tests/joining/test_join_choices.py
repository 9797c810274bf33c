"""The join form's list comes from the database: all towns in one list grouped by district while
they fit, the district first when a state's or the nation's thousands do not (JOIN_LIST_LIMIT),
in the same few queries at any size."""

from __future__ import annotations

import pytest

from network.joining import selectors
from network.joining.models import JoinRequest
from tests.factories import DistrictFactory, MunicipalityFactory, StateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_districts(monkeypatch):
    monkeypatch.setattr(selectors, "JOIN_LIST_LIMIT", 3)
    olpe = DistrictFactory(slug="kreis-olpe")
    bavaria = StateFactory(official_key="09", name="Bayern", slug="bayern")
    coburg = DistrictFactory(slug="landkreis-coburg", state=bavaria, official_key="09473")
    for name in ("Attendorn", "Wenden", "Neustadt"):
        MunicipalityFactory(name=name, slug=f"{name.lower()}-olpe", district=olpe)
    MunicipalityFactory(name="Neustadt", slug="neustadt-coburg", district=coburg)
    return olpe, coburg


def test_a_short_list_offers_every_town_grouped_by_district(client):
    MunicipalityFactory(name="Attendorn", district=DistrictFactory(slug="kreis-olpe"))
    MunicipalityFactory(name="Meschede", district=DistrictFactory(slug="hochsauerlandkreis"))
    page = client.get("/mitmachen/").content.decode()
    assert 'name="kreis"' not in page
    assert (
        '<optgroup label="Kreis Olpe">' in page and '<optgroup label="Hochsauerlandkreis">' in page
    )


def test_too_many_towns_ask_for_the_district_first(client, two_districts):
    page = client.get("/mitmachen/").content.decode()
    assert '<select class="kern-form-input__select" name="kreis"' in page
    assert '<optgroup label="Bayern">' in page
    assert 'name="municipality"' not in page
    assert "Wählen Sie oben Ihren Kreis" in page

    chosen = client.get("/mitmachen/", {"kreis": "landkreis-coburg"}).content.decode()
    assert '<option value="neustadt-coburg">Neustadt</option>' in chosen
    assert "attendorn-olpe" not in chosen
    assert "Die Städte und Gemeinden des Kreises Landkreis Coburg." in chosen


def test_a_town_of_a_repeated_name_is_requested_as_itself(client, two_districts):
    response = client.post(
        "/mitmachen/?kreis=landkreis-coburg",
        {
            "municipality": "neustadt-coburg",
            "other_municipality": "",
            "contact_name": "Maria Menke",
            "function": "Digitales",
            "email": "maria.menke@neustadt.example",
            "message": "Wir möchten mitmachen.",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    request = JoinRequest.objects.get()
    assert request.municipality.slug == "neustadt-coburg"
    assert request.municipality.district.state.name == "Bayern"


def test_an_unknown_town_is_refused_with_a_message_and_nothing_stored(client, two_districts):
    response = client.post(
        "/mitmachen/",
        {
            "municipality": "gibt-es-nicht",
            "contact_name": "Maria Menke",
            "function": "Digitales",
            "email": "maria.menke@neustadt.example",
            "consent": "on",
        },
    )
    assert response.status_code == 400
    # The list is not on the page (no district chosen): the message stands above the form.
    page = response.content.decode()
    assert "Bitte prüfen Sie Ihre Angaben" in page
    assert "„gibt-es-nicht“ ist keine gültige Auswahl" in page
    assert not JoinRequest.objects.exists()


def test_without_a_list_the_missing_town_is_asked_for_beside_the_name_field(client, two_districts):
    response = client.post(
        "/mitmachen/",
        {
            "contact_name": "Maria Menke",
            "function": "Digitales",
            "email": "maria.menke@neustadt.example",
            "consent": "on",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["other_municipality"] == [
        "Bitte wählen Sie Ihre Kommune oder tragen Sie ihren Namen ein."
    ]
    assert "Bitte wählen Sie Ihre Kommune oder tragen Sie ihren Namen ein." in (
        response.content.decode()
    )


def test_the_list_costs_the_same_for_few_and_many_towns(
    client, two_districts, django_assert_max_num_queries
):
    olpe, _ = two_districts
    with django_assert_max_num_queries(3) as few:
        client.get("/mitmachen/", {"kreis": "kreis-olpe"})
    for number in range(60):
        MunicipalityFactory(name=f"Ort {number}", district=olpe)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/mitmachen/", {"kreis": "kreis-olpe"}).content.decode()
    assert "Ort 59" in page


def test_districts_of_the_same_name_in_two_states_stay_two_groups():
    hesse = StateFactory(official_key="06", name="Hessen", slug="hessen")
    bavaria = StateFactory(official_key="09", name="Bayern", slug="bayern")
    first = DistrictFactory(slug="neustadt-he", name="Kreis Neustadt", state=hesse)
    second = DistrictFactory(slug="neustadt-by", name="Kreis Neustadt", state=bavaria)
    MunicipalityFactory(name="Adorf", slug="adorf", district=first)
    MunicipalityFactory(name="Bdorf", slug="bdorf", district=second)
    groups = selectors.join_choices().grouped()
    assert groups == [
        ("Kreis Neustadt", [("adorf", "Adorf")]),
        ("Kreis Neustadt", [("bdorf", "Bdorf")]),
    ]
