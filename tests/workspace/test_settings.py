"""Settings: production hardening with DEBUG off, loud failure on bad values."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "ein-langer-zufaelliger-schluessel-" + "x7Qk2pL9" * 6,
    "ALLOWED_HOSTS": "klassenraum.example.org",
    "SITE_URL": "https://klassenraum.example.org",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return _run("manage.py", *args, **env)


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    hidden = {"DEBUG", "SECRET_KEY", "KLASSENRAUM_MANAGEMENT_COMMAND"}
    clean = {k: v for k, v in os.environ.items() if k not in hidden}
    # Not under pytest inside the child, so the production rules apply in full.
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "KLASSENRAUM_TESTING": "0", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_has_nothing_to_say_in_production():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr
    assert "no issues" in result.stdout


def test_production_server_without_secret_key_refuses_to_start():
    for entry in ("workspace.wsgi", "workspace.asgi"):
        result = _run("-c", f"import {entry}", **{**PRODUCTION, "SECRET_KEY": ""})
        assert result.returncode != 0
        assert "SECRET_KEY fehlt" in result.stderr


def test_management_commands_run_without_a_key_but_the_deploy_check_names_it():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    assert _manage("makemigrations", "--check", "--dry-run", **env).returncode == 0
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_database_url_must_be_postgresql():
    result = _manage("check", **{**PRODUCTION, "DATABASE_URL": "mysql://root@127.0.0.1/x"})
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_cache_url_must_be_redis():
    result = _manage("check", **{**PRODUCTION, "CACHE_URL": "memcache://127.0.0.1:11211"})
    assert result.returncode != 0
    assert "CACHE_URL muss mit redis://" in result.stderr


def test_production_cookies_and_headers(client, db, settings):
    # The hardening of DEBUG=0, as production sets it, seen from a browser.
    response = client.get("/", secure=True)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert settings.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert settings.CSRF_COOKIE_NAME == "__Host-csrftoken"
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
