"""Schemathesis against /api/v1/schema/: generated requests to every operation, anonymous and
with a write token, on the test database with the API tests' world in it (tests/api/world.py),
rolled back after each operation's run. No answer may be a server error, and every answer must
match the schema: its status code, content type and body. Examples per operation are capped so
the run stays within a few minutes. Generated paths rarely name an object that exists, so each
reading operation is also asked once about a public object of the world: that answer must be
200 and match the schema too.

Runs in the PostgreSQL run of CI only (``services``): the embedded run has everything else.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from projects.models import Result, Visibility
from tests.api.world import build, headers

pytestmark = pytest.mark.services

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def world(db):
    return build()


SETTINGS = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def wsgi_in_test(db):
    """Requests through the WSGI app keep the test's connection (and transaction) open, as
    Django's test client does: otherwise each request's end closes it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _real_objects(world) -> dict[str, dict]:
    """Path (and query) parameters naming a public object of the world, per operation path."""
    result = world.results[Visibility.PUBLIC, Result.Maturity.TESTED]
    project = world.projects[Visibility.PUBLIC]
    menden = world.municipalities["menden"]
    published = next(g for g in world.guides.values() if g.status == "published")
    return {
        "/api/v1/ergebnisse/{id}/": {"id": result.pk},
        "/api/v1/ergebnisse/{id}/vergleich/": {"id": result.pk, "?": {"von": 1, "zu": 2}},
        "/api/v1/ergebnisse/{id}/versionen/": {"id": result.pk},
        "/api/v1/ergebnisse/{id}/versionen/{revision}/": {"id": result.pk, "revision": 1},
        "/api/v1/klassen/{year}/": {"year": menden.cohort.year},
        "/api/v1/kommunen/{slug}/": {"slug": menden.slug},
        "/api/v1/leitfaeden/{slug}/": {"slug": published.slug},
        "/api/v1/leitprojekte/{slug}/": {"slug": project.slug},
        "/api/v1/schuelerzeitung/{id}/": {"id": world.issues["published"].pk},
        "/api/v1/termine/{id}/": {"id": world.appointment.pk},
        "/api/v1/vokabelheft/{slug}/": {"slug": world.term.slug},
        "/api/v1/vorlagen/{id}/": {"id": world.templates[Visibility.PUBLIC].pk},
    }


def _run_every_operation(extra_headers: dict, real: dict[str, dict]) -> int:
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @SETTINGS
        def call(case):
            case.headers = {**(case.headers or {}), **extra_headers}
            response = case.call()
            case.validate_response(response, checks=CHECKS)

        call()
        if operation.method.upper() == "GET" and operation.path in real:
            parameters = dict(real[operation.path])
            query = parameters.pop("?", None)
            case = operation.Case(path_parameters=parameters, query=query, headers=extra_headers)
            response = case.call()
            assert response.status_code == 200, f"{case.formatted_path}: {response.status_code}"
            case.validate_response(response, checks=CHECKS)
    asked = {operation.path for operation in operations if operation.method.upper() == "GET"}
    assert set(real) <= asked, f"nicht in der Beschreibung: {set(real) - asked}"
    return len(operations)


def test_anonymous_calls_keep_to_the_schema(wsgi_in_test, world):
    _run_every_operation({}, _real_objects(world))


def test_calls_with_a_write_token_keep_to_the_schema(wsgi_in_test, world):
    bearer = {"Authorization": headers(world, "editor")["HTTP_AUTHORIZATION"]}
    _run_every_operation(bearer, _real_objects(world))
