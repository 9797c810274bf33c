"""The consent text a subscriber agrees to, by version.

A changed text gets a new version (and keeps the old ones here), so every log entry still
names the exact wording the person agreed to.
"""

from django.utils.translation import gettext_lazy as _

CONSENT_VERSION = "2025-1"

CONSENT_TEXTS = {
    "2025-1": _(
        "Ich möchte die Schülerzeitung des Netzwerks „Smart Cities: Schule“ per E-Mail "
        "erhalten. Meine Adresse wird nur dafür verwendet und nicht weitergegeben. Ich kann "
        "mich jederzeit mit einem Klick in jeder Ausgabe wieder abmelden."
    ),
}


def consent_text(version: str = CONSENT_VERSION) -> str:
    return str(CONSENT_TEXTS[version])
