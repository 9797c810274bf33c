"""Schemathesis against /api/v1/schema/: generated requests to every operation, anonymous and
with a write token, on the test database (rolled back after each operation's run). No answer
may be a server error, and every answer must match the schema: its status code, content type
and body. Examples per operation are capped so the run stays within a few minutes.

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


def _run_every_operation(extra_headers: dict) -> int:
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
    return len(operations)


def test_anonymous_calls_keep_to_the_schema(wsgi_in_test):
    _run_every_operation({})


def test_calls_with_a_write_token_keep_to_the_schema(wsgi_in_test):
    world = build()
    _run_every_operation({"Authorization": headers(world, "editor")["HTTP_AUTHORIZATION"]})
