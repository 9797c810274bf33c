"""The lead projects of the demo world (DESIGN.md), written through the services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from projects import services
from projects.models import LeadProject, TeamMembership
from workspace.models import Municipality, Topic, User

Status = LeadProject.Status

PLATFORM = "offene-regionale-datenplattform"
PARTICIPATION = "digitale-buergerbeteiligung"
LIGHTING = "smarte-strassenbeleuchtung"


def seed_projects(*, stdout) -> None:
    office = User.objects.get(username="buero")
    coordinator = User.objects.get(username="koordination-menden")
    editor = User.objects.get(username="team-iserlohn")
    town = {m.name: m for m in Municipality.objects.all()}
    topic = {t.name: t for t in Topic.objects.all()}
    today = timezone.localdate()

    if not LeadProject.objects.filter(slug=PLATFORM).exists():
        project = services.project_create(
            by=coordinator,
            title="Offene regionale Datenplattform",
            summary=(
                "Eine gemeinsame, offene Datenplattform, auf der Kommunen ihre Daten "
                "maschinenlesbar bereitstellen und nachnutzen."
            ),
            description=(
                "## Ziel\n\nJede Kommune veröffentlicht ihre offenen Daten an einem Ort, "
                "mit gemeinsamen Datenmodellen und ohne eigene Plattform.\n\n"
                "## Vorgehen\n\n- Datenmodelle abstimmen\n- Pilotdaten aus Menden und Iserlohn\n"
                "- Betrieb für die Region klären"
            ),
            lead_municipality=town["Menden"],
            participants=[town["Iserlohn"], town["Arnsberg"]],
            topics=[topic["Offene Daten"], topic["Infrastruktur"]],
            criterion_concerns_all="Jede Kommune hat Daten, die Bürgerschaft und Wirtschaft nutzen können.",
            criterion_saves_resources="Eine Plattform statt zwanzig: Betrieb und Pflege werden geteilt.",
            criterion_joint_impact="Gemeinsame Datenmodelle machen Daten der Region vergleichbar.",
            starts_on=today - datetime.timedelta(days=240),
        )
        services.team_member_add(
            project=project, by=coordinator, user=editor, role=TeamMembership.Role.EDITOR
        )
        services.project_change_status(project=project, by=coordinator, to=Status.PROPOSED)
        services.project_change_status(
            project=project,
            by=office,
            to=Status.AGREED,
            reason="Der Steuerkreis hat die Zusammenarbeit in seiner Sitzung vereinbart.",
        )
        services.project_change_status(project=project, by=coordinator, to=Status.RUNNING)

    if not LeadProject.objects.filter(slug=PARTICIPATION).exists():
        project = services.project_create(
            by=office,
            title="Digitale Bürgerbeteiligung",
            summary="Ein gemeinsamer Werkzeugkasten für Beteiligung online und vor Ort.",
            lead_municipality=town["Soest"],
            participants=[town["Lippstadt"], town["Warstein"]],
            topics=[topic["Bürgerbeteiligung"]],
            criterion_concerns_all="Alle Kommunen beteiligen ihre Bürgerinnen und Bürger.",
            criterion_saves_resources="Ein Verfahren und eine Plattform für viele Kommunen.",
            criterion_joint_impact="Erfahrungen aus mehreren Kommunen machen das Verfahren besser.",
        )
        services.project_change_status(project=project, by=office, to=Status.PROPOSED)

    if not LeadProject.objects.filter(slug=LIGHTING).exists():
        project = services.project_create(
            by=office,
            title="Smarte Straßenbeleuchtung",
            summary="Sensorgesteuerte Straßenbeleuchtung, die Energie spart und sicher bleibt.",
            lead_municipality=town["Arnsberg"],
            participants=[town["Olpe"]],
            topics=[topic["Klima und Umwelt"], topic["Infrastruktur"]],
            criterion_concerns_all="Jede Kommune betreibt Straßenbeleuchtung und zahlt für Energie.",
            criterion_saves_resources="Eine Ausschreibung als Vorlage spart jeder Kommune Monate.",
            criterion_joint_impact="Gemeinsame Anforderungen geben mehr Gewicht gegenüber Anbietern.",
            starts_on=today - datetime.timedelta(days=700),
            ends_on=today - datetime.timedelta(days=60),
        )
        for step, reason in [
            (Status.PROPOSED, ""),
            (Status.AGREED, "Vom Steuerkreis vereinbart."),
            (Status.RUNNING, ""),
            (Status.COMPLETED, "Ausschreibungsvorlage fertig und in Arnsberg erprobt."),
        ]:
            services.project_change_status(project=project, by=office, to=step, reason=reason)
