"""``make serve``: the production topology on this machine, for a first look and for tests.

nginx (TLS with a certificate made at start) on https://127.0.0.1:8443, http://127.0.0.1:8080
redirecting there; gunicorn with the repository's gunicorn.conf.py for HTTP; two uvicorn
processes for ``/ws/``; ``manage.py db_worker`` for the background tasks. ``--nodes 2`` starts a
second set of web and websocket processes behind the same nginx: the nodes share nothing but
PostgreSQL, Redis and the upload storage. DEBUG is off; an empty database is first filled with
the demo world (seeded with DEBUG on for that one step) so that an operator can log in.

One foreground process group: Ctrl-C (or SIGTERM) stops all of it. A process that ends is
started again after 2 s, as the systemd units do (the worker ends when PostgreSQL restarts);
one that fails more than five times a minute stops everything, and the exit code says so. Everything it writes lives in ``.serve/``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent


def fail(message: str) -> None:
    print(f"make serve: {message}", file=sys.stderr)
    raise SystemExit(2)


def certificate(runtime: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made anew at every start."""
    cert, key = runtime / "tls.crt", runtime / "tls.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
            "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    key.chmod(0o600)
    return cert, key


def metrics_dir(runtime: Path) -> Path:
    """Emptied at every start: files of processes from an earlier run would count forever."""
    directory = runtime / "metrics"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()
    return directory


def environment(options: argparse.Namespace, runtime: Path) -> dict[str, str]:
    secret_file = runtime / "secret_key"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(50))
        secret_file.chmod(0o600)
    redis_url = os.environ["REDIS_URL"]
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secret_file.read_text().strip(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"https://127.0.0.1:{options.https_port}",
        "BEHIND_PROXY": "1",
        "TRUSTED_PROXIES": "127.0.0.1",
        "SENDFILE_NGINX": "1",
        "MEDIA_ROOT": str(options.media_root),
        # Caches that must agree between processes live in Redis.
        "CACHE_URL": os.environ.get("CACHE_URL") or redis_url.rsplit("/", 1)[0] + "/1",
        "PYTHONUNBUFFERED": "1",
        # Every process of the node writes its metrics here; /metriken/ adds them up.
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir(runtime)),
    }
    # Loopback over HTTPS with a self-signed certificate: HSTS would pin the browser to it.
    env.setdefault("SECURE_HSTS_SECONDS", "0")
    return env


def prepare(env: dict[str, str]) -> None:
    def manage(*args: str, debug: bool = False) -> str:
        run_env = {**env, "DEBUG": "1"} if debug else env
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=CHECKOUT, env=run_env, capture_output=True, text=True
        )
        if done.returncode != 0:
            fail(f"manage.py {' '.join(args)} ist gescheitert:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    manage("migrate", "--no-input")
    seeded = manage(
        "shell",
        "--no-imports",
        "-c",
        "from workspace.models import Municipality; print(Municipality.objects.exists())",
    ).strip()
    if seeded.splitlines()[-1] == "False":
        print("Leere Datenbank: die Demo-Welt wird angelegt (einmalig, mit DEBUG=1).")
        manage("seed_demo", debug=True)
    manage("collectstatic", "--no-input", "--verbosity", "0")


def nginx_user() -> list[str]:
    """Started as root, nginx's workers would run as nobody, who may not read a private
    checkout or the uploads: they run as the checkout's owner instead."""
    if os.geteuid() != 0:
        return []
    import grp
    import pwd

    info = CHECKOUT.stat()
    return [
        "--nginx-user",
        f"{pwd.getpwuid(info.st_uid).pw_name} {grp.getgrgid(info.st_gid).gr_name}",
    ]


def render(options: argparse.Namespace, runtime: Path, cert: Path, key: Path) -> Path:
    nodes = []
    for node in range(options.nodes):
        base = options.app_port + 10 * node
        nodes += ["--http-upstream", f"127.0.0.1:{base}"]
        nodes += [
            "--ws-upstream",
            f"127.0.0.1:{base + 1}",
            "--ws-upstream",
            f"127.0.0.1:{base + 2}",
        ]
    subprocess.run(
        [
            PYTHON, str(CHECKOUT / "deploy" / "render.py"), str(runtime / "conf"),
            "--server-name", "127.0.0.1 localhost",
            "--listen", "127.0.0.1",
            "--http-port", str(options.http_port),
            "--https-port", str(options.https_port),
            "--certificate", str(cert),
            "--certificate-key", str(key),
            "--runtime-dir", str(runtime),
            "--static-root", str(CHECKOUT / "staticfiles"),
            "--media-root", str(options.media_root),
            *nginx_user(),
            *nodes,
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return runtime / "conf" / "local" / "nginx.conf"


def commands(options: argparse.Namespace, runtime: Path, nginx_conf: Path) -> list[tuple]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    listed: list[tuple[str, list[str], dict[str, str]]] = [
        ("nginx", [nginx, "-p", str(runtime), "-c", str(nginx_conf), "-g", "daemon off;"], {}),
    ]
    for node in range(options.nodes):
        base = options.app_port + 10 * node
        listed.append(
            (
                f"web{node + 1}",
                [
                    str(VENV_BIN / "gunicorn"), "--config", str(CHECKOUT / "gunicorn.conf.py"),
                    "--bind", f"127.0.0.1:{base}", "--workers", str(options.workers),
                    "workspace.wsgi:application",
                ],
                {},
            )
        )  # fmt: skip
        for index in (1, 2):
            name = f"ws{node + 1}.{index}"
            listed.append(
                (
                    name,
                    [
                        str(VENV_BIN / "uvicorn"), "workspace.asgi:application",
                        "--host", "127.0.0.1", "--port", str(base + index),
                        "--lifespan", "on", "--ws-per-message-deflate", "false",
                        "--no-proxy-headers",
                        "--no-access-log",
                    ],
                    {"WS_PROCESS_NAME": name},
                )
            )  # fmt: skip
    listed.append(
        ("worker", [PYTHON, "manage.py", "db_worker", "--queue-name", "*", "--interval", "2"], {})
    )
    return listed


def wait_for_ports(ports: list[int], running: dict[str, subprocess.Popen]) -> None:
    deadline = time.monotonic() + 120
    for port in ports:
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                dead = [name for name, process in running.items() if process.poll() is not None]
                if dead or time.monotonic() > deadline:
                    for process in running.values():
                        if process.poll() is None:
                            process.terminate()
                    fail(f"Port {port} antwortet nicht (beendet: {', '.join(dead) or 'keiner'}).")
                time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--nodes", type=int, choices=(1, 2), default=int(os.environ.get("NODES", 1))
    )
    parser.add_argument("--https-port", type=int, default=int(os.environ.get("HTTPS_PORT", 8443)))
    parser.add_argument("--http-port", type=int, default=int(os.environ.get("HTTP_PORT", 8080)))
    parser.add_argument("--app-port", type=int, default=int(os.environ.get("APP_PORT", 8001)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--runtime", type=Path, default=CHECKOUT / ".serve")
    parser.add_argument("--media-root", type=Path, default=None)
    options = parser.parse_args(argv)

    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        fail(
            "der Betrieb braucht PostgreSQL und Redis. Bitte setzen Sie "
            + " und ".join(missing)
            + ", z. B.\n  DATABASE_URL=postgres://postgres@127.0.0.1:5432/klassenraum "
            "REDIS_URL=redis://127.0.0.1:6379/0 make serve"
        )
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        fail("DATABASE_URL muss auf PostgreSQL zeigen (postgres://…).")
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        fail("nginx fehlt: apt-get install nginx")

    runtime: Path = options.runtime.resolve()
    runtime.mkdir(parents=True, exist_ok=True)
    options.media_root = (options.media_root or runtime / "media").resolve()
    options.media_root.mkdir(parents=True, exist_ok=True)
    env = environment(options, runtime)
    prepare(env)
    cert, key = certificate(runtime)
    nginx_conf = render(options, runtime, cert, key)

    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    specs = {
        name: (command, extra) for name, command, extra in commands(options, runtime, nginx_conf)
    }

    def launch(name: str) -> subprocess.Popen:
        command, extra = specs[name]
        log = (runtime / f"{name}.log").open("ab")
        return subprocess.Popen(
            command, cwd=CHECKOUT, env={**env, **extra}, stdout=log, stderr=subprocess.STDOUT
        )

    # nginx last, once every app process listens: started first, it would mark the upstreams
    # down for their fail_timeout on the first refused connection and answer 502 meanwhile.
    running = {name: launch(name) for name in specs if name != "nginx"}
    app_ports = [
        options.app_port + 10 * node + offset
        for node in range(options.nodes)
        for offset in (0, 1, 2)
    ]
    wait_for_ports(app_ports, running)
    running["nginx"] = launch("nginx")
    restarts: dict[str, list[float]] = {name: [] for name in specs}
    print(
        f"Klassenraum läuft hinter nginx auf https://127.0.0.1:{options.https_port}/ "
        f"({options.nodes} Knoten; Protokolle in {runtime}) – beenden mit Strg+C.",
        flush=True,
    )
    code = 0
    while not stopping:
        for name, process in list(running.items()):
            if process.poll() is None:
                continue
            # As systemd's Restart= does: a process that ends (the worker does when
            # PostgreSQL restarts) is started again; one that keeps failing stops everything.
            now = time.monotonic()
            restarts[name] = [at for at in restarts[name] if now - at < 60] + [now]
            if len(restarts[name]) > 5:
                print(f"make serve: {name} scheitert immer wieder – Ende.", file=sys.stderr)
                code = 1
                stopping = True
                break
            print(
                f"make serve: {name} hat sich beendet ({process.returncode}), Neustart in 2 s.",
                file=sys.stderr,
            )
            time.sleep(2)
            running[name] = launch(name)
        time.sleep(0.5)
    processes = list(running.items())
    for _name, process in reversed(processes):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 30
    for _name, process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    return code


if __name__ == "__main__":
    sys.exit(main())
