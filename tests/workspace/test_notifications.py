"""Following and notifications: exactly one per follower, none for the actor, none for whoever
may not see the object (also after a role is revoked); the bell and the page cost the same for
10 and 1,000 notifications; mails immediately or in a digest, each once, with a one-click
unsubscribe — over a real SMTP server on loopback (the ``smtp`` fixture)."""

from __future__ import annotations

import datetime
from collections import Counter
from email import message_from_bytes, policy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from projects import services as project_services
from projects.models import LeadProject, TeamMembership, Visibility
from steering import services as steering_services
from steering.models import Proposal
from steering.services import Party
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory
from tests.projects.factories import lead_project
from tests.steering.conftest import committee, open_meeting, proposed_project  # noqa: F401
from tests.worker import run_worker
from workspace import notifications
from workspace.models import MailOptOut, Notification, NotificationDigest, NotificationKind

pytestmark = pytest.mark.django_db
Kind = NotificationKind
Role = TeamMembership.Role


def told(kind: str | None = None) -> Counter:
    """How many notifications each username got (of ``kind``), once the background worker
    has written what the requests queued."""
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
        team=[(editor, Role.EDITOR)],
    )


@pytest.fixture
def result(project, coordinator):
    made = project_services.result_create(
        project=project,
        by=coordinator,
        title="Datenmodell",
        body="Erste Fassung.",
        maturity="tested",
    )
    run_worker()
    Notification.objects.all().delete()
    return made


def new_version(result, by, text="Zweite Fassung."):
    result.refresh_from_db()
    project_services.result_update(result=result, by=by, base_revision=result.revision, body=text)
    run_worker()


# --- who is told ---------------------------------------------------------------------------


def test_team_members_follow_their_project_from_the_day_they_join(project, coordinator, editor):
    assert notifications.is_following(coordinator, project)
    assert notifications.is_following(editor, project)


def test_a_new_version_tells_each_follower_once_and_never_the_actor(
    result, coordinator, editor, outsider, office
):
    # The editor follows the project (team) and the result: still one notification.
    notifications.follow(user=editor, target=result)
    notifications.follow(user=outsider, target=result)
    notifications.follow(user=outsider, target=result)  # following twice is following once

    new_version(result, coordinator)

    assert told() == {"team-iserlohn": 1, "kommune-brilon": 1}
    notification = Notification.objects.get(recipient=editor)
    assert notification.kind == Kind.NEW_VERSION
    assert notification.actor == coordinator
    assert notification.url == result.get_absolute_url()
    assert "Version 2" in notification.message


def test_unfollowing_stops_the_notifications(result, coordinator, outsider):
    notifications.follow(user=outsider, target=result)
    notifications.unfollow(user=outsider, target=result)
    new_version(result, coordinator)
    assert "kommune-brilon" not in told()


def test_a_team_only_projects_events_never_reach_outsiders(
    coordinator, menden, editor, outsider, office
):
    project = lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Interne Planung",
        visibility=Visibility.TEAM,
        team=[(editor, Role.EDITOR)],
    )
    # Following straight through the service, as if the page had let them.
    notifications.follow(user=outsider, target=project)
    result = project_services.result_create(project=project, by=coordinator, title="Plan")
    project_services.project_change_status(
        project=project, by=coordinator, to=LeadProject.Status.PROPOSED
    )
    assert "kommune-brilon" not in told()
    assert told(Kind.STATUS) == {"team-iserlohn": 1}
    assert told(Kind.NEW_VERSION) == {"team-iserlohn": 1}
    del result


def test_drafts_reach_only_the_team(project, coordinator, editor, outsider):
    draft = project_services.result_create(project=project, by=coordinator, title="Entwurf")
    notifications.follow(user=outsider, target=project)
    new_version(draft, coordinator)
    assert told(Kind.NEW_VERSION)["kommune-brilon"] == 0
    assert told(Kind.NEW_VERSION)["team-iserlohn"] == 2


def test_after_a_role_is_revoked_nothing_more_arrives_and_the_old_ones_are_hidden(
    coordinator, menden, editor
):
    project = lead_project(
        coordinator=coordinator,
        lead=menden,
        title="Interne Planung",
        visibility=Visibility.TEAM,
        team=[(editor, Role.EDITOR)],
    )
    result = project_services.result_create(project=project, by=coordinator, title="Plan")
    run_worker()
    assert notifications.unread_count(editor) == 1

    membership = TeamMembership.objects.get(project=project, user=editor)
    project_services.team_member_remove(membership=membership, by=coordinator)
    new_version(result, coordinator)

    assert Notification.objects.filter(recipient=editor).count() == 1  # only the old one
    assert notifications.unread_count(editor) == 0
    assert list(notifications.notifications_for(editor)) == []
    page = client_for(editor).get("/benachrichtigungen/")
    assert "Plan" not in page.content.decode()


def test_status_change_adoption_upstream_change_and_offer(
    project, result, coordinator, editor, outsider, office, brilon
):
    notifications.follow(user=outsider, target=project)
    project_services.project_change_status(
        project=project, by=coordinator, to=LeadProject.Status.PROPOSED
    )
    assert told(Kind.STATUS) == {"team-iserlohn": 1, "kommune-brilon": 1}

    template = project_services.template_publish(
        result=result, by=coordinator, licence="cc-by-4.0", recommended_revision=1
    )
    notifications.follow(user=office, target=template)
    adoption = project_services.adoption_create(template=template, municipality=brilon, by=outsider)
    # The template's followers and the project's team hear of it; the adopter does not.
    assert told(Kind.ADOPTION) == {"buero": 1, "team-iserlohn": 1, "koordination-menden": 1}
    # The adopter follows the copy from now on and hears of the template's changes.
    assert notifications.is_following(outsider, adoption.copy)
    new_version(result, coordinator)
    assert told(Kind.UPSTREAM) == {"kommune-brilon": 1}

    adoption.copy.refresh_from_db()
    project_services.result_update(
        result=adoption.copy,
        by=outsider,
        base_revision=adoption.copy.revision,
        body="Unsere Fassung mit Ergänzungen.",
    )
    project_services.offer_create(adoption=adoption, by=outsider, message="Bitte ansehen")
    # The source team decides on it; the template's followers hear of it too.
    assert told(Kind.OFFER) == {"team-iserlohn": 1, "koordination-menden": 1, "buero": 1}


def test_a_decision_of_the_committee_tells_the_projects_followers_once(
    committee,  # noqa: F811
    proposed_project,  # noqa: F811
    coordinator,
    editor,
    outsider,
    iserlohn,
):
    run_worker()  # what the fixtures' steps queued
    Notification.objects.all().delete()
    notifications.follow(user=outsider, target=proposed_project)
    proposal = steering_services.proposal_create(
        by=coordinator,
        kind=Proposal.Kind.START,
        title="Offene Datenplattform beginnen",
        text="Menden führt.",
        project=proposed_project,
        parties=[
            Party(committee.towns["menden"], committee.delegates["menden"], "Leitung", True),
            Party(iserlohn, editor, "Pilotdaten"),
        ],
    )
    _meeting, [item] = open_meeting(committee, proposal)
    for slug in ("arnsberg", "olpe", "soest"):
        steering_services.vote_cast(by=committee.delegates[slug], item=item, choice="yes")
    agreement = steering_services.vote_close(by=committee.chair, item=item)

    # The step to "agreed" is the decision's: one notification, not two.
    assert told(Kind.STATUS) == {}
    assert told(Kind.DECISION)["kommune-brilon"] == 1
    assert told(Kind.DECISION)["koordination-menden"] == 1
    assert "olpe" not in "".join(told(Kind.DECISION))  # the chair acted
    notification = Notification.objects.get(recipient=outsider)
    assert notification.url == agreement.get_absolute_url()


# --- the page, the bell, following through the pages ----------------------------------------


def _many(user, actor, target, n: int) -> None:
    ct = notifications._content_type(target)
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=Kind.NEW_VERSION,
            actor=actor,
            target_type=ct,
            target_id=target.pk,
            title=target.title,
            detail=f"Version {i}",
            url=target.get_absolute_url(),
            created_at=now - datetime.timedelta(minutes=i),
        )
        for i in range(n)
    )


def test_bell_and_page_cost_the_same_for_10_and_1000_notifications(
    result, coordinator, editor, django_assert_num_queries
):
    client = client_for(editor)
    _many(editor, coordinator, result, 10)
    client.get("/benachrichtigungen/")  # warm the caches of the first request
    with CaptureQueriesContext(connection) as page_small:
        assert client.get("/benachrichtigungen/").status_code == 200
    editor_fresh = type(editor).objects.get(pk=editor.pk)
    with CaptureQueriesContext(connection) as bell_small:
        assert notifications.unread_count(editor_fresh) == 10
    _many(editor, coordinator, result, 990)
    with django_assert_num_queries(len(page_small.captured_queries)):
        response = client.get("/benachrichtigungen/")
    assert len(response.context["notifications"]) == 25
    assert response.context["unread"] == 1000
    editor_fresh = type(editor).objects.get(pk=editor.pk)
    with django_assert_num_queries(len(bell_small.captured_queries)):
        assert notifications.unread_count(editor_fresh) == 1000
    # The bell is one COUNT (the visibility rules are subqueries of it, plus the cached
    # "works for a member?" and the permission lookups of the first call).
    assert len(bell_small.captured_queries) <= 4


def test_marking_read_one_and_all(result, coordinator, editor):
    _many(editor, coordinator, result, 3)
    client = client_for(editor)
    first = Notification.objects.filter(recipient=editor).first()
    response = client.post(f"/benachrichtigungen/{first.pk}/oeffnen/")
    assert response.status_code == 302 and response["Location"] == result.get_absolute_url()
    assert notifications.unread_count(editor) == 2
    client.post("/benachrichtigungen/alle-gelesen/")
    assert notifications.unread_count(editor) == 0
    # Someone else's notification is not there for them.
    other = client_for(coordinator).post(f"/benachrichtigungen/{first.pk}/gelesen/")
    assert other.status_code == 404


def test_follow_buttons_on_project_result_and_template(project, result, coordinator, outsider):
    template = project_services.template_publish(
        result=result, by=coordinator, licence="cc-by-4.0", recommended_revision=1
    )
    client = client_for(outsider)
    for obj, model in [
        (project, "projects.leadproject"),
        (result, "projects.result"),
        (template, "projects.template"),
    ]:
        page = client.get(obj.get_absolute_url()).content.decode()
        assert f"/benachrichtigungen/folgen/{model}/{obj.pk}/" in page
        response = client.post(f"/benachrichtigungen/folgen/{model}/{obj.pk}/")
        assert response.status_code == 302
        assert notifications.is_following(outsider, obj)
        page = client.get(obj.get_absolute_url()).content.decode()
        assert f"/benachrichtigungen/entfolgen/{model}/{obj.pk}/" in page
        client.post(f"/benachrichtigungen/entfolgen/{model}/{obj.pk}/")
        assert not notifications.is_following(outsider, obj)


def test_nobody_follows_what_they_may_not_see(coordinator, menden, outsider):
    hidden = lead_project(
        coordinator=coordinator, lead=menden, title="Intern", visibility=Visibility.TEAM
    )
    response = client_for(outsider).post(
        f"/benachrichtigungen/folgen/projects.leadproject/{hidden.pk}/"
    )
    assert response.status_code == 404
    assert not notifications.is_following(outsider, hidden)
    assert (
        client_for(outsider).post("/benachrichtigungen/folgen/workspace.user/1/").status_code == 404
    )


# --- mail ------------------------------------------------------------------------------------


def _parse(envelope):
    return message_from_bytes(envelope.content, policy=policy.default)


def test_immediately_mails_each_notification_once_with_a_one_click_unsubscribe(
    smtp, result, coordinator, editor
):
    editor.mail_frequency = "immediately"
    editor.email = "team@iserlohn.example"
    editor.save()
    new_version(result, coordinator)  # the worker writes the notification and mails it
    [notification] = Notification.objects.filter(recipient=editor)

    assert notification.mailed_at is not None
    assert notifications.send_immediately.call([notification.pk]) == 0  # sent once
    [envelope] = smtp.messages
    mail = _parse(envelope)
    assert envelope.rcpt_tos == ["team@iserlohn.example"]
    assert "Datenmodell" in mail["Subject"]
    body = mail.get_content()
    assert f"http://127.0.0.1:8000{result.get_absolute_url()}" in body
    unsubscribe = str(mail["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe in body and unsubscribe.startswith("http://127.0.0.1:8000/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The mail program's one-click POST: no session, no CSRF token.
    anonymous = client_for(None)
    anonymous.handler.enforce_csrf_checks = True
    path = unsubscribe.removeprefix("http://127.0.0.1:8000")
    response = anonymous.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert MailOptOut.objects.filter(user=editor, kind=Kind.NEW_VERSION).exists()

    new_version(result, coordinator, "Dritte Fassung.")
    later = Notification.objects.filter(recipient=editor).latest("pk")
    assert notifications.send_immediately.call([later.pk]) == 0
    assert len(smtp.messages) == 1  # still in the bell, no longer mailed
    assert notifications.unread_count(editor) == 2


def test_a_forged_unsubscribe_link_changes_nothing(client):
    response = client.post("/benachrichtigungen/abbestellen/gefaelscht/")
    assert response.status_code == 404
    assert not MailOptOut.objects.exists()


def test_a_daily_digest_collects_a_days_notifications_into_one_mail_sent_once(
    smtp, result, coordinator, editor, outsider
):
    for user, address in [(editor, "team@iserlohn.example"), (outsider, "brilon@example.org")]:
        user.email = address
        user.mail_frequency = "daily"
        user.save()
    notifications.follow(user=outsider, target=result)
    new_version(result, coordinator, "Zweite Fassung.")
    new_version(result, coordinator, "Dritte Fassung.")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    noon = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(12)))
    Notification.objects.update(created_at=noon)
    # Today's news waits for tomorrow's digest.
    new_version(result, coordinator, "Vierte Fassung.")

    assert notifications.digests_send(frequency="daily") == 2
    assert notifications.digests_send(frequency="daily") == 0  # sent once
    assert sorted(e.rcpt_tos[0] for e in smtp.messages) == [
        "brilon@example.org",
        "team@iserlohn.example",
    ]
    mail = _parse(next(e for e in smtp.messages if e.rcpt_tos == ["brilon@example.org"]))
    body = mail.get_content()
    assert "2 Benachrichtigungen" in mail["Subject"]
    assert body.count("Datenmodell") == 2
    assert "Version 4" not in body
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    digest = NotificationDigest.objects.get(user=outsider)
    assert (digest.frequency, digest.period_start, digest.count) == ("daily", yesterday, 2)
    assert Notification.objects.filter(recipient=outsider, mailed_at__isnull=True).count() == 1


def test_weekly_and_never_and_opted_out_kinds(smtp, result, coordinator, editor, outsider):
    editor.email, editor.mail_frequency = "team@iserlohn.example", "never"
    editor.save()
    outsider.email, outsider.mail_frequency = "brilon@example.org", "weekly"
    outsider.save()
    notifications.follow(user=outsider, target=result)
    new_version(result, coordinator)
    last_week = timezone.localdate() - datetime.timedelta(days=7)
    Notification.objects.update(
        created_at=timezone.make_aware(datetime.datetime.combine(last_week, datetime.time(9)))
    )
    assert notifications.digests_send(frequency="daily") == 0
    assert notifications.digests_send(frequency="weekly") == 1
    assert [e.rcpt_tos for e in smtp.messages] == [["brilon@example.org"]]


def test_the_digest_task_waits_in_the_queue_for_its_next_run(db):
    assert notifications.digest_schedule(frequency="daily") is True
    assert notifications.digest_schedule(frequency="daily") is False  # one waits already
    [waiting] = DBTaskResult.objects.filter(task_path=notifications.send_digests.module_path)
    run_after = timezone.localtime(waiting.run_after)
    assert run_after.date() == timezone.localdate() + datetime.timedelta(days=1)
    assert run_after.hour == 6
    # Running it sends what is due and queues the next run.
    DBTaskResult.objects.all().delete()
    assert notifications.send_digests.call("weekly") == 0
    [waiting] = DBTaskResult.objects.filter(task_path=notifications.send_digests.module_path)
    assert timezone.localtime(waiting.run_after).weekday() == 0


def test_the_send_digests_command(smtp, result, coordinator, editor):
    from io import StringIO

    from django.core.management import call_command

    editor.email = "team@iserlohn.example"
    editor.save()
    new_version(result, coordinator)
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(days=1, hours=1))
    out = StringIO()
    call_command("send_digests", stdout=out)
    call_command("send_digests", stdout=out)
    assert len(smtp.messages) == 1


def test_the_mail_choices_on_the_notifications_page(editor):
    client = client_for(editor)
    response = client.post("/benachrichtigungen/e-mail/", {"kinds": ["comment", "mention"]})
    assert response.status_code == 302
    assert set(MailOptOut.objects.filter(user=editor).values_list("kind", flat=True)) == (
        set(Kind.values) - {"comment", "mention"}
    )


def test_members_can_see_what_they_follow_only_while_they_may(db, coordinator, menden):
    member = MembershipFactory().user
    stranger = UserFactory()
    project = lead_project(
        coordinator=coordinator, lead=menden, title="Im Netzwerk", visibility=Visibility.NETWORK
    )
    assert notifications.can_see(member, project)
    assert not notifications.can_see(stranger, project)
