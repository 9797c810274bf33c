"""Search never finds what a person may not see (issue 14, "Done when" 2).

Columns: the anonymous visitor, a member (staff of Brilon, in no project), the team (Iserlohn's
editor: editor of the public project, observer of the team-only one, author of the planned
guide) and the network office. ``FINDS`` says, for each thing of the world
(``tests/search/conftest.py``), who finds it; ``MATRIX`` is the page's row for
``tests/test_url_coverage.py``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.matrix import NOPE, OK, check_answer
from workspace.search import search

ROLES = ("anonymous", "member", "team", "office")
NOT_ALLOWED = NOPE

# url name -> (reverse kwargs, expectations): the page is open to everyone, GET only.
MATRIX = {
    "search": (
        {},
        {"GET": dict.fromkeys(ROLES, OK), "POST": dict.fromkeys(ROLES, NOT_ALLOWED)},
    ),
}

ALL = frozenset(ROLES)
LOGGED_IN = frozenset({"member", "team", "office"})
TEAM = frozenset({"team", "office"})
NOBODY = frozenset()

# (kind, title) -> who finds it when searching "Schulweg"
FINDS = {
    ("leitprojekt", "Öffentlicher Schulweg Alpha"): ALL,
    ("leitprojekt", "Netzwerk-Schulweg Beta"): LOGGED_IN,  # network-only project
    ("leitprojekt", "Team-Schulweg Gamma"): TEAM,  # team-only project
    ("ergebnis", "Schulweg-Konzept Delta"): ALL,
    ("ergebnis", "Schulweg-Entwurf Epsilon"): TEAM,  # a draft
    ("ergebnis", "Schulweg-Ergebnis Zeta"): TEAM,  # of the team-only project
    ("ergebnis", "Schulweg-Vorlage Eta"): ALL,  # the result is public ...
    ("vorlage", "Schulweg-Vorlage Eta"): LOGGED_IN,  # ... its template internal to the network
    ("ergebnis", "Schulweg-Vorlage Theta"): ALL,
    ("vorlage", "Schulweg-Vorlage Theta"): ALL,
    ("leitfaden", "Schulweg-Leitfaden Iota"): ALL,
    ("leitfaden", "Bald: Schulweg-Leitfaden Kappa"): ALL,  # a planned guide's title is public
    ("begriff", "Schulweg-Begriff My"): ALL,
    ("nachricht", "Schulweg-Nachricht Ny"): NOBODY,  # submitted, not accepted
    ("nachricht", "Schulweg-Nachricht Xi"): ALL,  # printed in a published issue
    ("nachricht", "Schulweg-Nachricht Omikron"): NOBODY,  # accepted, not yet printed
    ("ausgabe", "Schulweg-Ausgabe Pi"): ALL,
    ("ausgabe", "Schulweg-Ausgabe Rho"): NOBODY,  # a draft issue
    ("termin", "Pausenhof Schulweg Sigma"): ALL,
}
# Brilon's adopted copy of Theta: a result owned by a municipality, read by the network.
COPY = ("ergebnis", "Schulweg-Vorlage Theta", "/kommunen/brilon/nachnutzungen/")
COPY_FINDERS = LOGGED_IN


@pytest.fixture
def people(outsider, editor, office):
    return {"anonymous": None, "member": outsider, "team": editor, "office": office}


def _found(user, q: str, **kwargs) -> list[dict]:
    from django.contrib.auth.models import AnonymousUser

    hits = search(user or AnonymousUser(), q, **kwargs)
    return list(hits) if hits is not None else []


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ROLES)
def test_the_page_answers_everyone(as_user, people, role, method):
    client = as_user(people[role])
    url = reverse("search")
    response = client.get(url, {"q": "Schulweg"}) if method == "GET" else client.post(url)
    expected = MATRIX["search"][1][method][role]
    check_answer(response, expected, url=url, where=f"{method} {url} als {role}")


@pytest.mark.parametrize("role", ROLES)
def test_search_finds_exactly_what_each_person_may_see(world, people, role):
    rows = _found(people[role], "Schulweg")
    found = {(row["s_kind"], row["s_title"]) for row in rows}
    expected = {thing for thing, finders in FINDS.items() if role in finders}
    assert found == expected | ({COPY[:2]} if role in COPY_FINDERS else set())
    copies = [row for row in rows if row["s_b"] == "brilon"]
    assert bool(copies) == (role in COPY_FINDERS)


@pytest.mark.parametrize("role", ROLES)
def test_a_planned_guides_body_is_searched_only_for_its_editors(world, people, role):
    titles = {row["s_title"] for row in _found(people[role], "Lambda")}
    assert titles == ({"Bald: Schulweg-Leitfaden Kappa"} if role in TEAM else set())


@pytest.mark.parametrize("role", ROLES)
def test_the_page_shows_only_what_the_person_may_see(world, as_user, people, role):
    html = as_user(people[role]).get(reverse("search"), {"q": "Schulweg"}).content.decode()
    for (_kind, title), finders in FINDS.items():
        if title == "Schulweg-Vorlage Eta":
            continue  # result and template share the title; the rows above tell them apart
        assert (title in html) == (role in finders), (role, title)


def test_filters_never_widen_what_is_found(world, people):
    from workspace.models import Municipality, Topic
    from workspace.search import Filters

    topic = Topic.objects.get(slug="mobilitaet")
    menden = Municipality.objects.get(slug="menden")
    for role in ROLES:
        everything = {(r["s_kind"], r["s_title"]) for r in _found(people[role], "Schulweg")}
        for filters in (Filters(topic=topic), Filters(municipality=menden)):
            narrowed = {
                (r["s_kind"], r["s_title"])
                for r in _found(people[role], "Schulweg", filters=filters)
            }
            assert narrowed <= everything
