"""The core's pages as a visitor reads them, and their query counts as data grows."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import DistrictFactory, MembershipFactory, MunicipalityFactory
from workspace.permissions import NETWORK_OFFICE_GROUP

pytestmark = pytest.mark.django_db


def test_start_page_shows_the_network_in_figures(client, menden, arnsberg, brilon):
    text = client.get("/").content.decode()
    assert "das Netzwerk auf einen Blick" in text
    assert "Mitgliedskommunen" in text
    assert "Menden" in text and "Arnsberg" in text
    assert 'href="/kommunen/menden/"' in text


def test_municipality_list_marks_pioneers_and_leaves_out_non_members(client, menden, brilon):
    MunicipalityFactory(name="Hallenberg", slug="hallenberg", is_member=False, cohort=None)
    response = client.get("/kommunen/")
    text = response.content.decode()
    assert "Brilon" in text and "Menden" in text
    assert "Hallenberg" not in text
    assert text.count("kern-badge kern-badge--info") == 1
    rows = {m.name: m for m in response.context["municipalities"]}
    assert rows["Menden"].is_pioneer and not rows["Brilon"].is_pioneer


def test_municipality_page(client, menden):
    response = client.get("/kommunen/menden/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "<h1" in text and "Menden</h1>" in text
    assert "Pionierkommune" in text


def test_account_page_lists_own_municipalities(as_user, outsider):
    text = as_user(outsider).get("/konto/").content.decode()
    assert "Brilon" in text
    assert "kommune-brilon" in text


def _grow(n: int) -> None:
    for _ in range(n):
        MembershipFactory(municipality=MunicipalityFactory())


def test_municipality_list_query_count_stays_constant(client, django_assert_num_queries):
    _grow(3)
    # 1: how many members (the pages), 2: the page's members with cohort and district
    # (select_related), 3: the filter's districts that have members. Nothing per row.
    with django_assert_num_queries(3):
        client.get("/kommunen/")
    _grow(120)
    with django_assert_num_queries(3):
        response = client.get("/kommunen/?seite=2")
    assert len(response.context["municipalities"]) == 50


def test_municipality_list_comes_in_pages_of_fifty(client):
    for number in range(53):
        MunicipalityFactory(name=f"Ort {number:02d}", slug=f"ort-{number:02d}")
    first = client.get("/kommunen/").content.decode()
    assert "53 Mitgliedskommunen" in first
    assert "Ort 00" in first and "Ort 49" in first and "Ort 50" not in first
    assert 'aria-label="Seiten der Kommunenliste"' in first
    second = client.get("/kommunen/", {"seite": 2}).content.decode()
    assert "Ort 50" in second and "Ort 52" in second and "Ort 49" not in second
    # A page past the end answers with the last one.
    assert "Ort 52" in client.get("/kommunen/", {"seite": 9}).content.decode()


def test_municipality_list_filters_by_district(client, menden, brilon):
    olpe = DistrictFactory(slug="kreis-olpe")
    MunicipalityFactory(name="Attendorn", slug="attendorn", district=olpe)
    MunicipalityFactory(name="Wenden", slug="wenden", district=olpe, is_member=False, cohort=None)
    response = client.get("/kommunen/", {"kreis": "kreis-olpe"})
    assert [m.name for m in response.context["municipalities"]] == ["Attendorn"]
    assert "1 Mitgliedskommune" in response.content.decode()
    # Only districts with members are offered; the selected one stays selected.
    offered = [d.slug for d in response.context["filters"].fields["kreis"].queryset]
    assert "kreis-olpe" in offered
    empty = DistrictFactory(slug="kreis-soest")
    assert empty.slug not in [
        d.slug for d in client.get("/kommunen/").context["filters"].fields["kreis"].queryset
    ]
    assert '<option value="kreis-olpe" selected>' in response.content.decode()


def test_municipality_list_answers_an_unknown_district_with_every_member(client, menden, brilon):
    response = client.get("/kommunen/", {"kreis": "gibt-es-nicht"})
    assert response.status_code == 200
    assert {m.name for m in response.context["municipalities"]} == {"Menden", "Brilon"}


def test_start_page_query_count_stays_constant(client, django_assert_num_queries):
    _grow(3)
    # 1: member and pioneer counts, 2: cohorts with member counts, 3: the pioneers,
    # 4: the newest lead projects the visitor may see (section of the projects app),
    # 5: the next dates, 6: the newest guides, 7: the latest newsletter issue (sections of
    # network/dates, guides and newsletter; joining's section asks nothing of a visitor).
    with django_assert_num_queries(7):
        client.get("/")
    _grow(30)
    with django_assert_num_queries(7):
        client.get("/")


def test_network_office_holds_global_permissions_of_the_core(office):
    assert office.has_perm("workspace.change_municipality")
    assert office.has_perm("workspace.add_membership")
    group_perms = Permission.objects.filter(group__name=NETWORK_OFFICE_GROUP)
    assert group_perms.filter(content_type__app_label="workspace").exists()


def test_member_staff_holds_no_global_permissions(outsider):
    assert not outsider.has_perm("workspace.change_municipality")
