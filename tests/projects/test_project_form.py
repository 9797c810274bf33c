"""The lead project form at national scale (issue #27): the lead municipality and the
participating ones are named by their short names or page addresses, not chosen from lists of
every member municipality. The form costs the same for 10 and 1,000 members; the edit form
shows the current choices as short names; a name that is no member is told in German and
nothing changes.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import LeadProject
from tests.factories import MunicipalityFactory
from workspace.models import Municipality

pytestmark = pytest.mark.django_db


def _members(upto: int, menden) -> None:
    have = Municipality.objects.members().count()
    Municipality.objects.bulk_create(
        [
            Municipality(
                name=f"Musterstadt {n}",
                slug=f"musterstadt-{n}",
                district=menden.district,
                is_member=True,
                official_key=f"99{n:06}",
            )
            for n in range(have, upto)
        ]
    )


@pytest.mark.parametrize("page", ["new", "edit"])
def test_the_form_costs_the_same_for_10_and_1000_members(
    page, project, coordinator, as_user, menden
):
    url = "/leitprojekte/neu/" if page == "new" else f"/leitprojekte/{project.slug}/bearbeiten/"
    client = as_user(coordinator)
    _members(10, menden)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _members(1000, menden)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "Musterstadt 999" not in body  # no list of every member


def test_the_form_says_what_to_type_and_the_edit_form_shows_the_current_choices(
    project, coordinator, as_user
):
    body = as_user(coordinator).get(f"/leitprojekte/{project.slug}/bearbeiten/").content.decode()
    assert "der Kurzname aus der Adresse ihrer Seite" in body
    assert "eine je Zeile" in body
    assert 'name="lead_municipality" value="menden"' in body
    assert ">\niserlohn</textarea>" in body


def test_participants_by_short_name_name_or_address(
    project, coordinator, as_user, iserlohn, brilon
):
    form = {
        "title": project.title,
        "summary": project.summary,
        "lead_municipality": "https://klassenraum.example/kommunen/menden/",
        "participants": f"/kommunen/{iserlohn.slug}/\n{brilon.name}\n\n{iserlohn.slug}",
        "kind": project.kind,
        "visibility": project.visibility,
    }
    response = as_user(coordinator).post(f"/leitprojekte/{project.slug}/bearbeiten/", form)
    assert response.status_code == 302
    assert set(project.participants.all()) == {iserlohn, brilon}


def test_a_municipality_that_is_no_member_is_told_and_nothing_changes(
    project, coordinator, as_user
):
    MunicipalityFactory(name="Fernstadt", slug="fernstadt", is_member=False)
    before = list(LeadProject.objects.filter(pk=project.pk).values())
    response = as_user(coordinator).post(
        f"/leitprojekte/{project.slug}/bearbeiten/",
        {
            "title": "Neuer Titel",
            "summary": project.summary,
            "lead_municipality": "menden",
            "participants": "fernstadt\nnirgendwo",
            "kind": project.kind,
            "visibility": project.visibility,
        },
    )
    assert response.status_code == 200
    assert "Zu „fernstadt“, „nirgendwo“ finden wir keine Mitgliedskommune im Netzwerk." in (
        response.content.decode()
    )
    assert list(LeadProject.objects.filter(pk=project.pk).values()) == before
