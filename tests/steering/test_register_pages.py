"""The committee's registers come in pages: agreements, meetings and proposals keep a stable
order over their pages, the register's filters travel with the page links, nothing the reader
may not see appears on any page, and a page costs the same queries with few or many rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from steering import services
from steering.models import Agreement, Meeting, Proposal
from tests.projects.factories import lead_project
from tests.steering.conftest import open_meeting
from tests.steering.test_pages import _adopt, _grow, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_per_page(monkeypatch):
    monkeypatch.setattr("steering.views.REGISTER_PER_PAGE", 3)


def _numbers(response) -> list[str]:
    return [a.number for a in response.context["agreements"]]


def test_the_register_pages_on_newest_first_and_keeps_its_filter(
    committee, proposed_project, three_per_page
):
    _grow(committee, proposed_project, 7)
    client = client_for(committee.delegate)
    url = reverse("steering:agreements")
    pages = [_numbers(client.get(f"{url}?seite={n}")) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [3, 3, 1]
    # All seven were adopted on the same day: pk settles the order.
    assert sum(pages, []) == [a.number for a in Agreement.objects.order_by("-adopted_on", "-pk")]
    # The filter names the project by its short name (or its address).
    first = client.get(f"{url}?project={proposed_project.slug}")
    assert first.context["filters"].is_valid()
    body = first.content.decode()
    assert f'href="?project={proposed_project.slug}&amp;seite=2"' in body
    assert 'aria-current="page"' in body and "Seiten des Registers der Vereinbarungen" in body
    assert client.get(f"{url}?seite=99").context["page"].number == 3
    assert client.get(f"{url}?seite=x").context["page"].number == 1


def test_a_register_on_one_page_shows_no_page_links(committee, proposed_project):
    _grow(committee, proposed_project, 2)
    body = client_for(committee.delegate).get(reverse("steering:agreements")).content.decode()
    assert "kr-pagination" not in body


def test_team_only_decisions_stay_off_every_page_for_outsiders(
    committee, proposed_project, coordinator, menden, outsider, three_per_page
):
    secret = lead_project(
        coordinator=coordinator, lead=menden, title="Vertrauliche Planung", visibility="team"
    )
    hidden = services.proposal_create(
        by=committee.delegate, kind=Proposal.Kind.FREE, title="Geheim", text="…", project=secret
    )
    _adopt(committee, hidden)
    _grow(committee, proposed_project, 5)
    client = client_for(outsider)
    url = reverse("steering:agreements")
    seen = [n for page in (1, 2) for n in _numbers(client.get(f"{url}?seite={page}"))]
    assert len(seen) == 5
    assert Agreement.objects.get(title="Geheim").number not in seen
    assert "Geheim" not in client.get(f"{url}?seite=2").content.decode()


@pytest.mark.parametrize(
    ("user", "name"),
    [("anonymous", "steering:agreements"), ("committee", "steering:agreements")],
)
def test_a_register_page_costs_the_same_with_5_and_60_agreements(
    committee, proposed_project, django_assert_num_queries, user, name
):
    client = client_for(None if user == "anonymous" else committee.delegate)
    url = reverse(name)
    _grow(committee, proposed_project, 5)
    client.get(url)  # warm: session, the committee's rules
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _grow(committee, proposed_project, 55)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 60
    assert len(response.context["agreements"]) == 50


def _meetings(committee, n: int) -> None:
    start = timezone.now()
    for i in range(n):
        meeting = services.meeting_create(
            by=committee.chair, title=f"Sitzung {i:02d}", starts_at=start, place="Olpe"
        )
        services.agenda_item_add(by=committee.chair, meeting=meeting, title="Bericht")


def test_meetings_page_on_with_their_items_counted(
    committee, three_per_page, django_assert_num_queries
):
    client = client_for(committee.chair)
    url = reverse("steering:meetings")
    _meetings(committee, 5)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _meetings(committee, 55)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)
    titles = [
        m.title
        for page in range(1, 21)
        for m in client.get(f"{url}?seite={page}").context["meetings"]
    ]
    # Same start for all: pk settles the order, newest first, none twice.
    assert titles == list(
        Meeting.objects.order_by("-starts_at", "-pk").values_list("title", flat=True)
    )
    assert all(m.item_count == 1 for m in client.get(url).context["meetings"])


def test_planned_meetings_stay_off_every_page_for_visitors(committee, three_per_page):
    _meetings(committee, 4)  # planned: the committee's own
    held, _items = open_meeting(
        committee,
        services.proposal_create(
            by=committee.delegate, kind=Proposal.Kind.FREE, title="Bericht", text="…"
        ),
    )
    client = client_for(None)
    url = reverse("steering:meetings")
    assert [m.pk for m in client.get(url).context["meetings"]] == [held.pk]
    assert "kr-pagination" not in client.get(url).content.decode()


def test_proposals_page_on_newest_first(committee, three_per_page):
    for i in range(7):
        services.proposal_create(
            by=committee.delegate, kind=Proposal.Kind.FREE, title=f"Vorlage {i}", text="…"
        )
    client = client_for(committee.delegate)
    url = reverse("steering:proposals")
    seen = [
        p.pk for page in (1, 2, 3) for p in client.get(f"{url}?seite={page}").context["proposals"]
    ]
    assert seen == list(
        Proposal.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)
    )


# --- the register's filter at national scale (issue #27) ---------------------------------------


def test_the_register_filter_lists_no_projects_or_members(committee, proposed_project, coordinator):
    """The filter names a project by address or short name and a municipality by short name:
    the page costs the same for 10 and 1,000 projects and member municipalities."""
    from tests.projects.test_project_form import _members
    from tests.steering.test_proposal_form import _grow as _projects

    client = client_for(committee.delegate)
    url = reverse("steering:agreements")
    _projects(proposed_project, coordinator, 10)
    _members(10, proposed_project.lead_municipality)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _projects(proposed_project, coordinator, 1000)
    _members(1000, proposed_project.lead_municipality)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "Projekt 999" not in body and "Musterstadt 999" not in body


def test_the_register_filter_by_address_and_what_it_does_not_find(
    committee, proposed_project, coordinator, menden, outsider
):
    secret = lead_project(
        coordinator=coordinator, lead=menden, title="Vertrauliche Planung", visibility="team"
    )
    _adopt(
        committee,
        services.proposal_create(
            by=committee.delegate, kind=Proposal.Kind.FREE, title="Geheim", text="…", project=secret
        ),
    )
    _grow(committee, proposed_project, 2)
    url = reverse("steering:agreements")
    client = client_for(outsider)
    address = f"https://klassenraum.example{proposed_project.get_absolute_url()}"
    response = client.get(url, {"project": address})
    assert len(_numbers(response)) == 2
    assert response.context["filters"].is_valid()
    # A team-only project of another team is not found: told at the field, nothing of it shown.
    response = client.get(url, {"project": secret.slug})
    body = response.content.decode()
    assert f"Zu „{secret.slug}“ finden wir kein Leitprojekt, das Sie sehen dürfen." in body
    assert "Geheim" not in body and "Vertrauliche Planung" not in body
    response = client.get(url, {"municipality": "nirgendwo"})
    assert "Zu „nirgendwo“ gibt es keine Mitgliedskommune im Netzwerk." in response.content.decode()
