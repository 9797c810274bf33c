"""Benchmark: a living result with 10,000 versions of a 20 KB text.

Reports time and queries of the versions page and of the first-to-last diff, and database
bytes per version. Runs on a fresh SQLite file, or on PostgreSQL when DATABASE_URL is set
(a throw-away database is created next to the given one). Usage: ``make bench``.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VERSIONS = int(os.environ.get("BENCH_VERSIONS", "10000"))
os.environ.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "workspace.settings"})
PG_URL = os.environ.get("DATABASE_URL", "")
if PG_URL:
    import psycopg

    BENCH_DB = "klassenraum_bench"
    admin_url = PG_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/" + BENCH_DB
else:
    os.environ["SQLITE_PATH"] = str(
        Path(tempfile.mkdtemp(prefix="klassenraum-bench-")) / "b.sqlite3"
    )

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from projects import services  # noqa: E402
from projects.models import HistoricalResult, LeadProject  # noqa: E402
from workspace.models import User  # noqa: E402


def table_bytes() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('projects_historicalresult')")
            return cursor.fetchone()[0]
    return os.path.getsize(os.environ["SQLITE_PATH"]) + sum(
        os.path.getsize(p) for p in [os.environ["SQLITE_PATH"] + "-wal"] if os.path.exists(p)
    )


def timed(client: Client, url: str, rounds: int = 5) -> tuple[float, int]:
    client.get(url)
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} antwortet {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), len(queries)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--quiet-accounts", verbosity=0, stdout=open(os.devnull, "w"))
    by = User.objects.get(username="koordination-menden")
    project = LeadProject.objects.get(slug="offene-regionale-datenplattform")
    lines = [
        f"Absatz {i}: " + "Die Kommunen der Region teilen ihre Daten. " * 4 for i in range(110)
    ]
    body = "\n".join(lines)
    result = services.result_create(project=project, by=by, title="Bench", body=body)
    print(f"{VERSIONS} Versionen eines Textes mit {len(body.encode()) // 1024} KB anlegen …")
    before = table_bytes()
    start = time.perf_counter()
    for n in range(2, VERSIONS + 1):
        lines[n % len(lines)] = (
            f"Absatz {n % len(lines)} (Version {n}): " + "Geänderter Satz. " * 10
        )
        services.result_update(result=result, by=by, base_revision=n - 1, body="\n".join(lines))
    write_seconds = time.perf_counter() - start
    per_version = (table_bytes() - before) / (VERSIONS - 1)
    count = HistoricalResult.objects.filter(id=result.pk).count()

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(by)
    base = f"/leitprojekte/{project.slug}/ergebnisse/{result.pk}"
    rows = [
        ("Versionsseite 1", f"{base}/versionen/"),
        ("Versionsseite 100", f"{base}/versionen/?seite=100"),
        ("Vergleich 1 → letzte", f"{base}/vergleich/?von=1&zu={VERSIONS}"),
        ("Vergleich vorletzte → letzte", f"{base}/vergleich/?von={VERSIONS - 1}&zu={VERSIONS}"),
        ("Ergebnisseite", f"{base}/"),
    ]
    print(f"Datenbank: {connection.vendor}; Versionen in der Historie: {count}")
    print(
        f"Schreiben: {write_seconds:.1f} s, {write_seconds / (VERSIONS - 1) * 1000:.2f} ms je Version"
    )
    print(f"Bytes je Version: {per_version:,.0f}")
    print(f"{'Seite':<32}{'Median ms':>10}{'Abfragen':>10}")
    for label, url in rows:
        median, queries = timed(client, url)
        print(f"{label:<32}{median:>10.1f}{queries:>10}")


if __name__ == "__main__":
    main()
