"""Who may open which URL of the discussion and of the notifications, for GET and POST.

Written out as data (``MATRIX``: url name → (reverse kwargs from the world, expectations)),
not derived from the permission modules, so the two can disagree. Roles: the anonymous
visitor; ``stranger`` (logged in, no member municipality); ``member`` (Brilon staff, who wrote
the comment and got the notification); the network ``office`` (moderates everywhere).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from network.discussion import services
from network.discussion.models import Comment
from projects import services as project_services
from tests.matrix import (
    DENY,
    DONE,
    HIDE,
    LOGIN,
    LOGIN_URL,
    NOPE,
    OK,
    check_answer,
    client_for,
    refused,
    row_for,
    send,
)
from tests.projects.factories import lead_project
from tests.worker import run_worker
from workspace import notifications
from workspace.models import MailOptOut, Notification

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "stranger", "member", "office")


row = row_for(ROLES)

NO = (NOPE,) * 4
WRITE = (LOGIN, DENY, DONE, DONE)


def comment(w):
    return {"comment_id": w["comment"].pk}


def notification(w):
    return {"notification_id": w["notification"].pk}


def project_target(w):
    return {"model": "projects.leadproject", "pk": w["project"].pk}


# fmt: off
MATRIX = {
    "discussion:project-comment": (lambda w: {"slug": w["project"].slug}, row(get=NO, post=WRITE)),
    "discussion:result-comment": (lambda w: {"result_id": w["result"].pk}, row(get=NO, post=WRITE)),
    "discussion:comment": (comment, row(get=(LOGIN, HIDE, OK, OK), post=NO)),
    "discussion:reply": (comment, row(get=NO, post=(LOGIN, HIDE, DONE, DONE))),
    # Only the author edits (shortly after writing); the office moderates, it does not edit.
    "discussion:edit": (comment, row(get=(LOGIN, HIDE, OK, DENY), post=(LOGIN, HIDE, DONE, DENY))),
    "discussion:hide": (comment, row(get=(LOGIN, HIDE, DENY, OK), post=(LOGIN, HIDE, DENY, DONE))),
    "discussion:unhide": (comment, row(get=NO, post=(LOGIN, HIDE, DENY, DONE))),
    "notifications:list": (lambda w: {}, row(get=(LOGIN, OK, OK, OK), post=NO)),
    # A notification is its recipient's only: for anyone else it does not exist.
    "notifications:open": (notification, row(get=NO, post=(LOGIN, HIDE, DONE, HIDE))),
    "notifications:read": (notification, row(get=NO, post=(LOGIN, HIDE, DONE, HIDE))),
    "notifications:read-all": (lambda w: {}, row(get=NO, post=(LOGIN, DONE, DONE, DONE))),
    "notifications:mail": (lambda w: {}, row(get=NO, post=(LOGIN, DONE, DONE, DONE))),
    # The signed token is the permission: whoever holds the link may stop that kind of mail.
    "notifications:unsubscribe": (lambda w: {"token": w["token"]}, row(get=(OK,) * 4, post=(OK,) * 4)),
    # A public project: everyone logged in may follow it.
    "notifications:follow": (project_target, row(get=NO, post=(LOGIN, DONE, DONE, DONE))),
    "notifications:unfollow": (project_target, row(get=NO, post=(LOGIN, DONE, DONE, DONE))),
}
# fmt: on


@pytest.fixture
def world(coordinator, menden, outsider, stranger, office, editor):
    project = lead_project(coordinator=coordinator, lead=menden, title="Offene Datenplattform")
    result = project_services.result_create(
        project=project, by=coordinator, title="Datenmodell", body="Text", maturity="tested"
    )
    written = services.comment_create(by=outsider, project=project, result=result, body="Frage")
    services.comment_create(by=coordinator, project=project, result=result, body="@kommune-brilon")
    run_worker()  # the background worker writes the notifications
    return {
        "project": project,
        "result": result,
        "comment": written,
        "notification": Notification.objects.filter(recipient=outsider).first(),
        "token": notifications.unsubscribe_token(outsider, "comment"),
        "users": {"anonymous": None, "stranger": stranger, "member": outsider, "office": office},
    }


def post_data(url_name: str) -> dict:
    if url_name in ("discussion:project-comment", "discussion:result-comment"):
        return {"body": "Ein Kommentar"}
    if url_name in ("discussion:reply", "discussion:edit"):
        return {"body": "Eine Antwort"}
    if url_name == "discussion:hide":
        return {"reason": "Nicht zum Thema"}
    if url_name == "notifications:mail":
        return {"kinds": ["comment"]}
    return {}


def _snapshot():
    return (
        sorted(Comment.objects.values_list("pk", "body", "hidden_at")),
        sorted(Notification.objects.values_list("pk", "read_at")),
        sorted(MailOptOut.objects.values_list("user_id", "kind")),
    )


CASES = [
    (name, method, role)
    for name, (_kwargs, expectations) in MATRIX.items()
    for method in ("GET", "POST")
    for role in ROLES
]


@pytest.mark.parametrize(("url_name", "method", "role"), CASES)
def test_matrix(world, url_name, method, role):
    kwargs, expectations = MATRIX[url_name]
    expected = expectations[method][role]
    url = reverse(url_name, kwargs=kwargs(world))
    before = _snapshot()
    response = send(client_for(world["users"][role]), method, url, post_data(url_name))
    check_answer(response, expected, url=url, where=f"{method} {url} als {role}")
    if expected.then == "done":
        assert not response["Location"].startswith(LOGIN_URL)
    if refused(expected):
        assert _snapshot() == before, "a refused request changed something"
