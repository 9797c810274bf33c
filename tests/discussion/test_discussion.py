"""Comments on lead projects and results: Markdown rendered safely, one level of replies, a
short edit window, hidden by moderators with a reason (never deleted), quotes of one exact
version; one notification per person (mention > reply > comment); live on open pages."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from network.discussion import services
from network.discussion.models import Comment
from projects import services as project_services
from projects.models import TeamMembership, Visibility
from tests.conftest import client_for
from tests.projects.factories import lead_project
from tests.worker import run_worker
from workspace import notifications
from workspace.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db
Kind = NotificationKind


def told(kind=None) -> Counter:
    """Who got how many notifications (of ``kind``), once the background worker has run."""
    run_worker()
    rows = Notification.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return Counter(rows.values_list("recipient__username", flat=True))


@pytest.fixture
def project(coordinator, menden, editor):
    return lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Offene Datenplattform",
        team=[(editor, TeamMembership.Role.EDITOR)],
    )


@pytest.fixture
def result(project, coordinator):
    made = project_services.result_create(
        project=project,
        by=coordinator,
        title="Datenmodell",
        body="Die Schnittstelle liefert **offene Daten** als JSON.",
        maturity="tested",
    )
    run_worker()
    Notification.objects.all().delete()
    return made


def url(result) -> str:
    return f"/diskussion/ergebnisse/{result.pk}/"


def test_a_comment_is_markdown_rendered_safely_on_the_result_page(result, outsider):
    client = client_for(outsider)
    response = client.post(
        url(result), {"body": "**Gut** <script>alert(1)</script> [x](javascript:alert(1))"}
    )
    comment = Comment.objects.get()
    assert response["Location"] == f"{result.get_absolute_url()}#beitrag-{comment.pk}"
    page = client.get(result.get_absolute_url()).content.decode()
    assert "<strong>Gut</strong>" in page
    assert "<script>alert(1)" not in page and 'href="javascript' not in page


def test_comment_reply_and_mention_tell_each_person_once(
    result, project, coordinator, editor, outsider, office
):
    notifications.follow(user=office, target=result)
    first = services.comment_create(by=outsider, project=project, result=result, body="Frage?")
    # The team follows the project, the office the result; the author is not told.
    assert told(Kind.COMMENT) == {"koordination-menden": 1, "team-iserlohn": 1, "buero": 1}
    assert notifications.is_following(outsider, result)  # authors follow what they discuss

    Notification.objects.all().delete()
    services.comment_create(
        by=editor,
        project=project,
        result=result,
        parent=first,
        body="Antwort an @kommune-brilon und @koordination-menden.",
    )
    assert told() == {"kommune-brilon": 1, "koordination-menden": 1, "buero": 1}
    assert told(Kind.MENTION) == {"kommune-brilon": 1, "koordination-menden": 1}
    assert told(Kind.COMMENT) == {"buero": 1}


def test_replies_have_one_level(result, project, outsider, editor):
    first = services.comment_create(by=outsider, project=project, result=result, body="A")
    reply = services.comment_create(
        by=editor, project=project, result=result, parent=first, body="B"
    )
    deeper = services.comment_create(
        by=outsider, project=project, result=result, parent=reply, body="C"
    )
    assert deeper.parent == first


def test_a_comment_may_be_edited_only_by_its_author_and_only_shortly(
    result, project, outsider, editor
):
    comment = services.comment_create(by=outsider, project=project, result=result, body="Tippfeler")
    assert services.comment_edit(comment=comment, by=outsider, body="Tippfehler")
    comment.refresh_from_db()
    assert comment.body == "Tippfehler" and comment.edited_at
    assert comment.history.count() == 2  # the first text is kept
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=comment, by=editor, body="fremd")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    comment.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=comment, by=outsider, body="zu spät")
    assert (
        client_for(outsider).get(f"/diskussion/beitraege/{comment.pk}/bearbeiten/").status_code
        == 403
    )


def test_moderators_hide_with_a_reason_and_nothing_is_deleted(
    result, project, coordinator, editor, outsider, office
):
    comment = services.comment_create(by=outsider, project=project, result=result, body="Werbung")
    with pytest.raises(PermissionDenied):
        services.comment_hide(comment=comment, by=editor, reason="nein")
    with pytest.raises(ValidationError):
        services.comment_hide(comment=comment, by=coordinator, reason=" ")
    response = client_for(coordinator).post(
        f"/diskussion/beitraege/{comment.pk}/ausblenden/", {"reason": "Keine Werbung, bitte."}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden and comment.body == "Werbung"
    page = client_for(editor).get(result.get_absolute_url()).content.decode()
    assert "Keine Werbung, bitte." in page and "Werbung</p>" not in page
    services.comment_unhide(comment=comment, by=office)
    assert not Comment.objects.get(pk=comment.pk).is_hidden


def test_a_quote_names_the_exact_version_and_must_stand_in_it(result, project, outsider):
    row = result.history.get(revision=1)
    comment = services.comment_create(
        by=outsider,
        project=project,
        result=result,
        body="Welches Format genau?",
        quoted_row=row,
        quote="liefert offene Daten als JSON",
    )
    assert comment.quoted_row.history_id == row.history_id
    with pytest.raises(ValidationError):
        services.comment_create(
            by=outsider, project=project, result=result, body="x", quoted_row=row, quote="XML"
        )
    # Through the page: the form names the current version.
    client = client_for(outsider)
    response = client.post(
        url(result),
        {"body": "Und?", "quote": "steht nicht drin", "version": row.history_id},
    )
    assert response.status_code == 400
    assert "steht nicht wörtlich in Version 1" in response.content.decode()
    page = client.get(result.get_absolute_url()).content.decode()
    assert "aus Version 1" in page


def test_strangers_and_outsiders_of_hidden_projects(coordinator, menden, outsider, stranger):
    hidden = lead_project(
        coordinator=coordinator, lead=menden, title="Intern", visibility=Visibility.TEAM
    )
    assert (
        client_for(outsider)
        .post(f"/diskussion/leitprojekte/{hidden.slug}/", {"body": "x"})
        .status_code
        == 404
    )
    public = lead_project(coordinator=coordinator, lead=menden, title="Offen")
    response = client_for(stranger).post(f"/diskussion/leitprojekte/{public.slug}/", {"body": "x"})
    assert response.status_code == 403
    response = client_for(None).post(f"/diskussion/leitprojekte/{public.slug}/", {"body": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/konto/anmelden/")
    assert not Comment.objects.exists()


def test_an_empty_comment_comes_back_with_a_message(project, outsider):
    response = client_for(outsider).post(f"/diskussion/leitprojekte/{project.slug}/", {"body": " "})
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_new_comment_is_pushed_to_the_open_pages_after_the_commit(
    result, project, outsider, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "workspace.events._send_now", lambda group, message: sent.append((group, message))
    )
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(by=outsider, project=project, result=result, body="Live")
    pushes = [(g, m) for g, m in sent if m["type"] == "page.push"]
    assert pushes == [
        (
            f"result-{result.pk}",
            {
                "type": "page.push",
                "message": {
                    "event": "comment",
                    "action": "created",
                    "comment": comment.pk,
                    "parent": None,
                    "url": f"/diskussion/beitraege/{comment.pk}/",
                },
            },
        )
    ]
    # The partial the page fetches follows the same checks.
    assert client_for(outsider).get(f"/diskussion/beitraege/{comment.pk}/").status_code == 200
    assert client_for(None).get(f"/diskussion/beitraege/{comment.pk}/").status_code == 302


def test_the_discussion_costs_the_same_for_3_and_30_threads(result, project, outsider, editor):
    def grow(n):
        for i in range(n):
            first = services.comment_create(
                by=outsider, project=project, result=result, body=f"F{i}"
            )
            services.comment_create(
                by=editor, project=project, result=result, parent=first, body="A"
            )

    client = client_for(editor)
    grow(3)
    client.get(result.get_absolute_url())
    with CaptureQueriesContext(connection) as small:
        client.get(result.get_absolute_url())
    grow(27)
    client.get(result.get_absolute_url())  # warm again: per-process caches may expire meanwhile
    with CaptureQueriesContext(connection) as large:
        response = client.get(result.get_absolute_url())
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.content.decode().count('class="kr-thread"') == 30


def test_the_project_page_has_its_own_discussion(project, coordinator, outsider):
    services.comment_create(by=outsider, project=project, body="Zum Projekt")
    page = client_for(coordinator).get(project.get_absolute_url()).content.decode()
    assert "Zum Projekt" in page
    assert told(Kind.COMMENT)["koordination-menden"] == 1
