"""The demo world: the core's part here, each app's part registered as a seeder."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

DEMO_PASSWORD = "demo"  # noqa: S105 – printed on purpose; the command refuses to run without DEBUG

DEMO_ACCOUNTS = [
    ("buero", _("Geschäftsstelle: betreibt das Netzwerk, Newsletter, Termine, Beitritte")),
    ("steuerkreis-arnsberg", _("Delegierte*r Arnsbergs im Steuerkreis")),
    ("koordination-menden", _("Koordination des von Menden geleiteten Leitprojekts")),
    ("team-iserlohn", _("Mitarbeit (Bearbeitung) in diesem Leitprojekt, aus Iserlohn")),
    ("kommune-brilon", _("Mitarbeiter*in Brilons, in keinem Projekt (liest, nutzt Vorlagen nach)")),
]

Seeder = Callable[..., None]
_seeders: list[tuple[int, Seeder]] = []


def register_seeder(seeder: Seeder, *, order: int) -> None:
    """Apps register their part of the demo world in ``AppConfig.ready()``."""
    if all(existing is not seeder for _, existing in _seeders):
        _seeders.append((order, seeder))
        _seeders.sort(key=lambda item: item[0])


def run_seeders(*, stdout) -> None:
    from workspace.demo.core import seed_core

    seed_core(stdout=stdout)
    for _order, seeder in _seeders:
        seeder(stdout=stdout)
