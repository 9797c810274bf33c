"""The guides and the glossary of the demo world, written through the services.

Idempotent: a guide or term that exists (by its slug or name) is left alone, so a second run
writes no version and changes nothing. Months are relative to the day of seeding.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from network.guides import services
from network.guides.models import Guide, Term
from projects.models import LeadProject, Result
from workspace.models import Topic, User
from workspace.text import german_slugify

# name, definition, synonyms, related terms
TERMS: list[tuple[str, str, list[str], list[str]]] = [
    (
        "Smart City",
        "Eine Kommune, die digitale Werkzeuge gezielt einsetzt, um das Leben vor Ort "
        "lebenswerter, die Verwaltung einfacher und den Ressourceneinsatz sparsamer zu machen. "
        "Im Mittelpunkt stehen die Menschen, nicht die Technik.",
        ["Smart Cities", "smarte Kommune"],
        ["Smart-City-Strategie", "Leitprojekt"],
    ),
    (
        "Smart-City-Strategie",
        "Das schriftlich festgehaltene Zielbild einer Kommune für ihre digitale Entwicklung, "
        "mit Handlungsfeldern, Maßnahmen und einer Antwort auf die Frage, wer was steuert.",
        ["Digitalstrategie"],
        ["Smart City", "Fördermittel"],
    ),
    (
        "Leitprojekt",
        "Ein Vorhaben, das eine Pionierkommune stellvertretend für die Region vordenkt. Seine "
        "Ergebnisse bleiben bearbeitbar und dienen anderen Kommunen als Vorlage.",
        ["Leitprojekte"],
        ["Pionierkommune", "Steuerkreis", "Nachnutzung"],
    ),
    (
        "Pionierkommune",
        "Eine der fünf Kommunen, die im Netzwerk vorangehen: Arnsberg, Bad Berleburg, Menden, "
        "Olpe und Soest. Sie übernehmen in der Regel die Federführung in Leitprojekten.",
        ["Pionierkommunen"],
        ["Leitprojekt"],
    ),
    (
        "Steuerkreis",
        "Das Gremium der Delegierten der Pionierkommunen. Es verabredet jede Zusammenarbeit in "
        "Leitprojekten förmlich durch einen Beschluss.",
        [],
        ["Leitprojekt"],
    ),
    (
        "Nachnutzung",
        "Eine Kommune übernimmt das Ergebnis einer anderen als Vorlage und passt es an ihre "
        "eigene Lage an, statt von vorn zu beginnen.",
        ["nachnutzen", "Nachnutzungen"],
        ["Leitprojekt", "Open Source"],
    ),
    (
        "Open Data",
        "Daten der Verwaltung, die ohne Einschränkung, maschinenlesbar und unter einer offenen "
        "Lizenz für alle zur freien Weiterverwendung bereitstehen.",
        ["Offene Daten", "offene Verwaltungsdaten"],
        ["Datenportal", "Metadaten", "Datenlizenz"],
    ),
    (
        "Datenportal",
        "Eine Website, auf der eine oder mehrere Verwaltungen ihre offenen Datensätze mit "
        "Beschreibung auffindbar machen und zum Herunterladen anbieten.",
        ["Open-Data-Portal", "Datenplattform"],
        ["Open Data", "Metadaten"],
    ),
    (
        "Metadaten",
        "Daten über Daten: wer einen Datensatz herausgibt, was er enthält, wie aktuell er ist "
        "und unter welcher Lizenz er steht.",
        [],
        ["Open Data", "Datenportal"],
    ),
    (
        "Datenlizenz",
        "Die Erlaubnis, unter der Daten genutzt werden dürfen, zum Beispiel die "
        "Datenlizenz Deutschland – Namensnennung oder eine Creative-Commons-Lizenz.",
        ["Lizenz"],
        ["Open Data"],
    ),
    (
        "Bürgerbeteiligung",
        "Verfahren, in denen Einwohnerinnen und Einwohner ihre Sicht in Planungen und "
        "Entscheidungen der Kommune einbringen, online, vor Ort oder beides.",
        ["Beteiligung", "Partizipation"],
        ["Beteiligungsplattform", "Reallabor"],
    ),
    (
        "Beteiligungsplattform",
        "Eine Software, über die eine Kommune Beteiligungsverfahren online durchführt: "
        "Vorschläge sammeln, kommentieren lassen, abstimmen und Ergebnisse zurückmelden.",
        [],
        ["Bürgerbeteiligung", "Open Source"],
    ),
    (
        "Reallabor",
        "Ein zeitlich begrenzter Versuch im echten Alltag einer Kommune, in dem eine Lösung mit "
        "den Menschen vor Ort erprobt und ausgewertet wird, bevor sie dauerhaft eingeführt wird.",
        ["Reallabore"],
        ["Bürgerbeteiligung"],
    ),
    (
        "Fördermittel",
        "Geld von Bund, Land oder EU, das Vorhaben unter bestimmten Bedingungen mitfinanziert. "
        "Meist mit Eigenanteil, Fristen und einer Pflicht zum Verwendungsnachweis.",
        ["Förderprogramm", "Förderprogramme", "Förderung"],
        ["Verwendungsnachweis", "Smart-City-Strategie"],
    ),
    (
        "Verwendungsnachweis",
        "Der Bericht, mit dem eine Kommune nach einem geförderten Vorhaben belegt, wofür sie "
        "die Fördermittel ausgegeben hat und was erreicht wurde.",
        [],
        ["Fördermittel"],
    ),
    (
        "Onlinezugangsgesetz",
        "Das Bundesgesetz, das Bund, Länder und Kommunen verpflichtet, ihre "
        "Verwaltungsleistungen auch online anzubieten.",
        ["OZG"],
        ["Digitale Verwaltung"],
    ),
    (
        "Digitale Verwaltung",
        "Eine Verwaltung, deren Leistungen und Abläufe ohne Medienbruch digital funktionieren, "
        "vom Antrag bis zur Akte.",
        ["E-Government"],
        ["Onlinezugangsgesetz", "Schnittstelle"],
    ),
    (
        "Schnittstelle",
        "Eine vereinbarte Art, wie zwei Programme Daten austauschen. Offene, dokumentierte "
        "Schnittstellen verhindern, dass eine Kommune an einen Anbieter gebunden bleibt.",
        ["API", "Schnittstellen"],
        ["Open Source", "Digitale Verwaltung"],
    ),
    (
        "Open Source",
        "Software, deren Quelltext offenliegt und unter einer Lizenz steht, die Nutzung, "
        "Änderung und Weitergabe erlaubt. Kommunen können sie gemeinsam nutzen und weiterentwickeln.",
        ["quelloffene Software", "Open-Source-Software"],
        ["Nachnutzung", "Schnittstelle"],
    ),
    (
        "LoRaWAN",
        "Ein Funknetz für Sensoren, das mit wenig Strom große Entfernungen überbrückt, etwa für "
        "Füllstände, Bodenfeuchte oder Parkplatzbelegung.",
        ["LoRa-Funknetz"],
        ["Sensorik"],
    ),
    (
        "Sensorik",
        "Messfühler im öffentlichen Raum, die Werte wie Temperatur, Luftqualität oder "
        "Verkehrsaufkommen erfassen und übermitteln.",
        ["Sensoren"],
        ["LoRaWAN", "Open Data"],
    ),
    (
        "Interkommunale Zusammenarbeit",
        "Kommunen erledigen eine Aufgabe gemeinsam, teilen Kosten und Wissen und treten "
        "gegenüber Anbietern mit mehr Gewicht auf.",
        ["interkommunal"],
        ["Leitprojekt", "Nachnutzung"],
    ),
]


START_V1 = """Ein Smart-City-Prozess beginnt nicht mit Technik, sondern mit einer Frage: Was soll in
unserer Kommune in fünf Jahren besser sein als heute?

## Den Auftrag klären

Holen Sie sich früh einen Beschluss des Rates oder zumindest einen klaren Auftrag der
Verwaltungsspitze. Ohne ihn bleibt die Smart City ein Hobby einzelner Mitarbeitender.

## Eine Kümmerin oder einen Kümmerer benennen

Jemand muss den Prozess zusammenhalten. In den Pionierkommunen hat sich eine Stelle bewährt,
die nah an der Verwaltungsspitze angesiedelt ist und Zeit für Abstimmungen hat.
"""

START_V2 = (
    START_V1
    + """
## Mit dem Bestand anfangen

Sammeln Sie, was es schon gibt: laufende Digitalisierungsvorhaben, Daten, Fachverfahren,
engagierte Menschen. Fast immer ist mehr vorhanden, als die Verwaltung selbst weiß.

## Die Strategie gemeinsam schreiben

Eine Smart-City-Strategie, die nur im Rathaus entsteht, trägt nicht. Laden Sie Vereine,
Unternehmen und Schulen ein und nutzen Sie Formate der Bürgerbeteiligung.
"""
)

START_V3 = (
    START_V2
    + """
## Klein anfangen, sichtbar werden

Wählen Sie ein erstes Vorhaben, das in einem Jahr Ergebnisse zeigt – etwa offene Daten zu
Parkplätzen oder eine Sprechstunde online. Sichtbare Erfolge tragen den Prozess durch die
langen Phasen dazwischen.

## Nicht allein bleiben

Was eine Nachbarkommune schon erarbeitet hat, müssen Sie nicht neu erfinden. Prüfen Sie die
Vorlagen des Netzwerks und fragen Sie im Pausenhof nach Erfahrungen.

`Tipp: Die Checkliste „Start“ liegt bei der Geschäftsstelle.`
"""
)

PARTICIPATION = """Bürgerbeteiligung gelingt, wenn vorher feststeht, worüber die Menschen wirklich
mitentscheiden können – und worüber nicht.

## Den Spielraum ehrlich benennen

Schreiben Sie auf, was schon entschieden ist, was offen ist und wer am Ende entscheidet.
Enttäuschte Erwartungen schaden mehr als eine Beteiligung, die gar nicht stattfindet.

## Online und vor Ort verbinden

Eine Beteiligungsplattform erreicht Berufstätige und Jüngere, ein Termin im Dorfgemeinschaftshaus
die Älteren. In Soest und Lippstadt hat die Verbindung beider Wege die meisten Stimmen gebracht.

- Online-Phase von mindestens drei Wochen
- zwei Termine vor Ort, einer davon am Abend
- Ergebnisse auf beiden Wegen zurückmelden

## Zurückmelden, was aus den Beiträgen wurde

Veröffentlichen Sie nach der Entscheidung, welche Vorschläge aufgenommen wurden und warum
andere nicht. Das ist der Schritt, der am häufigsten vergessen wird.
"""

OPEN_DATA_V1 = """Open Data beginnt mit einem einzigen Datensatz, nicht mit einer Plattform.

## Einen ersten Datensatz wählen

Gut geeignet sind Daten, die oft angefragt werden: Haushaltsdaten, Standorte von
Ladesäulen, Öffnungszeiten.
"""

OPEN_DATA_V2 = (
    OPEN_DATA_V1
    + """
## Beschreiben und lizenzieren

Jeder Datensatz braucht Metadaten (wer, was, wie aktuell) und eine klare Datenlizenz. Ohne
Lizenz darf niemand die Daten sicher weiterverwenden.

## Am gemeinsamen Datenmodell ausrichten

Menden und Iserlohn haben ein gemeinsames Datenmodell für Haushaltsdaten erprobt. Wer es
übernimmt, macht seine Daten mit denen der Nachbarn vergleichbar.
"""
)

FUNDING = """Dieser Leitfaden entsteht gerade. Er wird zeigen, wie eine Kommune passende
Förderprogramme findet, den Eigenanteil plant und den Verwendungsnachweis von Anfang an
mitdenkt.

## Geplante Abschnitte

- Förderlandschaft für Smart-City-Vorhaben im Überblick
- Anträge gemeinsam mit Nachbarkommunen stellen
- Fristen, Eigenanteil und Personal realistisch planen
"""


def _month(offset: int) -> datetime.date:
    """The first day of the month ``offset`` months from today's."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 + offset
    return datetime.date(index // 12, index % 12 + 1, 1)


def seed_guides(*, stdout) -> None:
    office = User.objects.get(username="buero")
    people = {
        u.username: u
        for u in User.objects.filter(
            username__in=["koordination-menden", "team-iserlohn", "steuerkreis-arnsberg"]
        )
    }
    topic = {t.name: t for t in Topic.objects.all()}

    names = {term.name for term in Term.objects.only("name")}
    for name, definition, synonyms, _related in TERMS:
        if name not in names:
            services.term_create(
                by=office, name=name, definition=definition, synonyms="\n".join(synonyms)
            )
    by_name = {term.name: term for term in Term.objects.all()}
    for name, _definition, _synonyms, related in TERMS:
        term = by_name[name]
        have = set(term.related.all())
        wanted = {by_name[r] for r in related}
        if not wanted <= have:  # relations are mutual: the other side may have added some
            services.term_update(
                term=term,
                by=office,
                name=term.name,
                definition=term.definition,
                synonyms=term.synonyms,
                related=[*have, *wanted],
            )

    platform = LeadProject.objects.filter(slug="offene-regionale-datenplattform").first()
    participation = LeadProject.objects.filter(slug="digitale-buergerbeteiligung").first()
    data_model = Result.objects.filter(title="Datenmodell für offene Haushaltsdaten").first()

    def exists(title: str) -> bool:
        return Guide.objects.filter(slug=german_slugify(title)[:70]).exists()

    title = "Einen Smart-City-Prozess starten"
    if not exists(title):
        guide = services.guide_create(
            by=office,
            title=title,
            summary="Die ersten Schritte einer Kommune auf dem Weg zur Smart City: Auftrag, "
            "Zuständigkeit, Bestand und erste sichtbare Vorhaben.",
            body=START_V1,
            status=Guide.Status.PUBLISHED,
            published_in=_month(0),
            topics=[topic["Smart-City-Strategie"]],
            authors=[people["koordination-menden"]],
            note="Erste Fassung",
        )
        for body, note in [
            (START_V2, "Bestand und Strategie ergänzt"),
            (START_V3, "Erste Vorhaben und Netzwerk ergänzt"),
        ]:
            services.guide_update(
                guide=guide,
                by=people["koordination-menden"],
                base_revision=guide.revision,
                body=body,
                note=note,
            )

    title = "Bürgerbeteiligung online und vor Ort verbinden"
    if not exists(title):
        services.guide_create(
            by=office,
            title=title,
            summary="Wie Kommunen Beteiligung planen, die Menschen wirklich erreicht, und "
            "warum die Rückmeldung am Ende zählt.",
            body=PARTICIPATION,
            status=Guide.Status.PUBLISHED,
            published_in=_month(-2),
            topics=[topic["Bürgerbeteiligung"]],
            authors=[people["steuerkreis-arnsberg"]],
            lead_projects=[participation] if participation else [],
            note="Erste Fassung",
        )

    title = "Offene Daten veröffentlichen: vom ersten Datensatz zum Portal"
    if not exists(title):
        guide = services.guide_create(
            by=office,
            title=title,
            summary="Ein Datensatz, gute Metadaten, eine klare Lizenz: so veröffentlicht eine "
            "Kommune ihre ersten offenen Daten.",
            body=OPEN_DATA_V1,
            topics=[topic["Offene Daten"], topic["Infrastruktur"]],
            authors=[people["koordination-menden"], people["team-iserlohn"]],
            lead_projects=[platform] if platform else [],
            results=[data_model] if data_model else [],
            note="Erste Fassung",
        )
        services.guide_update(
            guide=guide,
            by=people["team-iserlohn"],
            base_revision=guide.revision,
            body=OPEN_DATA_V2,
            status=Guide.Status.PUBLISHED,
            published_in=_month(-1),
            note="Lizenz und Datenmodell ergänzt",
        )

    title = "Fördermittel für Smart-City-Vorhaben finden und beantragen"
    if not exists(title):
        services.guide_create(
            by=office,
            title=title,
            summary="Förderprogramme finden, Anträge mit Nachbarkommunen stellen und den "
            "Verwendungsnachweis von Anfang an mitdenken.",
            body=FUNDING,
            status=Guide.Status.PLANNED,
            published_in=_month(1),
            topics=[topic["Smart-City-Strategie"], topic["Digitale Verwaltung"]],
            authors=[people["steuerkreis-arnsberg"]],
            note="Gliederung",
        )
