"""The core's part of the demo world: municipalities, cohorts, topics, demo accounts."""

from __future__ import annotations

import datetime

from workspace import districts as D
from workspace import services
from workspace.demo import DEMO_PASSWORD
from workspace.models import Cohort, District, Membership, Municipality, Topic, User
from workspace.text import german_slugify

PIONEERS = {
    "Arnsberg": D.HOCHSAUERLANDKREIS,
    "Bad Berleburg": D.SIEGEN_WITTGENSTEIN,
    "Menden": D.MAERKISCHER_KREIS,
    "Olpe": D.OLPE,
    "Soest": D.SOEST,
}

# The members named on the network's page: Klasse 2020 had 13 by December 2020 and kept
# growing into 2021. Values: district, year and month of joining.
MEMBERS = {
    "Attendorn": (D.OLPE, 2020, 9),
    "Brilon": (D.HOCHSAUERLANDKREIS, 2020, 9),
    "Burbach": (D.SIEGEN_WITTGENSTEIN, 2020, 10),
    "Drolshagen": (D.OLPE, 2020, 10),
    "Iserlohn": (D.MAERKISCHER_KREIS, 2020, 9),
    "Lippstadt": (D.SOEST, 2020, 9),
    "Lüdenscheid": (D.MAERKISCHER_KREIS, 2020, 11),
    "Netphen": (D.SIEGEN_WITTGENSTEIN, 2020, 11),
    "Neunkirchen": (D.SIEGEN_WITTGENSTEIN, 2020, 11),
    "Plettenberg": (D.MAERKISCHER_KREIS, 2020, 12),
    "Siegen": (D.SIEGEN_WITTGENSTEIN, 2020, 10),
    "Warstein": (D.SOEST, 2020, 12),
    "Werdohl": (D.MAERKISCHER_KREIS, 2020, 12),
    "Wilnsdorf": (D.SIEGEN_WITTGENSTEIN, 2021, 1),  # joined Klasse 2020 in 2021
    "Winterberg": (D.HOCHSAUERLANDKREIS, 2021, 2),
}

# The members that are Gemeinden, not Städte ("Mitarbeiter*in der Gemeinde Burbach").
GEMEINDEN = {"Burbach", "Neunkirchen", "Wilnsdorf"}

COHORTS = {
    2020: "Die erste Klasse: die Kommunen, die sich 2020 den fünf Pionierkommunen angeschlossen haben.",
    2021: "Die Klasse 2021 steht allen Kommunen Südwestfalens offen.",
}

TOPICS = [
    ("Bürgerbeteiligung", "Beteiligung der Bürgerinnen und Bürger, digital und vor Ort."),
    ("Offene Daten", "Daten der Verwaltung offen, maschinenlesbar und nachnutzbar bereitstellen."),
    ("Digitale Verwaltung", "Verwaltungsleistungen online, Prozesse ohne Medienbruch."),
    ("Mobilität", "Mobilität im ländlichen Raum, Sharing, ÖPNV und Radverkehr."),
    ("Klima und Umwelt", "Klimaschutz, Klimafolgenanpassung und Umweltdaten."),
    ("Smart-City-Strategie", "Einen Smart-City-Prozess anstoßen, steuern und verankern."),
    ("Digitale Bildung", "Schulen und Weiterbildung in der digitalen Kommune."),
    ("Infrastruktur", "Breitband, Sensorik, LoRaWAN und offene Plattformen."),
    ("Wirtschaft und Innenstadt", "Lebendige Ortskerne, Handel und Tourismus."),
]

ACCOUNTS = [
    # username, display name, e-mail, municipality, role, function
    ("buero", "Geschäftsstelle Smart Cities: Schule", "buero@example.org", None, None, ""),
    (
        "steuerkreis-arnsberg",
        "Anna Albers",
        "anna.albers@example.org",
        "Arnsberg",
        Membership.Role.CONTACT,
        "Digitalisierungsbeauftragte",
    ),
    (
        "koordination-menden",
        "Mehmet Mertens",
        "mehmet.mertens@example.org",
        "Menden",
        Membership.Role.CONTACT,
        "Smart-City-Koordination",
    ),
    (
        "team-iserlohn",
        "Ida Imhoff",
        "ida.imhoff@example.org",
        "Iserlohn",
        Membership.Role.STAFF,
        "Fachbereich IT und Daten",
    ),
    (
        "kommune-brilon",
        "Bernd Brüggemann",
        "bernd.brueggemann@example.org",
        "Brilon",
        Membership.Role.STAFF,
        "Hauptamt",
    ),
]


def seed_core(*, stdout) -> None:
    cohorts = {
        year: Cohort.objects.get_or_create(year=year, defaults={"description": text})[0]
        for year, text in COHORTS.items()
    }
    districts = D.south_westphalia_districts()
    for name, key in PIONEERS.items():
        _municipality(name, district=districts[key], pioneer=True, cohort=None, joined=(2020, 6))
    for name, (key, year, month) in MEMBERS.items():
        _municipality(
            name, district=districts[key], pioneer=False, cohort=cohorts[2020], joined=(year, month)
        )
    for name, description in TOPICS:
        Topic.objects.get_or_create(
            slug=german_slugify(name), defaults={"name": name, "description": description}
        )
    for username, display_name, email, municipality, role, function in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = services.user_create(
                username=username, password=DEMO_PASSWORD, display_name=display_name, email=email
            )
        if municipality:
            services.membership_start(
                user=user,
                municipality=Municipality.objects.get(slug=german_slugify(municipality)),
                role=role,
                function=function,
                started_on=datetime.date(2020, 9, 1),
            )
        else:
            services.network_office_add(user=user)


def _municipality(
    name: str, *, district: District, pioneer: bool, cohort: Cohort | None, joined: tuple[int, int]
) -> Municipality:
    municipality, _ = Municipality.objects.get_or_create(
        slug=german_slugify(name),
        defaults={
            "name": name,
            "kind": Municipality.Kind.MUNICIPALITY if name in GEMEINDEN else Municipality.Kind.CITY,
            "district": district,
            "is_pioneer": pioneer,
            "is_member": True,
            "cohort": cohort,
            "joined_on": datetime.date(*joined, 1),
        },
    )
    return municipality
