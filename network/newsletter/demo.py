"""The Schülerzeitung of the demo world: two published issues with member news, one draft.

Written through the services; published without mailing anyone (``deliver=False``), so
seeding never sends mail. Idempotent: items and issues are found by their titles.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from network.newsletter import services
from network.newsletter.models import Issue, NewsItem
from workspace.models import Municipality, User

# title → (user name, municipality, text, link)
ITEMS = {
    "Iserlohn öffnet seine Parkdaten": (
        "team-iserlohn",
        "Iserlohn",
        "Die freien Plätze der **fünf Parkhäuser** in der Innenstadt stehen jetzt als offene "
        "Daten bereit, minütlich aktualisiert.\n\n- Lizenz: Datenlizenz Deutschland 2.0\n"
        "- Format: JSON und CSV",
        "https://www.iserlohn.de/",
    ),
    "Mendens Datenplattform: der erste Datensatz ist online": (
        "koordination-menden",
        "Menden",
        "Im Leitprojekt *Offene regionale Datenplattform* ist der erste Datensatz "
        "veröffentlicht: die Standorte aller Ladesäulen im Stadtgebiet.",
        "",
    ),
    "Brilon misst das Klima in den Klassenzimmern": (
        "kommune-brilon",
        "Brilon",
        "Zwölf LoRaWAN-Sensoren messen in drei Schulen Temperatur, Luftfeuchte und CO₂. "
        "Die Schulen sehen die Werte live und lüften gezielter.",
        "",
    ),
    "Arnsberg fragt nach: Beteiligung per App": (
        "steuerkreis-arnsberg",
        "Arnsberg",
        "Über 800 Bürgerinnen und Bürger haben sich an der ersten digitalen Umfrage zur "
        "Gestaltung des Neumarkts beteiligt. Die Ergebnisse fließen in die Planung ein.",
        "",
    ),
    "Smarte Abfallbehälter im Iserlohner Stadtpark": (
        "team-iserlohn",
        "Iserlohn",
        "Füllstandssensoren melden, wann ein Behälter geleert werden muss; die Touren des "
        "Bauhofs werden kürzer.",
        "",
    ),
}
WAITING = (
    "Freies WLAN am Briloner Marktplatz",
    "kommune-brilon",
    "Brilon",
    "Seit Mai gibt es am Marktplatz freies WLAN, betrieben mit der örtlichen Freifunk-Initiative.",
)
DECLINED = (
    "Menden sucht eine Projektleitung Smart City",
    "koordination-menden",
    "Menden",
    "Wir suchen zum nächstmöglichen Zeitpunkt eine Projektleitung (m/w/d).",
    "Stellenanzeigen veröffentlicht die Schülerzeitung leider nicht. Gern stellen wir die "
    "neue Projektleitung vor, sobald sie angefangen hat.",
)

ISSUES = [
    # title, editorial, item titles, days ago (None: draft)
    (
        "Frühjahr: offene Daten",
        "Liebe Leserinnen und Leser,\n\nin dieser Ausgabe geht es um **offene Daten**: "
        "zwei Kommunen zeigen, was sie schon veröffentlichen.",
        [
            "Iserlohn öffnet seine Parkdaten",
            "Mendens Datenplattform: der erste Datensatz ist online",
        ],
        70,
    ),
    (
        "Sommer: Schule und Beteiligung",
        "Liebe Leserinnen und Leser,\n\nvor den Ferien berichten Brilon und Arnsberg, wie "
        "Sensoren und Apps in Schule und Stadt ankommen.",
        [
            "Brilon misst das Klima in den Klassenzimmern",
            "Arnsberg fragt nach: Beteiligung per App",
        ],
        20,
    ),
    (
        "Herbst: Stadtgrün",
        "Liebe Leserinnen und Leser,\n\n(Entwurf) Diesmal: smarte Technik im Stadtgrün.",
        ["Smarte Abfallbehälter im Iserlohner Stadtpark"],
        None,
    ),
]


def _item(office: User, title: str, username: str, town: str, body: str, link: str = ""):
    item = NewsItem.objects.filter(title=title).first()
    if item is None:
        item = services.news_item_submit(
            by=User.objects.get(username=username),
            municipality=Municipality.objects.get(name=town),
            title=title,
            body=body,
            link=link,
        )
    return item


def seed_newsletter(*, stdout) -> None:
    office = User.objects.get(username="buero")
    items = {}
    for title, (username, town, body, link) in ITEMS.items():
        item = _item(office, title, username, town, body, link)
        if item.state == NewsItem.State.SUBMITTED:
            item = services.news_item_accept(item=item, by=office)
        items[title] = item
    _item(office, *WAITING)
    declined = _item(office, *DECLINED[:4])
    if declined.state == NewsItem.State.SUBMITTED:
        services.news_item_decline(item=declined, by=office, note=DECLINED[4])

    for title, editorial, item_titles, days_ago in ISSUES:
        issue = Issue.objects.filter(title=title).first()
        if issue is None:
            issue = services.issue_create(
                by=office,
                title=title,
                editorial=editorial,
                items=[items[t] for t in item_titles],
            )
        if days_ago is not None and issue.state == Issue.State.DRAFT:
            services.issue_send(
                issue=issue,
                by=office,
                deliver=False,
                published_at=timezone.now() - datetime.timedelta(days=days_ago),
            )
