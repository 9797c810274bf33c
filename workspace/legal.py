"""The legal and accessibility pages: their default texts, reading and writing them.

The defaults are a starting point the network office replaces with its own text (an imprint
needs the operator's real address); they say so where something must be filled in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workspace import mail
from workspace.audit.models import SecurityEvent
from workspace.audit.services import security_log
from workspace.models import BarrierReport, LegalPage, User
from workspace.permissions import NETWORK_OFFICE_GROUP, is_network_office

logger = logging.getLogger(__name__)

Kind = LegalPage.Kind

DEFAULTS: dict[str, tuple[str, str]] = {
    Kind.IMPRINT: (
        gettext_lazy("Impressum"),
        gettext_lazy(
            "# Anbieterin\n\n"
            "Geschäftsstelle des Netzwerks „Smart Cities: Schule“  \n"
            "bei der Südwestfalen Agentur\n\n"
            "*Die Geschäftsstelle trägt hier ihre vollständige Anschrift, die vertretungsberechtigten "
            "Personen und das Registergericht ein.*\n\n"
            "# Kontakt\n\n"
            "E-Mail: über das Formular auf der Seite „Mitmachen“ oder die Adresse der Geschäftsstelle\n\n"
            "# Verantwortlich für den Inhalt\n\n"
            "Die Beiträge im Klassenraum schreiben die Kommunen des Netzwerks. Für Leitprojekte und "
            "ihre Ergebnisse ist die federführende Kommune verantwortlich, für Nachnutzungen die "
            "Kommune, die sie angelegt hat."
        ),
    ),
    Kind.PRIVACY: (
        gettext_lazy("Datenschutzerklärung"),
        gettext_lazy(
            "# Wer ist verantwortlich?\n\n"
            "Die Geschäftsstelle des Netzwerks „Smart Cities: Schule“ (siehe Impressum).\n\n"
            "# Welche Daten speichern wir?\n\n"
            "- **Ohne Anmeldung:** keine personenbezogenen Daten außer dem, was der Server für den "
            "Betrieb braucht (IP-Adresse im Protokoll, höchstens sieben Tage). Wir setzen keine "
            "Cookies zur Analyse und laden nichts von fremden Servern.\n"
            "- **Mit Konto:** Name, dienstliche E-Mail-Adresse, Kommune, Funktion, Ihre Rollen in "
            "Leitprojekten und im Steuerkreis, Ihre Beiträge mit ihrer Versionsgeschichte.\n"
            "- **Beitrittsanfragen, Schülerzeitung, Termine:** was Sie dort eintragen, und wann Sie "
            "eingewilligt haben.\n\n"
            "# Wozu?\n\n"
            "Um das Netzwerk zu betreiben: Zusammenarbeit an Leitprojekten, Nachnutzung ihrer "
            "Ergebnisse, Einladungen und Benachrichtigungen. Rechtsgrundlage ist Art. 6 Abs. 1 "
            "lit. e DSGVO, für Newsletter und Anmeldungen Ihre Einwilligung (lit. a).\n\n"
            "# Ihr Name in der Öffentlichkeit\n\n"
            "Ihr Name erscheint auf öffentlichen Seiten nur, wenn Sie es in „Mein Konto“ erlauben. "
            "Sonst steht dort „Mitarbeiter*in der Stadt …“.\n\n"
            "# Ihre Rechte\n\n"
            "Sie können unter „Mein Konto“ alle über Sie gespeicherten Daten herunterladen. Sie haben "
            "das Recht auf Berichtigung, Löschung, Einschränkung und Widerspruch. Auf Ihren Wunsch "
            "ersetzt die Geschäftsstelle Ihre Daten überall durch ein Pseudonym; Ergebnisse und "
            "Vereinbarungen bleiben dabei erhalten. Beschweren können Sie sich bei der "
            "Landesbeauftragten für Datenschutz und Informationsfreiheit Nordrhein-Westfalen."
        ),
    ),
    Kind.ACCESSIBILITY: (
        gettext_lazy("Erklärung zur Barrierefreiheit"),
        gettext_lazy(
            "Die Geschäftsstelle des Netzwerks „Smart Cities: Schule“ ist bemüht, den Klassenraum "
            "im Einklang mit der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) "
            "barrierefrei zugänglich zu machen.\n\n"
            "# Stand der Vereinbarkeit\n\n"
            "Der Klassenraum ist weitgehend mit den Anforderungen der WCAG 2.1 auf Stufe AA "
            "vereinbar. Jede Seite wird bei jeder Änderung automatisch mit axe-core geprüft; "
            "Tastaturbedienung, Überschriften, Beschriftungen und Kontraste sind Teil der Tests.\n\n"
            "# Nicht barrierefreie Inhalte\n\n"
            "- Dateien, die Kommunen an Ergebnisse anhängen (etwa PDF), sind nicht immer barrierefrei. "
            "Der Text jedes Ergebnisses steht immer auch als HTML auf der Seite.\n\n"
            "# Barriere melden\n\n"
            "Ist Ihnen eine Barriere aufgefallen? Schreiben Sie uns mit dem Formular auf dieser Seite. "
            "Die Geschäftsstelle antwortet innerhalb von zwei Wochen.\n\n"
            "# Schlichtungsverfahren\n\n"
            "Bleibt Ihre Meldung ohne befriedigende Antwort, können Sie sich an die "
            "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen wenden."
        ),
    ),
    Kind.EASY_LANGUAGE: (
        gettext_lazy("Leichte Sprache"),
        gettext_lazy(
            "# Was ist der Klassenraum?\n\n"
            "Der Klassenraum ist eine Internet-Seite.\n\n"
            "Hier arbeiten Städte und Gemeinden aus Südwestfalen zusammen.\n\n"
            "Südwestfalen ist eine Gegend in Nordrhein-Westfalen.\n\n"
            "# Was machen die Städte und Gemeinden hier?\n\n"
            "Fünf Städte gehen voran.\n\n"
            "Sie heißen Pionier-Kommunen.\n\n"
            "Sie probieren neue Ideen aus.\n\n"
            "Zum Beispiel: Wie kann eine Stadt ihre Daten für alle zeigen?\n\n"
            "Die anderen Städte und Gemeinden können die Ideen übernehmen.\n\n"
            "So muss nicht jede Stadt alles neu erfinden.\n\n"
            "# Was können Sie hier lesen?\n\n"
            "- Die Leit-Projekte. Das sind die Projekte der Pionier-Kommunen.\n"
            "- Die Leit-Fäden. Darin steht, was die Städte gelernt haben.\n"
            "- Das Vokabel-Heft. Darin werden schwere Wörter erklärt.\n"
            "- Die Termine. Zum Beispiel das Klassen-Treffen.\n"
            "- Die Schüler-Zeitung. Das ist ein Newsletter. Er kommt per E-Mail.\n\n"
            "# Wie benutzen Sie die Seite?\n\n"
            "Oben auf jeder Seite ist ein Menü.\n\n"
            "Dort klicken Sie auf ein Wort.\n\n"
            "Dann kommen Sie zu dieser Seite.\n\n"
            "Sie können die Seite auch mit der Tastatur benutzen.\n\n"
            "Mit der Tab-Taste gehen Sie zum nächsten Link.\n\n"
            "# Wer darf mitmachen?\n\n"
            "Alle Städte und Gemeinden aus Südwestfalen.\n\n"
            "Das kostet nichts.\n\n"
            "Klicken Sie dafür auf: Mitmachen.\n\n"
            "# Haben Sie ein Problem mit der Seite?\n\n"
            "Dann schreiben Sie uns.\n\n"
            "Das geht auf der Seite: Barriere-Freiheit."
        ),
    ),
}


@dataclass(frozen=True)
class ShownPage:
    kind: str
    title: str
    body: str
    page: LegalPage | None  # None while the default is shown


def legal_page(kind: str) -> ShownPage:
    """The page as it stands: the office's text, or the default (one query)."""
    page = LegalPage.objects.select_related("updated_by").filter(kind=kind).first()
    if page is not None:
        return ShownPage(kind=kind, title=page.title, body=page.body, page=page)
    title, body = DEFAULTS[kind]
    return ShownPage(kind=kind, title=str(title), body=str(body), page=None)


@transaction.atomic
def legal_page_update(*, kind: str, by: User, title: str, body: str) -> LegalPage:
    """Save the office's text; an unchanged text writes no new version."""
    if not is_network_office(by):
        raise PermissionDenied(_("Diese Seiten pflegt die Geschäftsstelle."))
    page = LegalPage.objects.select_for_update().filter(kind=kind).first()
    if page is None:
        page = LegalPage(kind=kind)
    elif (page.title, page.body) == (title.strip(), body.strip()):
        return page
    page.title = title.strip()
    page.body = body.strip()
    page.updated_by = by
    page.full_clean()
    page.save()
    security_log(kind=SecurityEvent.Kind.LEGAL_PAGE_CHANGED, by=by, detail={"page": kind})
    return page


def _office_addresses() -> list[str]:
    addresses = list(
        User.objects.filter(groups__name=NETWORK_OFFICE_GROUP, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return addresses or [settings.DEFAULT_FROM_EMAIL]


@transaction.atomic
def barrier_report(
    *, message: str, page: str = "", name: str = "", email: str = ""
) -> BarrierReport:
    """Store a reported barrier and mail it to the network office after the commit."""
    report = BarrierReport(
        message=message.strip(), page=page.strip(), name=name.strip(), email=email.strip()
    )
    report.full_clean()
    report.save()
    # The office also finds the report in the administration; the mail is retried until
    # it goes out (workspace.mail).
    mail.send_on_commit(
        mail.build(
            subject=_("Barriere gemeldet: %(page)s")
            % {"page": report.page or _("ohne Seitenangabe")},
            body=render_to_string("workspace/mail/barrier_report.txt", {"report": report}),
            to=_office_addresses(),
            reply_to=[report.email] if report.email else None,
        )
    )
    return report
