"""Requests per second as served in production: gunicorn with the repository's gunicorn.conf.py
(2 workers), DEBUG off, PostgreSQL, the demo world; wrk on the same machine.

Each figure is the median of ``ROUNDS`` (3) runs; the runs alternate between all targets, so a
burst of load from elsewhere on this shared machine hits every target alike. The table gives
every page as a share of the bare view through the full middleware, and the middleware's own
cost as a share of the bare view without any. Usage: ``make bench`` or
``DATABASE_URL=postgres://… python bench/throughput.py`` (needs wrk: apt-get install wrk). With
``CACHE_URL`` or ``REDIS_URL`` set, the workers share that Redis as their cache, as under
``make serve`` (cached fragments are read from it); without, each worker caches for itself.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
SECONDS = int(os.environ.get("BENCH_SECONDS", 5))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 8))
MEMBER = "team-iserlohn"

PAGES = [
    "/",
    "/kommunen/",
    "/klassen/",
    "/leitprojekte/",
    "{project}",
    "{result}",
    "{result}versionen/",
    "/vorlagen/",
    "/steuerkreis/vereinbarungen/",
    "/leitfaeden/",
    "{guide}",
    "/termine/",
    "/suche/?q=Schule",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def start(env: dict[str, str], middleware: bool, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
            "--bind", f"127.0.0.1:{port}", "--workers", "2",
            "--access-logfile", "/dev/null", "bench.bare_wsgi:application",
        ],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "bench.bare_settings",
            "BENCH_MIDDLEWARE": "1" if middleware else "0",
        },
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, url
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn startet nicht:\n{log.read_text()}")


def wrk(url: str, cookie: str | None) -> float:
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{SECONDS}s", "--latency"]
    # As nginx passes every request on: HTTPS was spoken at the edge.
    command += ["-H", "X-Forwarded-Proto: https"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    done = subprocess.run([*command, url], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{url}: wrk scheitert\n{done.stdout}\n{done.stderr}")
    out = done.stdout
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"{url}: Fehlerantworten\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def log_in(url: str) -> str:
    """A member's session, through the login form as nginx would pass it on (HTTPS)."""
    import requests

    https = {"X-Forwarded-Proto": "https"}
    page = requests.get(url + "/konto/anmelden/", headers=https, timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    csrf = "; ".join(f"{name}={value}" for name, value in page.cookies.items())
    answer = requests.post(
        url + "/konto/anmelden/",
        data={"csrfmiddlewaretoken": token, "username": MEMBER, "password": "demo"},
        headers={
            **https,
            "Cookie": csrf,
            "Origin": url.replace("http://", "https://"),
            "Referer": url.replace("http://", "https://") + "/konto/anmelden/",
        },
        timeout=60,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise SystemExit(f"Anmeldung gescheitert: {answer.status_code}")
    return "; ".join(f"{name}={value}" for name, value in answer.cookies.items())


def paths(env: dict[str, str]) -> list[str]:
    code = (
        "from projects.models import LeadProject, Result; from network.guides.models import Guide;"
        "p = LeadProject.objects.filter(visibility='public').order_by('pk').first();"
        "r = Result.objects.filter(project=p).exclude(maturity='draft').order_by('pk').first();"
        "g = Guide.objects.filter(status='published').order_by('pk').first();"
        "print(p.get_absolute_url(), r.get_absolute_url(), g.get_absolute_url())"
    )
    project, result, guide = manage(env, "shell", "--no-imports", "-c", code).split()[-3:]
    return [page.format(project=project, result=result, guide=guide) for page in PAGES]


def served_env(database_url: str, runtime: Path, cache_url: str, prefix: str) -> dict[str, str]:
    """The environment of a server as production runs it, on ``database_url``: DEBUG off, behind
    nginx (HTTPS at the edge), limits wide enough for one load generator asking thousands of
    times. With ``cache_url`` the workers share that cache under ``prefix``."""
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "REDIS_URL")}
    if cache_url:
        env |= {"CACHE_URL": cache_url, "CACHE_KEY_PREFIX": prefix}
    return env | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
        "MEDIA_ROOT": str(runtime / "media"),
        "AXES_FAILURE_LIMIT": "1000",
        # The load generator is one address and one person asking thousands of times.
        "RATE_LIMIT_SEARCH_ADDRESS": "1000000/m",
        "RATE_LIMIT_SEARCH_PERSON": "1000000/m",
        # Behind nginx (deploy/), which speaks HTTPS and forwards the scheme.
        "BEHIND_PROXY": "1",
        "TRUSTED_PROXIES": "127.0.0.1",
    }


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench/throughput.py misst auf PostgreSQL: bitte DATABASE_URL setzen.")
    if not shutil.which("wrk"):
        raise SystemExit("wrk fehlt: apt-get install wrk")
    import psycopg
    from psycopg import sql

    name = f"klassenraum_bench_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(database_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    runtime = Path(tempfile.mkdtemp(prefix=name))
    # As make serve runs it: the workers share one cache (cached fragments and their stamps).
    cache_url = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "")
    env = served_env(urlunsplit(parts._replace(path=f"/{name}")), runtime, cache_url, name)
    servers: list[subprocess.Popen] = []
    try:
        manage({**env, "DEBUG": "1"}, "migrate", "--no-input")
        manage({**env, "DEBUG": "1"}, "seed_demo", "--quiet-accounts")
        manage(env, "collectstatic", "--no-input", "--verbosity", "0")
        targets = paths(env)
        bare, bare_url = start(env, middleware=False, log=runtime / "bare.log")
        full, full_url = start(env, middleware=True, log=runtime / "full.log")
        servers += [bare, full]
        cookie = log_in(full_url)
        runs: dict[tuple[str, str], list[float]] = {}
        jobs = [("ohne Middleware", bare_url + "/_bench/leer/", None, "leer")]
        jobs.append(("mit Middleware", full_url + "/_bench/leer/", None, "leer"))
        for target in targets:
            jobs.append(("Besuch", full_url + target, None, target))
            jobs.append(("angemeldet", full_url + target, cookie, target))
        for round_number in range(ROUNDS):
            for who, url, with_cookie, label in jobs:
                runs.setdefault((who, label), []).append(wrk(url, with_cookie))
            print(f"Runde {round_number + 1}/{ROUNDS} fertig", file=sys.stderr)
        report(
            runs,
            targets,
            "Seiten-Cache im geteilten Redis"
            if cache_url
            else "ohne geteilten Cache (kein Seiten-Cache)",
        )
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        shutil.rmtree(runtime, ignore_errors=True)
        if cache_url:
            import redis

            shared = redis.Redis.from_url(cache_url)
            for key in shared.scan_iter(match=f"{name}:*"):
                shared.delete(key)
    return 0


def report(runs: dict[tuple[str, str], list[float]], targets: list[str], cache: str) -> None:
    """The table, each figure marked against its goal (Done-when 6 of the production issue)."""
    median = {key: statistics.median(values) for key, values in runs.items()}
    floor = median[("ohne Middleware", "leer")]
    bare = median[("mit Middleware", "leer")]

    def mark(met: bool) -> str:
        return "erreicht" if met else "**verfehlt**"

    print(
        f"\ngunicorn, gunicorn.conf.py, 2 Worker, DEBUG aus, PostgreSQL, Demo-Welt, {cache}; wrk "
        f"-c {CONNECTIONS} -d {SECONDS}s; Median aus {ROUNDS} abwechselnden Läufen\n"
    )
    print(
        "| Seite | Besuch r/s | % | Ziel | angemeldet r/s | % | Ziel |\n"
        "|---|---:|---:|---|---:|---:|---|"
    )
    cost = 1 - bare / floor
    print(f"| leere View ohne Middleware | {floor:.0f} | | | | | |")
    print(
        f"| leere View mit Middleware | {bare:.0f} | 100 | Kosten {100 * cost:.0f} % ≤ 20 %: "
        f"{mark(cost <= 0.2)} | | | |"
    )
    failed = [] if cost <= 0.2 else [f"Middleware kostet {100 * cost:.0f} %"]
    for target in targets:
        visitor = median[("Besuch", target)] / bare
        member = median[("angemeldet", target)] / bare
        goal = 0.5 if target == "/leitprojekte/" else 0.3
        print(
            f"| `{target}` | {median[('Besuch', target)]:.0f} | {100 * visitor:.0f} | "
            f"≥ {100 * goal:.0f} %: {mark(visitor >= goal)} | {median[('angemeldet', target)]:.0f} | "
            f"{100 * member:.0f} | ≥ 30 %: {mark(member >= 0.3)} |"
        )
        if visitor < goal:
            failed.append(f"{target} (Besuch) {100 * visitor:.0f} % < {100 * goal:.0f} %")
        if member < 0.3:
            failed.append(f"{target} (angemeldet) {100 * member:.0f} % < 30 %")
    print(f"\nKosten der Middleware: {100 * cost:.0f} % der leeren View (Ziel: höchstens 20 %)")
    print("Ziele erreicht." if not failed else "Ziele verfehlt: " + "; ".join(failed))


if __name__ == "__main__":
    sys.exit(main())
