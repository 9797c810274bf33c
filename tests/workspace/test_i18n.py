"""German first, English second: every visible word goes through the catalogue.

- The template lint finds text a visitor would read that is not wrapped in ``{% translate %}``
  or ``{% blocktranslate %}``: text nodes, the readable attributes (``alt``, ``title``,
  ``aria-label``, ``placeholder``, ``data-text-*``) and, in ``.txt`` templates such as the
  mails, everything outside a tag.
- The English catalogue has no untranslated and no fuzzy message (``make messages`` compiles
  fuzzy ones with ``--use-fuzzy``, so a fuzzy guess would reach visitors).
- Without an Accept-Language header the pages are German; English on request.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [
    ROOT / "templates",
    ROOT / "workspace" / "templates",
    ROOT / "projects" / "templates",
    ROOT / "steering" / "templates",
]
TEMPLATE_SUFFIXES = {".html", ".txt"}
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"

# Attributes a person reads or hears (screen readers, tooltips, texts handed to scripts).
READABLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
READABLE_ATTRIBUTE_PREFIXES = ("data-text-",)

# What is removed before parsing, in this order. Django's {# #} ends at the line's end (a
# multi-line one is rendered as text), so it is matched without DOTALL on purpose.
_STRIPPED = [
    re.compile(r"\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL),
    re.compile(r"\{#.*?#\}"),
    re.compile(
        r"\{%\s*blocktrans(?:late)?\b.*?%\}.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.DOTALL
    ),
    re.compile(r"\{%.*?%\}", re.DOTALL),
    re.compile(r"\{\{.*?\}\}", re.DOTALL),
]
_LETTER = re.compile(r"[^\W\d_]")  # any letter of any script


def _strip_template_syntax(source: str) -> str:
    """Remove comments, blocktranslate blocks, tags and variables; keep the line numbers."""
    for pattern in _STRIPPED:
        source = pattern.sub(lambda match: "\n" * match.group().count("\n"), source)
    return source


def _has_letter(text: str) -> bool:
    return bool(_LETTER.search(text))


class _VisibleTextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw_depth = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check_attributes(attrs)
        if tag in {"script", "style"}:
            self._raw_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check_attributes(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._raw_depth:
            self._raw_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._raw_depth and _has_letter(data):
            self.found.append((self.getpos()[0], data.strip()))

    def _check_attributes(self, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            readable = name in READABLE_ATTRIBUTES or name.startswith(READABLE_ATTRIBUTE_PREFIXES)
            if readable and value and _has_letter(value):
                self.found.append((self.getpos()[0], f'{name}="{value.strip()}"'))


def untranslated_text(source: str, *, suffix: str = ".html") -> list[tuple[int, str]]:
    """(line, text) of every piece of visible text outside the translation tags."""
    remainder = _strip_template_syntax(source)
    if suffix == ".txt":
        return [
            (number, line.strip())
            for number, line in enumerate(remainder.splitlines(), start=1)
            if _has_letter(line)
        ]
    collector = _VisibleTextCollector()
    collector.feed(remainder)
    collector.close()
    return collector.found


def _templates() -> list[Path]:
    return sorted(
        path
        for directory in TEMPLATE_DIRS
        if directory.is_dir()
        for path in directory.rglob("*")
        if path.is_file() and path.suffix in TEMPLATE_SUFFIXES
    )


TEMPLATES = _templates()


def test_the_lint_sees_the_templates():
    names = {path.relative_to(ROOT).as_posix() for path in TEMPLATES}
    assert "templates/base.html" in names
    assert "templates/registration/password_reset_email.txt" in names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_template_has_no_untranslated_text(path: Path):
    found = untranslated_text(path.read_text(encoding="utf-8"), suffix=path.suffix)
    where = path.relative_to(ROOT).as_posix()
    assert not found, "Text ohne {% translate %} / {% blocktranslate %}:\n" + "\n".join(
        f"  {where}:{line}: {text!r}" for line, text in found
    )


# The lint itself: it must fail on what it is there to catch, and stay quiet on the rest.
@pytest.mark.parametrize(
    "source",
    [
        "<p>Hallo</p>",
        "<p>{% translate 'Hallo' %} Welt</p>",
        '<img src="x.png" alt="Logo">',
        '<a href="/" title="Start">{% translate "Start" %}</a>',
        '<nav aria-label="Hauptnavigation"></nav>',
        '<input name="q" placeholder="Suchen">',
        '<script src="x.js" data-text-online="Gerade online:"></script>',
        "<p>{# Kommentar #}Übrig</p>",
        "<p>{% blocktranslate %}Teil{% endblocktranslate %} und mehr</p>",
        "<p>{% comment %}weg{% endcomment %}ß</p>",
        "<p>Ελληνικά</p>",
    ],
)
def test_lint_catches_untranslated_text(source: str):
    assert untranslated_text(source)


@pytest.mark.parametrize(
    "source",
    [
        "{% load i18n %}<p>{% translate 'Hallo' %}</p>",
        '<img src="x.png" alt="{% translate \'Logo\' %}">',
        "<p>{% blocktranslate trimmed with name=x %}\n  Hallo {{ name }}\n"
        "{% endblocktranslate %}</p>",
        "<p>{% blocktranslate count counter=n %}{{ counter }} Kommune{% plural %}"
        "{{ counter }} Kommunen{% endblocktranslate %}</p>",
        "<p>{{ municipality.name }} – {{ membership.get_role_display }}</p>",
        "{# Nur für Entwickler #}<p>{% comment %}\nNotiz\n{% endcomment %}</p>",
        '<div class="kern-alert kern-alert--warning" role="alert" id="zahlen"></div>',
        '<script>document.title = "Script";</script><style>p::after { content: "x"; }</style>',
        "<!-- Kommentar im HTML --><p>&nbsp;–&nbsp;(24)</p>",
    ],
)
def test_lint_leaves_translated_text_alone(source: str):
    assert untranslated_text(source) == []


def test_lint_checks_everything_outside_tags_in_text_templates():
    mail = (
        "{% load i18n %}{% translate 'Guten Tag,' %}\n\n{{ site_url }}{% url 'home' %}\n"
        "Ihre Geschäftsstelle\n"
    )
    assert untranslated_text(mail, suffix=".txt") == [(4, "Ihre Geschäftsstelle")]


def test_lint_names_the_line():
    source = "{% load i18n %}\n{% comment %}\nzwei\nZeilen\n{% endcomment %}\n<p>\n  Hallo\n</p>\n"
    assert untranslated_text(source) == [(6, "Hallo")]


# --- the catalogue --------------------------------------------------------------------------


def _catalogue():
    with CATALOGUE.open("rb") as po:
        return read_po(po, locale="en")


def _is_translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return all(strings)


def test_english_catalogue_is_complete():
    catalogue = _catalogue()
    messages = [message for message in catalogue if message.id]
    assert messages, "Der englische Katalog ist leer."
    untranslated = [message.id for message in messages if not _is_translated(message)]
    fuzzy = [message.id for message in messages if message.fuzzy]
    assert not untranslated, f"Unübersetzt: {untranslated}"
    assert not fuzzy, f"Fuzzy (unsicher, aber würde mit --use-fuzzy ausgeliefert): {fuzzy}"


def test_english_catalogue_keeps_placeholders_and_plural_forms():
    problems = [
        (message.id, [str(error) for error in errors])
        for message, errors in _catalogue().check()
        if errors
    ]
    assert not problems


# --- the language of the pages ---------------------------------------------------------------

_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.DOTALL)


def _start_page(client, **headers):
    response = client.get("/", secure=True, **headers)
    assert response.status_code == 200
    text = response.content.decode()
    heading = _H1.search(text)
    assert heading, "Die Startseite hat keine Überschrift h1."
    return response, text, heading.group(1).strip()


def test_start_page_is_german_by_default(client, db):
    response, text, heading = _start_page(client)
    assert '<html lang="de">' in text
    assert heading == "Smart Cities: Schule – das Netzwerk auf einen Blick"
    assert response["Content-Language"] == "de"


def test_start_page_in_english_on_request(client, db):
    response, text, heading = _start_page(client, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in text
    assert heading == "Smart Cities: Schule – the network at a glance"
    assert response["Content-Language"] == "en"


def test_an_unknown_language_falls_back_to_german(client, db):
    _response, text, heading = _start_page(client, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert '<html lang="de">' in text
    assert heading == "Smart Cities: Schule – das Netzwerk auf einen Blick"


def test_language_and_time_zone_settings():
    assert settings.LANGUAGE_CODE == "de"
    assert settings.TIME_ZONE == "Europe/Berlin"
    assert [code for code, _name in settings.LANGUAGES] == ["de", "en"]
    assert Path(settings.LOCALE_PATHS[0]) == ROOT / "locale"
