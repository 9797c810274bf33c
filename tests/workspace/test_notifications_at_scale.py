"""A notification to thousands of followers (issue 27): the request that causes it writes no
notification and costs the same for 10 and 5,000 followers; the background worker writes
every one of them in batches, each batch with the same few queries (one of them the
set-based "who may see it"); each person is told once, and nobody who may not see the thing.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from guardian.shortcuts import assign_perm

from network.discussion.models import Comment
from projects import services as project_services
from projects.models import LeadProject, Result, TeamMembership, Template, Visibility
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory
from tests.projects.factories import lead_project
from tests.worker import run_worker
from workspace import notifications
from workspace.models import Cohort, Follow, Notification, NotificationKind, User
from workspace.permissions import NETWORK_OFFICE_GROUP

pytestmark = pytest.mark.django_db
Kind = NotificationKind
Role = TeamMembership.Role


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
        project=project, by=coordinator, title="Datenmodell", body="Erste Fassung.",
        maturity="tested",
    )  # fmt: skip
    run_worker()
    Notification.objects.all().delete()
    DBTaskResult.objects.all().delete()
    return made


def followers_of(target, n: int, *, start: int = 0, frequency: str = "never") -> list[int]:
    """``n`` new people (no municipality) who follow ``target``; two inserts, however many."""
    people = User.objects.bulk_create(
        User(username=f"folgt-{start + i:05d}", email=f"folgt-{start + i}@example.org",
             mail_frequency=frequency)
        for i in range(n)
    )  # fmt: skip
    content_type = notifications._content_type(target)
    Follow.objects.bulk_create(
        Follow(user=person, target_type=content_type, target_id=target.pk) for person in people
    )
    return [person.pk for person in people]


def comment(client, result, body: str):
    response = client.post(f"/diskussion/ergebnisse/{result.pk}/", {"body": body})
    assert response.status_code == 302
    return Comment.objects.latest("pk")


def queued_notifications():
    return DBTaskResult.objects.filter(task_path=notifications.notify_people.module_path)


# --- the request ---------------------------------------------------------------------------


def test_the_request_writes_nothing_and_costs_the_same_for_10_and_5000_followers(result, outsider):
    client = client_for(outsider)
    comment(client, result, "Erste Frage.")  # the author follows the result from now on
    run_worker()
    Notification.objects.all().delete()
    followers_of(result, 10)
    with CaptureQueriesContext(connection) as ten:
        comment(client, result, "Zweite Frage.")
    assert not Notification.objects.exists()
    assert queued_notifications().filter(status="READY").count() == 1  # one task, not ten
    run_worker()
    assert Notification.objects.filter(kind=Kind.COMMENT).count() == 10 + 2  # and the team

    Notification.objects.all().delete()
    followers_of(result, 4990, start=10)
    with CaptureQueriesContext(connection) as five_thousand:
        comment(client, result, "Dritte Frage.")
    assert not Notification.objects.exists()
    assert len(five_thousand) == len(ten), "\n".join(q["sql"] for q in five_thousand)

    run_worker()
    assert Notification.objects.filter(kind=Kind.COMMENT).count() == 5000 + 2


def test_5000_followers_each_told_once_by_the_worker(settings, result, coordinator, outsider):
    settings.NOTIFICATION_BATCH_SIZE = 1000
    people = followers_of(result, 5000)
    # Some follow the project as well as the result, the outsider is also named in it.
    content_type = notifications._content_type(result.project)
    Follow.objects.bulk_create(
        Follow(user_id=pk, target_type=content_type, target_id=result.project_id)
        for pk in people[::7]
    )
    notifications.follow(user=outsider, target=result)
    project_services.result_update(
        result=result, by=coordinator, base_revision=result.revision, body="Zweite Fassung."
    )
    assert not Notification.objects.exists()

    run_worker()
    [task] = queued_notifications()
    assert task.return_value == 5000 + 2  # the followers, the outsider and the editor
    counts = Notification.objects.values_list("recipient", flat=True)
    assert len(counts) == len(set(counts)) == 5002
    assert set(people) <= set(counts)
    assert coordinator.pk not in counts  # never the actor


def test_a_mentioned_follower_is_told_once_of_the_mention(result, project, editor, outsider):
    notifications.follow(user=outsider, target=result)
    followers_of(result, 30)
    comment(client_for(editor), result, "Was meint @kommune-brilon dazu?")
    run_worker()
    assert list(Notification.objects.filter(recipient=outsider).values_list("kind", flat=True)) == [
        Kind.MENTION
    ]
    assert Notification.objects.filter(kind=Kind.COMMENT).count() == 30 + 1  # + coordinator
    recipients = list(Notification.objects.values_list("recipient", flat=True))
    assert len(recipients) == len(set(recipients))


def test_followers_who_may_not_see_a_team_only_project_get_nothing(
    settings, coordinator, menden, editor, outsider
):
    settings.NOTIFICATION_BATCH_SIZE = 4
    hidden = lead_project(
        coordinator=coordinator, lead=menden, title="Interne Planung",
        visibility=Visibility.TEAM, team=[(editor, Role.EDITOR)],
    )  # fmt: skip
    run_worker()
    Notification.objects.all().delete()
    # Followed straight through the service, as if a page had let them (or before the
    # project was made team-only): members, outsiders, and the team, across three batches.
    strangers = followers_of(hidden, 9)
    notifications.follow(user=outsider, target=hidden)
    project_services.project_change_status(
        project=hidden, by=coordinator, to=LeadProject.Status.PROPOSED
    )
    run_worker()
    told = set(Notification.objects.values_list("recipient", flat=True))
    assert told == {editor.pk}
    assert not told & {*strangers, outsider.pk}


# --- the worker ----------------------------------------------------------------------------


def _worker_queries(result, coordinator, n: int, frequency: str) -> int:
    User.objects.filter(username__startswith="folgt-").delete()  # and their follows
    Notification.objects.all().delete()
    followers_of(result, n, frequency=frequency)
    project_services.result_update(
        result=result, by=coordinator, base_revision=result.revision, body=f"Fassung für {n}"
    )
    result.refresh_from_db()
    [task] = queued_notifications().filter(status="READY")
    kwargs = task.args_kwargs["kwargs"]
    with CaptureQueriesContext(connection) as queries:
        written = notifications.notify_people.call(**kwargs)
    task.delete()
    assert written == n + 1  # and the editor of the team
    return len(queries)


@pytest.mark.parametrize("frequency", ["never", "immediately"])
def test_each_batch_costs_the_same_few_queries(settings, result, coordinator, frequency):
    settings.NOTIFICATION_BATCH_SIZE = 25
    User.objects.filter(username="team-iserlohn").update(mail_frequency=frequency)
    # 49 followers + the editor = 2 batches; 124 + 1 = 5 batches.
    two = _worker_queries(result, coordinator, 49, frequency)
    five = _worker_queries(result, coordinator, 124, frequency)
    per_batch = (five - two) // 3
    assert five - two == 3 * per_batch
    # Per batch: SAVEPOINT; who of them may see it and has not been told yet (one query);
    # INSERT of the rows (their ids come back with it); RELEASE SAVEPOINT. Mailed immediately:
    # one more INSERT, the batch's one mail task.
    assert per_batch == (4 if frequency == "never" else 5)
    # Before the batches: the result, its project (the audience rule reads its visibility),
    # and the followers' ids.
    assert two - 2 * per_batch == 3


def test_immediate_mails_go_out_per_batch_each_once(settings, result, coordinator):
    settings.NOTIFICATION_BATCH_SIZE = 10
    people = followers_of(result, 25, frequency="immediately")
    project_services.result_update(
        result=result, by=coordinator, base_revision=result.revision, body="Zweite Fassung."
    )
    run_worker()
    mailing = DBTaskResult.objects.filter(task_path=notifications.send_immediately.module_path)
    assert mailing.count() == 3  # one mail task per batch, not per person
    addressed = sorted(address for message in mail.outbox for address in message.to)
    assert addressed == sorted(f"folgt-{i}@example.org" for i in range(25))
    assert not Notification.objects.filter(recipient__in=people, mailed_at__isnull=True).exists()


def test_a_worker_run_again_writes_only_what_is_missing(settings, result, coordinator):
    settings.NOTIFICATION_BATCH_SIZE = 10
    followers_of(result, 35)
    project_services.result_update(
        result=result, by=coordinator, base_revision=result.revision, body="Zweite Fassung."
    )
    [task] = queued_notifications()
    kwargs = task.args_kwargs["kwargs"]
    assert notifications.notify_people.call(**kwargs) == 36
    # As if the worker had died after two batches and the task ran once more.
    Notification.objects.filter(pk__in=Notification.objects.order_by("-pk")[:16]).delete()
    assert notifications.notify_people.call(**kwargs) == 16
    assert notifications.notify_people.call(**kwargs) == 0
    assert Notification.objects.count() == 36


def test_an_object_gone_before_the_worker_came_tells_nobody(outsider):
    cohort = Cohort.objects.create(year=2031)
    notifications.follow(user=outsider, target=cohort)
    notifications.notify(kind=Kind.STATUS, actor=None, target=cohort, url="/klassen/")
    cohort.delete()
    run_worker()
    assert not Notification.objects.exists()


# --- one rule, two directions --------------------------------------------------------------


def test_the_audience_of_each_object_is_exactly_who_may_see_it(
    coordinator, menden, editor, outsider, stranger, office, brilon
):
    """``audience(obj)`` (the worker's set query) and ``visible(user)`` (the pages') say the
    same for every kind of person and object."""
    observer = UserFactory(username="beobachtung")
    group_member = UserFactory(username="gruppe")
    former = MembershipFactory(municipality=brilon).user
    former.memberships.update(ended_on="2022-01-01")
    inactive = MembershipFactory(municipality=brilon, user__is_active=False).user
    staff_group = Group.objects.create(name="Projektgruppe")
    group_member.groups.add(staff_group)
    assert office.groups.filter(name=NETWORK_OFFICE_GROUP).exists()
    people = [coordinator, editor, outsider, stranger, office, observer, group_member, former,
              inactive]  # fmt: skip

    objects = []
    for visibility in Visibility.values:
        project = lead_project(
            coordinator=coordinator, lead=menden, title=f"Projekt {visibility}",
            visibility=visibility, team=[(editor, Role.EDITOR), (observer, Role.OBSERVER)],
        )  # fmt: skip
        assign_perm("projects.view_leadproject", staff_group, project)
        draft = project_services.result_create(project=project, by=coordinator, title="Entwurf")
        tested = project_services.result_create(
            project=project, by=coordinator, title="Erprobt", body="Text", maturity="tested"
        )
        template = project_services.template_publish(
            result=tested, by=coordinator, licence="cc-by-4.0", recommended_revision=1
        )
        objects += [project, draft, tested, template]
        if visibility == Visibility.PUBLIC:
            adoption = project_services.adoption_create(
                template=template, municipality=brilon, by=outsider
            )
            objects.append(adoption.copy)
    assert {type(obj) for obj in objects} == {LeadProject, Result, Template}

    for obj in objects:
        fresh = type(obj).objects.get(pk=obj.pk)
        audience = set(
            User.objects.filter(notifications._audience(fresh), pk__in=[p.pk for p in people])
        )
        may_see = {person for person in people if notifications.can_see(person, fresh)}
        assert audience == may_see, f"{type(obj).__name__} {fresh}"
