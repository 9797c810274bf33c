"""The lead projects of the demo world (DESIGN.md), written through the services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from projects import services
from projects.models import Adoption, LeadProject, Result, TeamMembership, Template
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
        # Proposed to the steering committee; its held meeting agrees it (steering.demo).
        services.project_change_status(project=project, by=coordinator, to=Status.PROPOSED)

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
            # Agreed before the committee's decisions were kept here: its minutes are cited.
            decision = "Beschluss des Steuerkreises (Protokoll)" if step == Status.AGREED else ""
            services.project_change_status(
                project=project, by=office, to=step, reason=reason, decision=decision
            )


DATA_MODEL_V1 = """# Datenmodell für offene Haushaltsdaten

## Zweck

Dieses Datenmodell beschreibt, wie Kommunen ihre Haushaltsdaten einheitlich veröffentlichen.

## Felder

- Haushaltsjahr
- Produktbereich
- Ansatz in Euro
"""

DATA_MODEL_V2 = DATA_MODEL_V1.replace(
    "- Ansatz in Euro\n",
    "- Ansatz in Euro\n- Ergebnis in Euro\n- Stand der Daten (Datum)\n",
)

DATA_MODEL_V3 = (
    DATA_MODEL_V2
    + """
## Formate

Die Daten erscheinen als CSV (UTF-8, Semikolon) und als JSON. Beide Dateien tragen
dieselben Spaltennamen.

## Lizenz

Datenlizenz Deutschland – Namensnennung 2.0.
"""
)

PUBLISHING_V1 = """# Leitfaden: Daten veröffentlichen in fünf Schritten

1. Daten auswählen
2. Datenschutz prüfen
3. Hochladen
"""

PUBLISHING_V2 = PUBLISHING_V1.replace(
    "3. Hochladen\n", "3. Datenmodell anwenden\n4. Hochladen\n5. Öffentlich bekannt machen\n"
)

PUBLISHING_V3 = (
    PUBLISHING_V2.replace("2. Datenschutz prüfen", "2. Datenschutz und Urheberrecht prüfen")
    + "\nAnsprechpartner im Team: Fachbereich IT und Daten, Stadt Iserlohn.\n"
)

TENDER = """# Ausschreibungsvorlage: Smarte Straßenbeleuchtung

## Leistungsbeschreibung

Geliefert werden LED-Leuchten mit Bewegungssensoren, die bei Bedarf heller werden.

## Eignungskriterien

- Referenzen aus mindestens zwei Kommunen
- Wartung für zehn Jahre
"""


def _result(project, by, title, versions, *, kind, maturity="draft", summary=""):
    if project.results.filter(title=title).exists():
        return
    result = services.result_create(
        project=project,
        by=by,
        title=title,
        summary=summary,
        body=versions[0][0],
        kind=kind,
        maturity=maturity,
        note=versions[0][1],
    )
    for body, note in versions[1:]:
        services.result_update(
            result=result, by=by, base_revision=result.revision, note=note, body=body
        )


def seed_results(*, stdout) -> None:
    coordinator = User.objects.get(username="koordination-menden")
    editor = User.objects.get(username="team-iserlohn")
    office = User.objects.get(username="buero")
    platform = LeadProject.objects.get(slug=PLATFORM)
    _result(
        platform,
        coordinator,
        "Datenmodell für offene Haushaltsdaten",
        [
            (DATA_MODEL_V1, "Erste Fassung"),
            (DATA_MODEL_V2, "Ergebnis und Stand ergänzt"),
            (DATA_MODEL_V3, "Formate und Lizenz festgelegt"),
        ],
        kind=Result.Kind.DATA_MODEL,
        maturity=Result.Maturity.TESTED,
        summary="Einheitliche Felder und Formate für Haushaltsdaten aller Kommunen.",
    )
    _result(
        platform,
        editor,
        "Leitfaden Datenveröffentlichung",
        [
            (PUBLISHING_V1, "Gliederung"),
            (PUBLISHING_V2, "Schritte 3 bis 5"),
            (PUBLISHING_V3, "Urheberrecht und Ansprechpartner"),
        ],
        kind=Result.Kind.PROCESS,
        summary="Wie eine Kommune ihre Daten Schritt für Schritt veröffentlicht.",
    )
    lighting = LeadProject.objects.get(slug=LIGHTING)
    _result(
        lighting,
        office,
        "Ausschreibungsvorlage Smarte Straßenbeleuchtung",
        [(TENDER, "Fassung nach der Erprobung in Arnsberg")],
        kind=Result.Kind.TENDER,
        maturity=Result.Maturity.TESTED,
        summary="Vorlage für die Ausschreibung sensorgesteuerter Straßenbeleuchtung.",
    )


def seed_reuse(*, stdout) -> None:
    """The completed project's tender template, adopted by Warstein, one change not taken yet."""
    office = User.objects.get(username="buero")
    tender = Result.objects.get(
        project__slug=LIGHTING, title="Ausschreibungsvorlage Smarte Straßenbeleuchtung"
    )
    if Template.objects.filter(result=tender).exists():
        return
    template = services.template_publish(
        result=tender,
        by=office,
        licence=Template.Licence.CC_BY,
        recommended_revision=tender.revision,
        prerequisites="Ein Straßenbeleuchtungskataster und ein Beschluss des Rates zur Umrüstung.",
        effort="Etwa zwei Wochen für die Anpassung an die eigene Kommune.",
        contact="Stadt Arnsberg, Fachdienst Tiefbau",
    )
    warstein = Municipality.objects.get(name="Warstein")
    staff = User.objects.filter(username="warstein-tiefbau").first()
    if staff is None:
        from workspace import services as core

        staff = core.user_create(
            username="warstein-tiefbau", password=None, display_name="Wiebke Wienand"
        )
        core.membership_start(user=staff, municipality=warstein, function="Tiefbauamt")
    adoption = services.adoption_create(template=template, municipality=warstein, by=staff)
    services.adoption_set_status(
        adoption=adoption,
        by=staff,
        status=Adoption.Status.PILOT,
        experience="Pilot in zwei Straßenzügen; die Eignungskriterien passten ohne Änderung.",
    )
    services.result_update(
        result=tender,
        by=office,
        base_revision=tender.revision,
        note="Energieverbrauch als Zuschlagskriterium ergänzt",
        body=tender.body + "\n## Zuschlagskriterien\n\n- Preis (60 %)\n- Energieverbrauch (40 %)\n",
    )
