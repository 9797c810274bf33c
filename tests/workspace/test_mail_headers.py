"""No line break typed into a form reaches a mail header (workspace/mail.py).

Each public form that leads to a mail is sent a value with CR, LF, CRLF or U+2028 followed by a
header of the attacker's choosing. The visitor gets the normal answer (never a 500), the data
is stored, and the mail reaches the real SMTP server on loopback (the ``smtp`` fixture) with
every header on one line: the break is a space, no extra header, no extra recipient.
"""

from __future__ import annotations

import datetime
from email import message_from_bytes, policy

import pytest
from django.urls import reverse
from django.utils import timezone

from network.dates.forms import form_started_token
from network.dates.models import TopicSuggestion
from network.joining.models import JoinRequest
from network.newsletter.models import Subscriber
from tests.factories import DistrictFactory
from workspace import mail
from workspace.models import BarrierReport

pytestmark = pytest.mark.django_db(transaction=True)

BREAKS = {"CR": "\r", "LF": "\n", "CRLF": "\r\n", "U+2028": "\u2028"}
INJECTED = "Bcc: boese@example.org"
# Every character Python (and so a mail program) may take for the end of a line.
LINE_ENDS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _parsed(envelope):
    return message_from_bytes(envelope.content, policy=policy.default)


def _header_lines(envelope) -> list[str]:
    """The raw header block, folded lines joined: one entry per header."""
    head = envelope.content.split(b"\r\n\r\n", 1)[0].decode("ascii")
    return head.replace("\r\n ", " ").replace("\r\n\t", " ").split("\r\n")


def _assert_clean(envelope, *, recipients: list[str]) -> None:
    assert envelope.rcpt_tos == recipients  # nobody was added
    assert not any(line.lower().startswith("bcc:") for line in _header_lines(envelope))
    message = _parsed(envelope)
    for name, value in message.items():
        assert not any(end in str(value) for end in LINE_ENDS), f"{name}: {value!r}"


@pytest.fixture
def office_mail(office):
    office.email = "buero@smartcities.example"
    office.save()
    return office.email


@pytest.mark.parametrize("kind", sorted(BREAKS))
def test_barrier_report_with_a_line_break_in_page_and_name(client, smtp, office_mail, kind):
    brk = BREAKS[kind]
    response = client.post(
        "/barrierefreiheit/",
        {
            "message": "Der Kontrast ist zu schwach.",
            "page": f"/klassen/{brk}{INJECTED}",
            "name": f"Beate{brk}Reply-To: boese@example.org",
            "email": "beate@example.org",
        },
    )
    assert response.status_code == 302
    assert BarrierReport.objects.count() == 1
    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    _assert_clean(envelope, recipients=[office_mail])
    message = _parsed(envelope)
    assert message["Subject"] == f"Barriere gemeldet: /klassen/ {INJECTED}"
    assert message["Reply-To"] == "beate@example.org"


@pytest.mark.parametrize("kind", sorted(BREAKS))
def test_barrier_report_with_a_line_break_in_the_address_is_refused_by_the_form(
    client, smtp, office_mail, kind
):
    response = client.post(
        "/barrierefreiheit/",
        {"message": "Zu klein.", "email": f"beate@example.org{BREAKS[kind]}{INJECTED}"},
    )
    assert response.status_code == 400
    assert BarrierReport.objects.count() == 0 and smtp.messages == []


@pytest.mark.parametrize("kind", sorted(BREAKS))
def test_join_request_with_line_breaks_and_its_invitation_mail(client, as_user, office, smtp, kind):
    brk = BREAKS[kind]
    response = client.post(
        "/mitmachen/",
        {
            "municipality": "",
            "other_municipality": f"Neustadt{brk}{INJECTED}",
            "contact_name": f"Maria{brk}Menke",
            "function": f"Stabsstelle{brk}Digitales",
            "email": "maria.menke@neustadt.example",
            "message": "Wir möchten mitmachen.",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    join_request = JoinRequest.objects.get()
    DistrictFactory(slug="kreis-olpe")  # the district the office places the new town in
    accepted = as_user(office).post(
        f"/mitmachen/anfragen/{join_request.pk}/annehmen/", {"district": "kreis-olpe"}
    )
    assert accepted.status_code == 302
    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    _assert_clean(envelope, recipients=["maria.menke@neustadt.example"])
    assert _parsed(envelope)["Subject"].startswith("Ihre Einladung in den Klassenraum (Neustadt ")


@pytest.mark.parametrize("kind", sorted(BREAKS))
def test_newsletter_subscription_with_a_line_break_in_the_address(client, smtp, kind):
    url = reverse("newsletter:subscribe")
    forged = client.post(
        url, {"email": f"leser@example.org{BREAKS[kind]}{INJECTED}", "consent": "on"}
    )
    assert forged.status_code == 400  # the form again, with its message
    assert Subscriber.objects.count() == 0 and smtp.messages == []
    honest = client.post(url, {"email": "leser@example.org", "consent": "on"})
    assert honest.status_code == 200 and Subscriber.objects.count() == 1
    assert [e.rcpt_tos for e in smtp.messages] == [["leser@example.org"]]
    _assert_clean(smtp.messages[0], recipients=["leser@example.org"])


@pytest.mark.parametrize("kind", sorted(BREAKS))
def test_password_reset_with_a_line_break_in_the_address(client, smtp, outsider, kind):
    outsider.email = "brilon@example.org"
    outsider.save()
    url = reverse("password_reset")
    forged = client.post(url, {"email": f"brilon@example.org{BREAKS[kind]}{INJECTED}"})
    assert forged.status_code in (200, 302, 400)
    assert smtp.messages == []
    honest = client.post(url, {"email": "brilon@example.org"})
    assert honest.status_code == 302
    assert len(smtp.messages) == 1
    _assert_clean(smtp.messages[0], recipients=["brilon@example.org"])


@pytest.mark.parametrize("kind", sorted(BREAKS))
def test_topic_suggestion_with_line_breaks(client, smtp, kind):
    brk = BREAKS[kind]
    response = client.post(
        reverse("dates:suggest"),
        {
            "title": f"Schul-WLAN{brk}{INJECTED}",
            "description": "Wie andere Kommunen es machen.",
            "name": f"Paul{brk}Pauker",
            "email": "paul@example.org",
            "started": form_started_token(timezone.now() - datetime.timedelta(seconds=30)),
        },
    )
    assert response.status_code == 302
    assert TopicSuggestion.objects.count() == 1
    assert smtp.messages == []  # a suggestion waits on the office's page; no mail is sent


def test_every_header_of_a_mail_built_anywhere_is_single_line(smtp):
    """The core itself, for values set after building and every kind of line end."""
    ends = LINE_ENDS + "\x00\x01\x7f"
    message = mail.build(
        subject="Betreff" + "".join(f"{end}Teil" for end in ends),
        body="Zeile eins\nZeile zwei\n",
        to=["empfaenger@example.org"],
        headers={"X-Titel": f"Titel{ends}{INJECTED}"},
    )
    message.reply_to = [f"antwort@example.org{ends}"]
    message.from_email = mail.address(f"Geschäfts{ends}stelle", "buero@example.org")
    assert mail.send(message) == 1
    envelope = smtp.messages[0]
    _assert_clean(envelope, recipients=["empfaenger@example.org"])
    parsed = _parsed(envelope)
    assert parsed["Subject"] == "Betreff" + " Teil" * len(ends)
    assert parsed["X-Titel"] == f"Titel {INJECTED}"
    assert parsed["From"].addresses[0].addr_spec == "buero@example.org"
    assert parsed.get_content().splitlines() == ["Zeile eins", "Zeile zwei"]  # body kept


def test_a_mail_built_by_django_is_cleaned_too(smtp):
    from django.core.mail import EmailMessage

    foreign = EmailMessage(subject="Hallo\u2028Welt", body="Text", to=["a@example.org"])
    assert mail.send(foreign) == 1
    assert _parsed(smtp.messages[0])["Subject"] == "Hallo Welt"


@pytest.mark.parametrize("kind", ["CRLF", "U+2028"])
def test_newsletter_issue_sent_in_batches_has_single_line_headers(
    settings, tmp_path, smtp, office, editor, kind
):
    """The newsletter keeps its own crash-safe delivery rows; its mails are built here too."""
    from network.newsletter import services as newsletter
    from tests.newsletter.conftest import confirmed
    from tests.newsletter.test_issues import _compose, run_worker

    settings.MEDIA_ROOT = str(tmp_path / "media")
    issue = _compose(office, editor, title=f"Herbstausgabe{BREAKS[kind]}{INJECTED}")
    readers = confirmed(2)
    newsletter.issue_send(issue=issue, by=office)
    run_worker()
    assert sorted(e.rcpt_tos[0] for e in smtp.messages) == sorted(r.email for r in readers)
    for envelope in smtp.messages:
        _assert_clean(envelope, recipients=envelope.rcpt_tos)
        # (leading blank: how a folded encoded word parses)
        assert _parsed(envelope)["Subject"].strip() == f"Schülerzeitung: Herbstausgabe {INJECTED}"
