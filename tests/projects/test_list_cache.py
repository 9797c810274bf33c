"""The lead-project list as visitors see it comes from the shared cache, and is never stale.

Visitors get one cached rendering per language and filter; a write to a project, its
participants or topics, a topic or a municipality shows on the very next request. Members are
rendered afresh (they see network and team projects of their own), and nothing a member may see
ever lands in the copy served to visitors.
"""

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import services
from projects.models import LeadProject, Visibility
from tests.factories import MunicipalityFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(coordinator, menden, iserlohn):
    topic = TopicFactory(name="Digitale Bildung")
    return services.project_create(
        by=coordinator,
        title="Offene regionale Datenplattform",
        summary="Daten der Region an einem Ort.",
        lead_municipality=menden,
        participants=[iserlohn],
        topics=[topic],
        visibility=Visibility.PUBLIC,
    )


def _visitor_page(as_user, query="", **headers) -> str:
    response = as_user(None).get("/leitprojekte/" + query, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_visitor_after_the_first_is_served_without_a_single_query(as_user, project):
    _visitor_page(as_user)
    with CaptureQueriesContext(connection) as queries:
        page = _visitor_page(as_user)
    assert len(queries.captured_queries) == 0
    assert project.title in page
    assert "Iserlohn" in page


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("query", ["", "?status=idea", "?status=&topic=&municipality="])
def test_a_change_through_the_service_shows_at_once_for_visitors(
    as_user, project, coordinator, query, language
):
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    assert "Offene regionale Datenplattform" in _visitor_page(as_user, query, **headers)
    services.project_update(project=project, by=coordinator, title="Datenplattform Südwestfalen")
    page = _visitor_page(as_user, query, **headers)
    assert "Datenplattform Südwestfalen" in page
    assert "Offene regionale Datenplattform" not in page


def test_participants_topics_and_their_names_show_at_once(as_user, project, coordinator):
    _visitor_page(as_user)
    olpe = MunicipalityFactory(name="Olpe am Biggesee")
    services.project_update(project=project, by=coordinator, participants=[olpe])
    assert "Olpe am Biggesee" in _visitor_page(as_user)

    # The administration renames a topic and a municipality: the list and its filter follow.
    topic = project.topics.get()
    topic.name = "Schule und Daten"
    topic.save()
    olpe.name = "Hansestadt Olpe"
    olpe.save()
    page = _visitor_page(as_user)
    assert "Schule und Daten" in page
    assert "Digitale Bildung" not in page
    assert "Hansestadt Olpe" in page
    assert "Olpe am Biggesee" not in page


def test_a_status_change_shows_at_once(as_user, project, office):
    _visitor_page(as_user)
    services.project_change_status(project=project, by=office, to=LeadProject.Status.PROPOSED)
    assert ">vorgeschlagen</span>" in _visitor_page(as_user)


def test_a_project_made_team_only_leaves_the_visitors_list_at_once(as_user, project, coordinator):
    assert project.title in _visitor_page(as_user)
    services.project_update(project=project, by=coordinator, visibility=Visibility.TEAM)
    assert project.title not in _visitor_page(as_user)


def test_team_and_network_projects_never_reach_the_copy_served_to_visitors(
    as_user, project, coordinator, editor, outsider, menden
):
    services.project_create(
        by=coordinator,
        title="Vertrauliche Teamsache",
        summary="Nur für das Team.",
        lead_municipality=menden,
        visibility=Visibility.TEAM,
    )
    services.project_create(
        by=coordinator,
        title="Netzwerkinterne Planung",
        summary="Nur für Mitglieder.",
        lead_municipality=menden,
        visibility=Visibility.NETWORK,
    )
    # Members look first: the coordinator sees all three, an outsider of the team the network's.
    coordinator_page = as_user(coordinator).get("/leitprojekte/").content.decode()
    assert "Vertrauliche Teamsache" in coordinator_page
    outsider_page = as_user(outsider).get("/leitprojekte/").content.decode()
    assert "Netzwerkinterne Planung" in outsider_page
    assert "Vertrauliche Teamsache" not in outsider_page

    for _ in range(2):  # the rendering and the cached copy
        page = _visitor_page(as_user)
        assert project.title in page
        assert "Vertrauliche Teamsache" not in page
        assert "Netzwerkinterne Planung" not in page
    # And a member after the visitors still gets their own list, not the visitors' copy.
    assert "Netzwerkinterne Planung" in as_user(outsider).get("/leitprojekte/").content.decode()
    assert "Vertrauliche Teamsache" in as_user(coordinator).get("/leitprojekte/").content.decode()


def test_each_language_and_filter_has_its_own_copy(as_user, project):
    german = _visitor_page(as_user)
    english = _visitor_page(as_user, HTTP_ACCEPT_LANGUAGE="en")
    assert "Federführung" in german
    assert "Federführung" not in english
    assert "Filter lead projects" in english
    assert "Federführung" in _visitor_page(as_user)

    assert project.title not in _visitor_page(as_user, "?status=completed")
    assert project.title in _visitor_page(as_user, "?status=idea")


@pytest.mark.parametrize(
    "query",
    ["?utm_source=newsletter", "?status=idea&status=running", "?topic=erfunden", "?status=x"],
)
def test_made_up_queries_are_answered_but_never_cached(as_user, project, query):
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            _visitor_page(as_user, query)
        assert len(queries.captured_queries) > 0
    assert project.title in _visitor_page(as_user, "?utm_source=newsletter")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_in_the_shared_redis_cache_a_committed_change_shows_at_once(
    as_user, settings, coordinator, menden
):
    """With CACHE_URL every process reads the same stamps: the commit's bump reaches them all."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "workspace.metrics.RedisCacheWithMetrics",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": f"list-cache-test-{os.getpid()}",
        },
    }
    from django.core.cache import cache

    cache.clear()
    project = services.project_create(
        by=coordinator, title="Schulnetz Menden", summary="-", lead_municipality=menden
    )
    assert "Schulnetz Menden" in _visitor_page(as_user)
    with CaptureQueriesContext(connection) as queries:
        assert "Schulnetz Menden" in _visitor_page(as_user)
    assert len(queries.captured_queries) == 0
    services.project_update(project=project, by=coordinator, title="Schulnetz Hönnetal")
    page = _visitor_page(as_user)
    assert "Schulnetz Hönnetal" in page
    assert "Schulnetz Menden" not in page
    cache.clear()
