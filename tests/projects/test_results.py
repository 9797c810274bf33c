"""Living results: what only results do around their versions (restore byte for byte,
archive, the conflict page over HTTP, attachments). The rules every versioned text keeps
(a version per save, none for no change, stale saves refused, restore, the twenty
simultaneous saves, page costs, hidden drafts) are tested once for results and guides in
tests/workspace/test_versioning.py."""

import pytest

from projects import services
from projects.models import LeadProject, Result
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

FIELDS = ("title", "summary", "body", "kind", "maturity", "revision")


@pytest.fixture
def project(coordinator, menden, editor):
    project = services.project_create(
        by=coordinator, title="Datenplattform", summary="-", lead_municipality=menden
    )
    services.team_member_add(project=project, by=coordinator, user=editor, role="editor")
    return project


@pytest.fixture
def result(project, coordinator):
    return services.result_create(
        project=project, by=coordinator, title="Datenmodell", body="Fassung 1", note="Anfang"
    )


def _history(result):
    return [
        {
            f: getattr(row, f)
            for f in (*FIELDS, "history_id", "history_date", "history_change_reason")
        }
        for row in result.history.order_by("revision")
    ]


def test_restoring_version_1_of_5_writes_version_6_and_keeps_1_to_5(result, coordinator):
    for n in range(2, 6):
        services.result_update(
            result=result, by=coordinator, base_revision=n - 1, body=f"Fassung {n}", title=f"T{n}"
        )
    before = _history(result)
    services.result_restore(result=result, by=coordinator, revision=1, base_revision=5)
    after = _history(result)
    assert after[:5] == before  # versions 1–5 byte for byte
    six = after[5]
    assert six["revision"] == 6
    assert {f: six[f] for f in FIELDS if f != "revision"} == {
        f: before[0][f] for f in FIELDS if f != "revision"
    }
    assert six["history_change_reason"] == "wiederhergestellt aus Version 1"
    assert Result.objects.get(pk=result.pk).body == "Fassung 1"


def test_archiving_keeps_the_result_and_its_history(result, coordinator):
    services.result_archive(result=result, by=coordinator, base_revision=1)
    fresh = Result.objects.get(pk=result.pk)
    assert fresh.is_archived and fresh.revision == 2
    assert result.history.count() == 2


def test_results_stay_editable_when_the_project_is_completed(result, project, office, editor):
    for step, reason in [
        ("proposed", ""),
        ("agreed", "ok"),
        ("running", ""),
        ("completed", "fertig"),
    ]:
        decision = "Vereinbarung 2026-1" if step == "agreed" else ""  # the committee's step
        services.project_change_status(
            project=project, by=office, to=step, reason=reason, decision=decision
        )
    assert LeadProject.objects.get(pk=project.pk).status == "completed"
    assert services.result_update(result=result, by=editor, base_revision=1, body="Weiter")


def test_two_people_saving_from_the_same_revision_over_http(as_user, result, coordinator, editor):
    url = f"/leitprojekte/{result.project.slug}/ergebnisse/{result.pk}/bearbeiten/"
    form = {"title": "Datenmodell", "summary": "", "kind": "concept", "maturity": "draft"}
    anna, ida = as_user(coordinator), as_user(editor)
    assert 'name="base_revision" value="1"' in anna.get(url).content.decode()
    assert 'name="base_revision" value="1"' in ida.get(url).content.decode()
    first = anna.post(url, {**form, "body": "Annas Fassung", "base_revision": 1, "note": ""})
    assert first.status_code == 302
    second = ida.post(url, {**form, "body": "Idas Fassung", "base_revision": 1, "note": "Idas"})
    assert second.status_code == 409
    page = second.content.decode()
    assert "Das Ergebnis wurde inzwischen geändert" in page
    assert "Annas Fassung" in page and "Idas Fassung" in page
    assert 'name="base_revision" value="2"' in page  # merging by hand and saving again works
    assert Result.objects.get(pk=result.pk).body == "Annas Fassung"
    third = ida.post(
        url, {**form, "body": "Annas und Idas Fassung", "base_revision": 2, "note": ""}
    )
    assert third.status_code == 302
    assert Result.objects.get(pk=result.pk).revision == 3


def test_compare_with_unknown_versions_explains_itself(as_user, result, coordinator):
    base = f"/leitprojekte/{result.project.slug}/ergebnisse/{result.pk}/vergleich/"
    for query in ["?von=0&zu=1", "?von=abc&zu=1", "?von=1&zu=99"]:
        response = as_user(coordinator).get(base + query)
        assert response.status_code == 400
        assert "Bitte wählen Sie zwei Versionen zwischen 1 und 1" in response.content.decode()


def test_attachments_are_stored_and_served_to_who_may_see_them(
    as_user, result, editor, outsider, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    base = f"/leitprojekte/{result.project.slug}/ergebnisse/{result.pk}"
    upload = SimpleUploadedFile("Prüfliste.pdf", b"%PDF-1.4 Inhalt", content_type="application/pdf")
    response = as_user(editor).post(f"{base}/anhaenge/", {"file": upload})
    assert response.status_code == 302
    attachment = result.attachments.get()
    assert attachment.size == len(b"%PDF-1.4 Inhalt") and len(attachment.sha256) == 64
    download = as_user(editor).get(f"{base}/anhaenge/{attachment.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 Inhalt"
    assert "attachment" in download["Content-Disposition"]
    # The result is a draft: outside the team it does not exist, attachment included.
    assert as_user(outsider).get(f"{base}/anhaenge/{attachment.pk}/").status_code == 404
    assert as_user(None).get(f"{base}/anhaenge/{attachment.pk}/").status_code == 302
    other = MembershipFactory().user
    assert as_user(other).post(f"{base}/anhaenge/", {"file": upload}).status_code == 404


def test_behind_nginx_an_attachment_leaves_through_x_accel_redirect(
    as_user, result, editor, outsider, settings, tmp_path
):
    """With SENDFILE_NGINX the app checks and nginx sends: the answer names the file's
    protected location and carries no content; who may not see it still gets 404."""
    from urllib.parse import quote

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    settings.SENDFILE_NGINX = True
    base = f"/leitprojekte/{result.project.slug}/ergebnisse/{result.pk}"
    upload = SimpleUploadedFile("Prüfliste.pdf", b"%PDF-1.4 Inhalt", content_type="application/pdf")
    as_user(editor).post(f"{base}/anhaenge/", {"file": upload})
    attachment = result.attachments.get()
    download = as_user(editor).get(f"{base}/anhaenge/{attachment.pk}/")
    assert download.status_code == 200
    # Percent-encoded, as nginx decodes the URI it is handed.
    assert download["X-Accel-Redirect"] == "/_geschuetzt/" + quote(attachment.file.name)
    assert "Pr%C3%BCfliste" in download["X-Accel-Redirect"]
    assert download.content == b""
    assert download["Content-Disposition"] == "attachment; filename*=UTF-8''Pr%C3%BCfliste.pdf"
    assert download["Cache-Control"] == "private, no-store"
    refused = as_user(outsider).get(f"{base}/anhaenge/{attachment.pk}/")
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused
