"""Joining the network: request → acceptance → invitation by real mail → own password → member.

Mail goes to a real SMTP server on loopback (the ``smtp`` fixture); links are read out of the
mails the way a person would click them.
"""

from __future__ import annotations

import datetime
import re
from email import message_from_bytes, policy

import pytest
from django.test import Client
from django.utils import timezone

from network.joining import services
from network.joining.models import Invitation, JoinRequest
from network.joining.region import region_seed
from workspace.models import Cohort, Membership, Municipality, User

# Real commits: mails go out after the commit, as they do in production.
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Sauerland-Daten-2026"


def _request(client: Client, **changes) -> object:
    region_seed()  # the form lists the region's towns from the database
    data = {
        "municipality": "meschede",
        "other_municipality": "",
        "contact_name": "Maria Menke",
        "function": "Stabsstelle Digitalisierung",
        "email": "maria.menke@meschede.example",
        "message": "Wir möchten mitmachen.",
        "consent": "on",
    }
    data.update(changes)
    return client.post("/mitmachen/", data)


def _mail_text(envelope) -> str:
    message = message_from_bytes(envelope.content, policy=policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


def _link(envelope) -> str:
    match = re.search(r"https?://\S+/einladung/(\S+)/", _mail_text(envelope))
    assert match, "Kein Einladungslink in der Mail"
    return f"/einladung/{match.group(1)}/"


def _snapshot() -> tuple:
    return (
        User.objects.count(),
        Membership.objects.count(),
        list(Invitation.objects.values_list("pk", "accepted_at", "revoked_at").order_by("pk")),
        list(Municipality.objects.values_list("pk", "is_member", "cohort_id").order_by("pk")),
    )


def _accept(as_user, office, join_request, **data):
    return as_user(office).post(f"/mitmachen/anfragen/{join_request.pk}/annehmen/", data)


def test_request_acceptance_invitation_password_login_membership_and_class(
    client, as_user, office, smtp, settings
):
    settings.SITE_URL = "https://klassenraum.example.org"
    response = _request(client)
    assert response.status_code == 302 and response["Location"] == "/mitmachen/danke/"
    join_request = JoinRequest.objects.get()
    assert join_request.municipality.name == "Meschede"
    assert not join_request.municipality.is_member  # in the region's list, not yet a member
    assert join_request.consent_version
    assert smtp.messages == []  # nothing is mailed before the office decides

    response = _accept(as_user, office, join_request)
    assert response.status_code == 302
    assert len(smtp.messages) == 1, "genau eine Einladungsmail"
    mail = smtp.messages[0]
    assert mail.rcpt_tos == ["maria.menke@meschede.example"]
    assert "https://klassenraum.example.org/einladung/" in _mail_text(mail)
    meschede = Municipality.objects.get(name="Meschede")
    assert meschede.is_member and meschede.district.name == "Hochsauerlandkreis"
    assert meschede.cohort.year == timezone.localdate().year
    assert meschede.joined_on == timezone.localdate()

    link = _link(mail)
    page = client.get(link)
    assert page.status_code == 200
    assert "Willkommen im Klassenraum" in page.content.decode()
    response = client.post(
        link,
        {
            "username": "maria-menke",
            "display_name": "Maria Menke",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"].startswith("/konto/anmelden/")

    visitor = Client()
    response = visitor.post("/konto/anmelden/", {"username": "maria-menke", "password": PASSWORD})
    assert response.status_code == 302, "die Ansprechperson kann sich anmelden"
    user = User.objects.get(username="maria-menke")
    membership = Membership.objects.active().get(user=user)
    assert membership.municipality == meschede
    assert membership.role == Membership.Role.CONTACT
    assert membership.function == "Stabsstelle Digitalisierung"

    klassen = visitor.get("/klassen/").content.decode()
    year = timezone.localdate().year
    section = klassen.split(f'id="klasse-{year}"', 1)[1].split("</section>", 1)[0]
    assert "Meschede" in section
    assert "1 Mitglied" in section


def test_a_reused_link_gets_a_clear_page_and_changes_nothing(client, as_user, office, smtp):
    _request(client)
    _accept(as_user, office, JoinRequest.objects.get())
    link = _link(smtp.messages[0])
    data = {"username": "mm", "display_name": "M", "password1": PASSWORD, "password2": PASSWORD}
    assert client.post(link, data).status_code == 302
    before = _snapshot()
    for response in (client.get(link), Client().post(link, {**data, "username": "zweite"})):
        assert response.status_code == 410
        assert "schon angenommen" in response.content.decode()
    assert _snapshot() == before


def test_an_expired_link_gets_a_clear_page_and_changes_nothing(client, as_user, office, smtp):
    _request(client)
    _accept(as_user, office, JoinRequest.objects.get())
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    link = _link(smtp.messages[0])
    before = _snapshot()
    data = {"username": "mm", "display_name": "M", "password1": PASSWORD, "password2": PASSWORD}
    for response in (client.get(link), client.post(link, data)):
        assert response.status_code == 410
        assert "abgelaufen" in response.content.decode()
    assert _snapshot() == before


def test_a_forged_link_gets_a_clear_page_and_changes_nothing(client, as_user, office, smtp):
    _request(client)
    _accept(as_user, office, JoinRequest.objects.get())
    real = _link(smtp.messages[0])
    forged = real[:-5] + ("AAAA/" if not real.endswith("AAAA/") else "BBBB/")
    before = _snapshot()
    data = {"username": "mm", "display_name": "M", "password1": PASSWORD, "password2": PASSWORD}
    for response in (client.get(forged), client.post(forged, data)):
        assert response.status_code == 404
        assert "keine Einladung" in response.content.decode()
    assert _snapshot() == before


def test_the_database_holds_no_usable_token(client, as_user, office, smtp):
    _request(client)
    _accept(as_user, office, JoinRequest.objects.get())
    token = _link(smtp.messages[0]).split("/")[2]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash
    assert Invitation.find(token) == invitation


def test_a_second_invitation_replaces_the_first(as_user, coordinator, smtp):
    menden = Municipality.objects.get(slug="menden")
    contact = as_user(coordinator)
    for _ in range(2):
        contact.post(
            "/kommunen/menden/einladen/", {"name": "Nora Neu", "email": "nora@menden.example"}
        )
    assert len(smtp.messages) == 2
    first, second = (_link(m) for m in smtp.messages)
    assert contact.get(first).status_code == 410
    assert "zurückgezogen" in Client().get(first).content.decode()
    assert Client().get(second).status_code == 200
    assert menden.invitations.pending().count() == 1


def test_bad_passwords_keep_the_invitation_open(client, as_user, office, smtp):
    _request(client)
    _accept(as_user, office, JoinRequest.objects.get())
    link = _link(smtp.messages[0])
    before = _snapshot()
    mismatch = client.post(
        link, {"username": "mm", "display_name": "M", "password1": PASSWORD, "password2": "x"}
    )
    assert mismatch.status_code == 400
    assert "stimmen nicht überein" in mismatch.content.decode()
    weak = client.post(
        link, {"username": "mm", "display_name": "M", "password1": "123", "password2": "123"}
    )
    assert weak.status_code == 400
    assert _snapshot() == before
    assert client.get(link).status_code == 200


def test_a_repeated_request_is_joined_to_the_first_and_creates_one_municipality(
    client, as_user, office, smtp
):
    _request(client)
    _request(client, contact_name="Moritz Mertin", email="moritz@meschede.example")
    _request(client, municipality="", other_municipality="meschede", email="maria2@x.example")
    first, *repeats = JoinRequest.objects.order_by("pk")
    assert [r.first_request for r in repeats] == [first, first]
    office_client = as_user(office)
    listing = office_client.get("/mitmachen/anfragen/").content.decode()
    assert listing.count("Meschede") == 1 and "2 weitere Anfragen" in listing
    # Deciding a repeat on its own is refused; the first stands for all.
    refused = office_client.post(f"/mitmachen/anfragen/{repeats[0].pk}/annehmen/", {})
    assert refused.status_code == 400
    assert not Municipality.objects.get(name__iexact="Meschede").is_member

    _accept(as_user, office, first)
    assert Municipality.objects.filter(name__iexact="Meschede").count() == 1
    assert Municipality.objects.get(name__iexact="Meschede").is_member
    assert set(JoinRequest.objects.values_list("status", flat=True)) == {"accepted"}
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == [
        "maria.menke@meschede.example",
        "maria2@x.example",
        "moritz@meschede.example",
    ]
    roles = dict(Invitation.objects.values_list("email", "role"))
    assert roles["maria.menke@meschede.example"] == "contact"
    assert roles["moritz@meschede.example"] == "staff"


def test_the_same_address_asking_again_is_recognised(client):
    _request(client)
    _request(client, municipality="bestwig")
    first, second = JoinRequest.objects.order_by("pk")
    assert second.first_request == first


def test_a_request_for_a_member_finds_it_and_keeps_its_class(
    client, as_user, office, outsider, smtp
):
    brilon = Municipality.objects.get(slug="brilon")
    cohort, joined = brilon.cohort_id, brilon.joined_on
    _request(client, municipality="brilon", email="neu@brilon.example")
    _accept(as_user, office, JoinRequest.objects.get())
    brilon.refresh_from_db()
    assert Municipality.objects.filter(name="Brilon").count() == 1
    assert (brilon.cohort_id, brilon.joined_on) == (cohort, joined)
    assert len(smtp.messages) == 1


def test_a_town_outside_the_list_needs_its_district(client, as_user, office, smtp):
    _request(client, municipality="", other_municipality="Neustadt am Berg")
    join_request = JoinRequest.objects.get()
    before = _snapshot()
    refused = _accept(as_user, office, join_request)
    assert refused.status_code == 400
    assert "bitte wählen Sie den Kreis" in refused.content.decode().replace("Bitte", "bitte")
    assert _snapshot() == before and smtp.messages == []
    _accept(as_user, office, join_request, district="kreis-olpe")
    assert Municipality.objects.get(name="Neustadt am Berg").district.name == "Kreis Olpe"


def test_declining_sends_a_friendly_mail_and_creates_nothing(client, as_user, office, smtp):
    _request(client)
    before = Municipality.objects.count()
    response = as_user(office).post(
        f"/mitmachen/anfragen/{JoinRequest.objects.get().pk}/ablehnen/",
        {"note": "Das Netzwerk ist für Kommunen aus Südwestfalen gedacht."},
    )
    assert response.status_code == 302
    assert JoinRequest.objects.get().status == "declined"
    assert Municipality.objects.count() == before and Invitation.objects.count() == 0
    assert len(smtp.messages) == 1
    text = _mail_text(smtp.messages[0])
    assert "vielen Dank" in text and "für Kommunen aus Südwestfalen" in text
    # A decided request is not decided twice.
    again = as_user(office).post(f"/mitmachen/anfragen/{JoinRequest.objects.get().pk}/annehmen/")
    assert again.status_code == 400 and len(smtp.messages) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"consent": ""}, "Ohne Ihr Einverständnis"),
        ({"municipality": "", "other_municipality": ""}, "Bitte wählen Sie Ihre Kommune"),
        ({"other_municipality": "Irgendwo"}, "nicht beides"),
        ({"email": "keine-adresse"}, "gültige E-Mail-Adresse"),
        ({"municipality": "Atlantis"}, "keine gültige Auswahl"),
    ],
)
def test_bad_requests_get_a_clear_message_and_store_nothing(client, changes, message):
    response = _request(client, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert JoinRequest.objects.count() == 0


def test_a_contact_invites_a_colleague_who_becomes_staff(as_user, coordinator, smtp):
    response = as_user(coordinator).post(
        "/kommunen/menden/einladen/",
        {"name": "Nora Neu", "email": "nora@menden.example", "function": "Bauamt"},
    )
    assert response.status_code == 302
    assert len(smtp.messages) == 1
    assert "Mehmet" in _mail_text(smtp.messages[0]) or "lädt Sie ein" in _mail_text(
        smtp.messages[0]
    )
    link = _link(smtp.messages[0])
    visitor = Client()
    visitor.post(
        link,
        {
            "username": "nora",
            "display_name": "Nora Neu",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    membership = Membership.objects.active().get(user__username="nora")
    assert (membership.municipality.slug, membership.role) == ("menden", "staff")


def test_staff_and_other_towns_contacts_may_not_invite(as_user, outsider, delegate, menden, smtp):
    data = {"name": "X", "email": "x@example.org"}
    assert as_user(outsider).post("/kommunen/brilon/einladen/", data).status_code == 403
    assert as_user(delegate).post("/kommunen/menden/einladen/", data).status_code == 403
    assert smtp.messages == [] and Invitation.objects.count() == 0


def test_inviting_someone_already_there_is_refused(as_user, coordinator, smtp):
    response = as_user(coordinator).post(
        "/kommunen/menden/einladen/", {"name": "Ich", "email": coordinator.email}
    )
    assert response.status_code == 400
    assert "gehört schon jemand" in response.content.decode()
    assert smtp.messages == []


def test_someone_with_an_account_logs_in_and_takes_the_invitation(
    as_user, office, outsider, menden, smtp
):
    # Brilon's staff member is invited to Menden too (e.g. a shared service).
    services.invitation_create(
        municipality=Municipality.objects.get(slug="menden"),
        by=office,
        email=outsider.email,
        name="Bernd",
    )
    link = _link(smtp.messages[0])
    anonymous = Client().get(link).content.decode()
    assert "gibt es schon ein Konto" in anonymous and "Anmelden und Einladung annehmen" in anonymous
    response = as_user(outsider).post(link)
    assert response.status_code == 302
    assert Membership.objects.active().filter(user=outsider, municipality__slug="menden").exists()
    assert as_user(outsider).get(link).status_code == 410


def test_the_wrong_account_cannot_take_someone_elses_invitation(
    as_user, office, outsider, editor, menden, smtp
):
    services.invitation_create(
        municipality=Municipality.objects.get(slug="menden"),
        by=office,
        email=outsider.email,
        name="Bernd",
    )
    link = _link(smtp.messages[0])
    before = _snapshot()
    page = as_user(editor).get(link).content.decode()
    assert "anderen E-Mail-Adresse" in page
    as_user(editor).post(link)
    assert _snapshot() == before


def test_new_cohort_is_created_for_the_year_of_joining(client, as_user, office, smtp):
    year = timezone.localdate().year
    Cohort.objects.filter(year=year).delete()
    _request(client, municipality="olsberg", email="o@olsberg.example")
    _accept(as_user, office, JoinRequest.objects.get())
    assert Municipality.objects.get(name="Olsberg").cohort == Cohort.objects.get(year=year)


def test_the_office_sees_waiting_requests_on_the_start_page(client, as_user, office, outsider):
    _request(client)
    assert "1 offene Beitrittsanfrage" in as_user(office).get("/").content.decode()
    assert "offene Beitrittsanfrage" not in as_user(outsider).get("/").content.decode()
    assert "Interessiert an einer Teilnahme?" in client.get("/").content.decode()


def _requests(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        services.join_request_submit(
            municipality_name=f"Teststadt {i}",
            contact_name=f"Person {i}",
            function="Hauptamt",
            email=f"p{i}@example.org",
        )
        # and a repeat from the same town
        services.join_request_submit(
            municipality_name=f"Teststadt {i}",
            contact_name=f"Kollege {i}",
            function="IT",
            email=f"k{i}@example.org",
        )


def test_the_request_list_runs_the_same_queries_for_ten_times_the_requests(
    as_user, office, django_assert_num_queries
):
    office_client = as_user(office)
    _requests(2)
    office_client.get("/mitmachen/anfragen/")  # session and user loaded once
    # session, user (with the office group check), open requests, their repeats, decided requests
    with django_assert_num_queries(5):
        office_client.get("/mitmachen/anfragen/")
    _requests(20, start=2)
    with django_assert_num_queries(5):
        html = office_client.get("/mitmachen/anfragen/").content.decode()
    assert html.count("1 weitere Anfrage") == 22
