"""Lead project pages: bad input gets a form error (never a 500), and query counts stay flat."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import services
from projects.models import LeadProject, TeamMembership
from projects.views import PROJECTS_PER_PAGE
from tests.factories import MembershipFactory, MunicipalityFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def _form(project, **overrides):
    data = {
        "title": project.title,
        "summary": project.summary,
        "description": project.description,
        "lead_municipality": project.lead_municipality.slug,
        "participants": "\n".join(m.slug for m in project.participants.all()),
        "topics": [],
        "kind": project.kind,
        "visibility": project.visibility,
        "criterion_concerns_all": "",
        "criterion_saves_resources": "",
        "criterion_joint_impact": "",
        "starts_on": "",
        "ends_on": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _unchanged(project):
    fresh = LeadProject.objects.get(pk=project.pk)
    return (fresh.title, fresh.lead_municipality_id, fresh.status, fresh.history.count())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Dieses Feld ist zwingend erforderlich."),
        ({"lead_municipality": "999999"}, "Zu „999999“ gibt es keine Mitgliedskommune"),
        ({"lead_municipality": "/kommunen/nirgendwo/"}, "keine Mitgliedskommune im Netzwerk"),
        ({"participants": "nirgendwo\n"}, "Zu „nirgendwo“ finden wir keine Mitgliedskommune"),
        ({"starts_on": "2026-02-30"}, "Bitte ein gültiges Datum eingeben."),
        (
            {"starts_on": "2026-05-01", "ends_on": "2026-01-01"},
            "Das Ende darf nicht vor dem Beginn liegen.",
        ),
    ],
)
def test_bad_input_on_edit_shows_the_form_again_and_changes_nothing(
    as_user, coordinator, project, overrides, message
):
    before = _unchanged(project)
    response = as_user(coordinator).post(
        f"/leitprojekte/{project.slug}/bearbeiten/", _form(project, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors
    assert _unchanged(project) == before


def test_non_pioneer_lead_without_exception_is_a_form_error(
    as_user, coordinator, project, iserlohn
):
    before = _unchanged(project)
    response = as_user(coordinator).post(
        f"/leitprojekte/{project.slug}/bearbeiten/", _form(project, lead_municipality=iserlohn.slug)
    )
    assert response.status_code == 200
    assert "Die Federführung liegt bei einer Pionierkommune" in response.content.decode()
    assert _unchanged(project) == before


def test_office_records_an_exception_for_a_non_pioneer_lead(as_user, office, project, iserlohn):
    response = as_user(office).post(
        f"/leitprojekte/{project.slug}/bearbeiten/",
        _form(
            project,
            lead_municipality=iserlohn.slug,
            lead_exception_reason="Beschluss des Steuerkreises vom 3. Mai",
        ),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.lead_municipality == iserlohn
    assert project.lead_exception_recorded_by == office
    page = as_user(None).get(project.get_absolute_url()).content.decode()
    assert "Beschluss des Steuerkreises vom 3. Mai" in page


def test_create_with_empty_title_and_unknown_lead(as_user, coordinator):
    response = as_user(coordinator).post(
        "/leitprojekte/neu/",
        {
            "title": "",
            "summary": "x",
            "lead_municipality": "4711",
            "kind": "single",
            "visibility": "public",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "title" in errors and "lead_municipality" in errors
    assert not LeadProject.objects.exists()


def test_create_as_pioneer_staff(as_user, coordinator, menden):
    topic = TopicFactory(name="Offene Daten")
    response = as_user(coordinator).post(
        "/leitprojekte/neu/",
        {
            "title": "Digitale Bauakte",
            "summary": "Bauanträge ohne Papier.",
            "lead_municipality": menden.slug,
            "topics": [topic.pk],
            "kind": "cooperative",
            "visibility": "network",
        },
    )
    project = LeadProject.objects.get()
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert project.created_by == coordinator
    assert list(project.topics.all()) == [topic]
    assert project.team.get().role == TeamMembership.Role.COORDINATOR


def test_forbidden_status_jump_is_a_message_not_a_500(as_user, office, project):
    response = as_user(office).post(
        f"/leitprojekte/{project.slug}/stand/", {"to": "completed", "reason": "fertig"}, follow=True
    )
    assert response.status_code == 200
    assert "Bitte eine gültige Auswahl treffen" in response.content.decode()
    project.refresh_from_db()
    assert project.status == "idea"


def test_status_change_without_required_reason_is_refused(as_user, office, project):
    services.project_change_status(project=project, by=office, to="proposed")
    response = as_user(office).post(
        f"/leitprojekte/{project.slug}/stand/", {"to": "idea", "reason": " "}, follow=True
    )
    assert "Bitte begründen Sie diesen Schritt." in response.content.decode()
    project.refresh_from_db()
    assert project.status == "proposed"


def test_team_add_with_unknown_person_is_a_form_error(as_user, coordinator, project):
    response = as_user(coordinator).post(
        f"/leitprojekte/{project.slug}/team/hinzufuegen/", {"person": "niemand", "role": "editor"}
    )
    assert response.status_code == 400
    assert "kein aktives Konto" in response.content.decode()
    assert project.team.count() == 1


def test_team_add_with_unknown_role_is_a_form_error(as_user, coordinator, project, editor):
    response = as_user(coordinator).post(
        f"/leitprojekte/{project.slug}/team/hinzufuegen/",
        {"person": editor.username, "role": "chef"},
    )
    assert response.status_code == 400
    assert project.team.count() == 1


def test_list_filters_by_status_topic_and_municipality(
    client, coordinator, menden, iserlohn, office
):
    topic = TopicFactory(name="Mobilität")
    a = services.project_create(
        by=coordinator, title="Mobil", summary="-", lead_municipality=menden, topics=[topic]
    )
    b = services.project_create(
        by=coordinator,
        title="Daten",
        summary="-",
        lead_municipality=menden,
        participants=[iserlohn],
    )
    services.project_change_status(project=b, by=office, to="archived", reason="ruht")

    def titles(query):
        return [p.title for p in client.get(f"/leitprojekte/{query}").context["projects"]]

    assert titles("") == ["Mobil"]  # archived ones only when asked for
    assert titles("?status=archived") == ["Daten"]
    assert titles(f"?topic={topic.slug}") == ["Mobil"]
    assert titles("?municipality=iserlohn&status=archived") == ["Daten"]
    assert titles("?municipality=unbekannt") == ["Mobil"]  # an unknown filter value is ignored
    assert a.slug in client.get("/leitprojekte/").content.decode()


def _many_projects(n, lead, by):
    topics = [TopicFactory() for _ in range(2)]
    participants = [MunicipalityFactory() for _ in range(2)]
    for i in range(n):
        services.project_create(
            by=by,
            title=f"Projekt {i}",
            summary="-",
            lead_municipality=lead,
            topics=topics,
            participants=participants,
            visibility=["public", "network", "team"][i % 3],
        )


def test_list_query_count_is_the_same_for_3_and_300_projects(
    as_user, outsider, coordinator, menden, django_assert_num_queries
):
    client = as_user(outsider)
    _many_projects(3, menden, coordinator)
    # 1 session, 2 user (with "network office?", workspace/backends.py), 3 "works for a
    # member?", 4 how many projects (the pages), 5 the page's projects, 6 their participants,
    # 7 their topics, 8 "staff of a pioneer?" (may create), 9 the filter's topics (its
    # municipality is a short name: no list of every member).
    with django_assert_num_queries(9) as first:
        client.get("/leitprojekte/")
    _many_projects(297, menden, coordinator)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get("/leitprojekte/")
    assert len(response.context["projects"]) == PROJECTS_PER_PAGE
    assert response.context["page"].paginator.count == 200  # public and network, not team
    assert "200 Leitprojekte" in response.content.decode()


@pytest.fixture
def five_per_page(monkeypatch):
    monkeypatch.setattr("projects.views.PROJECTS_PER_PAGE", 5)


def _titles(response):
    return [p.title for p in response.context["projects"]]


def test_list_pages_continue_in_title_order_and_keep_the_filters(
    client, coordinator, menden, iserlohn, five_per_page
):
    topic = TopicFactory(name="Bildung")
    for i in range(12):
        services.project_create(
            by=coordinator,
            # Equal titles: the pages still neither repeat nor skip one.
            title=f"Projekt {i // 2:02d}",
            summary="-",
            lead_municipality=menden,
            topics=[topic] if i % 2 else [],
        )
    everything = LeadProject.objects.order_by("title", "pk")
    pages = [_titles(client.get(f"/leitprojekte/?seite={n}")) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [5, 5, 2]
    assert sum(pages, []) == [p.title for p in everything]

    first = client.get(f"/leitprojekte/?topic={topic.slug}")
    body = first.content.decode()
    assert f'href="?topic={topic.slug}&amp;seite=2"' in body
    assert 'aria-current="page"' in body
    assert "Seiten der Leitprojekte" in body
    second = client.get(f"/leitprojekte/?topic={topic.slug}&seite=2")
    assert _titles(first) + _titles(second) == [p.title for p in everything.filter(topics=topic)]


def test_a_page_past_the_end_shows_the_last_and_a_bad_number_the_first(
    client, coordinator, menden, five_per_page
):
    _many_projects(18, menden, coordinator)  # 6 public for visitors: 2 pages
    last = client.get("/leitprojekte/?seite=99")
    assert last.status_code == 200
    assert last.context["page"].number == 2
    assert len(_titles(last)) == 1
    assert client.get("/leitprojekte/?seite=zwei").context["page"].number == 1


def test_team_only_projects_stay_off_every_page_for_outsiders(
    as_user, outsider, coordinator, menden, five_per_page
):
    _many_projects(15, menden, coordinator)
    client = as_user(outsider)
    seen = []
    for n in (1, 2):
        seen += _titles(client.get(f"/leitprojekte/?seite={n}"))
    team_only = set(LeadProject.objects.filter(visibility="team").values_list("title", flat=True))
    assert len(seen) == 10 and not team_only & set(seen)


def test_a_list_on_one_page_shows_no_page_links(client, coordinator, menden):
    _many_projects(3, menden, coordinator)
    assert "kr-pagination" not in client.get("/leitprojekte/").content.decode()


def test_detail_query_count_is_the_same_for_3_and_300_team_members(
    as_user, coordinator, project, django_assert_num_queries
):
    client = as_user(coordinator)

    def grow(n):
        for _ in range(n):
            user = MembershipFactory().user
            services.team_member_add(project=project, by=coordinator, user=user, role="editor")

    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(project.get_absolute_url()).status_code == 200
    grow(297)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(project.get_absolute_url())
    assert len(response.context["team"]) == 300


def test_team_page_query_count_is_the_same_for_3_and_300_members(
    as_user, coordinator, project, django_assert_num_queries
):
    client = as_user(coordinator)
    for _ in range(2):
        services.team_member_add(
            project=project, by=coordinator, user=UserFactory(), role="observer"
        )
    with CaptureQueriesContext(connection) as small:
        client.get(f"/leitprojekte/{project.slug}/team/")
    for _ in range(297):
        services.team_member_add(
            project=project, by=coordinator, user=UserFactory(), role="observer"
        )
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(f"/leitprojekte/{project.slug}/team/")
