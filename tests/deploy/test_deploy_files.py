"""What an operator installs (deploy/) is checked by the tools that will read it.

The units are rendered with this checkout's paths and verified by ``systemd-analyze verify``
(which also finds a missing executable or a misspelt directive); the nginx site, wrapped in
the complete configuration of ``deploy/local/``, passes ``nginx -t``. Both tools come from
Debian (.ci/run installs nginx); they read the files, nothing is started.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = [
    "klassenraum-web.service",
    "klassenraum-worker.service",
    "klassenraum-ws@8002.service",
    "klassenraum-command@send_digests.service",
    "klassenraum-command@send_digests.timer",
    "klassenraum-command@send_date_reminders.service",
    "klassenraum-command@send_date_reminders.timer",
    "klassenraum-command@security_log_purge.service",
    "klassenraum-command@security_log_purge.timer",
]


def render(out: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "render.py"), str(out), *args],
        check=True,
        capture_output=True,
        text=True,
    )


def self_signed(directory: Path) -> tuple[Path, Path]:
    certificate, key = directory / "tls.crt", directory / "tls.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


def test_rendering_leaves_no_placeholder(tmp_path):
    render(tmp_path)
    rendered = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert len(rendered) == len(list((ROOT / "deploy").rglob("*.in")))
    for path in rendered:
        assert "@" not in path.read_text().replace("klassenraum-command@", "").replace(
            "klassenraum-ws@", ""
        ), path


def test_systemd_units_verify(tmp_path):
    tool = shutil.which("systemd-analyze")
    assert tool, "systemd-analyze fehlt (Debian-Paket systemd)"
    env_file = tmp_path / "klassenraum.env"
    env_file.write_text((ROOT / "deploy" / "klassenraum.env.example").read_text())
    media = tmp_path / "media"
    media.mkdir()
    render(tmp_path, "--user", "root", "--env-file", str(env_file), "--media-root", str(media))
    result = subprocess.run(
        [tool, "verify", "--man=no", *UNITS],
        cwd=tmp_path / "systemd",
        capture_output=True,
        text=True,
    )
    # Parse errors are only warnings to systemd (exit 0), so the output must be empty too.
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_systemd_verify_notices_a_broken_unit(tmp_path):
    """The check above can fail: a unit whose program is missing is reported."""
    render(tmp_path, "--user", "root", "--venv", str(tmp_path / "no-venv"))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", "klassenraum-worker.service"],
        cwd=tmp_path / "systemd",
        capture_output=True,
        text=True,
    )
    assert "is not executable" in result.stderr


@pytest.mark.parametrize("upstreams", [1, 2], ids=["ein-knoten", "zwei-knoten"])
def test_nginx_accepts_the_site(tmp_path, upstreams):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx fehlt (Debian-Paket nginx)"
    certificate, key = self_signed(tmp_path)
    runtime = tmp_path / "run"
    runtime.mkdir()
    nodes = []
    for node in range(upstreams):
        nodes += ["--http-upstream", f"127.0.0.1:{18001 + 10 * node}"]
        nodes += ["--ws-upstream", f"127.0.0.1:{18002 + 10 * node}"]
    render(
        tmp_path / "conf",
        "--server-name", "127.0.0.1",
        "--listen", "127.0.0.1",
        "--http-port", "18080",
        "--https-port", "18443",
        "--certificate", str(certificate),
        "--certificate-key", str(key),
        "--runtime-dir", str(runtime),
        "--static-root", str(tmp_path / "static"),
        "--media-root", str(tmp_path / "media"),
        *nodes,
    )  # fmt: skip
    main = tmp_path / "conf" / "local" / "nginx.conf"
    result = subprocess.run(
        [nginx, "-t", "-p", str(runtime), "-c", str(main)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
    site = (tmp_path / "conf" / "nginx" / "klassenraum.conf").read_text()
    assert site.count("server 127.0.0.1:") == 2 * upstreams
