"""Double opt-in and unsubscribing, over a real SMTP server on loopback (Done when 1 and 2)."""

from __future__ import annotations

import datetime
import re
from email import message_from_bytes, policy

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from network.newsletter import mails, services, tokens
from network.newsletter.consent import CONSENT_VERSION
from network.newsletter.models import Subscriber, SubscriptionLog

pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIBE = "/schuelerzeitung/anmelden/"


def _mail(envelope):
    return message_from_bytes(envelope.content, policy=policy.default)


def _confirm_link(envelope) -> str:
    body = _mail(envelope).get_body(("plain",)).get_content()
    return re.search(r"http://\S+/schuelerzeitung/bestaetigen/\S+/", body).group()


def _subscribe(client, email="ada@example.org"):
    return client.post(SUBSCRIBE, {"email": email, "consent": "on"})


def test_subscribe_sends_exactly_one_confirmation_mail_without_advertising(smtp):
    response = _subscribe(Client(), "Ada@Example.org")

    assert response.status_code == 200
    assert "Bitte bestätigen Sie Ihre Anmeldung" in response.content.decode()
    assert len(smtp.messages) == 1
    mail = _mail(smtp.messages[0])
    assert smtp.messages[0].rcpt_tos == ["ada@example.org"]
    assert mail["Subject"].strip() == "Bitte bestätigen Sie Ihre Anmeldung zur Schülerzeitung"
    body = mail.get_body(("plain",)).get_content()
    # Only the link, its rules and the consent: no issue, no teaser, no other link.
    assert re.findall(r"https?://\S+", body) == [_confirm_link(smtp.messages[0])]
    assert "List-Unsubscribe" not in mail
    subscriber = Subscriber.objects.get()
    assert subscriber.state == Subscriber.State.PENDING
    assert subscriber.email == "ada@example.org"
    log = SubscriptionLog.objects.get()
    assert (log.action, log.consent_version) == ("signup", CONSENT_VERSION)


def test_a_second_signup_soon_after_sends_no_second_mail(smtp):
    client = Client()
    _subscribe(client)
    response = _subscribe(client)
    assert response.status_code == 200
    assert len(smtp.messages) == 1


def test_signup_needs_consent_and_an_address(smtp):
    response = Client().post(SUBSCRIBE, {"email": "keine-adresse"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "gültige E-Mail-Adresse" in page
    assert "Bitte willigen Sie in den Empfang ein." in page
    assert not Subscriber.objects.exists()
    assert smtp.messages == []


def test_confirm_shows_a_button_then_confirms_once(smtp):
    client = Client()
    _subscribe(client)
    link = _confirm_link(smtp.messages[0]).removeprefix("http://127.0.0.1:8000")

    page = client.get(link)  # a link scanner opening the link confirms nothing
    assert page.status_code == 200
    assert Subscriber.objects.get().state == Subscriber.State.PENDING

    response = client.post(link)
    assert response.status_code == 200
    assert "Ihre Anmeldung ist bestätigt" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.state == Subscriber.State.CONFIRMED
    assert subscriber.confirmed_at is not None
    assert list(subscriber.log.values_list("action", "consent_version")) == [
        ("signup", CONSENT_VERSION),
        ("confirm", CONSENT_VERSION),
    ]

    # Used links: a clear page, nothing changes (not even the confirmation time).
    before = (subscriber.confirmed_at, subscriber.unsubscribe_key)
    for again in (client.get(link), client.post(link)):
        assert again.status_code == 200
        assert "bereits verwendet" in again.content.decode()
    subscriber.refresh_from_db()
    assert (subscriber.confirmed_at, subscriber.unsubscribe_key) == before
    assert subscriber.log.count() == 2
    assert len(smtp.messages) == 1


def test_forged_and_expired_confirmation_links_change_nothing(smtp):
    client = Client()
    _subscribe(client)
    link = _confirm_link(smtp.messages[0]).removeprefix("http://127.0.0.1:8000")

    forged = client.post(link.replace("/bestaetigen/", "/bestaetigen/x"))
    assert forged.status_code == 404
    assert "Dieser Link ist ungültig" in forged.content.decode()

    Subscriber.objects.update(confirm_token_expires_at=timezone.now() - datetime.timedelta(1))
    expired = client.post(link)
    assert expired.status_code == 410
    assert "abgelaufen" in expired.content.decode()
    assert Subscriber.objects.get().state == Subscriber.State.PENDING
    assert SubscriptionLog.objects.count() == 1

    # Signing up again gives a new link; the old one stays dead.
    _subscribe(client)
    assert len(smtp.messages) == 2
    assert client.post(link).status_code == 404
    new = _confirm_link(smtp.messages[1]).removeprefix("http://127.0.0.1:8000")
    assert client.post(new).status_code == 200
    assert Subscriber.objects.get().state == Subscriber.State.CONFIRMED


@pytest.fixture
def reader(db) -> Subscriber:
    subscriber, secret = _pending("leserin@example.org")
    services.subscription_confirm(secret=secret)
    subscriber.refresh_from_db()
    return subscriber


def _pending(email):
    secret = tokens.new_secret()
    subscriber = Subscriber.objects.create(
        email=email,
        consent_version=CONSENT_VERSION,
        confirm_token_hash=tokens.digest(secret),
        confirm_token_expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    return subscriber, secret


def _path(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


def test_one_click_unsubscribe_works_without_session_or_csrf(reader):
    client = Client(enforce_csrf_checks=True)  # a mail program: no cookie, no CSRF token
    url = _path(mails.unsubscribe_url(reader))

    response = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.state == Subscriber.State.UNSUBSCRIBED
    assert reader.log.last().via == "one-click"


def test_unsubscribe_page_asks_first_and_a_reused_link_changes_nothing(reader):
    client = Client()
    url = _path(mails.unsubscribe_url(reader))

    page = client.get(url)
    assert page.status_code == 200
    assert "nicht mehr erhalten" in page.content.decode()
    reader.refresh_from_db()
    assert reader.state == Subscriber.State.CONFIRMED

    assert "ist abgemeldet" in client.post(url).content.decode()
    reader.refresh_from_db()
    when = reader.unsubscribed_at

    again = client.post(url)
    assert again.status_code == 200
    assert "bereits abgemeldet" in again.content.decode()
    reader.refresh_from_db()
    assert reader.unsubscribed_at == when
    assert reader.log.filter(action="unsubscribe").count() == 1


class _Past(signing.TimestampSigner):
    def timestamp(self):
        past = timezone.now() - datetime.timedelta(days=tokens.UNSUBSCRIBE_DAYS + 1)
        return signing.b62_encode(int(past.timestamp()))


def test_forged_and_expired_unsubscribe_links_change_nothing(reader):
    client = Client()
    real = mails.unsubscribe_url(reader).rstrip("/").rsplit("/", 1)[1]
    forged_token = real[:-3] + ("aaa" if not real.endswith("aaa") else "bbb")
    forged = client.post(reverse("newsletter:unsubscribe", kwargs={"token": forged_token}))
    assert forged.status_code == 404
    assert "ungültig" in forged.content.decode()

    old = _Past(salt="newsletter.unsubscribe").sign_object([reader.pk, reader.unsubscribe_key])
    expired = client.post(reverse("newsletter:unsubscribe", kwargs={"token": old}))
    assert expired.status_code == 410
    assert "abgelaufen" in expired.content.decode()

    reader.refresh_from_db()
    assert reader.state == Subscriber.State.CONFIRMED


def test_a_link_of_an_earlier_subscription_does_not_end_a_later_one(reader):
    client = Client()
    old_url = _path(mails.unsubscribe_url(reader))
    client.post(old_url)
    # Subscribed again and confirmed: a new key, the old link is dead.
    secret = tokens.new_secret()
    Subscriber.objects.filter(pk=reader.pk).update(
        state="pending",
        confirm_token_hash=tokens.digest(secret),
        confirm_token_used_at=None,
        confirm_token_expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    services.subscription_confirm(secret=secret)

    assert client.post(old_url).status_code == 404
    reader.refresh_from_db()
    assert reader.state == Subscriber.State.CONFIRMED
