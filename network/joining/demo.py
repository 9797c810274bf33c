"""Joining's part of the demo world: the region's 59 towns the join form lists, requests
waiting for the office, one joined to another."""

from __future__ import annotations

from network.joining import services
from network.joining.models import JoinRequest
from network.joining.region import region_seed

REQUESTS = [
    (
        "Meschede",
        "Maria Menke",
        "Stabsstelle Digitalisierung",
        "maria.menke@example.org",
        "Wir starten gerade unsere Smart-City-Strategie und möchten von den Pionieren lernen.",
    ),
    (
        "Meschede",
        "Moritz Mertin",
        "Hauptamt",
        "moritz.mertin@example.org",
        "Unsere Kollegin hat schon geschrieben; ich würde gern ebenfalls mitarbeiten.",
    ),
    (
        "Altena",
        "Aylin Arslan",
        "Wirtschaftsförderung",
        "aylin.arslan@example.org",
        "Uns interessiert vor allem die offene Datenplattform aus Menden.",
    ),
]


def seed_joining(*, stdout) -> None:
    region_seed()
    created = 0
    for municipality, name, function, email, message in REQUESTS:
        if JoinRequest.objects.filter(email=email).exists():
            continue
        services.join_request_submit(
            municipality_name=municipality,
            contact_name=name,
            function=function,
            email=email,
            message=message,
        )
        created += 1
    if created:
        stdout.write(f"Beitrittsanfragen: {created} offen")
