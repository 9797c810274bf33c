"""Metrics as Prometheus reads them: gunicorn with two workers and a websocket process
share one multiprocess directory, and any of them answers /metriken/ with the sums."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from websockets.sync.client import connect

from tests.e2e.conftest import DEMO_PASSWORD, ROOT, _free_port, _healthy, start_server, stop_server


def _value(text: str, name: str, **labels: str) -> float:
    """The sum of every sample of ``name`` whose labels include ``labels``."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.fixture
def node(server_env, tmp_path):
    """gunicorn (2 workers, the repository's config) and one uvicorn, one metrics directory."""
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    env = {**server_env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        gunicorn = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config", str(ROOT / "gunicorn.conf.py"),
                "--bind", f"127.0.0.1:{port}",
                "--workers", "2",
                "workspace.wsgi:application",
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while not _healthy(port):
        assert gunicorn.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    websockets = start_server(env, tmp_path / "uvicorn.log")
    yield f"http://127.0.0.1:{port}", websockets, metrics
    stop_server(websockets)
    os.killpg(gunicorn.pid, signal.SIGTERM)
    gunicorn.wait(timeout=30)


def test_request_counters_add_up_across_workers_and_sockets_are_counted(node):
    web, websockets, metrics = node
    before = requests.get(web + "/metriken/", timeout=10).text
    counted = _value(before, "klassenraum_http_requests_total", view="healthz")
    # Enough requests in parallel that both workers serve some.
    with requests.Session() as session:
        for _ in range(40):
            assert session.get(web + "/healthz", timeout=10).status_code == 200
    pids = {path.stem.rsplit("_", 1)[-1] for path in metrics.glob("counter_*.db")}
    after = requests.get(web + "/metriken/", timeout=10).text
    assert _value(after, "klassenraum_http_requests_total", view="healthz") == counted + 40
    assert _value(after, "klassenraum_db_queries_total") > 0
    assert "klassenraum_tasks_waiting" in after
    assert len(pids) >= 2, f"nur ein Prozess hat gezählt: {pids}"

    # A socket opened on the websocket process shows in the web worker's sums.
    login = requests.Session()
    page = login.get(web + "/konto/anmelden/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = login.post(
        web + "/konto/anmelden/",
        data={
            "csrfmiddlewaretoken": token,
            "username": "kommune-brilon",
            "password": DEMO_PASSWORD,
        },
        headers={"Referer": web + "/konto/anmelden/"},
        timeout=10,
    )
    assert answer.ok and "sessionid" in login.cookies
    cookie = f"sessionid={login.cookies['sessionid']}"
    host = websockets.url.removeprefix("http://")

    # The synchronous client: the browser tests' worker may already run an event loop.
    with connect(
        f"ws://{host}/ws/benachrichtigungen/",
        additional_headers={"Cookie": cookie, "Origin": f"http://{host}"},
    ) as socket:
        socket.recv(timeout=10)  # the unread count: the socket is open
        while_open = _value(
            requests.get(web + "/metriken/", timeout=10).text, "klassenraum_websockets_open"
        )
    time.sleep(0.5)
    after_close = _value(
        requests.get(web + "/metriken/", timeout=10).text, "klassenraum_websockets_open"
    )
    assert while_open == 1
    assert after_close == 0


def test_only_the_allowed_addresses_and_the_token_reach_the_metrics(node, server_env):
    web, _websockets, _metrics = node
    assert requests.get(web + "/metriken/", timeout=10).status_code == 200
    # The same server, but the allowed network is another one: loopback is refused.
    other = {**server_env, "METRICS_ALLOWED_NETWORKS": "192.0.2.0/24", "METRICS_TOKEN": "t" * 32}
    server = start_server(other, Path(server_env["MEDIA_ROOT"]).parent / "metrics-other.log")
    try:
        refused = requests.get(server.url + "/metriken/", timeout=10)
        assert refused.status_code == 404
        assert "klassenraum_http_requests" not in refused.text
        forged = requests.get(
            server.url + "/metriken/", headers={"X-Forwarded-For": "192.0.2.7"}, timeout=10
        )
        assert forged.status_code == 404
        wrong = requests.get(
            server.url + "/metriken/", headers={"Authorization": "Bearer falsch"}, timeout=10
        )
        assert wrong.status_code == 404
        with_token = requests.get(
            server.url + "/metriken/", headers={"Authorization": "Bearer " + "t" * 32}, timeout=10
        )
        assert with_token.status_code == 200
        assert "klassenraum_http_requests_total" in with_token.text
    finally:
        stop_server(server)
