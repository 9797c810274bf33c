"""The API tests' world (tests/api/world.py), built once per module and rolled back after it."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from tests.api.world import build


@pytest.fixture(scope="module")
def _api_world(django_db_setup, django_db_blocker):
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield build()
        transaction.set_rollback(True)


@pytest.fixture
def api_world(_api_world, db):
    """The world; what a test adds to it is rolled back after the test."""
    return _api_world
