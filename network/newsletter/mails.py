"""The newsletter's mails, built but not sent: the confirmation and an issue.

Every link is absolute (``settings.SITE_URL``). An issue's body is rendered once per batch
(:class:`IssueMail`) and only the personal unsubscribe link differs from mail to mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from network.newsletter import tokens
from network.newsletter.consent import consent_text
from network.newsletter.models import Issue, NewsItem, Subscriber
from workspace import mail

# Stands in the rendered issue for the personal unsubscribe link (letters only, so neither
# HTML escaping nor line wrapping can change it).
_UNSUBSCRIBE_PLACEHOLDER = "KLASSENRAUMABMELDELINKPLATZHALTER"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(subscriber: Subscriber) -> str:
    token = tokens.unsubscribe_token(subscriber.pk, subscriber.unsubscribe_key)
    return absolute(reverse("newsletter:unsubscribe", kwargs={"token": token}))


def _mail_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "klassenraum.invalid"


def confirmation_mail(subscriber: Subscriber, secret: str) -> mail.Mail:
    """The double opt-in mail: the link and nothing else (no advertising, as the law asks)."""
    with translation.override(settings.LANGUAGE_CODE):
        link = absolute(reverse("newsletter:confirm", kwargs={"token": secret}))
        body = render_to_string(
            "newsletter/mail/confirm.txt",
            {
                "link": link,
                "hours": tokens.CONFIRM_HOURS,
                "consent": consent_text(subscriber.consent_version),
            },
        )
        return mail.build(
            subject=_("Bitte bestätigen Sie Ihre Anmeldung zur Schülerzeitung"),
            body=body,
            to=[subscriber.email],
        )


def issue_context(issue: Issue, items: list[NewsItem]) -> dict:
    for item in items:
        item.image_url = (
            absolute(reverse("newsletter:item-image", kwargs={"item_id": item.pk}))
            if item.image
            else ""
        )
    return {
        "issue": issue,
        "items": items,
        "issue_url": absolute(issue.get_absolute_url()),
        "archive_url": absolute(reverse("newsletter:archive")),
    }


@dataclass
class IssueMail:
    """An issue rendered once; :meth:`for_subscriber` makes each personal copy."""

    issue: Issue
    subject: str
    text: str
    html: str

    @classmethod
    def render(cls, issue: Issue, items: list[NewsItem] | None = None) -> IssueMail:
        if items is None:
            items = list(issue.items.select_related("municipality").order_by("position", "pk"))
        with translation.override(settings.LANGUAGE_CODE):
            context = {**issue_context(issue, items), "unsubscribe_url": _UNSUBSCRIBE_PLACEHOLDER}
            return cls(
                issue=issue,
                subject=_("Schülerzeitung: %(title)s") % {"title": issue.title},
                text=render_to_string("newsletter/mail/issue.txt", context),
                html=render_to_string("newsletter/mail/issue.html", context),
            )

    def personal(self, unsubscribe: str) -> tuple[str, str]:
        return (
            self.text.replace(_UNSUBSCRIBE_PLACEHOLDER, unsubscribe),
            self.html.replace(_UNSUBSCRIBE_PLACEHOLDER, unsubscribe),
        )

    def for_subscriber(
        self, subscriber: Subscriber, *, delivery_id: int | None = None
    ) -> mail.Mail:
        unsubscribe = unsubscribe_url(subscriber)
        text, html = self.personal(unsubscribe)
        headers = {
            # RFC 2369 and RFC 8058: mail programs offer a one-click "unsubscribe" that POSTs
            # "List-Unsubscribe=One-Click" to this https URL, without any session.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"Schuelerzeitung <schuelerzeitung.{_mail_domain()}>",
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
        }
        if delivery_id is not None:
            # The same Message-ID for a mail sent again after a crash: many mail programs
            # show such a duplicate only once.
            headers["Message-ID"] = (
                f"<schuelerzeitung-{self.issue.pk}-{delivery_id}@{_mail_domain()}>"
            )
        return mail.build(
            subject=self.subject, body=text, html=html, to=[subscriber.email], headers=headers
        )
