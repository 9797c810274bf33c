"""Second factors through the real login form: TOTP codes (computed with pyotp), recovery
codes once each, and the office that must set one up before it can use its rights."""

from __future__ import annotations

import time

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from workspace.audit.models import SecurityEvent
from workspace.identity.services import second_factor_reset
from workspace.personal_data import sessions_of

pytestmark = pytest.mark.django_db

LOGIN = "/konto/anmelden/"


def _password_login(client: Client, user, next_url: str = "") -> object:
    url = f"{LOGIN}?next={next_url}" if next_url else LOGIN
    return client.post(url, {"username": user.username, "password": PASSWORD})


def _with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _logged_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_a_person_with_an_app_is_asked_for_its_code_before_the_session_is_theirs(outsider):
    secret = _with_totp(outsider)
    client = Client()

    response = _password_login(client, outsider)
    assert response["Location"] == reverse("mfa_authenticate")
    assert _logged_in_as(client) is None
    assert client.get(reverse("account"))["Location"].startswith(LOGIN)

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "Anmelden: zweiter Faktor" in wrong.content.decode()
    assert _logged_in_as(client) is None

    done = client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert _logged_in_as(client) == str(outsider.pk)
    assert client.get(reverse("account")).status_code == 200


def test_a_code_from_the_step_before_counts_once_and_an_older_one_not_at_all(outsider):
    # Typed at the end of its 30 seconds, a code reaches the server in the next step.
    totp = pyotp.TOTP(_with_totp(outsider))
    now = time.time()
    client = Client()
    _password_login(client, outsider)

    too_old = client.post(reverse("mfa_authenticate"), {"code": totp.at(now - 60)})
    assert "Falscher Code" in too_old.content.decode()
    assert _logged_in_as(client) is None

    just_now = client.post(reverse("mfa_authenticate"), {"code": totp.at(now - 30)})
    assert just_now.status_code == 302
    assert _logged_in_as(client) == str(outsider.pk)

    again = Client()
    _password_login(again, outsider)
    replayed = again.post(reverse("mfa_authenticate"), {"code": totp.at(now - 30)})
    assert replayed.status_code == 200
    assert _logged_in_as(again) is None


def test_each_recovery_code_works_once(outsider):
    _with_totp(outsider)
    codes = RecoveryCodes.activate(outsider).get_unused_codes()

    first = Client()
    _password_login(first, outsider)
    first.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert _logged_in_as(first) == str(outsider.pk)

    again = Client()
    _password_login(again, outsider)
    refused = again.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert refused.status_code == 200
    assert _logged_in_as(again) is None

    again.post(reverse("mfa_authenticate"), {"code": codes[1]})
    assert _logged_in_as(again) == str(outsider.pk)
    recovery = Authenticator.objects.get(user=outsider, type=Authenticator.Type.RECOVERY_CODES)
    assert len(RecoveryCodes(recovery).get_unused_codes()) == len(codes) - 2


def test_the_office_without_a_second_factor_must_set_one_up_before_anything_else(
    office, django_capture_on_commit_callbacks
):
    client = Client()
    response = _password_login(client, office)
    assert response.status_code == 302
    assert _logged_in_as(client) == str(office.pk)

    for url in ("/verwaltung/", reverse("outbox"), reverse("account"), "/"):
        refused = client.get(url)
        assert refused.status_code == 302, url
        assert refused["Location"] == reverse("mfa_index"), url

    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 200
    secret = setup.context["form"].secret
    # allauth announces the new factor after the commit; that marks this session as verified.
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302

    assert client.get("/verwaltung/").status_code == 200
    assert client.get(reverse("outbox")).status_code == 200
    assert SecurityEvent.objects.filter(kind="second_factor_added", account=office).count() == 1


def test_the_office_with_an_app_logs_in_with_its_code_and_reaches_the_administration(office):
    secret = _with_totp(office)
    client = Client()
    _password_login(client, office, next_url="/verwaltung/")
    response = client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == "/verwaltung/"
    assert client.get("/verwaltung/").status_code == 200


def test_someone_without_those_rights_needs_no_second_factor(outsider):
    client = Client()
    _password_login(client, outsider)
    assert client.get(reverse("account")).status_code == 200


def test_the_office_resets_a_lost_factor_and_the_persons_sessions_end(office, outsider):
    _with_totp(outsider)
    RecoveryCodes.activate(outsider)
    Client().force_login(outsider)
    assert Session.objects.filter(sessions_of(outsider)).count() == 1

    assert second_factor_reset(person=outsider, by=office) == 2

    assert not Authenticator.objects.filter(user=outsider).exists()
    assert Session.objects.filter(sessions_of(outsider)).count() == 0
    entry = SecurityEvent.objects.get(kind="second_factor_reset")
    assert (entry.account, entry.by) == (outsider, office)


@pytest.mark.parametrize(("role", "asked"), [("chair", True), ("member", False)])
def test_whoever_chairs_the_committee_must_set_up_a_second_factor(
    office, delegate, arnsberg, role, asked
):
    import datetime

    from django.utils import timezone

    from steering.models import Seat
    from steering.services import seat_assign

    seat_assign(
        by=office,
        person=delegate,
        municipality=arnsberg,
        role=Seat.Role(role),
        starts_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    client = Client()
    _password_login(client, delegate)
    response = client.get(reverse("account"))
    if asked:
        assert response["Location"] == reverse("mfa_index")
    else:
        assert response.status_code == 200


def test_renewing_the_codes_and_removing_the_app_are_each_logged_once(
    outsider, django_capture_on_commit_callbacks
):
    secret = _with_totp(outsider)
    RecoveryCodes.activate(outsider)
    client = Client()
    _password_login(client, outsider)
    client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(secret).now()})
    assert _logged_in_as(client) == str(outsider.pk)

    with django_capture_on_commit_callbacks(execute=True):
        renewed = client.post(reverse("mfa_generate_recovery_codes"))
    assert renewed.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post(reverse("mfa_deactivate_totp"))
    assert removed.status_code == 302
    assert not Authenticator.objects.filter(user=outsider, type="totp").exists()

    logged = list(SecurityEvent.objects.filter(account=outsider).values_list("kind", flat=True))
    assert logged.count("recovery_codes_renewed") == 1
    assert logged.count("second_factor_removed") == 1
    # The session no longer counts as verified by a factor that is gone.
    assert not any(
        record.get("method") == "mfa"
        for record in client.session.get("account_authentication_methods", [])
    )
