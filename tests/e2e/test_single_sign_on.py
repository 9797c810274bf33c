"""Logging in through the municipalities' OpenID providers: real providers, real Chromium.

Two honest providers stand for two municipalities: one speaks for Menden, a regional broker
names Iserlohn in a claim. Three rogue ones each break one rule: one answers with another
nonce, one signs with a key other than the one it publishes, one names an unknown issuer.
Every refusal is told in German, and no account and no session come of it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.identity.providers import OidcProvider, signing_key

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}
MENDEN_BUTTON = "Mit dem Konto der Stadt Menden anmelden"
BROKER_BUTTON = "Mit dem Konto im Kommunalen Rechenzentrum anmelden"


@pytest.fixture(scope="module")
def providers(base_url, manage, tmp_path_factory) -> Iterator[dict[str, OidcProvider]]:
    log_dir = tmp_path_factory.mktemp("oidc")
    menden_key = signing_key("schluessel-1")
    menden = OidcProvider(
        slug="menden-sso", host="127.0.0.2", email_domain="menden.example", key=menden_key
    )
    broker = OidcProvider(
        slug="krz",
        host="127.0.0.3",
        email_domain="krz.example",
        key=signing_key("krz-1"),
        extra_claims={"kommune": "iserlohn"},
    )
    menden.start(app_url=base_url, log_dir=log_dir)
    # Each rogue provider is configured like an honest one; only its behaviour differs.
    rogues = {
        "nonce": OidcProvider(
            slug="falsche-nonce",
            host="127.0.0.4",
            email_domain="nonce.example",
            key=signing_key("n-1"),
            mode="wrong-nonce",
        ),
        "key": OidcProvider(
            slug="fremder-schluessel",
            host="127.0.0.5",
            email_domain="key.example",
            # The same key id as Menden's, another key; it points at Menden's published keys.
            key=signing_key("schluessel-1"),
            mode="foreign-jwks",
            jwks_uri=f"{menden.url}/jwks",
        ),
        "issuer": OidcProvider(
            slug="fremder-aussteller",
            host="127.0.0.6",
            email_domain="issuer.example",
            key=signing_key("i-1"),
            issuer="http://aussteller.invalid",
        ),
    }
    started = [menden]
    try:
        for provider in (broker, *rogues.values()):
            provider.start(app_url=base_url, log_dir=log_dir)
            started.append(provider)
        code = [
            menden.registration(municipality="menden", button=MENDEN_BUTTON),
            broker.registration(claim="kommune", button=BROKER_BUTTON),
        ]
        for name, rogue in rogues.items():
            code.append(rogue.registration(municipality="menden", button=f"Dienst {name}"))
        manage("shell", "-c", ";".join(code))
        yield {"menden": menden, "broker": broker, **rogues}
    finally:
        manage(
            "shell",
            "-c",
            "from workspace.identity.models import IdentityProvider as P;"
            "from workspace.identity.services import provider_remove as r;"
            "[r(provider=p) for p in P.objects.all()]",
        )
        for provider in started:
            provider.stop()


def _person(manage, username: str) -> dict | None:
    """What the database holds about ``username``: municipalities, ties, sessions."""
    out = manage(
        "shell",
        "-c",
        "import json;"
        "from workspace.models import User;"
        "from workspace.personal_data import sessions_of;"
        "from django.contrib.sessions.models import Session;"
        f"u = User.objects.filter(username={username!r}).first();"
        "print(json.dumps(None if u is None else {"
        "'municipalities': sorted(m.municipality.slug for m in u.memberships.filter(ended_on=None)),"
        "'ties': sorted([a.provider, a.uid] for a in u.socialaccount_set.all()),"
        "'sessions': Session.objects.filter(sessions_of(u)).count(),"
        "'accounts': User.objects.filter(username__startswith=u.username).count()}))",
    )
    return json.loads(out.strip().splitlines()[-1])


def _login_at(page: Page, button: str, login: str) -> None:
    """Press the provider's button on our login page and log in at the provider (unless the
    browser is still logged in there, when the provider sends it straight back)."""
    page.goto("/konto/anmelden/")
    page.get_by_role("button", name=button).click()
    form = page.locator("input[name=login]")
    back = page.get_by_role("link", name="Mein Konto").or_(page.get_by_role("alert"))
    expect(form.or_(back).first).to_be_visible()
    if form.is_visible():
        form.fill(login)
        page.locator("input[name=password]").fill("beliebig")
        page.get_by_role("button", name="Sign-in").click()


def _refused(page: Page, message: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung abgelehnt")
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page.get_by_role("link", name="Mein Konto")).to_have_count(0)


def test_first_login_creates_the_account_in_the_providers_municipality_the_second_finds_it(
    page: Page, providers, manage
):
    login = f"anna-{uuid.uuid4().hex[:6]}"
    _login_at(page, MENDEN_BUTTON, login)
    expect(page.get_by_role("link", name="Mein Konto")).to_be_visible()
    first = _person(manage, login)
    assert first["municipalities"] == ["menden"]
    assert first["ties"] == [["menden-sso", login]]
    assert first["sessions"] == 1

    # Logging out here offers logging out at the provider too; after that, the provider asks
    # for the password again.
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Abgemeldet")
    assert _person(manage, login)["sessions"] == 0
    page.get_by_role("link", name="Auch bei menden-sso abmelden").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page.get_by_role("link", name="Anmelden", exact=True)).to_be_visible()
    page.goto("/konto/anmelden/")
    page.get_by_role("button", name=MENDEN_BUTTON).click()
    expect(page.locator("input[name=login]")).to_be_visible()

    _login_at(page, MENDEN_BUTTON, login)
    expect(page.get_by_role("link", name="Mein Konto")).to_be_visible()
    again = _person(manage, login)
    assert again["accounts"] == 1, "die zweite Anmeldung hat ein zweites Konto angelegt"
    assert again["ties"] == first["ties"]
    assert again["municipalities"] == ["menden"]


def test_a_regional_broker_names_the_municipality_in_a_claim(page: Page, providers, manage):
    login = f"ben-{uuid.uuid4().hex[:6]}"
    _login_at(page, BROKER_BUTTON, login)
    expect(page.get_by_role("link", name="Mein Konto")).to_be_visible()
    assert _person(manage, login)["municipalities"] == ["iserlohn"]


def test_a_forged_state_is_refused(page: Page, providers, manage):
    page.goto("/konto/dienst/menden-sso/zurueck/?code=erfunden&state=gefaelscht")
    _refused(page, "Diese Anmeldung ist unbekannt, abgelaufen oder wurde schon verwendet")


def test_a_replayed_state_is_refused(page: Page, providers, manage):
    login = f"carla-{uuid.uuid4().hex[:6]}"
    callbacks: list[str] = []
    page.on(
        "request",
        lambda request: callbacks.append(request.url) if "/zurueck/" in request.url else None,
    )
    _login_at(page, MENDEN_BUTTON, login)
    expect(page.get_by_role("link", name="Mein Konto")).to_be_visible()
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("link", name="Anmelden", exact=True)).to_be_visible()
    assert _person(manage, login)["sessions"] == 0

    page.goto(callbacks[0])
    _refused(page, "Diese Anmeldung ist unbekannt, abgelaufen oder wurde schon verwendet")
    assert _person(manage, login)["sessions"] == 0


@pytest.mark.parametrize(
    ("rogue", "message"),
    [
        ("nonce", "falsche Nonce"),
        ("key", "Die Signatur der Anmeldebestätigung passt nicht"),
        ("issuer", "unbekannten Aussteller"),
    ],
)
def test_a_rogue_provider_is_refused_and_creates_nothing(
    page: Page, providers, manage, rogue, message
):
    login = f"eve-{rogue}-{uuid.uuid4().hex[:6]}"
    page.goto("/konto/anmelden/")
    page.get_by_role("button", name=f"Dienst {rogue}").click()
    if rogue != "issuer":  # an unknown issuer is refused before anyone logs in there
        page.locator("input[name=login]").fill(login)
        page.locator("input[name=password]").fill("beliebig")
        page.get_by_role("button", name="Sign-in").click()
    _refused(page, message)
    assert _person(manage, login) is None


def test_an_existing_account_with_the_same_address_is_linked_only_with_its_password(
    page: Page, providers, manage
):
    login = f"dora-{uuid.uuid4().hex[:6]}"
    manage(
        "shell",
        "-c",
        "from workspace.services import user_create;"
        f"user_create(username='dora-lokal-{login}', password='ein-langes-passwort-1',"
        f" email='{login}@menden.example')",
    )
    _login_at(page, MENDEN_BUTTON, login)
    expect(page.get_by_role("heading", level=1)).to_have_text("Konto verknüpfen")
    assert _person(manage, login) is None  # no second account for the same address

    page.get_by_label("Benutzername").fill(f"dora-lokal-{login}")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Konto verknüpfen").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Benutzername oder Passwort stimmen nicht"
    )
    assert _person(manage, f"dora-lokal-{login}")["ties"] == []

    page.get_by_label("Passwort").fill("ein-langes-passwort-1")
    page.get_by_role("button", name="Konto verknüpfen").click()
    expect(page.get_by_role("link", name="Mein Konto")).to_be_visible()
    linked = _person(manage, f"dora-lokal-{login}")
    assert linked["ties"] == [["menden-sso", login]]
    assert linked["accounts"] == 1


def test_the_login_page_with_providers_has_no_wcag_violations(page: Page, providers):
    page.goto("/konto/anmelden/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    expect(page.get_by_role("button", name=MENDEN_BUTTON)).to_be_visible()
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def test_the_refusal_page_has_no_wcag_violations(page: Page, providers):
    page.goto("/konto/dienst/menden-sso/zurueck/?code=erfunden&state=gefaelscht")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung abgelehnt")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
