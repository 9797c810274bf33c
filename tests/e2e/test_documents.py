"""Documents and attachments in the browser: an image attachment shown in a result and in a
guide with its alt text, a foreign image as a visible note, the attachment list with its
replace and remove controls, the page that waits for the dossier — each checked with axe after
its h1.
"""

from __future__ import annotations

import json
import uuid

from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import assert_no_violations
from tests.e2e.test_guides import AUTHOR, _create_guide
from tests.e2e.test_results import COORDINATOR, PROJECT, create_result, expect_live_settled, h1

# A 2×2 red PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a73000000"
    "1649444154789c63f8cfc0c0f09f8181e13f030303001fe403fdcbb1e7ce0000000049454e44ae426082"
)

_SET_GUIDE_BODY = """
import json
from django.contrib.auth import get_user_model
from network.guides import services
from network.guides.models import Guide
data = json.loads({data!r})
guide = Guide.objects.get(slug=data["slug"])
by = get_user_model().objects.get(username=data["by"])
services.guide_update(guide=guide, by=by, base_revision=guide.revision, body=data["body"])
"""


def _upload(page: Page, name: str) -> None:
    section = page.get_by_role("region", name="Anhänge")
    section.get_by_label("Datei", exact=True).set_input_files(
        files=[{"name": name, "mimeType": "image/png", "buffer": PNG}]
    )
    section.get_by_role("button", name="Anhang hochladen").click()


def test_an_attached_image_shows_with_its_alt_text_and_a_foreign_one_as_a_note(
    page: Page, log_in, manage
):
    path = create_result(
        manage,
        [{"title": "Ablauf der Anmeldung", "body": "Noch ohne Bild.", "note": "Anfang"}],
    )
    log_in(page, COORDINATOR)
    page.goto(path)
    expect(h1(page)).to_have_text("Ablauf der Anmeldung")
    _upload(page, "ablauf.png")
    expect(
        page.get_by_role("region", name="Anhänge").get_by_role("link", name="ablauf.png")
    ).to_be_visible()
    data = json.dumps(
        {
            "path": path,
            "body": "![Ablaufplan der Anmeldung](anhang:ablauf.png)\n\n"
            "![Logo](https://example.org/logo.png)",
        }
    )
    manage(
        "shell",
        "-c",
        "import json\nfrom projects import services\nfrom projects.models import Result\n"
        f"data = json.loads({data!r})\n"
        "result = Result.objects.get(pk=int(data['path'].rstrip('/').rsplit('/', 1)[1]))\n"
        "services.result_update(result=result, by=result.created_by, "
        "base_revision=result.revision, title=result.title, body=data['body'])\n",
    )
    page.goto(path)
    expect(h1(page)).to_have_text("Ablauf der Anmeldung")
    body = page.locator("#ergebnis-inhalt")
    image = body.get_by_role("img", name="Ablaufplan der Anmeldung")
    expect(image).to_be_visible()
    assert page.evaluate("el => el.naturalWidth", image.element_handle()) == 2
    expect(body.locator(".kr-bildhinweis")).to_contain_text("https://example.org/logo.png")
    expect(page.get_by_role("link", name="PDF (barrierefrei, PDF/UA)")).to_be_visible()
    expect_live_settled(page)
    page.get_by_text("„ablauf.png“ ersetzen oder entfernen").click()
    assert_no_violations(page)


def test_a_guide_shows_its_own_image_and_its_attachments(page: Page, log_in, manage):
    # A guide of its own: the seeded guides are shared by every test of the run (search and
    # the glossary read their bodies), so their bodies are never rewritten here.
    title = f"Schulwege {uuid.uuid4().hex[:6]}"
    slug = _create_guide(manage, title=title, body="Noch ohne Karte.")
    log_in(page, AUTHOR)
    page.goto(f"/leitfaeden/{slug}/")
    expect(h1(page)).to_have_text(title)
    _upload(page, "karte.png")
    expect(
        page.get_by_role("region", name="Anhänge").get_by_role("link", name="karte.png")
    ).to_be_visible()
    data = json.dumps(
        {"slug": slug, "by": AUTHOR, "body": "## Karte\n\n![Karte der Schulwege](anhang:karte.png)"}
    )
    manage("shell", "-c", _SET_GUIDE_BODY.format(data=data))
    page.goto(f"/leitfaeden/{slug}/")
    expect(h1(page)).to_have_text(title)
    expect(
        page.locator("#leitfaden-inhalt").get_by_role("img", name="Karte der Schulwege")
    ).to_be_visible()
    assert_no_violations(page)


def test_the_page_that_waits_for_the_dossier(page: Page, log_in, manage):
    log_in(page, COORDINATOR)
    page.goto(f"{PROJECT}dossier/odt/")
    expect(h1(page)).to_have_text("Dokument wird erstellt")
    status = page.get_by_role("status").filter(has_text="im Hintergrund erstellt")
    expect(status).to_be_visible()
    assert_no_violations(page)
    # The worker makes it; the page, asking again by itself, then offers the link.
    manage("db_worker", "--batch", "--no-startup-delay")
    expect(status.get_by_role("link", name="Dossier")).to_be_visible(timeout=30_000)
