"""The core's pages as a visitor reads them, and their query counts as data grows."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import MembershipFactory, MunicipalityFactory
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
    # 1: members with their cohort (select_related). Nothing per row.
    with django_assert_num_queries(1):
        client.get("/kommunen/")
    _grow(30)
    with django_assert_num_queries(1):
        client.get("/kommunen/")


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
