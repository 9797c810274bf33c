"""The vocabulary every permission matrix (``tests/**/test_*matrix*.py``) is written in.

A matrix names, for each URL, what each role gets for GET and POST. The cells are ``Expect``
values: a status, where a redirect leads (``then``) and the German reason a 403 shows
(``message``). The answers follow DESIGN.md, "Who may do what": anonymous on anything not
public → ``LOGIN``; logged in but may not see → ``HIDE`` (404); may see but not act → ``DENY``
(403 with a German message); a method the URL does not take → ``NOPE`` (405).

Each matrix keeps its own rows, world and effects; what they all share stands here once:
the cells, the helpers that spread a row of cells over the matrix's roles, the test clients
and the check of one answer. ``tests/test_url_coverage.py`` finds every ``MATRIX``; this
module's name does not match its pattern, so it holds none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.test import Client

LOGIN_URL = "/konto/anmelden/"
METHODS = ("GET", "POST")


@dataclass(frozen=True)
class Expect:
    status: int
    # Where a redirect leads: "login" (the login page, ?next= back here), a path the Location
    # starts with ("/…"), or a name the matrix itself resolves ("done", "project", …).
    then: str | None = None
    message: str | None = None  # the German reason a 403 must show


OK = Expect(200)
FORM = Expect(400)  # the form again, with its messages
LOGIN = Expect(302, "login")  # anonymous → login page, ?next= back here
DENY = Expect(403)  # may see, may not act: German message
HIDE = Expect(404)  # may not see at all
NOPE = Expect(405)  # the URL does not take this method
DONE = Expect(302, "done")  # carried out, on to the page the action leads to


def cells_for(roles: Sequence[str]) -> Callable[..., dict[str, Expect]]:
    """``cells(a, b, …)``: one cell per role, in the order of ``roles``."""

    def cells(*expectations: Expect) -> dict[str, Expect]:
        return dict(zip(roles, expectations, strict=True))

    return cells


def row_for(roles: Sequence[str]) -> Callable[..., dict[str, dict[str, Expect]]]:
    """``row(get=(…), post=(…))``: the cells of both methods, one per role."""
    cells = cells_for(roles)

    def row(get: Sequence[Expect], post: Sequence[Expect]) -> dict[str, dict[str, Expect]]:
        return {"GET": cells(*get), "POST": cells(*post)}

    return row


def by_rows(roles: Sequence[str], rows: dict[str, Sequence]) -> dict[str, dict]:
    """A table: one row per case (a visibility, a licence, …), one column per role."""
    cells = cells_for(roles)
    return {case: cells(*row) for case, row in rows.items()}


def parametrize_cells(matrix: dict, roles: Sequence[str], methods: Sequence[str] = METHODS):
    """The parameters of a matrix's test: every URL × role × method."""

    def decorate(test):
        test = pytest.mark.parametrize("method", list(methods))(test)
        test = pytest.mark.parametrize("role", list(roles))(test)
        return pytest.mark.parametrize("url_name", sorted(matrix))(test)

    return decorate


# One request handler for all clients: building its middleware again for every client (the
# static files are scanned then) would cost more than the rest of a cell.
_handler = Client().handler


def client_for(user) -> Client:
    """A fresh client (fresh cookies) logged in as ``user`` (``None``: anonymous)."""
    client = Client()
    client.handler = _handler
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_user():
    """Like ``as_user`` of tests/conftest.py, with the shared request handler."""
    return client_for


def send(client: Client, method: str, url: str, data: dict | None = None, **extra):
    return client.get(url, **extra) if method == "GET" else client.post(url, data or {}, **extra)


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def check_answer(response, expected: Expect, *, url: str, where: str, message: str | None = None):
    """The status, the login redirect, a redirect's path, and a 403's German reason."""
    assert response.status_code == expected.status, (
        f"{where}: {response.status_code}, erwartet {expected.status}"
    )
    if expected.then == "login":
        assert response["Location"] == f"{LOGIN_URL}?{urlencode({'next': url}, safe='/')}", where
    elif expected.then and expected.then.startswith("/"):
        assert response["Location"].startswith(expected.then), where
    reason = expected.message or message
    if expected.status == 403 and reason:
        text = body(response)
        assert "Keine Berechtigung" in text, where
        assert reason in text, f"{where}: die deutsche Begründung fehlt"


def refused(expected: Expect) -> bool:
    """Whether the cell is a refusal, after which the database must be exactly as before."""
    return expected.status in (403, 404, 405) or expected.then == "login"
