"""Guides keep every version as living results do: compared, restored as a new version, and
no update lost. Planned guides show title and summary to all, their text to editors only.
Links to lead projects and results follow the projects' visibility."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from network.guides import selectors, services, views
from network.guides.models import Guide
from projects.models import StaleRevision
from tests.factories import MembershipFactory, MunicipalityFactory, TopicFactory
from tests.guides.conftest import write_guide

pytestmark = pytest.mark.django_db


def _edit(guide, by, **fields):
    return services.guide_update(guide=guide, by=by, base_revision=guide.revision, **fields)


# --- versions, diff, restore ---------------------------------------------------------------


def test_a_stale_save_is_refused_and_nothing_is_written(guide, editor, office, topic):
    _edit(guide, office, body="Version 2 der Geschäftsstelle.")
    other = TopicFactory(name="Mobilität")
    with pytest.raises(StaleRevision):
        services.guide_update(
            guide=guide, by=editor, base_revision=1, body="Meine Fassung.", topics=[other]
        )
    guide.refresh_from_db()
    assert guide.body == "Version 2 der Geschäftsstelle." and guide.revision == 2
    assert list(guide.topics.all()) == [topic]


def test_versions_and_compare_pages(as_user, guide, editor):
    _edit(guide, editor, body=guide.body + "\n\nEin neuer Absatz.", note="Absatz ergänzt")
    client = as_user(None)
    page = client.get(guide.versions_url)
    assert page.status_code == 200
    assert [v.revision for v in page.context["versions"]] == [2, 1]
    assert "Absatz ergänzt" in page.content.decode()
    compare = client.get(f"{guide.compare_url}?von=1&zu=2")
    assert compare.status_code == 200
    assert compare.context["diff"].words_added == 3
    assert '<ins class="kr-ins">' in compare.content.decode()
    bad = client.get(f"{guide.compare_url}?von=abc&zu=9")
    assert bad.status_code == 400 and "Bitte wählen Sie zwei Versionen" in bad.content.decode()


def test_restore_through_the_page(as_user, guide, editor, outsider):
    _edit(guide, editor, body="Zweite Fassung.")
    url = guide.restore_url
    refused = as_user(outsider).post(url, {"revision": 1, "base_revision": 2})
    assert refused.status_code == 403
    response = as_user(editor).post(url, {"revision": 1, "base_revision": 2})
    assert response.status_code == 302 and response["Location"] == guide.get_absolute_url()
    guide.refresh_from_db()
    assert guide.revision == 3 and guide.body.startswith("## Spielraum")
    stale = as_user(editor).post(url, {"revision": 2, "base_revision": 2}, follow=True)
    assert "inzwischen geändert" in stale.content.decode()
    assert Guide.objects.get(pk=guide.pk).revision == 3


def test_editing_shows_a_conflict_instead_of_overwriting(as_user, guide, editor, office, topic):
    form = as_user(editor).get(guide.edit_url)
    assert form.context["form"]["base_revision"].value() == 1
    _edit(guide, office, body="Die Geschäftsstelle war schneller.")
    response = as_user(editor).post(
        guide.edit_url,
        {
            "title": guide.title,
            "summary": guide.summary,
            "topics": [topic.pk],
            "status": "published",
            "published_in": "2025-03",
            "body": "Meine Fassung.",
            "authors": editor.username,
            "base_revision": 1,
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Die Geschäftsstelle war schneller." in page and "Meine Fassung." in page
    assert response.context["form"]["base_revision"].value() == 2
    assert Guide.objects.get(pk=guide.pk).body == "Die Geschäftsstelle war schneller."


def test_an_author_edits_through_the_form(as_user, guide, editor, topic):
    response = as_user(editor).post(
        guide.edit_url,
        {
            "title": "Beteiligung ehrlich planen",
            "summary": guide.summary,
            "topics": [topic.pk],
            "status": "published",
            "published_in": "2025-04",
            "body": guide.body,
            "authors": editor.username,
            "note": "Titel geschärft",
            "base_revision": 1,
        },
    )
    assert response.status_code == 302
    guide.refresh_from_db()
    assert (guide.title, guide.revision, guide.published_in) == (
        "Beteiligung ehrlich planen",
        2,
        datetime.date(2025, 4, 1),
    )


def test_bad_input_comes_back_with_german_messages(as_user, guide, office):
    response = as_user(office).post(
        guide.edit_url,
        {
            "title": "",
            "summary": "x",
            "status": "published",
            "published_in": "März",
            "body": "",
            "authors": "niemand-bekannt",
            "base_revision": 1,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "title" in errors and "published_in" in errors and "authors" in errors
    assert "niemand-bekannt" in str(errors["authors"])
    assert Guide.objects.get(pk=guide.pk).revision == 1


def test_the_office_creates_guides_with_authors_and_their_municipalities(
    as_user, office, editor, topic
):
    response = as_user(office).post(
        reverse("guides:create"),
        {
            "title": "Reallabore auf dem Land",
            "summary": "Wie ein Dorf eine Lösung erprobt.",
            "topics": [topic.pk],
            "status": "planned",
            "published_in": "",
            "body": "",
            "authors": f"{editor.username}\n{editor.email}",
        },
    )
    assert response.status_code == 302
    guide = Guide.objects.get(slug="reallabore-auf-dem-land")
    assert [str(a) for a in guide.authorships.all()] == [f"{editor.get_display_name()} (Iserlohn)"]
    assert guide.history.count() == 1


def test_a_published_guide_needs_a_month_and_a_text(office):
    with pytest.raises(ValidationError) as error:
        write_guide(by=office, status=Guide.Status.PUBLISHED, published_in=None)
    assert "published_in" in error.value.message_dict or "__all__" in error.value.message_dict
    with pytest.raises(ValidationError):
        write_guide(by=office, body="   ")


# --- planned guides ----------------------------------------------------------------------


def test_a_planned_guide_shows_title_and_summary_to_all_and_its_body_to_editors(
    as_user, planned, editor, office, outsider
):
    for user in (None, outsider):
        page = as_user(user).get(planned.get_absolute_url())
        assert page.status_code == 200
        text = page.content.decode()
        assert planned.title in text and planned.summary in text
        assert "bald verfügbar" in text
        assert "Geheimer Entwurf" not in text
    for user in (editor, office):
        text = as_user(user).get(planned.get_absolute_url()).content.decode()
        assert "Geheimer Entwurf" in text


def test_a_planned_guides_versions_are_its_editors_only(as_user, planned, editor, outsider):
    for url in (planned.versions_url, planned.compare_url):
        assert as_user(None).get(url).status_code == 302
        assert as_user(outsider).get(url).status_code == 404
        assert as_user(editor).get(url).status_code == 200


def test_lists_mark_planned_guides_as_coming_soon(client, guide, planned):
    page = client.get(reverse("guides:list"))
    assert page.context["published"] == [guide] and page.context["planned"] == [planned]
    section = page.content.decode().split('id="bald-verfuegbar"')[1]
    assert "Fördermittel finden" in section and "bald verfügbar" in section


# --- browsing ------------------------------------------------------------------------------


def test_browse_by_topic_and_new_this_month(client, office, topic):
    other = TopicFactory(name="Offene Daten", slug="offene-daten")
    this_month = selectors.this_month()
    fresh = write_guide(by=office, title="Frisch", topics=[topic], published_in=this_month)
    old = write_guide(
        by=office, title="Alt", topics=[other], published_in=datetime.date(2020, 1, 1)
    )
    page = client.get(reverse("guides:topic", kwargs={"topic_slug": topic.slug}))
    assert page.context["published"] == [fresh]
    assert [t.guide_count for t in page.context["topics"]] == [1, 1]
    page = client.get(reverse("guides:topic", kwargs={"topic_slug": other.slug}))
    assert page.context["published"] == [old]
    month = client.get(reverse("guides:month"))
    assert month.context["guides"] == [fresh]
    assert client.get("/leitfaeden/themen/gibt-es-nicht/").status_code == 404


def test_reserved_paths_never_become_slugs(office):
    assert write_guide(by=office, title="Neu").slug == "neu-1"
    assert write_guide(by=office, title="Dieser Monat").slug == "dieser-monat-1"


def _many_guides(n, office, topic, start=0):
    for i in range(start, start + n):
        town = MunicipalityFactory(name=f"Stadt {i}", slug=f"stadt-{i}")
        author = MembershipFactory(municipality=town).user
        write_guide(
            by=office,
            title=f"Leitfaden {i}",
            topics=[topic, TopicFactory(name=f"Thema {i}", slug=f"thema-{i}")],
            authors=[author],
            status="planned" if i % 4 == 0 else "published",
        )


@pytest.mark.parametrize("url_name", ["guides:list", "guides:month"])
def test_list_pages_cost_the_same_for_3_and_60_guides(
    client, office, topic, url_name, django_assert_num_queries
):
    url = reverse(url_name)
    _many_guides(3, office, topic)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _many_guides(57, office, topic, start=3)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_topic_page_costs_the_same_for_3_and_60_guides(
    client, office, topic, django_assert_num_queries
):
    url = reverse("guides:topic", kwargs={"topic_slug": topic.slug})
    _many_guides(3, office, topic)
    client.get(url)
    # session-less anonymous visitor: topic, guides, their topics, their authorships, the
    # authors' memberships and municipalities (a visitor sees the municipality of whoever has
    # not agreed to show their name), the topic list with counts.
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _many_guides(57, office, topic, start=3)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    # 45 published and 15 planned: a page of each.
    assert len(response.context["published"]) == views.GUIDES_PER_PAGE
    assert len(response.context["planned"]) == 15
    assert response.context["published_page"].paginator.count == 45


def test_long_lists_are_paged_and_each_list_keeps_the_others_page(
    client, office, topic, monkeypatch
):
    monkeypatch.setattr(views, "GUIDES_PER_PAGE", 4)
    _many_guides(12, office, topic)  # 9 published (1, 2, 3, 5, …), 3 planned (0, 4, 8)
    page = client.get(reverse("guides:list"))
    assert [g.title for g in page.context["published"]] == [
        "Leitfaden 1",
        "Leitfaden 10",
        "Leitfaden 11",
        "Leitfaden 2",
    ]
    text = page.content.decode()
    assert 'href="?seite=2#erschienen"' in text and "Seiten der erschienenen Leitfäden" in text
    # The planned guides fit on one page: no page links for them.
    assert "Seiten der bald verfügbaren Leitfäden" not in text
    third = client.get(reverse("guides:list"), {"seite": 3})
    assert [g.title for g in third.context["published"]] == ["Leitfaden 9"]
    assert len(third.context["planned"]) == 3
    # Page 2 continues page 1 exactly, and a number past the end shows the last page.
    second = client.get(reverse("guides:list"), {"seite": 2})
    seen = [g.title for p in (page, second, third) for g in p.context["published"]]
    assert len(seen) == len(set(seen)) == 9
    assert (
        client.get(reverse("guides:list"), {"seite": 99}).context["published"]
        == (third.context["published"])
    )
    # The planned list has its own page number, which keeps the published list's page.
    monkeypatch.setattr(views, "GUIDES_PER_PAGE", 2)
    both = client.get(reverse("guides:list"), {"seite": 2, "bald_seite": 2})
    assert [g.title for g in both.context["published"]] == ["Leitfaden 11", "Leitfaden 2"]
    assert [g.title for g in both.context["planned"]] == ["Leitfaden 8"]
    assert 'href="?seite=2&amp;bald_seite=1#bald-verfuegbar"' in both.content.decode()


# --- links follow the projects' visibility ------------------------------------------------------


@pytest.fixture
def linked(office, guide, projects):
    public, secret = projects["public"], projects["secret"]
    shown, hidden, draft = projects["shown"], projects["hidden"], projects["draft"]
    services.guide_update(
        guide=guide,
        by=office,
        base_revision=guide.revision,
        lead_projects=[public, secret],
        results=[shown, hidden, draft],
    )
    return {"public": public, "secret": secret, "hidden": hidden, "shown": shown}


def test_a_team_only_project_is_never_named_to_someone_who_may_not_see_it(
    as_user, guide, linked, outsider, coordinator
):
    for user in (None, outsider):
        page = as_user(user).get(guide.get_absolute_url()).content.decode()
        assert "Offene Datenplattform" in page and "Datenmodell Haushalt" in page
        assert "Vertrauliche Personalplanung" not in page
        assert "Geheime Stellenliste" not in page
        assert "Unfertiger Entwurf" not in page
    page = as_user(coordinator).get(guide.get_absolute_url()).content.decode()
    assert "Vertrauliche Personalplanung" in page and "Geheime Stellenliste" in page


def test_an_author_who_cannot_see_a_link_keeps_it_when_saving(
    as_user, guide, linked, editor, topic
):
    form = as_user(editor).get(guide.edit_url)
    assert "Vertrauliche Personalplanung" not in form.content.decode()
    response = as_user(editor).post(
        guide.edit_url,
        {
            "title": guide.title,
            "summary": guide.summary,
            "topics": [topic.pk],
            "status": "published",
            "published_in": "2025-03",
            "body": guide.body + "\n\nNachtrag.",
            "authors": editor.username,
            "lead_projects": linked["public"].get_absolute_url(),
            "results": "",
            "base_revision": guide.revision,
        },
    )
    assert response.status_code == 302
    assert set(guide.lead_projects.all()) == {linked["public"], linked["secret"]}
    # The draft of a project she may see is hidden from her, too: kept as well.
    assert {r.title for r in guide.results.all()} == {"Geheime Stellenliste", "Unfertiger Entwurf"}


# --- start page ---------------------------------------------------------------------------------


def test_the_start_page_lists_the_newest_published_guides(client, guide, planned):
    section = [s for s in client.get("/").context["sections"] if "guides" in s.template]
    assert section and section[0].context["guides"] == [guide]
