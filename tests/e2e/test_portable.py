"""Portable lead projects in the browser: downloading the archive, and the import page with a
refused archive; axe on the import page, empty and with its error.

The seeded world is only read: a successful import would add a project other browser tests
count, so it is tested through the Django test client (tests/projects/test_portable.py).
"""

from __future__ import annotations

import io
import json
import zipfile

from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import assert_no_violations

OFFICE = "buero"
LIGHTING = "smarte-strassenbeleuchtung"


def test_the_archive_downloads_from_the_project_page(page: Page, log_in, tmp_path):
    log_in(page, OFFICE)
    page.goto(f"/leitprojekte/{LIGHTING}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Smarte Straßenbeleuchtung")

    with page.expect_download() as download:
        page.get_by_role("link", name="Als Archiv herunterladen (ZIP)").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)

    assert target.name == f"leitprojekt-{LIGHTING}.zip"
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["project"]["slug"] == LIGHTING
    titles = {r["versions"][-1]["title"] for r in manifest["results"]}
    assert "Ausschreibungsvorlage Smarte Straßenbeleuchtung" in titles


def test_import_page_refuses_a_broken_archive_and_is_accessible(page: Page, log_in, tmp_path):
    log_in(page, OFFICE)
    page.goto("/leitprojekte/")
    page.get_by_role("link", name="Leitprojekt aus einem Archiv importieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leitprojekt importieren")
    assert_no_violations(page)

    broken = tmp_path / "kaputt.zip"
    broken.write_bytes(b"PK\x03\x04 abgebrochen")
    page.get_by_label("Archiv (ZIP)").set_input_files(str(broken))
    page.get_by_role("button", name="Archiv prüfen und importieren").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Leitprojekt importieren")
    expect(page.get_by_role("alert")).to_contain_text("beschädigt oder unvollständig")
    assert_no_violations(page)
