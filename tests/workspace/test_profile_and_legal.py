"""The own profile at /konto/ and the four legal pages with the barrier feedback form."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.projects.factories import Role, lead_project
from workspace.models import BarrierReport, LegalPage, Membership

PROFILE = {
    "display_name": "Bernd B. Brüggemann",
    "function": "Hauptamt, Digitales",
    "public_name": "on",
    "language": "",
    "mail_frequency": "weekly",
}


@pytest.mark.django_db
def test_the_profile_saves_name_consent_language_mail_and_function(as_user, outsider):
    client = as_user(outsider)
    response = client.post("/konto/", PROFILE)
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert outsider.display_name == "Bernd B. Brüggemann"
    assert outsider.public_name is True
    assert outsider.mail_frequency == "weekly"
    assert Membership.objects.active().get(user=outsider).function == "Hauptamt, Digitales"
    page = client.get("/konto/").content.decode()
    assert "Ihre Angaben sind gespeichert." in page
    assert 'value="Bernd B. Brüggemann"' in page


@pytest.mark.django_db
def test_bad_profile_input_changes_nothing(as_user, outsider):
    before = (outsider.display_name, outsider.mail_frequency)
    response = as_user(outsider).post(
        "/konto/", {**PROFILE, "display_name": "", "mail_frequency": "stündlich"}
    )
    assert response.status_code == 400
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    outsider.refresh_from_db()
    assert (outsider.display_name, outsider.mail_frequency) == before


@pytest.mark.django_db
def test_the_chosen_language_wins_over_the_browser(as_user, outsider):
    client = as_user(outsider)
    client.post("/konto/", {**PROFILE, "language": "en"})
    page = client.get("/konto/", headers={"accept-language": "de"})
    assert page["Content-Language"] == "en"
    assert "My account" in page.content.decode()
    client.post("/konto/", {**PROFILE, "language": ""})
    assert client.get("/konto/", headers={"accept-language": "de"})["Content-Language"] == "de"
    assert client.get("/konto/", headers={"accept-language": "en"})["Content-Language"] == "en"


@pytest.mark.django_db
def test_the_account_lists_roles_in_projects_and_committee_seats(
    as_user, coordinator, editor, menden
):
    lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Offene Datenplattform",
        team=[(editor, Role.EDITOR)],
    )
    page = as_user(editor).get("/konto/").content.decode()
    assert "Meine Rollen in Leitprojekten" in page
    assert "Offene Datenplattform" in page and "Bearbeitung" in page
    assert "Mein Sitz im Steuerkreis" not in page  # only for whoever holds or held a seat


@pytest.mark.django_db
def test_changing_the_password(as_user, outsider):
    client = as_user(outsider)
    wrong = client.post(
        "/konto/passwort/",
        {
            "old_password": "falsch",
            "new_password1": "Neu-und-lang-2026",
            "new_password2": "Neu-und-lang-2026",
        },
    )
    assert wrong.status_code == 200 and "alte Passwort" in wrong.content.decode()
    response = client.post(
        "/konto/passwort/",
        {
            "old_password": PASSWORD,
            "new_password1": "Neu-und-lang-2026",
            "new_password2": "Neu-und-lang-2026",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/konto/"
    fresh = Client()
    login = fresh.post(
        "/konto/anmelden/", {"username": outsider.username, "password": "Neu-und-lang-2026"}
    )
    assert login.status_code == 302


LEGAL = ["/impressum/", "/datenschutz/", "/barrierefreiheit/", "/leichte-sprache/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", LEGAL)
def test_every_page_links_the_legal_pages_in_its_footer(client, path):
    footer = client.get(path).content.decode().split('<footer class="kr-footer">', 1)[1]
    for target in LEGAL:
        assert f'href="{target}"' in footer


@pytest.mark.django_db
def test_the_legal_pages_show_a_default_until_the_office_writes_its_own(client, as_user, office):
    assert "Geschäftsstelle des Netzwerks" in client.get("/impressum/").content.decode()
    assert (
        "Der Klassenraum ist eine Internet-Seite."
        in client.get("/leichte-sprache/").content.decode()
    )
    body = "# Anbieterin\n\nSüdwestfalen Agentur GmbH, Musterstraße 1, 57462 Olpe"
    office_client = as_user(office)
    response = office_client.post("/impressum/bearbeiten/", {"title": "Impressum", "body": body})
    assert response.status_code == 302 and response["Location"] == "/impressum/"
    page = client.get("/impressum/").content.decode()
    assert "Musterstraße 1" in page and '<h2 id="abschnitt-anbieterin">' in page
    # An unchanged save writes no new version; a change does.
    office_client.post("/impressum/bearbeiten/", {"title": "Impressum", "body": body})
    assert LegalPage.history.count() == 1
    office_client.post("/impressum/bearbeiten/", {"title": "Impressum", "body": body + " (neu)"})
    assert LegalPage.history.count() == 2


@pytest.mark.django_db
def test_only_the_office_edits_legal_pages(as_user, outsider, coordinator):
    for user in (outsider, coordinator):
        response = as_user(user).post("/impressum/bearbeiten/", {"title": "X", "body": "Y"})
        assert response.status_code == 403
    assert LegalPage.objects.count() == 0


@pytest.mark.django_db
def test_legal_page_bodies_are_rendered_safely(client, as_user, office):
    as_user(office).post(
        "/datenschutz/bearbeiten/",
        {"title": "Datenschutz", "body": "<script>alert(1)</script> [x](javascript:alert(2))"},
    )
    page = client.get("/datenschutz/").content.decode()
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as the text it is


@pytest.mark.django_db(transaction=True)
def test_a_reported_barrier_reaches_the_office_by_mail(client, office, smtp):
    office.email = "buero@smartcities.example"
    office.save()
    response = client.post(
        "/barrierefreiheit/",
        {
            "message": "Das Diagramm auf /klassen/ ist mit Vergrößerung schwer zu lesen.",
            "page": "/klassen/",
            "name": "Beate Beispiel",
            "email": "beate@example.org",
        },
    )
    assert response.status_code == 302
    assert "Danke! Ihre Meldung" in client.get("/barrierefreiheit/").content.decode()
    assert BarrierReport.objects.count() == 1
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail.rcpt_tos == ["buero@smartcities.example"]
    text = mail.content.decode("utf-8", errors="replace")
    assert "Reply-To: beate@example.org" in text and "/klassen/" in text


@pytest.mark.django_db(transaction=True)
def test_an_empty_barrier_report_is_refused_and_sends_nothing(client, office, smtp):
    response = client.post("/barrierefreiheit/", {"message": "", "email": "kaputt"})
    assert response.status_code == 400
    assert BarrierReport.objects.count() == 0 and smtp.messages == []
