"""``make soak``: the production topology under load while its services fail (a benchmark, not CI).

A PostgreSQL cluster (Debian's PostgreSQL 15, ``initdb`` into a temporary directory) and a Redis
of its own on free ports, so restarting them disturbs nothing else; on them the topology of
``make serve`` (deploy/serve.py: nginx with TLS, gunicorn with gunicorn.conf.py, two uvicorn
processes for ``/ws/``, ``manage.py db_worker``) on free ports; through nginx the locust
scenario of bench/soak_locustfile.py: anonymous readers, members reading and searching,
editors saving results, co-editors typing over websockets, the bell socket open for everyone
logged in. During the run (``SOAK_MINUTES``, default 10) the worker is killed once, PostgreSQL
restarted once and Redis restarted once.

serve.py stops everything when one of its processes dies, as a foreground process group
should; here the processes are started from serve.py's own functions (the same environment,
nginx configuration and command lines) but supervised as the shipped systemd units do: a
process that exits is started again after its unit's ``RestartSec`` (the worker's
``Restart=always``). That the worker's death is survived is the point of killing it.

The report (printed and written to bench/results/soak-<time>.md): requests and errors per
phase (before, around and after each fault), p50/p95 per page, websocket drops and
reconnects, the memory (RSS) of every process at the start, minute 3 and the end, and what was
lost: every save acknowledged to an editor must be in the result's history, every co-editing
line acknowledged to a co-editor must be in the final text. The goals are checked at the end.

Environment: ``SOAK_MINUTES`` (10), ``SOAK_USERS`` (``Besucher=6,Mitglied=4,Redakteur=3,
Mitschreiber=4``), ``SOAK_NODES`` (1), ``SOAK_KEEP=1`` keeps the temporary directory.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
RESULTS_DIR = CHECKOUT / "bench" / "results"
SCALE = {"Besucher": 6, "Mitglied": 4, "Redakteur": 3, "Mitschreiber": 4}
SEARCH_TERMS = ["Schule", "Daten", "Medien", "Netzwerk", "Digitalisierung", "Unterricht"]
# A failure counts as "in the seconds of a restart" from just before it began until this many
# seconds after the service answered again (reconnect back-offs of 1, 2, 4 s fit inside).
GRACE_SECONDS = 10.0
MEMORY_GROWTH_LIMIT = 0.20


def log(message: str) -> None:
    print(f"[soak {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_ports(count: int, spread: int = 1) -> int:
    """A base port with ``count * spread`` free ports above it (serve.py counts from a base)."""
    for _ in range(200):
        base = free_port()
        if base + count * spread > 65000:
            continue
        wanted = range(base, base + count * spread)
        try:
            for port in wanted:
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise SystemExit("make soak: keine freien Ports gefunden.")


def as_postgres(command: list[str]) -> list[str]:
    # initdb and the server refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def load_serve():
    spec = importlib.util.spec_from_file_location("klassenraum_serve", CHECKOUT / "deploy/serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- services of its own --------------------------------------------------------------------


class Postgres:
    def __init__(self, root: Path) -> None:
        self.root = root / "postgres"
        self.data = self.root / "data"
        self.port = free_port()
        self.log = self.root / "postgres.log"

    def init(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise SystemExit("make soak: PostgreSQL 15 fehlt (apt-get install postgresql-15).")
        self.root.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        subprocess.run(
            as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                 "-E", "UTF8", "--no-locale"]
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip
        self.pg_ctl(
            "start",
            "-l", str(self.log),
            "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c max_connections=200",
        )  # fmt: skip
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "klassenraum"],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def pg_ctl(self, action: str, *args: str) -> None:
        # Never a pipe: the server pg_ctl starts would inherit it, and reading to its end
        # would wait for the server to stop.
        with (self.root / "pg_ctl.log").open("ab") as output:
            subprocess.run(
                as_postgres([str(PG_BIN / "pg_ctl"), action, "-D", str(self.data), "-w", *args]),
                check=True,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def restart(self) -> None:
        # "fast": every connection is cut, as when an operator restarts the server.
        self.pg_ctl("restart", "-m", "fast", "-l", str(self.log))

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("stop", "-m", "fast")

    def pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/klassenraum"


class Redis:
    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.log = root / "redis.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("make soak: Redis startet nicht.")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


# --- the topology, supervised as systemd would --------------------------------------------


@dataclass
class Supervised:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    restart_after: float
    process: subprocess.Popen | None = None
    exits: list[tuple[float, int]] = field(default_factory=list)
    expected_exit: bool = False

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            cwd=CHECKOUT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


class Topology:
    """serve.py's processes; one that exits is started again after its unit's RestartSec
    (deploy/systemd: the worker 5 s, the others 2 s)."""

    def __init__(self, listed: list[tuple[str, list[str], dict]], env: dict, runtime: Path):
        self.processes = [
            Supervised(
                name, command, {**env, **extra}, runtime / f"{name}.log",
                5.0 if name == "worker" else 2.0,
            )
            for name, command, extra in listed
        ]  # fmt: skip
        self.stopping = False
        self.lock = threading.Lock()
        self.unexpected: list[tuple[float, str, int]] = []
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> None:
        for process in self.processes:
            process.start()
        self.thread.start()

    def get(self, name: str) -> Supervised:
        return next(p for p in self.processes if p.name == name)

    def _watch(self) -> None:
        pending: dict[str, float] = {}
        while not self.stopping:
            now = time.time()
            with self.lock:
                for process in self.processes:
                    code = process.process.poll() if process.process else None
                    if code is not None and process.name not in pending:
                        process.exits.append((now, code))
                        if not process.expected_exit:
                            self.unexpected.append((now, process.name, code))
                            log(f"{process.name} hat sich unerwartet beendet ({code})")
                        pending[process.name] = now + process.restart_after
                    if process.name in pending and now >= pending[process.name]:
                        del pending[process.name]
                        process.expected_exit = False
                        process.start()
                        log(f"{process.name} neu gestartet (pid {process.process.pid})")
            time.sleep(0.2)

    def kill(self, name: str) -> int:
        with self.lock:
            process = self.get(name)
            process.expected_exit = True
            pid = process.process.pid
            os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        self.stopping = True
        self.thread.join(5)
        for process in reversed(self.processes):
            if process.process and process.process.poll() is None:
                try:
                    os.killpg(process.process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 30
        for process in self.processes:
            if process.process is None:
                continue
            try:
                process.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.process.pid, signal.SIGKILL)


def healthy(url: str) -> bool:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, context=context, timeout=3) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


# --- memory ---------------------------------------------------------------------------------


def memory(topology: Topology, postgres: Postgres, redis: Redis) -> dict[str, dict]:
    """RSS in MB of every process, keyed by its role (``web1``, ``web1 Worker 2``, …) with its
    pid, so a process replaced in between shows as such. PostgreSQL's backends come and go
    with the connections: they are summed."""
    import psutil

    roots: list[tuple[str, int | None]] = [
        (p.name, p.process.pid if p.process and p.process.poll() is None else None)
        for p in topology.processes
    ]
    roots.append(("postgres", postgres.pid()))
    roots.append(("redis", redis.process.pid if redis.process else None))
    found: dict[str, dict] = {}
    for name, pid in roots:
        if pid is None:
            continue
        try:
            root = psutil.Process(pid)
            found[name] = {"pid": pid, "mb": root.memory_info().rss / 2**20}
            children = sorted(root.children(), key=lambda child: child.pid)
        except psutil.Error:
            continue
        sizes = []
        for child in children:
            try:
                sizes.append((child.pid, child.memory_info().rss / 2**20))
            except psutil.Error:
                continue
        if name == "postgres":
            found["postgres Backends (Summe)"] = {
                "pid": pid,
                "mb": sum(mb for _, mb in sizes),
                "count": len(sizes),
            }
            continue
        for index, (child_pid, mb) in enumerate(sizes, 1):
            found[f"{name} Worker {index}"] = {"pid": child_pid, "mb": mb}
    return found


# --- in the app's environment: the data before, the check after -----------------------------


def setup_plan(out: Path) -> None:
    """Results of the soak's own in the project the demo's two editors share, and the pages."""
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from projects import services
    from projects.models import LeadProject, Result
    from projects.permissions import EDIT_RESULTS, get_project_for, get_result_for
    from workspace.access import LoginRequired
    from workspace.demo import DEMO_PASSWORD
    from workspace.models import User

    editors = [User.objects.get(username=name) for name in ("koordination-menden", "team-iserlohn")]

    def allowed(check) -> bool:
        try:
            check()
            return True
        except (Http404, PermissionDenied, LoginRequired):
            return False

    anonymous = AnonymousUser()
    projects = list(LeadProject.objects.order_by("pk"))
    shared = next(
        p
        for p in projects
        if all(
            allowed(lambda p=p, u=u: get_project_for(u, p.slug, perm=EDIT_RESULTS)) for u in editors
        )
    )
    public_projects = [
        p for p in projects if allowed(lambda p=p: get_project_for(anonymous, p.slug))
    ]
    public_results = [
        r.get_absolute_url()
        for r in Result.objects.filter(project__in=public_projects).select_related("project")
        if allowed(lambda r=r: get_result_for(anonymous, r.project.slug, r.pk))
    ]
    stamp = datetime.now(UTC).strftime("%H%M%S")

    def create(title: str, body: str) -> dict:
        result = services.result_create(
            project=shared, by=editors[0], title=title, summary="Dauertest", body=body
        )
        return {
            "id": result.pk,
            "path": result.get_absolute_url(),
            "title": result.title,
            "summary": result.summary,
            "kind": result.kind,
            "maturity": result.maturity,
        }

    plan = {
        "password": DEMO_PASSWORD,
        "accounts": {
            "Mitglied": ["steuerkreis-arnsberg", "kommune-brilon", "buero"],
            "Redakteur": ["koordination-menden", "team-iserlohn"],
            "Mitschreiber": ["koordination-menden", "team-iserlohn"],
        },
        "public_projects": [p.get_absolute_url() for p in public_projects],
        "public_results": public_results,
        "terms": SEARCH_TERMS,
        "form_results": [
            create(f"Dauertest Formular {n} ({stamp})", "Gespeichert im Dauertest:")
            for n in (1, 2, 3)
        ],
        "coedit_results": [
            create(f"Dauertest gemeinsam {n} ({stamp})", "Gemeinsam geschrieben:\n") for n in (1, 2)
        ],
    }
    out.write_text(json.dumps(plan, indent=1))


def verify(out_dir: Path) -> None:
    """Which acknowledged saves and co-editing lines the database holds after the run."""
    import django

    django.setup()
    from projects.coedit.services import text_of
    from projects.models import Result, ResultCoeditState

    plan = json.loads((out_dir / "plan.json").read_text())
    saves = read_jsonl(out_dir / "saves.jsonl")
    inserts = read_jsonl(out_dir / "inserts.jsonl")
    acked = {a["marker"] for a in read_jsonl(out_dir / "acks.jsonl")}

    history: dict[int, list[tuple[int, str]]] = {}
    for result in plan["form_results"]:
        history[result["id"]] = list(
            Result.history.filter(id=result["id"]).values_list("revision", "body")
        )
    save_check = []
    for save in saves:
        versions = history[save["result"]]
        with_marker = [rev for rev, body in versions if save["marker"] in body]
        save_check.append(
            {
                **save,
                "found": bool(with_marker),
                "first_revision": min(with_marker) if with_marker else None,
                "in_acknowledged_revision": save["revision"] in with_marker
                if save["revision"] is not None
                else None,
            }
        )
    finals = {}
    for result in plan["coedit_results"]:
        row = ResultCoeditState.objects.filter(pk=result["id"]).first()
        finals[result["id"]] = {
            "state": text_of(bytes(row.state)) if row else "",
            "body": Result.objects.get(pk=result["id"]).body,
        }
    insert_check = []
    for insert in inserts:
        final = finals[insert["result"]]
        insert_check.append(
            {
                **insert,
                "acknowledged": insert["marker"] in acked,
                "in_state": insert["marker"] in final["state"],
                "in_body": insert["marker"] in final["body"],
            }
        )
    (out_dir / "verify.json").write_text(
        json.dumps(
            {
                "saves": save_check,
                "inserts": insert_check,
                "final_lengths": {k: len(v["state"]) for k, v in finals.items()},
            }
        )
    )


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a killed locust
    return rows


# --- the run --------------------------------------------------------------------------------


@dataclass
class Fault:
    name: str
    start: float
    back: float = 0.0
    detail: str = ""


def users_from_env() -> dict[str, int]:
    users = dict(SCALE)
    for part in filter(None, os.environ.get("SOAK_USERS", "").split(",")):
        name, _, count = part.partition("=")
        if name.strip() not in users:
            raise SystemExit(f"make soak: unbekannte Nutzerart {name!r} in SOAK_USERS.")
        users[name.strip()] = int(count)
    return users


def run() -> int:
    minutes = float(os.environ.get("SOAK_MINUTES", "10"))
    duration = minutes * 60
    nodes = int(os.environ.get("SOAK_NODES", "1"))
    users = users_from_env()
    started_at = datetime.now(UTC)
    root = Path(tempfile.mkdtemp(prefix="klassenraum-soak-"))
    root.chmod(0o755)  # nginx's workers and the postgres user pass through it
    out = root / "locust"
    out.mkdir()
    runtime = root / "serve"
    runtime.mkdir()
    log(f"Arbeitsverzeichnis {root}")

    postgres, redis = Postgres(root), Redis(root)
    topology: Topology | None = None
    locust: subprocess.Popen | None = None
    try:
        postgres.init()
        redis.start()
        log(f"PostgreSQL auf {postgres.port}, Redis auf {redis.port}")
        for name in (
            "CACHE_URL",
            "CACHE_KEY_PREFIX",
            "CHANNEL_LAYER_PREFIX",
            "DJANGO_SETTINGS_MODULE",
        ):
            os.environ.pop(name, None)
        os.environ["DATABASE_URL"] = postgres.url
        os.environ["REDIS_URL"] = redis.url
        serve = load_serve()
        options = argparse.Namespace(
            nodes=nodes,
            https_port=free_port(),
            http_port=free_port(),
            app_port=free_ports(nodes, 10),
            workers=int(os.environ.get("WEB_CONCURRENCY", 2)),
            media_root=(runtime / "media").resolve(),
        )
        options.media_root.mkdir()
        env = serve.environment(options, runtime)
        log("migrate, Demo-Welt, collectstatic …")
        serve.prepare(env)
        plan_file = out / "plan.json"
        subprocess.run(
            [PYTHON, __file__, "--setup", str(plan_file)],
            cwd=CHECKOUT,
            env={**env, "DJANGO_SETTINGS_MODULE": "workspace.settings"},
            check=True,
        )
        plan = json.loads(plan_file.read_text())
        plan["users"] = users
        plan_file.write_text(json.dumps(plan, indent=1))
        cert, key = serve.certificate(runtime)
        nginx_conf = serve.render(options, runtime, cert, key)
        topology = Topology(serve.commands(options, runtime, nginx_conf), env, runtime)
        topology.start()
        base = f"https://127.0.0.1:{options.https_port}"
        deadline = time.monotonic() + 90
        while not healthy(base + "/healthz"):
            if time.monotonic() > deadline:
                raise SystemExit(f"make soak: {base}/healthz antwortet nicht; siehe {runtime}")
            time.sleep(0.5)
        log(f"Topologie läuft hinter {base} ({nodes} Knoten)")

        load_before = os.getloadavg()
        locust = subprocess.Popen(
            [
                str(VENV_BIN / "locust"), "-f", str(CHECKOUT / "bench" / "soak_locustfile.py"),
                "--headless", "--users", str(sum(users.values())), "--spawn-rate", "5",
                "--run-time", f"{int(duration)}s", "--stop-timeout", "15",
                "--host", base, "--only-summary", "--loglevel", "WARNING",
            ],
            cwd=CHECKOUT,
            env={**os.environ, "SOAK_PLAN": str(plan_file), "SOAK_OUT": str(out)},
            stdout=(root / "locust.log").open("ab"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        t0 = time.time()
        log(f"locust: {users}, {minutes:g} Minuten")

        minute3 = min(180.0, duration * 0.3)
        schedule = [
            (min(20.0, duration * 0.05), "memory", "Beginn"),
            (duration * 0.2, "fault", "worker"),
            (minute3, "memory", f"Minute {minute3 / 60:g}"),
            (duration * 0.45, "fault", "postgres"),
            (duration * 0.7, "fault", "redis"),
            (duration - 15, "memory", "Ende"),
        ]
        faults: list[Fault] = []
        samples: dict[str, dict] = {}
        for at, kind, what in sorted(schedule):
            while time.time() < t0 + at:
                if locust.poll() is not None:
                    raise SystemExit(f"make soak: locust endete vorzeitig; siehe {root}/locust.log")
                time.sleep(0.2)
            if kind == "memory":
                samples[what] = memory(topology, postgres, redis)
                log(f"Speicher gemessen: {what}")
                continue
            fault = Fault(what, time.time())
            if what == "worker":
                pid = topology.kill("worker")
                fault.detail = f"SIGKILL an pid {pid}, nach RestartSec=5 neu gestartet"
                while topology.get("worker").process.pid == pid:
                    time.sleep(0.1)
            elif what == "postgres":
                postgres.restart()
                fault.detail = "pg_ctl restart -m fast"
            else:
                redis.restart()
                fault.detail = "SIGTERM, neu gestartet (ohne Daten: --save '')"
            fault.back = time.time()
            faults.append(fault)
            log(f"Störung {what}: {fault.back - fault.start:.1f} s bis wieder da")
        locust.wait(timeout=duration + 120)
        t_end = time.time()
        load_after = os.getloadavg()
        log("locust fertig; die Räume speichern …")
        # The last socket left each room: it saves and writes a version (COEDIT_SAVE_DELAY).
        time.sleep(10)
        subprocess.run(
            [PYTHON, __file__, "--verify", str(out)],
            cwd=CHECKOUT,
            env={**env, "DJANGO_SETTINGS_MODULE": "workspace.settings"},
            check=True,
        )
        report = build_report(
            started_at=started_at,
            minutes=minutes,
            nodes=nodes,
            workers=options.workers,
            users=users,
            t0=t0,
            t_end=t_end,
            faults=faults,
            samples=samples,
            topology=topology,
            out=out,
            loads=(load_before, load_after),
            root=root,
        )
        RESULTS_DIR.mkdir(exist_ok=True)
        target = RESULTS_DIR / f"soak-{started_at:%Y%m%d-%H%M%S}.md"
        target.write_text(report["text"])
        print(report["text"])
        log(f"Bericht: {target}")
        return 0 if report["passed"] else 1
    finally:
        if locust is not None and locust.poll() is None:
            locust.terminate()
        if topology is not None:
            topology.stop()
        redis.stop()
        try:
            postgres.stop()
        except subprocess.CalledProcessError:
            pass
        if os.environ.get("SOAK_KEEP") != "1":
            shutil.rmtree(root / "postgres", ignore_errors=True)
            shutil.rmtree(runtime / "media", ignore_errors=True)
        log(f"Protokolle bleiben in {root}")


# --- the report -----------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def build_report(*, started_at, minutes, nodes, workers, users, t0, t_end, faults, samples, topology,
                 out, loads, root) -> dict:  # fmt: skip
    requests = read_jsonl(out / "requests.jsonl")
    checked = json.loads((out / "verify.json").read_text())
    lines: list[str] = []
    add = lines.append
    add(f"# Dauertest (make soak) vom {started_at:%Y-%m-%d %H:%M} UTC")
    add("")
    add(
        f"{minutes:g} Minuten, {nodes} Knoten (nginx; je Knoten gunicorn mit {workers} "
        f"Workern und 2 uvicorn; ein db_worker) auf eigenem PostgreSQL 15 und Redis; Last: "
        + ", ".join(f"{n} {k}" for k, n in users.items())
        + f". Rechnerlast (loadavg 1 min) vorher {loads[0][0]:.1f}, nachher {loads[1][0]:.1f} "
        f"auf {os.cpu_count()} Kernen (geteilte Maschine)."
    )
    add("")
    add("## Störungen")
    add("")
    add("| Störung | bei | wieder da nach | wie |")
    add("| --- | --- | --- | --- |")
    for f in faults:
        add(f"| {f.name} | {f.start - t0:.0f} s | {f.back - f.start:.1f} s | {f.detail} |")
    unexpected = topology.unexpected
    add("")
    add(
        "Unerwartet beendete Prozesse: "
        + (", ".join(f"{n} ({c}) bei {t - t0:.0f} s" for t, n, c in unexpected) or "keine")
    )

    # Phases: before the first fault, around each (from 5 s before until 15 s after it was
    # back), between them, after the last.
    windows = [(f.start - 5, f.back + 15, f"um {f.name}") for f in faults]
    phases: list[tuple[float, float, str]] = []
    cursor, previous = t0, "vor allen Störungen"
    for begin, end, name in windows:
        phases.append((cursor, begin, previous))
        phases.append((begin, end, name))
        cursor, previous = end, f"nach {name.removeprefix('um ')}"
    phases.append((cursor, t_end + 30, previous))
    http = [r for r in requests if r["type"] in ("GET", "POST")]
    sockets = [r for r in requests if r["type"] == "WS"]
    add("")
    add("## Anfragen und Fehler je Phase")
    add("")
    typed = read_jsonl(out / "inserts.jsonl")
    acks = {a["marker"]: a["t"] for a in read_jsonl(out / "acks.jsonl")}
    add(
        "| Phase | von–bis (s) | HTTP | HTTP-Fehler | Konflikte (409) | Socket-Verbindungen "
        "| Socket-Abbrüche/-Fehler | Wiederverbindungen | Glocke-Meldungen "
        "| Zeilen getippt/bestätigt | Bestätigung p95 ms |"
    )
    add("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for begin, end, name in phases:
        inside = [r for r in requests if begin <= r["t"] < end]

        def count(kind: str, ok: bool | None = None, rows=inside) -> int:
            return sum(r["type"] == kind and (ok is None or r["ok"] == ok) for r in rows)

        lines_in = [i for i in typed if begin <= i["t"] < end]
        waited = [(acks[i["marker"]] - i["t"]) * 1000 for i in lines_in if i["marker"] in acks]
        add(
            f"| {name} | {begin - t0:.0f}–{min(end, t_end) - t0:.0f} "
            f"| {count('GET') + count('POST')} | {count('GET', False) + count('POST', False)} "
            f"| {count('CONFLICT')} | {count('WS', True)} | {count('WS', False)} "
            f"| {count('WS-RECONNECT')} | {count('WS-MSG')} "
            f"| {len(lines_in)}/{len(waited)} | {percentile(waited, 0.95):.0f} |"
        )
    failures = [r for r in requests if r["type"] in ("GET", "POST", "WS") and not r["ok"]]
    outside = [
        r for r in failures
        if not any(f.start - 1 <= r["t"] <= f.back + GRACE_SECONDS for f in faults)
    ]  # fmt: skip
    add("")
    add("Fehler je Störung (Sekunden nach ihrem Beginn):")
    add("")
    for f in faults:
        near = [
            r["t"] - f.start for r in failures if f.start - 1 <= r["t"] <= f.back + GRACE_SECONDS
        ]
        span = f"{min(near):.1f}–{max(near):.1f} s" if near else "–"
        add(f"- {f.name}: {len(near)} Fehler, {span}")
    add(f"- außerhalb jeder Störung (± {GRACE_SECONDS:g} s nach ihrem Ende): {len(outside)}")
    for r in outside[:15]:
        add(f"  - {r['t'] - t0:.1f} s {r['type']} {r['name']}: {r.get('error') or r.get('status')}")

    add("")
    add("## Antwortzeiten je Seite (alle Phasen)")
    add("")
    add("| Seite | Anfragen | Fehler | p50 ms | p95 ms |")
    add("| --- | --- | --- | --- | --- |")
    names = sorted({(r["type"], r["name"]) for r in http + sockets})
    for kind, name in names:
        rows = [r for r in requests if r["type"] == kind and r["name"] == name]
        times = [r["ms"] for r in rows if r["ok"]]
        add(
            f"| {kind} {name} | {len(rows)} | {sum(not r['ok'] for r in rows)} "
            f"| {percentile(times, 0.5):.0f} | {percentile(times, 0.95):.0f} |"
        )

    add("")
    add("## Speicher (RSS, MB)")
    add("")
    labels = list(samples)
    middle = labels[1] if len(labels) > 2 else labels[0]
    add(f"| Prozess | {' | '.join(labels)} | {middle} → Ende |")
    add("| --- | " + " | ".join("---" for _ in labels) + " | --- |")
    keys: list[str] = []
    for sample in samples.values():
        keys += [k for k in sample if k not in keys]
    growth_failures, replaced = [], []
    for key in keys:
        entries = [samples[label].get(key) for label in labels]
        cells = []
        for entry in entries:
            if entry is None:
                cells.append("–")
            else:
                count = f", {entry['count']} Prozesse" if "count" in entry else ""
                cells.append(f"{entry['mb']:.0f} (pid {entry['pid']}{count})")
        before, after = samples[middle].get(key), samples[labels[-1]].get(key)
        if before is None or after is None:
            growth = "nicht zu vergleichen"
        elif before["pid"] != after["pid"]:
            # Killed or restarted on purpose, or replaced (gunicorn's max_requests).
            growth = f"ersetzt ({after['mb'] / before['mb'] - 1:+.0%})"
            replaced.append(key)
        else:
            ratio = after["mb"] / before["mb"] - 1
            growth = f"{ratio:+.0%}"
            if ratio > MEMORY_GROWTH_LIMIT:
                growth_failures.append(f"{key} {growth}")
        add(f"| {key} | " + " | ".join(cells) + f" | {growth} |")

    saves = checked["saves"]
    inserts = checked["inserts"]
    lost_saves = [s for s in saves if not s["found"]]
    wrong_revision = [s for s in saves if s["in_acknowledged_revision"] is False]
    acked_inserts = [i for i in inserts if i["acknowledged"]]
    lost_inserts = [i for i in acked_inserts if not i["in_state"]]
    lost_in_body = [i for i in acked_inserts if not i["in_body"]]
    unacked = [i for i in inserts if not i["acknowledged"]]
    latency = [(acks[i["marker"]] - i["t"]) * 1000 for i in acked_inserts if i["marker"] in acks]
    add("")
    add("## Was verloren ging")
    add("")
    add(
        f"- Speichern über das Formular: {len(saves)} bestätigt (Weiterleitung nach dem POST), "
        f"davon {len(lost_saves)} nicht in der Versionsgeschichte; {len(wrong_revision)} nicht "
        f"in der bestätigten Version; {sum(s['revision'] is None for s in saves)} ohne gelesene "
        "Versionsnummer (die Seite danach fiel in eine Störung)."
    )
    add(
        f"- Gemeinsames Schreiben: {len(inserts)} Zeilen getippt ({sum(not i['online'] for i in inserts)} "
        f"davon ohne offenen Socket), {len(acked_inserts)} bestätigt (bei einem anderen "
        f"Mitschreiber angekommen; p50 {percentile(latency, 0.5):.0f} ms, p95 "
        f"{percentile(latency, 0.95):.0f} ms), davon {len(lost_inserts)} nicht im "
        f"gespeicherten Text und {len(lost_in_body)} nicht in der letzten Version; von den "
        f"{len(unacked)} unbestätigten fehlen {sum(not i['in_state'] for i in unacked)}."
    )
    for s in lost_saves[:10]:
        add(
            f"  - verloren: Speichern {s['marker']} in Ergebnis {s['result']} (Version {s['revision']})"
        )
    for i in lost_inserts[:10]:
        add(f"  - verloren: Zeile {i['marker']} in Ergebnis {i['result']}")

    goals = [
        ("keine bestätigte Speicherung verloren", not lost_saves and bool(saves)),
        (
            "keine bestätigte Zeile des gemeinsamen Schreibens verloren",
            not lost_inserts and bool(acked_inserts),
        ),
        (
            f"kein Prozess wächst zwischen {middle} und Ende um mehr als 20 %"
            + (f" ({', '.join(growth_failures)})" if growth_failures else "")
            + (f"; ersetzt und darum nicht verglichen: {', '.join(replaced)}" if replaced else ""),
            not growth_failures,
        ),
        ("Fehler nur in den Sekunden jeder Störung", not outside),
    ]
    add("")
    add("## Ziele")
    add("")
    for text, ok in goals:
        add(f"- {'erfüllt' if ok else 'VERFEHLT'}: {text}")
    # Not a goal of the soak, but what an operator must know: serve.py stops everything
    # when one process dies, systemd starts the unit again.
    add(
        "- Außerdem: "
        + (
            "unerwartet beendet: "
            + ", ".join(f"{n} (Code {c}) bei {t - t0:.0f} s" for t, n, c in unexpected)
            + " – hier wie unter systemd neu gestartet; make serve hätte alles beendet."
            if unexpected
            else "kein Prozess hat sich unerwartet beendet."
        )
    )
    add("")
    add(f"Protokolle der Prozesse und Rohdaten: {root}")
    return {"text": "\n".join(lines) + "\n", "passed": all(ok for _, ok in goals)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--verify", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    sys.path.insert(0, str(CHECKOUT))
    if options.setup:
        setup_plan(options.setup)
        return 0
    if options.verify:
        verify(options.verify)
        return 0
    return run()


if __name__ == "__main__":
    sys.exit(main())
