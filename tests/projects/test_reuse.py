"""Templates and adoptions: a municipality's copy remembers its source, sees and takes over later
changes of the template, and offers improvements back to the source team (DESIGN.md, invariant 6).

The issue's acceptance story, asserted through the services and, where a person sees it,
through the pages: Brilon adopts version 3 of a tender template of the Menden project; two
authors of the source team change the source twice (versions 4 and 5); Brilon's copy shows the
change 3 → 5; taking it over makes a version of the copy that records source version 5;
dismissing it leaves the copy as it is; an improvement Brilon offers and the source team accepts
becomes a version of the source that credits Brilon and the person who offered it; declining
records the team's note and changes nothing else.
"""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from projects import services
from projects.models import Adoption, Offer, Result, TeamMembership, Template, Visibility
from projects.reuse_views import REGISTER_PER_PAGE, TEMPLATES_PER_PAGE
from tests.factories import MembershipFactory, MunicipalityFactory
from tests.projects.factories import lead_project
from workspace.diff import merge_texts

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role
LOGIN_URL = "/konto/anmelden/"
CHANGED = "Die Vorlage hat sich geändert"

# The source's text, line by line, so that the copy and the source can change different lines
# (a clean merge) or the same line (a conflict).
HEAD = "# Ausschreibung Straßenbeleuchtung"
SERVICE = "Leistung: LED-Leuchten."
TERM = "Laufzeit: fünf Jahre."
UPKEEP = "Wartung: durch die Stadt."
V1 = "\n".join([HEAD, SERVICE])
V2 = "\n".join([HEAD, SERVICE, TERM])
V3 = "\n".join([HEAD, SERVICE, TERM, UPKEEP])
# The two later changes of the source, by two authors: the term, then the upkeep.
TERM_4 = "Laufzeit: sieben Jahre mit Verlängerungsoption."
UPKEEP_5 = "Wartung: durch den Auftragnehmer, mit Reaktionszeit von 48 Stunden."
V4 = "\n".join([HEAD, SERVICE, TERM_4, UPKEEP])
V5 = "\n".join([HEAD, SERVICE, TERM_4, UPKEEP_5])


_handler = Client().handler


def client_for(user) -> Client:
    """A logged-in client (``None``: anonymous) sharing one request handler, so its middleware
    is built once per module and not for every client."""
    client = Client()
    client.handler = _handler
    if user is not None:
        client.force_login(user)
    return client


def _body(response) -> str:
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# --- The world -------------------------------------------------------------------------------


@pytest.fixture
def project(coordinator, menden, editor, iserlohn):
    """A public project led by Menden: coordinator (Menden staff) and editor (Iserlohn)."""
    return lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Smarte Straßenbeleuchtung",
        participants=[iserlohn],
        team=[(editor, Role.EDITOR)],
    )


@pytest.fixture
def source(project, coordinator, editor):
    """The source result in three versions (tested from the start)."""
    result = services.result_create(
        project=project,
        by=coordinator,
        title="Ausschreibungsvorlage Straßenbeleuchtung",
        body=V1,
        kind=Result.Kind.TENDER,
        maturity=Result.Maturity.TESTED,
        note="Erste Fassung",
    )
    services.result_update(result=result, by=editor, base_revision=1, body=V2, note="Laufzeit")
    services.result_update(result=result, by=coordinator, base_revision=2, body=V3, note="Wartung")
    return result


@pytest.fixture
def template(source, coordinator):
    return services.template_publish(
        result=source,
        by=coordinator,
        licence=Template.Licence.CC_BY,
        recommended_revision=3,
        prerequisites="Ein Wartungsbudget.",
    )


@pytest.fixture
def adoption(template, brilon, outsider):
    """Brilon (the outsider's municipality) adopts version 3."""
    return services.adoption_create(template=template, municipality=brilon, by=outsider)


def _change_source_twice(source, editor, coordinator, *, term=TERM_4, upkeep=UPKEEP_5):
    """Two authors of the source team change it twice: versions 4 and 5."""
    body = source.body.replace(TERM, term)
    services.result_update(result=source, by=editor, base_revision=3, body=body, note="Laufzeit")
    body = body.replace(UPKEEP, upkeep)
    services.result_update(
        result=source, by=coordinator, base_revision=4, body=body, note="Wartung"
    )


@pytest.fixture
def changed(adoption, source, editor, coordinator):
    """The adoption, after the source went on from version 3 to version 5."""
    _change_source_twice(source, editor, coordinator)
    assert Result.objects.get(pk=source.pk).revision == 5
    return adoption


def _copy(adoption) -> Result:
    return Result.objects.select_related("upstream").get(pk=adoption.copy_id)


def _fresh(adoption) -> Adoption:
    return Adoption.objects.select_related("copy__upstream", "template__result").get(pk=adoption.pk)


def _state(result: Result) -> tuple:
    """What a refused or dismissed request must leave as it was."""
    fresh = Result.objects.get(pk=result.pk)
    return (
        fresh.revision,
        fresh.title,
        fresh.body,
        fresh.upstream_id,
        fresh.history.count(),
        list(fresh.history.values_list("history_id", flat=True)),
    )


# --- Adopting --------------------------------------------------------------------------------


def test_adopting_makes_a_copy_of_version_3_that_remembers_the_source_row(
    template, source, brilon, outsider
):
    response = client_for(outsider).post(
        reverse("templates:adopt", kwargs={"template_id": template.pk}),
        {"municipality": brilon.pk},
    )
    adoption = Adoption.objects.get(template=template, municipality=brilon)
    copy = _copy(adoption)
    assert response.status_code == 302
    assert response["Location"] == copy.get_absolute_url()
    assert copy.get_absolute_url() == f"/kommunen/brilon/nachnutzungen/{copy.pk}/"
    assert (copy.municipality, copy.project, copy.revision, copy.body) == (brilon, None, 1, V3)
    assert copy.title == source.title
    # The exact source row: version 3 of this result, the one the template recommends.
    assert copy.upstream == adoption.adopted_row == template.recommended
    assert (copy.upstream.id, copy.upstream.revision) == (source.pk, 3)
    first = copy.history.get()
    assert first.upstream_id == copy.upstream_id
    assert first.history_user == outsider
    assert first.history_change_reason == f"nachgenutzt aus „{source.title}“, Version 3"
    assert adoption.adopted_by == outsider

    page = _body(client_for(outsider).get(copy.get_absolute_url()))
    assert "Brilon nutzt die Vorlage" in page and "ausgehend von Version 3" in page
    assert CHANGED not in page


def test_adopting_twice_for_the_same_municipality_is_refused(adoption, template, brilon, outsider):
    results, adoptions = Result.objects.count(), Adoption.objects.count()
    with pytest.raises(ValidationError, match="Brilon nutzt diese Vorlage schon nach"):
        services.adoption_create(template=template, municipality=brilon, by=outsider)

    # The page offers no second adoption, and a forged one is refused with a German message.
    url = reverse("templates:adopt", kwargs={"template_id": template.pk})
    assert "Für Ihre Kommune nachnutzen" not in _body(
        client_for(outsider).get(template.get_absolute_url())
    )
    response = client_for(outsider).post(url, {"municipality": brilon.pk})
    assert response.status_code == 403
    assert "die diese Vorlage noch nicht nutzt" in _body(response)

    # And the database holds to it even past the service.
    stray = Result(municipality=brilon, title="Zweite Kopie", created_by=outsider)
    stray.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Adoption.objects.create(
            template=template,
            municipality=brilon,
            copy=stray,
            adopted_row=template.recommended,
            adopted_by=outsider,
        )
    assert Adoption.objects.count() == adoptions
    assert Result.objects.count() == results + 1  # only the stray row of this test


def test_a_draft_result_cannot_become_a_template(project, coordinator):
    draft = services.result_create(project=project, by=coordinator, title="Skizze", body="…")
    with pytest.raises(ValidationError, match="Ein Entwurf wird keine Vorlage"):
        services.template_publish(
            result=draft, by=coordinator, licence=Template.Licence.CC_BY, recommended_revision=1
        )
    response = client_for(coordinator).post(
        reverse("projects:result-publish", kwargs={"slug": project.slug, "result_id": draft.pk}),
        {"licence": Template.Licence.CC_BY, "recommended_revision": 1},
    )
    assert response.status_code == 200
    assert "Ein Entwurf wird keine Vorlage" in _body(response)
    assert not Template.objects.exists()


def test_a_copy_cannot_become_a_template_nor_recommend_a_draft_version(
    adoption, source, coordinator, outsider
):
    with pytest.raises(ValidationError, match="Nachnutzung kann nicht selbst Vorlage"):
        services.template_publish(
            result=_copy(adoption),
            by=outsider,
            licence=Template.Licence.CC_BY,
            recommended_revision=1,
        )
    with pytest.raises(ValidationError, match="kein Entwurf ist"):
        services.template_publish(
            result=source, by=coordinator, licence=Template.Licence.CC_BY, recommended_revision=9
        )
    assert Template.objects.count() == 1


@pytest.mark.parametrize("owners", ["both", "neither"])
def test_the_database_refuses_a_result_owned_by_both_or_neither(
    owners, project, brilon, coordinator
):
    owner = {"project": project, "municipality": brilon} if owners == "both" else {}
    result = Result(title="Niemandes Ergebnis", created_by=coordinator, **owner)
    with pytest.raises(ValidationError, match="entweder zu einem Leitprojekt oder zu einer"):
        result.full_clean(exclude=["revision"])
    before = Result.objects.count()
    # Past full_clean, straight to Model.save(): the check constraint refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        result.save()
    assert Result.objects.count() == before
    assert Result.history.filter(title="Niemandes Ergebnis").count() == 0


# --- Following the source --------------------------------------------------------------------


def test_the_copy_shows_the_change_3_to_5_with_a_link_to_the_source_diff(changed, source, outsider):
    based_on, newest = services.upstream_change(changed)
    assert (based_on.revision, newest.revision) == (3, 5)
    assert based_on.id == newest.id == source.pk

    copy = _copy(changed)
    page = _body(client_for(outsider).get(copy.get_absolute_url()))
    assert CHANGED in page
    assert "Seit Version 3, der Ihre Fassung folgt, gibt es Version 5 der Vorlage." in page
    compare = f"{source.compare_url}?von=3&zu=5"
    assert f'href="{html.escape(compare)}"' in page
    # Only the adopting municipality's staff are offered to act on it.
    assert "Änderung übernehmen" in page and "Nicht übernehmen" in page

    diff = client_for(outsider).get(compare)
    assert diff.status_code == 200
    assert "sieben" in _body(diff) and "Reaktionszeit" in _body(diff)


def test_other_readers_see_the_change_but_are_not_offered_to_act(changed, editor, office):
    copy = _copy(changed)
    for reader in (editor, office):
        page = _body(client_for(reader).get(copy.get_absolute_url()))
        assert CHANGED in page
        assert "Änderung übernehmen" not in page and "Nicht übernehmen" not in page


def test_taking_over_makes_a_copy_version_that_records_source_version_5(changed, source, outsider):
    copy = _copy(changed)
    url = reverse("copies:take-over", kwargs={"municipality": "brilon", "result_id": copy.pk})
    page = client_for(outsider).get(url)
    assert page.status_code == 200
    text = _body(page)
    assert "Was sich in der Vorlage geändert hat (Version 3 → 5)" in text
    # The diff of the source: both changes, as added words.
    assert "Verlängerungsoption" in text and "Reaktionszeit" in text
    proposal = page.context["form"].initial
    # The copy was never edited: the proposal is the source's version 5.
    assert proposal == {"body": V5, "base_revision": 1}
    assert "dasselbe geändert" not in text

    response = client_for(outsider).post(url, proposal)
    assert response.status_code == 302 and response["Location"] == copy.get_absolute_url()

    copy = _copy(changed)
    assert (copy.revision, copy.body) == (2, V5)
    assert (copy.upstream.id, copy.upstream.revision) == (source.pk, 5)
    newest = copy.history.order_by("-revision").first()
    assert newest.revision == 2
    assert newest.upstream.revision == 5 and newest.upstream_id == copy.upstream_id
    assert newest.history_change_reason == "Änderung der Vorlage übernommen (Version 5)"
    assert newest.history_user == outsider
    # Version 1 of the copy still names source version 3: nothing in history changes.
    assert copy.history.get(revision=1).upstream.revision == 3
    assert services.upstream_change(_fresh(changed)) is None
    assert CHANGED not in _body(client_for(outsider).get(copy.get_absolute_url()))
    assert copy.get_absolute_url() in _body(
        client_for(outsider).get(reverse("templates:detail", args=[changed.template_id]))
    )


def test_taking_over_without_a_change_is_refused(adoption, outsider):
    copy = _copy(adoption)
    with pytest.raises(ValidationError, match="nicht geändert"):
        services.adoption_take_over(adoption=adoption, by=outsider, base_revision=1, body="x")
    url = reverse("copies:take-over", kwargs={"municipality": "brilon", "result_id": copy.pk})
    response = client_for(outsider).get(url)
    assert response.status_code == 302 and response["Location"] == copy.get_absolute_url()
    assert _state(copy) == _state(_copy(adoption))
    assert copy.history.count() == 1


def test_dismissing_leaves_the_copy_unchanged(changed, source, editor, outsider):
    copy = _copy(changed)
    before = _state(copy)
    response = client_for(outsider).post(
        reverse("copies:dismiss", kwargs={"municipality": "brilon", "result_id": copy.pk})
    )
    assert response.status_code == 302 and response["Location"] == copy.get_absolute_url()
    assert "Ihre Nachnutzung bleibt, wie sie ist." in _messages(response)[0]

    assert _state(copy) == before
    adoption = _fresh(changed)
    assert adoption.dismissed_row.revision == 5
    assert adoption.copy.upstream.revision == 3
    assert services.upstream_change(adoption) is None
    assert CHANGED not in _body(client_for(outsider).get(copy.get_absolute_url()))

    # A later change of the source is shown again, from the version the copy follows.
    services.result_update(
        result=source, by=editor, base_revision=5, body=f"{source.body}\nNeu.", note="Neu"
    )
    assert [row.revision for row in services.upstream_change(_fresh(changed))] == [3, 6]
    page = _body(client_for(outsider).get(copy.get_absolute_url()))
    assert CHANGED in page and "von=3&amp;zu=6" in page


def test_a_three_way_merge_keeps_the_copys_edits_and_the_sources_change(
    adoption, source, editor, coordinator, outsider
):
    copy = _copy(adoption)
    own = "Leistung: LED-Leuchten, in Brilon mit Insektenschutz."
    services.result_update(
        result=copy, by=outsider, base_revision=1, body=V3.replace(SERVICE, own), note="Brilon"
    )
    _change_source_twice(source, editor, coordinator)
    expected = "\n".join([HEAD, own, TERM_4, UPKEEP_5])

    merge = merge_texts(
        V3, V3.replace(SERVICE, own), V5, ours_label="Ihre Fassung", theirs_label="Vorlage"
    )
    assert (merge.text, merge.conflicts) == (expected, 0)

    url = reverse("copies:take-over", kwargs={"municipality": "brilon", "result_id": copy.pk})
    page = client_for(outsider).get(url)
    assert page.context["form"].initial == {"body": expected, "base_revision": 2}
    assert page.context["merge"].conflicts == 0
    assert "dasselbe geändert" not in _body(page)

    services.adoption_take_over(
        adoption=_fresh(adoption), by=outsider, base_revision=2, body=merge.text
    )
    copy = _copy(adoption)
    assert (copy.revision, copy.body, copy.upstream.revision) == (3, expected, 5)
    assert copy.history.get(revision=2).body == V3.replace(SERVICE, own)


def test_conflicting_edits_produce_marker_lines_and_a_warning(
    adoption, source, editor, coordinator, outsider
):
    copy = _copy(adoption)
    own = "Laufzeit: drei Jahre, Brilon will es erst erproben."
    services.result_update(
        result=copy, by=outsider, base_revision=1, body=V3.replace(TERM, own), note="Brilon"
    )
    before = _state(copy)
    _change_source_twice(source, editor, coordinator)

    url = reverse("copies:take-over", kwargs={"municipality": "brilon", "result_id": copy.pk})
    page = client_for(outsider).get(url)
    text = _body(page)
    assert page.context["merge"].conflicts == 1
    # The source changed the term and the next line in one stretch; the conflict is that
    # stretch, each side's version of it whole (as diff3 does).
    assert page.context["form"].initial["body"].split("\n") == [
        HEAD,
        SERVICE,
        "<<<<<<< Ihre Fassung",
        own,
        UPKEEP,
        "=======",
        TERM_4,
        UPKEEP_5,
        ">>>>>>> Vorlage, Version 5",
    ]
    assert "An 1 Stelle haben Sie und die Vorlage dasselbe geändert." in " ".join(text.split())
    assert "kern-alert--warning" in text
    # The proposal is only a proposal: nothing is saved until the staff decide.
    assert _state(copy) == before


def test_a_stale_take_over_is_refused_and_writes_nothing(changed, outsider):
    copy = _copy(changed)
    services.result_update(result=copy, by=outsider, base_revision=1, body="Eigene Fassung")
    before = _state(copy)
    url = reverse("copies:take-over", kwargs={"municipality": "brilon", "result_id": copy.pk})
    response = client_for(outsider).post(url, {"body": V5, "base_revision": 1})
    assert response.status_code == 302 and response["Location"] == url
    assert "inzwischen geändert" in _messages(response)[0]
    assert _state(copy) == before


# --- Offering back ---------------------------------------------------------------------------


@pytest.fixture
def offered(changed, outsider):
    """Brilon improves its copy and offers it back (through the page)."""
    copy = _copy(changed)
    improved = f"{V3}\nDatenschutz: Bewegungsdaten werden nicht gespeichert."
    services.result_update(
        result=copy, by=outsider, base_revision=1, body=improved, note="Datenschutz"
    )
    url = reverse("copies:offer", kwargs={"municipality": "brilon", "result_id": copy.pk})
    page = client_for(outsider).get(url)
    assert page.status_code == 200 and "Datenschutz" in _body(page)
    response = client_for(outsider).post(url, {"message": "Ein Absatz zum Datenschutz."})
    assert response.status_code == 302 and response["Location"] == copy.get_absolute_url()
    offer = Offer.objects.get(adoption=changed)
    assert (offer.status, offer.offered_by, offer.message) == (
        Offer.Status.OPEN,
        outsider,
        "Ein Absatz zum Datenschutz.",
    )
    assert offer.base_row.revision == 3 and offer.copy_row.body == improved
    return offer


def test_an_accepted_offer_becomes_a_source_version_crediting_the_adopter(
    offered, source, template, editor, coordinator, outsider
):
    template_page = _body(client_for(coordinator).get(template.get_absolute_url()))
    assert "Offene Verbesserungsangebote" in template_page and "Angebot aus Brilon" in template_page
    offer_url = reverse(
        "templates:offer", kwargs={"template_id": template.pk, "offer_id": offered.pk}
    )
    offer_page = client_for(editor).get(offer_url)
    assert offer_page.context["decides"] is True
    assert "Annehmen" in _body(offer_page)

    response = client_for(editor).post(
        reverse(
            "templates:offer-accept", kwargs={"template_id": template.pk, "offer_id": offered.pk}
        ),
        {"base_revision": 5},
    )
    assert response.status_code == 302 and response["Location"] == source.get_absolute_url()

    fresh = Result.objects.get(pk=source.pk)
    assert (fresh.revision, fresh.body) == (6, offered.copy_row.body)
    newest = fresh.history.order_by("-revision").first()
    credit = f"Verbesserung aus Brilon übernommen, angeboten von {outsider.get_display_name()}"
    assert newest.history_change_reason == credit
    assert newest.history_user == editor
    offer = Offer.objects.get(pk=offered.pk)
    assert (offer.status, offer.decided_by, offer.source_row) == (
        Offer.Status.ACCEPTED,
        editor,
        newest,
    )
    assert offer.decided_at is not None
    # The versions page of the source names the municipality and the person.
    versions = _body(client_for(None).get(source.versions_url))
    assert html.escape(credit) in versions or credit in versions
    # Decided once: a second decision is refused and changes nothing.
    with pytest.raises(ValidationError, match="schon entschieden"):
        services.offer_accept(offer=offer, by=coordinator, base_revision=6)
    assert Result.objects.get(pk=source.pk).revision == 6


def test_declining_records_the_note_and_changes_nothing(
    offered, source, template, coordinator, outsider
):
    before = _state(source)
    copy_before = _state(offered.adoption.copy)
    url = reverse(
        "templates:offer-decline", kwargs={"template_id": template.pk, "offer_id": offered.pk}
    )
    # Without a reason the team is asked for one; the offer stays open.
    refused = client_for(coordinator).post(url, {"note": "  "})
    assert refused.status_code == 302
    assert Offer.objects.get(pk=offered.pk).status == Offer.Status.OPEN

    response = client_for(coordinator).post(url, {"note": "Das regelt bei uns die Satzung."})
    assert response.status_code == 302 and response["Location"] == template.get_absolute_url()
    offer = Offer.objects.get(pk=offered.pk)
    assert (offer.status, offer.decided_by, offer.decision_note, offer.source_row) == (
        Offer.Status.DECLINED,
        coordinator,
        "Das regelt bei uns die Satzung.",
        None,
    )
    assert _state(source) == before
    assert _state(offered.adoption.copy) == copy_before
    # Brilon reads the team's reason on the offer's page.
    page = _body(
        client_for(outsider).get(
            reverse("templates:offer", kwargs={"template_id": template.pk, "offer_id": offer.pk})
        )
    )
    assert "Begründung des Teams: Das regelt bei uns die Satzung." in page
    with pytest.raises(ValidationError, match="schon entschieden"):
        services.offer_decline(offer=offer, by=coordinator, note="Doch nicht.")


def test_a_stale_acceptance_is_refused_and_writes_nothing(offered, source, template, editor):
    before = _state(source)
    url = reverse(
        "templates:offer-accept", kwargs={"template_id": template.pk, "offer_id": offered.pk}
    )
    for base in (4, "", "fünf"):
        response = client_for(editor).post(url, {"base_revision": base})
        assert response.status_code == 302, base
        assert "inzwischen geändert" in _messages(response)[0]
    assert _state(source) == before
    assert Offer.objects.get(pk=offered.pk).status == Offer.Status.OPEN


def test_an_offer_equal_to_the_source_or_a_second_open_one_is_refused(offered, changed, outsider):
    with pytest.raises(ValidationError, match="schon ein offenes Angebot"):
        services.offer_create(adoption=changed, by=outsider)
    services.offer_decline(offer=offered, by=outsider, note="zurückgezogen")
    copy = _copy(changed)
    services.result_update(
        result=copy, by=outsider, base_revision=copy.revision, body=changed.template.result.body
    )
    with pytest.raises(ValidationError, match="nichts anzubieten"):
        services.offer_create(adoption=_fresh(changed), by=outsider)
    assert Offer.objects.count() == 1


def test_the_adoption_status_and_experience_are_the_municipalitys_to_set(adoption, outsider):
    copy = _copy(adoption)
    url = reverse("copies:status", kwargs={"municipality": "brilon", "result_id": copy.pk})
    response = client_for(outsider).post(url, {"status": "in_use", "experience": " Läuft. "})
    assert response.status_code == 302
    fresh = _fresh(adoption)
    assert (fresh.status, fresh.experience) == (Adoption.Status.IN_USE, "Läuft.")
    client_for(outsider).post(url, {"status": "agreed", "experience": ""})
    assert _fresh(adoption).status == Adoption.Status.IN_USE
    with pytest.raises(ValidationError):
        services.adoption_set_status(adoption=fresh, by=outsider, status="x", experience="")
    assert _state(copy) == _state(_copy(adoption))  # no version of the copy


# --- Internal templates ----------------------------------------------------------------------


def test_internal_templates_are_invisible_to_anonymous_visitors_everywhere(
    project, source, coordinator, brilon, outsider
):
    template = services.template_publish(
        result=source,
        by=coordinator,
        licence=Template.Licence.INTERNAL,
        recommended_revision=3,
    )
    services.adoption_create(template=template, municipality=brilon, by=outsider)

    anonymous = client_for(None)
    catalogue = anonymous.get(reverse("templates:list"))
    assert catalogue.context["templates"] == [] and catalogue.context["register"] == []
    assert source.title not in _body(catalogue)
    page = anonymous.get(project.get_absolute_url())
    assert page.context["adoptions"] == []
    assert "Wer die Vorlagen dieses Leitprojekts nachnutzt" not in _body(page)
    response = anonymous.get(template.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)

    member = client_for(outsider)
    catalogue = member.get(reverse("templates:list"))
    assert catalogue.context["templates"] == [template] and source.title in _body(catalogue)
    assert [a.municipality for a in catalogue.context["register"]] == [brilon]
    page = member.get(project.get_absolute_url())
    assert "Wer die Vorlagen dieses Leitprojekts nachnutzt" in _body(page)
    detail = member.get(template.get_absolute_url())
    assert detail.status_code == 200 and "nur innerhalb des Netzwerks" in _body(detail)


def test_an_internal_template_is_not_announced_on_its_public_result_page(source, coordinator):
    template = services.template_publish(
        result=source, by=coordinator, licence=Template.Licence.INTERNAL, recommended_revision=3
    )
    page = _body(client_for(None).get(source.get_absolute_url()))
    assert source.title in page
    assert template.get_absolute_url() not in page and "nur innerhalb des Netzwerks" not in page


def test_templates_of_a_network_project_need_a_login(coordinator, menden, outsider):
    project = lead_project(
        coordinator=coordinator, lead=menden, title="Netzwerkprojekt", visibility=Visibility.NETWORK
    )
    result = services.result_create(
        project=project,
        by=coordinator,
        title="Nur im Netzwerk",
        body="x",
        maturity=Result.Maturity.TESTED,
    )
    template = services.template_publish(
        result=result, by=coordinator, licence=Template.Licence.CC_BY, recommended_revision=1
    )
    assert "Nur im Netzwerk" not in _body(client_for(None).get(reverse("templates:list")))
    assert client_for(None).get(template.get_absolute_url())["Location"].startswith(LOGIN_URL)
    assert "Nur im Netzwerk" in _body(client_for(outsider).get(reverse("templates:list")))


# --- Queries ---------------------------------------------------------------------------------


def _grow(*, project, coordinator, templates: int, adoptions: int, offers: bool = False):
    """``templates`` templates in ``project``; the first one adopted by ``adoptions``
    municipalities (each by its own staff, each with an open offer if ``offers``), every other
    one adopted once."""
    made = []
    for n in range(templates):
        result = services.result_create(
            project=project,
            by=coordinator,
            title=f"Vorlage {n:02d}",
            summary="Zum Nachnutzen.",
            body="Zeile eins\nZeile zwei",
            maturity=Result.Maturity.TESTED,
        )
        made.append(
            services.template_publish(
                result=result,
                by=coordinator,
                licence=Template.Licence.INTERNAL if n % 2 else Template.Licence.CC_BY,
                recommended_revision=1,
            )
        )
    for n in range(adoptions + templates - 1):
        town = MunicipalityFactory(name=f"Nachnutzstadt {n:02d}")
        staff = MembershipFactory(municipality=town).user
        template = made[0] if n < adoptions else made[n - adoptions + 1]
        adoption = services.adoption_create(template=template, municipality=town, by=staff)
        if offers and template == made[0]:
            services.result_update(
                result=adoption.copy, by=staff, base_revision=1, body=f"Zeile eins ({town})"
            )
            services.offer_create(adoption=adoption, by=staff)
    return made


# /vorlagen/ for a logged-in member (Brilon staff), whatever the number of templates and
# adoptions (measured with 3, asserted with 3 and 30):
#   1. the session;
#   2. the user, with is_network_office (workspace/backends.py; visible_projects asks it);
#   3. is_network_member (one EXISTS, cached on the user);
#   4. how many templates are visible (the catalogue's pages; visibility is a subquery);
#   5. the page's templates with result, project, lead and recommended row;
#   6. their adoptions counted by status (one GROUP BY over this page's templates only);
#   7. how many adoptions the register holds (its pages);
#   8. the register's page: adoptions with municipality, template, result, copy and rows;
#   9. the filter's topics (project and municipality are named by address and short name:
#      no list of every visible project and member).
CATALOGUE_QUERIES = 9


@pytest.mark.parametrize("size", [3, 30])
def test_the_catalogue_costs_the_same_with_3_and_30_templates(
    size, project, coordinator, outsider, django_assert_num_queries
):
    _grow(project=project, coordinator=coordinator, templates=size, adoptions=size)
    client = client_for(outsider)
    with django_assert_num_queries(CATALOGUE_QUERIES):
        response = client.get(reverse("templates:list"))
    body = _body(response)
    assert len(response.context["templates"]) == min(size, TEMPLATES_PER_PAGE)
    assert response.context["page"].paginator.count == size
    assert len(response.context["register"]) == min(size + size - 1, REGISTER_PER_PAGE)
    assert response.context["register_page"].paginator.count == size + size - 1
    assert body.count("Nachnutzstadt") >= size


def test_catalogue_and_register_page_on_their_own_and_keep_the_filter(
    project, coordinator, outsider, monkeypatch
):
    monkeypatch.setattr("projects.reuse_views.TEMPLATES_PER_PAGE", 4)
    monkeypatch.setattr("projects.reuse_views.REGISTER_PER_PAGE", 3)
    made = _grow(project=project, coordinator=coordinator, templates=6, adoptions=3)
    client = client_for(outsider)
    first = client.get(reverse("templates:list"))
    second = client.get(reverse("templates:list") + "?seite=2&register_seite=2")
    titles = [t.result.title for t in first.context["templates"]]
    titles += [t.result.title for t in second.context["templates"]]
    assert titles == [f"Vorlage {n:02d}" for n in range(6)]
    # Adoptions counted per template, not per page: Vorlage 00 has its three.
    assert first.context["templates"][0].adopted == 3
    third = client.get(reverse("templates:list") + "?register_seite=3")
    register = [a.pk for r in (first, second, third) for a in r.context["register"]]
    assert register == list(
        Adoption.objects.order_by(
            "template__result__title", "municipality__name", "pk"
        ).values_list("pk", flat=True)
    )

    body = first.content.decode()
    assert 'href="?seite=2#vorlagen"' in body
    assert 'href="?register_seite=2#register"' in body
    # Paging the register keeps the catalogue's page and its filter.
    filtered = client.get(
        reverse("templates:list") + f"?project={project.pk}&seite=2"
    ).content.decode()
    assert f'href="?project={project.pk}&amp;seite=2&amp;register_seite=2#register"' in filtered
    # Past the end: the last page.
    assert client.get(reverse("templates:list") + "?seite=9").context["page"].number == 2
    assert made


def test_a_draft_template_stays_off_every_page(project, coordinator, outsider, monkeypatch):
    monkeypatch.setattr("projects.reuse_views.TEMPLATES_PER_PAGE", 2)
    made = _grow(project=project, coordinator=coordinator, templates=4, adoptions=1)
    draft = made[2].result
    services.result_update(
        result=draft, by=coordinator, base_revision=draft.revision, maturity=Result.Maturity.DRAFT
    )
    client = client_for(outsider)
    seen = [
        t.pk
        for n in (1, 2)
        for t in client.get(reverse("templates:list") + f"?seite={n}").context["templates"]
    ]
    assert sorted(seen) == sorted(t.pk for t in made if t != made[2])


# A template page for its source team's coordinator (Menden staff, so the page also offers
# adopting for Menden), whatever the number of adoptions and open offers (measured with 3,
# asserted with 3 and 30):
#   1. the session;
#   2. the user, with is_network_office (workspace/backends.py; visible_projects asks it);
#   3. is_network_member;
#   4. the template, if visible, with result, project, lead, recommended row and publisher;
#   5. the municipalities the user may still adopt it for;
#   6.–7. is_source_team: the user's object permissions on the project, direct and through
#         groups (guardian's ObjectPermissionChecker);
#   8. the register: the template's adoptions with municipality, copy and rows;
#   9. the open offers with municipality and the person who offered;
#  10. the adopt form: how many municipalities there are to choose from (COUNT);
#  11.–12. its choices: once for the select's required attribute (its first choice), once to
#          render the options;
#  13. whether the reader follows the template (the follow button, workspace.notifications).
TEMPLATE_QUERIES = 13


@pytest.mark.parametrize("size", [3, 30])
def test_a_template_page_costs_the_same_with_3_and_30_adoptions(
    size, project, coordinator, django_assert_num_queries
):
    template = _grow(
        project=project, coordinator=coordinator, templates=3, adoptions=size, offers=True
    )[0]
    client = client_for(coordinator)
    with django_assert_num_queries(TEMPLATE_QUERIES):
        response = client.get(template.get_absolute_url())
    assert len(response.context["register"]) == size
    assert len(response.context["offers"]) == size
    assert response.context["adopt_form"] is not None


def test_the_catalogues_filters_keep_each_templates_adoption_counts(
    template, project, brilon, outsider, iserlohn, editor, menden
):
    """Filtering by a municipality joins projects and adoptions once more; the counts shown
    in each card must stay the template's own."""
    services.adoption_create(template=template, municipality=brilon, by=outsider)
    in_use = services.adoption_create(template=template, municipality=iserlohn, by=editor)
    services.adoption_set_status(
        adoption=in_use, by=editor, status=Adoption.Status.IN_USE, experience=""
    )
    client = client_for(outsider)
    for query in ("", "?municipality=brilon", "?municipality=iserlohn", "?municipality=menden"):
        [card] = client.get(reverse("templates:list") + query).context["templates"]
        assert (card.adopted, card.adopted_planned, card.adopted_in_use) == (2, 1, 1), query
    assert client.get(reverse("templates:list") + "?municipality=olpe").status_code == 200
