"""Personal access tokens in the browser: created on /konto/, used from Python with requests,
revoked, and refused on the next call; axe on the token page and the API reference page."""

from __future__ import annotations

import requests
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import assert_no_violations


def test_create_use_and_revoke_a_token(page: Page, base_url: str, log_in):
    log_in(page, "team-iserlohn")
    page.goto("/konto/")
    page.get_by_role("link", name="Persönliche Zugänge zur Schnittstelle verwalten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zugänge zur Schnittstelle")
    assert_no_violations(page)

    page.get_by_label("Name des Zugangs").fill("Portal der Stadt")
    page.get_by_label("Lesen und Schreiben").check()
    page.get_by_label("30 Tage").check()
    page.get_by_role("button", name="Zugang anlegen").click()

    shown = page.get_by_label("Zugang", exact=True)
    token = shown.input_value()
    assert token.startswith("kr_")
    row = page.get_by_role("row", name="Portal der Stadt")
    expect(row).to_contain_text("Lesen und Schreiben")
    expect(row).to_contain_text("noch nie")
    assert_no_violations(page)

    # A program uses it: it reads what the person sees, and writes (follows a result,
    # then stops again, so the shared demo world is left as it was).
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    project = api.get(
        f"{base_url}/api/v1/leitprojekte/offene-regionale-datenplattform/", timeout=30
    )
    assert project.status_code == 200, project.text
    assert project.json()["team"], project.text
    result = project.json()["results"][0]
    current = api.get(f"{base_url}/api/v1/ergebnisse/{result['id']}/", timeout=30)
    assert current.status_code == 200 and current.json()["body"]
    follow = f"{base_url}/api/v1/folgen/projects.result/{result['id']}/"
    assert api.put(follow, timeout=30).json() == {"following": True}
    assert api.delete(follow, timeout=30).json() == {"following": False}
    assert requests.put(follow, timeout=30).status_code == 401

    # Shown only once: the page again lists it with its last use, without the token.
    page.goto("/konto/zugaenge/")
    expect(page.get_by_role("row", name="Portal der Stadt")).not_to_contain_text("noch nie")
    assert token not in page.content()

    page.get_by_role("button", name="„Portal der Stadt“ widerrufen").click()
    expect(page.get_by_role("row", name="Portal der Stadt")).to_contain_text("widerrufen am")

    refused = api.get(f"{base_url}/api/v1/leitprojekte/", timeout=30)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Dieser Zugang wurde widerrufen."


def test_the_api_reference_page_is_accessible(page: Page):
    page.goto("/api/v1/referenz/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Schnittstelle (API) – Referenz")
    expect(page.get_by_role("link", name="Interaktiv ausprobieren (Swagger UI)")).to_be_visible()
    assert_no_violations(page)
