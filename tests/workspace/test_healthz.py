"""/healthz: 200 naming each part; 503 only without a database; "degraded" without the layer."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from workspace.clients import uvicorn_proxy_args

ROOT = Path(__file__).resolve().parents[2]


def test_healthy_installation_names_every_part(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_channel_layer_down_is_degraded_not_down(client, db, settings):
    # A Redis that nobody listens on: port 1 of loopback.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0"}]},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "channel_layer": "degraded"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, deadline: float) -> tuple[int, dict]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 – loopback
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_database_unreachable_answers_503_from_the_real_server(tmp_path):
    """The real ASGI server, configured for a PostgreSQL that does not answer."""
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/klassenraum",
        "REDIS_URL": "",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "workspace.asgi:application",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            *uvicorn_proxy_args(env.get("TRUSTED_PROXIES", "")),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("w"),
    )
    try:
        status, body = _get(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 30)
    finally:
        server.terminate()
        server.wait(10)
    assert status == 503, (tmp_path / "server.log").read_text()
    assert body == {"status": "unavailable", "database": "unreachable", "channel_layer": "ok"}


@pytest.mark.services
def test_redis_channel_layer_is_reported_ok(client, db, settings):
    assert (
        settings.CHANNEL_LAYERS["default"]["BACKEND"]
        == "channels_redis.pubsub.RedisPubSubChannelLayer"
    )
    assert client.get("/healthz").json()["channel_layer"] == "ok"
