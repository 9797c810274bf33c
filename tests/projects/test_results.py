"""Living results: every version kept, compared, restorable, and no update ever lost."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from projects import services
from projects.models import LeadProject, Result, StaleRevision
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


def test_every_save_is_a_version_with_author_time_and_note(result, editor):
    assert services.result_update(
        result=result, by=editor, base_revision=1, note="Kapitel 2", body="Fassung 2"
    )
    assert result.revision == 2
    newest = result.history.first()
    assert (newest.revision, newest.history_user, newest.history_change_reason) == (
        2,
        editor,
        "Kapitel 2",
    )
    assert newest.body == "Fassung 2"
    assert result.history.count() == 2


def test_a_save_that_changes_nothing_writes_no_version(result, editor):
    assert not services.result_update(
        result=result, by=editor, base_revision=1, body="Fassung 1", title="Datenmodell"
    )
    assert result.history.count() == 1
    assert Result.objects.get(pk=result.pk).revision == 1


def test_a_save_based_on_a_stale_revision_is_refused_and_writes_nothing(
    result, editor, coordinator
):
    services.result_update(result=result, by=coordinator, base_revision=1, body="Fassung 2")
    with pytest.raises(StaleRevision) as refused:
        services.result_update(result=result, by=editor, base_revision=1, body="Meine Fassung")
    assert refused.value.current_revision == 2
    fresh = Result.objects.get(pk=result.pk)
    assert (fresh.revision, fresh.body) == (2, "Fassung 2")
    assert result.history.count() == 2


def test_every_writer_is_held_to_the_revision_even_without_the_service(result, coordinator):
    stale = Result.objects.get(pk=result.pk)
    services.result_update(result=result, by=coordinator, base_revision=1, body="Fassung 2")
    stale.body = "über die Verwaltung geschrieben"
    with pytest.raises(StaleRevision):
        stale.save()
    assert Result.objects.get(pk=result.pk).body == "Fassung 2"


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


def test_restoring_the_current_content_or_an_unknown_version_is_refused(result, coordinator):
    with pytest.raises(ValidationError, match="schon die aktuelle"):
        services.result_restore(result=result, by=coordinator, revision=1, base_revision=1)
    with pytest.raises(ValidationError, match="gibt es nicht"):
        services.result_restore(result=result, by=coordinator, revision=9, base_revision=1)
    assert result.history.count() == 1


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


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_saves_of_one_revision_let_exactly_one_through(
    coordinator, menden, editor
):
    project = services.project_create(
        by=coordinator, title="Gleichzeitig", summary="-", lead_municipality=menden
    )
    result = services.result_create(project=project, by=coordinator, title="R", body="v1")
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def save(n: int) -> None:
        close_old_connections()
        mine = Result.objects.get(pk=result.pk)
        barrier.wait()
        try:
            services.result_update(result=mine, by=editor, base_revision=1, body=f"Fassung {n}")
            outcome = "saved"
        except StaleRevision:
            outcome = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["refused"] * 19 + ["saved"]
    assert result.history.count() == 2
    assert Result.objects.get(pk=result.pk).revision == 2


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


def test_restore_over_http_and_its_message(as_user, result, coordinator):
    services.result_update(result=result, by=coordinator, base_revision=1, body="Fassung 2")
    client = as_user(coordinator)
    url = f"/leitprojekte/{result.project.slug}/ergebnisse/{result.pk}/wiederherstellen/"
    response = client.post(url, {"revision": 1, "base_revision": 2}, follow=True)
    assert "Version 1 ist als neue Version 3 wiederhergestellt" in response.content.decode()
    stale = client.post(url, {"revision": 1, "base_revision": 2}, follow=True)
    assert "inzwischen geändert" in stale.content.decode()
    assert result.history.count() == 3


def _grow(result, by, n):
    for _ in range(n):
        services.result_update(
            result=result,
            by=by,
            base_revision=result.revision,
            body=f"{result.body}\nZeile {result.revision}",
        )


def test_versions_and_diff_pages_cost_the_same_for_10_and_1000_versions(
    as_user, result, coordinator, django_assert_num_queries
):
    client = as_user(coordinator)
    base = f"/leitprojekte/{result.project.slug}/ergebnisse/{result.pk}"
    _grow(result, coordinator, 9)
    with CaptureQueriesContext(connection) as versions_small:
        page = client.get(f"{base}/versionen/")
    assert page.status_code == 200 and len(page.context["versions"]) == 10
    with CaptureQueriesContext(connection) as diff_small:
        assert client.get(f"{base}/vergleich/?von=1&zu=10").status_code == 200
    _grow(result, coordinator, 990)
    with django_assert_num_queries(len(versions_small.captured_queries)):
        page = client.get(f"{base}/versionen/?seite=3")
    assert [v.revision for v in page.context["versions"]][:2] == [900, 899]
    assert page.context["versions"][0].change == len("\nZeile 899")
    with django_assert_num_queries(len(diff_small.captured_queries)):
        response = client.get(f"{base}/vergleich/?von=1&zu=1000")
    assert response.context["diff"].words_added == 999 * 2


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


def test_versions_written_as_draft_stay_with_the_team(
    as_user, result, coordinator, outsider, project
):
    services.project_update(project=project, by=coordinator, visibility="public")
    services.result_update(result=result, by=coordinator, base_revision=1, body="Entwurf 2")
    services.result_update(
        result=result, by=coordinator, base_revision=2, body="Veröffentlicht", maturity="tested"
    )
    base = f"/leitprojekte/{project.slug}/ergebnisse/{result.pk}"
    page = as_user(outsider).get(f"{base}/versionen/")
    assert [v.revision for v in page.context["versions"]] == [3]
    assert (
        "Entwurf 2" not in as_user(outsider).get(f"{base}/vergleich/?von=2&zu=3").content.decode()
    )
    assert as_user(outsider).get(f"{base}/vergleich/?von=2&zu=3").status_code == 400
    team_page = as_user(coordinator).get(f"{base}/versionen/")
    assert [v.revision for v in team_page.context["versions"]] == [3, 2, 1]


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
