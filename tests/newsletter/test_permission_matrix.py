"""Who may open which URL of the Schülerzeitung, for GET and POST (anonymous, member, office).

Reverse kwargs name objects of the ``world`` fixture symbolically ("draft", "own", …), so
the rows stay independent of database ids.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.matrix import (
    DENY,
    FORM,
    HIDE,
    LOGIN_URL,
    NOPE,
    OK,
    Expect,
    check_answer,
    parametrize_cells,
    row_for,
    send,
)
from tests.matrix import LOGIN as TO_LOGIN

LOGIN = LOGIN_URL
INVALID, FORBIDDEN, MISSING, NOT_ALLOWED = FORM, DENY, HIDE, NOPE
BACK = Expect(302, "/schuelerzeitung/")
ROLES = ("anonymous", "member", "office")
row = row_for(ROLES)


PUBLIC_PAGE = row(get=(OK, OK, OK), post=(NOT_ALLOWED,) * 3)
FORGED = {"token": "gefaelscht"}

MATRIX = {
    "newsletter:archive": ({}, PUBLIC_PAGE),
    "newsletter:feed": ({}, PUBLIC_PAGE),
    "newsletter:subscribe": ({}, row(get=(OK, OK, OK), post=(INVALID,) * 3)),
    "newsletter:confirm": (FORGED, row(get=(MISSING,) * 3, post=(MISSING,) * 3)),
    "newsletter:unsubscribe": (FORGED, row(get=(MISSING,) * 3, post=(MISSING,) * 3)),
    "newsletter:issue": ({"issue_id": "published"}, PUBLIC_PAGE),
    "newsletter:issue-create": (
        {},
        row(get=(TO_LOGIN, FORBIDDEN, OK), post=(TO_LOGIN, FORBIDDEN, INVALID)),
    ),
    "newsletter:issue-edit": (
        {"issue_id": "draft"},
        row(get=(TO_LOGIN, MISSING, OK), post=(TO_LOGIN, MISSING, INVALID)),
    ),
    "newsletter:issue-preview": (
        {"issue_id": "draft"},
        row(get=(TO_LOGIN, MISSING, OK), post=(NOT_ALLOWED,) * 3),
    ),
    "newsletter:issue-preview-text": (
        {"issue_id": "draft"},
        row(get=(TO_LOGIN, MISSING, OK), post=(NOT_ALLOWED,) * 3),
    ),
    "newsletter:issue-send": (
        {"issue_id": "draft"},
        row(get=(TO_LOGIN, MISSING, OK), post=(TO_LOGIN, MISSING, BACK)),
    ),
    "newsletter:issue-progress": (
        {"issue_id": "published"},
        row(get=(TO_LOGIN, FORBIDDEN, OK), post=(NOT_ALLOWED,) * 3),
    ),
    "newsletter:issue-resume": (
        {"issue_id": "published"},
        row(get=(NOT_ALLOWED,) * 3, post=(TO_LOGIN, FORBIDDEN, BACK)),
    ),
    "newsletter:items": ({}, row(get=(TO_LOGIN, OK, OK), post=(NOT_ALLOWED,) * 3)),
    # The office is no member municipality: it edits news, it does not submit any.
    "newsletter:item-create": (
        {},
        row(get=(TO_LOGIN, OK, FORBIDDEN), post=(TO_LOGIN, INVALID, FORBIDDEN)),
    ),
    "newsletter:item": ({"item_id": "own"}, row(get=(TO_LOGIN, OK, OK), post=(NOT_ALLOWED,) * 3)),
    "newsletter:item-edit": (
        {"item_id": "own"},
        row(get=(TO_LOGIN, FORBIDDEN, OK), post=(TO_LOGIN, FORBIDDEN, INVALID)),
    ),
    "newsletter:item-accept": (
        {"item_id": "own"},
        row(get=(NOT_ALLOWED,) * 3, post=(TO_LOGIN, FORBIDDEN, BACK)),
    ),
    "newsletter:item-decline": (
        {"item_id": "own"},
        row(get=(NOT_ALLOWED,) * 3, post=(TO_LOGIN, FORBIDDEN, BACK)),
    ),
    "newsletter:item-image": ({"item_id": "pictured"}, PUBLIC_PAGE),
}


@pytest.fixture
def clients(world, as_user, outsider, office):
    return {"anonymous": as_user(None), "member": as_user(outsider), "office": as_user(office)}


def _resolve(kwargs: dict, world) -> dict:
    return {
        key: getattr(world, value).pk if hasattr(world, str(value)) else value
        for key, value in kwargs.items()
    }


@parametrize_cells(MATRIX, ROLES)
def test_matrix(clients, world, url_name, role, method):
    kwargs, expectations = MATRIX[url_name]
    url = reverse(url_name, kwargs=_resolve(kwargs, world))
    response = send(clients[role], method, url)
    check_answer(response, expectations[method][role], url=url, where=f"{method} {url} als {role}")


def test_a_draft_is_hidden_from_everyone_but_the_office(clients, world):
    url = world.draft.get_absolute_url()
    assert clients["anonymous"].get(url)["Location"].startswith(LOGIN)
    assert clients["member"].get(url).status_code == 404
    assert clients["office"].get(url).status_code == 200


def test_someone_elses_item_is_404_and_a_stranger_may_not_submit(as_user, world, editor, stranger):
    assert as_user(editor).get(world.own.get_absolute_url()).status_code == 404
    response = as_user(stranger).get(reverse("newsletter:item-create"))
    assert response.status_code == 403
    assert "Mitgliedskommunen" in response.content.decode()


def test_a_picture_waiting_for_review_is_not_public(as_user, world, outsider, office):
    from tests.newsletter.conftest import png, submit

    item = submit(outsider, title="Mit Bild", image=png())
    url = reverse("newsletter:item-image", kwargs={"item_id": item.pk})
    assert as_user(None).get(url)["Location"].startswith(LOGIN)
    assert as_user(outsider).get(url).status_code == 200
    assert as_user(office).get(url).status_code == 200
