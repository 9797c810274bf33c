"""Issues: compose, preview, send in the background (in-process worker), archive and feed."""

from __future__ import annotations

import datetime
import logging
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from email import message_from_bytes, policy
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from network.newsletter import services
from network.newsletter.models import Delivery, Issue, Subscriber
from tests.newsletter.conftest import confirmed, png, submit

ATOM = "{http://www.w3.org/2005/Atom}"


def run_worker() -> None:
    """Everything queued and due, in this process: the real db_worker in batch mode.

    The SMTP server runs in a thread of this process; a short GIL switch interval keeps the
    many small round trips between the two threads from waiting 5 ms each.
    """
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0001)
    try:
        _db_worker()
    finally:
        sys.setswitchinterval(interval)


def _db_worker() -> None:
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--interval=0",
        "--no-reload",
        "--queue-name=*",
        verbosity=0,
    )


def _compose(office, editor, *, title="Herbstausgabe"):
    item = services.news_item_accept(
        item=submit(editor, title="Iserlohn zählt Fahrräder", image=png()), by=office
    )
    return services.issue_create(
        by=office, title=title, editorial="Liebe Leserinnen und Leser,", items=[item]
    )


@pytest.mark.django_db
def test_the_office_composes_and_previews_an_issue(as_user, office, editor):
    item = services.news_item_accept(item=submit(editor, title="Iserlohn zählt"), by=office)
    client = as_user(office)
    response = client.post(
        reverse("newsletter:issue-create"),
        {"title": "Herbst", "editorial": "Das *Editorial*", "items": [item.pk]},
    )
    issue = Issue.objects.get()
    assert response["Location"] == issue.get_absolute_url()
    assert list(issue.items.all()) == [item]

    browser = client.get(issue.get_absolute_url()).content.decode()
    assert "Entwurf" in browser and "Iserlohn zählt" in browser
    html = client.get(reverse("newsletter:issue-preview", args=[issue.pk]))
    assert html["Content-Type"].startswith("text/html")
    assert "<em>Editorial</em>" in html.content.decode()
    assert "Abmelden mit einem Klick" in html.content.decode()
    text = client.get(reverse("newsletter:issue-preview-text", args=[issue.pk]))
    assert text["Content-Type"].startswith("text/plain")
    assert "Iserlohn zählt" in text.content.decode()
    assert "Das *Editorial*" in text.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_issue_reaches_1000_confirmed_subscribers_once_each(smtp, as_user, office, editor):
    issue = _compose(office, editor)
    readers = confirmed(1000)
    Subscriber.objects.create(email="wartet@example.org", consent_version="2025-1")
    Subscriber.objects.create(
        email="weg@example.org", consent_version="2025-1", state="unsubscribed"
    )

    response = as_user(office).post(reverse("newsletter:issue-send", args=[issue.pk]))
    assert response["Location"] == reverse("newsletter:issue-progress", args=[issue.pk])
    assert smtp.messages == []  # nothing is sent in the request
    run_worker()

    received = Counter(rcpt for m in smtp.messages for rcpt in m.rcpt_tos)
    assert received == Counter({r.email: 1 for r in readers})
    issue.refresh_from_db()
    assert issue.state == Issue.State.SENT
    assert issue.number == 1
    assert not Delivery.objects.exclude(state="sent").exists()

    mail = message_from_bytes(smtp.messages[0].content, policy=policy.default)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = mail["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe.startswith("http://127.0.0.1:8000/schuelerzeitung/abmelden/")
    html = mail.get_body(("html",)).get_content()
    assert "http://127.0.0.1:8000/schuelerzeitung/beitraege/" in html  # absolute picture
    assert unsubscribe in html
    assert unsubscribe in mail.get_body(("plain",)).get_content()

    # The mail program's one-click: a POST without session or CSRF token.
    one_click = Client(enforce_csrf_checks=True).post(
        unsubscribe.removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    assert Subscriber.objects.get(email=smtp.messages[0].rcpt_tos[0]).state == "unsubscribed"

    progress = as_user(office).get(reverse("newsletter:issue-progress", args=[issue.pk]))
    assert "1000 von 1000 Mails versendet" in progress.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_crashed_sending_resumes_and_the_log_names_the_mail_in_flight(
    smtp, as_user, office, editor, caplog
):
    issue = _compose(office, editor)
    confirmed(30)
    services.issue_send(issue=issue, by=office)
    # The state a SIGKILL leaves: ten sent, one in flight, a lease nobody renews.
    deliveries = list(issue.deliveries.order_by("pk"))
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries[:10]]).update(state="sent")
    Delivery.objects.filter(pk=deliveries[10].pk).update(state="in_flight")
    past = timezone.now() - datetime.timedelta(minutes=5)
    Issue.objects.filter(pk=issue.pk).update(lease_holder="getoetet", lease_until=past)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()  # and the queue lost its watchdog, too

    client = as_user(office)
    page = client.get(reverse("newsletter:issue-progress", args=[issue.pk])).content.decode()
    assert "Versand fortsetzen" in page

    out = StringIO()
    call_command("resume_newsletter_sending", stdout=out)
    assert "Versand fortgesetzt" in out.getvalue()
    with caplog.at_level(logging.WARNING, logger="network.newsletter"):
        run_worker()

    received = Counter(rcpt for m in smtp.messages for rcpt in m.rcpt_tos)
    assert set(received) == {d.email for d in deliveries[10:]}
    assert all(n == 1 for n in received.values())
    assert deliveries[10].email in caplog.text
    assert "möglicherweise zweimal" in caplog.text
    issue.refresh_from_db()
    assert issue.state == Issue.State.SENT
    assert list(issue.deliveries.filter(resent=True).values_list("email", flat=True)) == [
        deliveries[10].email
    ]
    page = client.get(reverse("newsletter:issue-progress", args=[issue.pk])).content.decode()
    assert "Möglicherweise doppelt erhalten" in page
    assert deliveries[10].email in page
    assert "Versand fortsetzen" not in page


@pytest.mark.django_db(transaction=True)
def test_a_living_sender_is_never_joined_by_a_second(smtp, office, editor):
    issue = _compose(office, editor)
    confirmed(5)
    services.issue_send(issue=issue, by=office)
    alive = timezone.now() + datetime.timedelta(minutes=1)
    Issue.objects.filter(pk=issue.pk).update(lease_holder="lebt", lease_until=alive)

    assert services.issue_send_batch(issue_id=issue.pk, runner="zweiter") == "nothing to do"
    assert services.issue_sending_resume(issue=issue) is False
    assert smtp.messages == []


@pytest.mark.django_db(transaction=True)
def test_who_unsubscribes_during_the_sending_gets_nothing(smtp, office, editor):
    issue = _compose(office, editor)
    readers = confirmed(3)
    services.issue_send(issue=issue, by=office)
    from network.newsletter import mails

    services.subscription_cancel(token=mails.unsubscribe_url(readers[1]).split("/")[-2], via="x")
    run_worker()
    assert sorted(r for m in smtp.messages for r in m.rcpt_tos) == sorted(
        [readers[0].email, readers[2].email]
    )
    assert issue.deliveries.get(subscriber=readers[1]).state == "skipped"


@pytest.mark.django_db
def test_a_published_issue_cannot_be_changed_or_sent_again(as_user, world, office):
    client = as_user(office)
    edit = client.post(
        reverse("newsletter:issue-edit", args=[world.published.pk]), {"title": "Neu"}
    )
    assert edit.status_code == 302
    world.published.refresh_from_db()
    assert world.published.title == "Erste Ausgabe"
    again = client.post(reverse("newsletter:issue-send", args=[world.published.pk]))
    assert again["Location"] == reverse("newsletter:issue-progress", args=[world.published.pk])


@pytest.mark.django_db
def test_the_feed_is_atom_with_published_issues_only(world):
    response = Client().get(reverse("newsletter:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 – our own feed
    assert root.tag == f"{ATOM}feed"
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert titles == ["Ausgabe 1: Erste Ausgabe"]
    link = root.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert link.endswith(world.published.get_absolute_url())


@pytest.mark.django_db
def test_archive_and_home_show_published_issues_only(world):
    archive = Client().get(reverse("newsletter:archive")).content.decode()
    assert "Erste Ausgabe" in archive
    assert "Zweite Ausgabe" not in archive
    home = Client().get("/").content.decode()
    assert "Neueste Schülerzeitung" in home
    assert "Ausgabe 1: Erste Ausgabe" in home


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.django_db
def test_archive_queries_stay_constant(office, django_assert_num_queries, size):
    for n in range(size):
        issue = services.issue_create(by=office, title=f"Ausgabe Nummer {n}", editorial="x")
        services.issue_send(issue=issue, by=office)
    # published issues with their item counts (anonymous: nothing else)
    with django_assert_num_queries(1):
        response = Client().get(reverse("newsletter:archive"))
    assert response.content.decode().count("Ausgabe Nummer") == size
