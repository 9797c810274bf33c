"""Throttling per token across two real server processes (uvicorn) on one PostgreSQL database,
counting in the shared Redis cache: a client alternating between the two is counted once, the
request over the limit gets 429 with Retry-After from whichever process it reaches, and another
token keeps its own count.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from tests.e2e.conftest import Server, start_server, stop_server

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 6
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")

MAKE_TOKENS = """
import datetime
from django.utils import timezone
from workspace.api.services import access_token_create
from workspace.models import User
person = User.objects.create_user(username="datenteam", password="x" * 20)
for name in ("eins", "zwei"):
    _row, token = access_token_create(
        user=person, name=name, scope="read",
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    print(token)
"""


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    import psycopg
    from psycopg import sql

    parts = urlsplit(os.environ["DATABASE_URL"])
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    name = f"klassenraum_api_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def servers(database, tmp_path_factory) -> Iterator[tuple[Server, Server, list[str]]]:
    run = uuid.uuid4().hex[:10]
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env.update(
        DEBUG="1",
        PYTHONUNBUFFERED="1",
        DATABASE_URL=database,
        REDIS_URL=os.environ["REDIS_URL"],
        CACHE_URL=os.environ.get("CACHE_URL") or os.environ["REDIS_URL"],
        CACHE_KEY_PREFIX=f"api-{run}",
        CHANNEL_LAYER_PREFIX=f"api-{run}",
        API_RATE_TOKEN=f"{LIMIT}/h",
    )
    _manage(env, "migrate", "--no-input")
    output = _manage(env, "shell", "-c", MAKE_TOKENS).split()
    tokens = [word for word in output if word.startswith("kr_")]
    first = start_server(env, tmp_path_factory.mktemp("first") / "uvicorn.log")
    try:
        second = start_server(env, tmp_path_factory.mktemp("second") / "uvicorn.log")
    except BaseException:
        stop_server(first)
        raise
    yield first, second, tokens
    stop_server(second)
    stop_server(first)


def _get(server: Server, token: str) -> requests.Response:
    return requests.get(
        f"{server.url}/api/v1/kommunen/",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_a_token_is_throttled_across_both_processes(servers):
    first, second, (token, other) = servers
    answers = [_get((first, second)[n % 2], token).status_code for n in range(LIMIT)]
    assert answers == [200] * LIMIT
    for server in (first, second):
        refused = _get(server, token)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.json()["detail"]
    # Another token of the same person counts on its own.
    assert _get(second, other).status_code == 200
