"""The filters of the lead project list and the template catalogue at national scale (issue
#27): a municipality by its short name, a lead project by its address or short name (the same
?municipality=menden and ?project=… as the links always had), no list of every member
municipality and project of the network. Only projects the reader may see can be named."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.models import Visibility
from tests.conftest import client_for
from tests.projects.test_project_form import _members
from tests.steering.test_proposal_form import _grow as _projects

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", [reverse("projects:list"), reverse("templates:list")])
def test_the_filters_cost_the_same_for_10_and_1000_projects_and_members(
    url, project, coordinator, outsider, menden
):
    client = client_for(outsider)
    _projects(project, coordinator, 10)
    _members(10, menden)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _projects(project, coordinator, 1000)
    _members(1000, menden)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "Musterstadt 999" not in body
    assert "der Kurzname aus der Adresse der Kommunenseite".lower() in body.lower()


def test_the_project_list_filters_by_a_municipalitys_short_name_or_address(
    project, outsider, iserlohn
):
    client = client_for(outsider)
    for value in ("iserlohn", "/kommunen/iserlohn/", "Iserlohn"):
        response = client.get(reverse("projects:list"), {"municipality": value})
        assert [p.title for p in response.context["projects"]] == [project.title], value
    response = client.get(reverse("projects:list"), {"municipality": "atlantis"})
    assert "Zu „atlantis“ gibt es keine Mitgliedskommune im Netzwerk." in (
        response.content.decode()
    )


def test_the_catalogue_finds_only_projects_the_reader_may_see(
    project, coordinator, outsider, menden
):
    secret = services.project_create(
        by=coordinator,
        title="Vertrauliche Planung",
        summary="-",
        lead_municipality=menden,
        visibility=Visibility.TEAM,
    )
    url = reverse("templates:list")
    response = client_for(outsider).get(url, {"project": secret.get_absolute_url()})
    body = response.content.decode()
    assert f"Zu „{secret.get_absolute_url()}“ finden wir kein Leitprojekt" in body
    assert "Vertrauliche Planung" not in body
    assert client_for(coordinator).get(url, {"project": secret.slug}).context["filters"].is_valid()
