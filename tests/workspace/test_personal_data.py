"""A person's data: everything exported (Art. 15/20 GDPR), and erased on request (Art. 17).

One person — Ida, editor from Iserlohn — leaves traces in every corner: team role and result
versions, an agreement naming her, a Klassentreffen registration, a topic suggestion, a
newsletter subscription, member news, a guide, a join request, a reported barrier, failed
logins, a session and an admin log entry. After erasure no table holds her name, address or
login name any more, and every result and agreement still renders.
"""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client
from django.utils import timezone

from network.dates import services as dates
from network.dates.models import Appointment
from network.guides import services as guides
from network.joining import services as joining
from network.newsletter import services as newsletter
from projects import services as project_services
from projects.models import TeamMembership
from tests.conftest import PASSWORD
from tests.steering.conftest import committee, proposed_project  # noqa: F401 – fixtures
from tests.steering.test_services import agreement  # noqa: F401 – fixture
from workspace import legal
from workspace.models import User
from workspace.personal_data import (
    classification_of,
    person_erase,
    personal_data_export,
)

# Not transactional: an agreement is immutable, so its tables are rolled back, never flushed.
pytestmark = pytest.mark.django_db

NAME = "Ida Imhoff-Quellenberg"
EMAIL = "ida.quellenberg@iserlohn.example"


@pytest.fixture
def ida(editor):
    editor.display_name = NAME
    editor.email = EMAIL
    editor.first_name, editor.last_name = "Ida", "Quellenberg"
    editor.save()
    return editor


@pytest.fixture
def traces(ida, agreement, proposed_project, coordinator, office, menden, iserlohn):  # noqa: F811
    project = proposed_project
    if not project.team.filter(user=ida).exists():  # the agreement made her team member
        project_services.team_member_add(project=project, by=coordinator, user=ida, role="editor")
    result = project_services.result_create(
        project=project, by=ida, title="Ida schreibt", body="Erste Fassung."
    )
    project_services.result_update(result=result, by=ida, base_revision=1, body="Zweite Fassung.")
    start = timezone.now() + datetime.timedelta(days=20)
    meeting = dates.appointment_create(
        by=office,
        kind=Appointment.Kind.KLASSENTREFFEN,
        title="Klassentreffen",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        place="Olpe",
        speaker=ida,
        speaker_name=NAME,
        speaker_municipality=iserlohn,
        capacity=20,
    )
    dates.registration_create(appointment=meeting, user=ida)
    dates.feed_token_get_or_create(user=ida)
    newsletter.subscription_request(email=EMAIL, consent=True)
    newsletter.news_item_submit(
        by=ida, municipality=iserlohn, title="Neues aus Iserlohn", body="Wir haben Daten."
    )
    guides.guide_create(by=office, title="Leitfaden Daten", summary="Wie es geht.", authors=[ida])
    joining.join_request_submit(
        municipality_name="Hemer", contact_name=NAME, function="IT", email=EMAIL
    )
    legal.barrier_report(message="Kontrast zu schwach.", name=NAME, email=EMAIL)
    for _ in range(2):
        Client().post("/konto/anmelden/", {"username": ida.username, "password": "falsch"})
    Client().post("/konto/anmelden/", {"username": ida.username, "password": PASSWORD})
    LogEntry.objects.create(
        user=office,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(ida.pk),
        object_repr=NAME,
        action_flag=CHANGE,
        change_message=f"E-Mail auf {EMAIL} geändert",
    )
    return {"project": project, "result": result, "agreement": agreement}


def _needles(person) -> list[str]:
    return [NAME, EMAIL, person.username, "Quellenberg"]


def _tables_holding(needles: list[str]) -> dict[str, list[str]]:
    """Every text column of every table, searched for each needle (case-insensitive)."""
    found: dict[str, list[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                values = model._default_manager.values_list(field.attname, flat=True)
                hits = [n for n in needles if any(n.lower() in str(v).lower() for v in values)]
            elif isinstance(field, models.CharField | models.TextField):
                hits = [
                    n
                    for n in needles
                    if model._default_manager.filter(**{f"{field.attname}__icontains": n}).exists()
                ]
            else:
                continue
            if hits:
                found.setdefault(model._meta.label, []).append(f"{field.name}: {hits}")
    return found


def test_the_traces_are_really_there_before(ida, traces):
    # Guards the test below: the search finds her in many tables before erasure.
    found = _tables_holding(_needles(ida))
    for label in (
        "workspace.User",
        "joining.JoinRequest",
        "workspace.BarrierReport",
        "newsletter.Subscriber",
        "dates.Appointment",
        "axes.AccessLog",
        "admin.LogEntry",
    ):
        assert label in found, label


def test_the_export_holds_every_classified_field_of_the_person(ida, traces, as_user):
    export = personal_data_export(ida)
    text = str(export)
    for needle in (NAME, EMAIL, "Neues aus Iserlohn", "Leitfaden Daten", "Hemer"):
        assert needle in text, needle
    by_label = {
        str(model._meta.verbose_name_plural): model
        for model in apps.get_models(include_auto_created=True)
    }
    for label, rows in export.items():
        classification = classification_of(by_label[label])
        wanted = {*classification.owner, *classification.person, *classification.personal}
        for row in rows:
            assert wanted <= set(row), f"{label}: {wanted - set(row)}"
    # The same through the pages: readable and as a download.
    assert NAME in as_user(ida).get("/konto/daten/").content.decode()
    assert EMAIL in str(as_user(ida).get("/konto/daten.json").json())


def test_erasure_leaves_no_trace_and_everything_still_renders(ida, traces, as_user, office):
    needles = _needles(ida)
    pseudonym = person_erase(ida)
    assert _tables_holding(needles) == {}
    ida.refresh_from_db()
    assert ida.username == pseudonym and not ida.is_active and not ida.has_usable_password()
    assert TeamMembership.objects.filter(user=ida).exists()  # the rows stay, pointing at her
    viewer = as_user(office)
    result, the_agreement = traces["result"], traces["agreement"]
    for url in (
        f"/leitprojekte/{result.project.slug}/ergebnisse/{result.pk}/",
        f"/leitprojekte/{result.project.slug}/ergebnisse/{result.pk}/versionen/",
        the_agreement.get_absolute_url(),
        f"/leitprojekte/{result.project.slug}/",
    ):
        response = viewer.get(url)
        assert response.status_code == 200, url
        assert NAME not in response.content.decode()
    assert result.history.count() == 2  # nothing of the history is lost


def test_erasure_through_the_command(ida, traces):
    from django.core.management import call_command

    call_command("erase_person", ida.username)
    assert _tables_holding(_needles(ida)) == {}
