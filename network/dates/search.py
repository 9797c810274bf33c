"""What the search finds of the network's dates: every date is public
(``network.dates.permissions``), so every Klassentreffen and Pausenhof can be found."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from network.dates.models import Appointment
from workspace.search import Document, Filters, SearchProvider, Source, register_providers

# PostgreSQL stores the vector of exactly these fields (migration 0004).
APPOINTMENT_DOCUMENT = Document(
    "termin", Appointment, "title", ("description", "place", "speaker_name")
)


def appointment_sources(user, filters: Filters) -> list[Source]:
    appointments = Appointment.objects.all()
    if filters.topic:
        appointments = appointments.filter(topics=filters.topic)
    if filters.municipality:
        appointments = appointments.filter(speaker_municipality=filters.municipality)
    return [Source(appointments, APPOINTMENT_DOCUMENT, meta="place", when="starts_at")]


PROVIDER = SearchProvider(
    kind="termin",
    label=_("Termine"),
    singular=_("Termin"),
    sources=appointment_sources,
    documents=[APPOINTMENT_DOCUMENT],
    url=lambda pk, _a, _b: reverse("dates:detail", kwargs={"pk": pk}),
    order=80,
)


def register() -> None:
    register_providers(PROVIDER)
