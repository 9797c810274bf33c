"""Small text helpers shared by the apps."""

from django.utils.text import slugify

_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def german_slugify(value: str) -> str:
    """``slugify`` that spells umlauts as Germans do: „Bürgerbeteiligung“ → buergerbeteiligung."""
    return slugify(value.translate(_GERMAN))
