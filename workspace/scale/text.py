"""Cheap German-looking Markdown for the synthetic network.

A fixed pool of blocks (headings, paragraphs, lists) is made once from a word list; a body is a
sequence of block numbers, and a new version swaps, inserts or drops a block or two, so diffs
between versions look like real edits while writing a million of them costs a ``join``.
Blocks are stored already escaped for COPY's text format (no tab, newline or backslash left).
"""

# Synthetic data from a seeded random on purpose: reproducible, never a secret.
# ruff: noqa: S311

from __future__ import annotations

import random

NOUNS = """
Schule Schulträger Kommune Gemeinde Stadt Kreis Verwaltung Digitalisierung Medienentwicklungsplan
Endgerät Tablet Glasfaser Breitband WLAN Netzwerk Serverraum Lernplattform Datenschutz
Elternbrief Schulkonferenz Lehrkraft Schülerin Schüler Klassenzimmer Ausstattung Förderung
Förderantrag Haushalt Ausschreibung Vergabe Beschaffung Wartung Support Fortbildung Konzept
Prozess Checkliste Vorlage Ergebnis Leitprojekt Steuerkreis Arbeitsgruppe Zeitplan Meilenstein
Beteiligung Bürgerbeteiligung Jugendrat Offene Daten Datenplattform Schnittstelle Standard
Barrierefreiheit Rechenzentrum Dienstleister Vertrag Rahmenvertrag Leistungsverzeichnis
Sicherheitskonzept Passwortrichtlinie Benutzerverwaltung Anmeldung Identität Schulbuch
Medienkompetenz Unterricht Stundenplan Ganztag Mensa Schulweg Sensor Raumklima Lüftung
Energieverbrauch Photovoltaik Gebäude Sanierung Hausmeister Ansprechperson Rückmeldung
Erfahrung Pilotphase Betrieb Übergabe Dokumentation Anleitung Schulung Evaluation Kennzahl
""".split()
VERBS = """
abstimmen beschaffen prüfen einführen dokumentieren vereinbaren klären planen ausrollen
begleiten bewerten übernehmen anpassen beschreiben festlegen beantragen bereitstellen
schulen testen erproben verbessern zusammenführen veröffentlichen verantworten
""".split()
ADJECTIVES = """
digitale gemeinsame kommunale regionale offene sichere einfache barrierefreie verlässliche
neue bestehende zentrale dezentrale pädagogische technische rechtliche wirtschaftliche
nachhaltige transparente schnelle günstige abgestimmte erprobte
""".split()
LINKS = "und oder sowie aber denn damit weil wenn".split()


def _sentence(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(6, 14)):
        pick = rng.random()
        if pick < 0.5:
            words.append(rng.choice(NOUNS))
        elif pick < 0.7:
            words.append(rng.choice(ADJECTIVES))
        elif pick < 0.85:
            words.append(rng.choice(VERBS))
        else:
            words.append(rng.choice(LINKS))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _block(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.15:
        return f"## {rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS)}"
    if kind < 0.3:
        return "\\n".join(
            f"- {rng.choice(NOUNS)} {rng.choice(VERBS)}" for _ in range(rng.randint(3, 7))
        )
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 8)))


class Prose:
    """The block pool; every method takes the caller's seeded random."""

    def __init__(self, seed: int, size: int = 3000) -> None:
        rng = random.Random(seed)
        self.blocks = [_block(rng) for _ in range(size)]
        self.lengths = [len(b.encode()) for b in self.blocks]
        self.average = sum(self.lengths) / size
        self.size = size

    def start(self, rng: random.Random, low: int = 2000, high: int = 20000) -> list[int]:
        """Block numbers of a first version of ``low``–``high`` bytes."""
        wanted = rng.randint(low, high)
        count = max(2, round(wanted / (self.average + 4)))
        return [rng.randrange(self.size) for _ in range(count)]

    def edit(self, rng: random.Random, blocks: list[int]) -> list[int]:
        """The next version: one or two blocks replaced, sometimes one added or dropped."""
        blocks = list(blocks)
        for _ in range(rng.randint(1, 2)):
            blocks[rng.randrange(len(blocks))] = rng.randrange(self.size)
        pick = rng.random()
        if pick < 0.25:
            blocks.insert(rng.randrange(len(blocks) + 1), rng.randrange(self.size))
        elif pick < 0.4 and len(blocks) > 3:
            del blocks[rng.randrange(len(blocks))]
        return blocks

    def body(self, blocks: list[int]) -> str:
        """The COPY-escaped Markdown of ``blocks``."""
        pool = self.blocks
        return "\\n\\n".join([pool[i] for i in blocks])

    def paragraph(self, rng: random.Random) -> str:
        return _sentence(rng) + " " + _sentence(rng)

    def sentence(self, rng: random.Random) -> str:
        return _sentence(rng)

    def title(self, rng: random.Random) -> str:
        return f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS)} {rng.choice(VERBS)}"


def plain(escaped: str) -> str:
    """The real text of a COPY-escaped block (for tests and search words)."""
    return escaped.replace("\\n", "\n")
