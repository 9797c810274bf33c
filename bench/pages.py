"""Benchmark: latency and query count of the main pages on the demo world.

Runs in-process against a fresh SQLite file (no server, no network), so the figures show what
the application itself costs. Usage: ``make bench`` (or ``python bench/pages.py [rounds]``).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
tmp = tempfile.mkdtemp(prefix="klassenraum-bench-")
os.environ.update(
    {
        "DEBUG": "1",
        "SQLITE_PATH": f"{tmp}/bench.sqlite3",
        "DJANGO_SETTINGS_MODULE": "workspace.settings",
    }
)
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from workspace.models import User  # noqa: E402

PAGES = ["/", "/kommunen/", "/kommunen/menden/", "/konto/", "/healthz"]


def measure(client: Client, url: str, rounds: int) -> tuple[float, float, int]:
    client.get(url)  # warm up
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} antwortet {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), sorted(timings)[int(rounds * 0.95) - 1], len(queries)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--quiet-accounts", verbosity=0, stdout=open(os.devnull, "w"))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="kommune-brilon"))
    reset_queries()
    print(f"{'Seite':<22}{'Median ms':>10}{'p95 ms':>10}{'Abfragen':>10}   ({rounds} Runden)")
    for url in PAGES:
        median, p95, queries = measure(client, url, rounds)
        print(f"{url:<22}{median:>10.2f}{p95:>10.2f}{queries:>10}")


if __name__ == "__main__":
    main()
