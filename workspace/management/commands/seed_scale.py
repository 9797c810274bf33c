"""Fill a PostgreSQL database with a synthetic network at national size (issue 27).

``manage.py seed_scale`` writes, deterministically from ``--seed``, 10,800 municipalities in
400 districts of 16 states, eight yearly classes, 100,000 people, 10,000 lead projects with
their teams and permission rows, 50,000 results with 1,000,000 versions, templates and
adoptions, guides with history, glossary terms, comments, notifications, the steering
committee's meetings and agreements, dates with registrations, newsletter subscribers,
attachments (tiny files in the storage), access tokens and security-log entries;
``--scale 0.01`` makes a hundredth of it.

Rows go in with COPY (``workspace.scale``), not through the services: a million versions
through ``save()`` would take days. **This generator is the one writer allowed to fill
history tables (django-simple-history) directly**; everywhere else every change of a living
result is a ``save()`` in a service (DESIGN.md, invariant 2). What the services would write
beside each object is written here too: the history rows, the team's guardian object
permissions (``projects.permissions.ROLE_PERMISSIONS``), the follows, the activity lines.
The search needs nothing extra: PostgreSQL computes each row's stored search vector as it is
copied (generated columns; a template's by trigger), and the GIN indexes follow.

It runs only on PostgreSQL, refuses a database that holds more than the demo world unless
``--force``, checks the free disk space against its estimate first, and ends with
``VACUUM (ANALYZE)`` and a report of its time and the database's size.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

# A database is "the demo world or nothing" below these counts (the demo world holds about
# a tenth of each; the region has 59 municipalities).
DEMO_LIMITS = {
    "workspace_user": 50,
    "workspace_municipality": 60,
    "projects_leadproject": 10,
    "projects_historicalresult": 500,
}
# The database at national size (tables, TOAST and indexes; 0.1 measured 0.7 GB).
BYTES_AT_NATIONAL = 8 * 1024**3


class Command(BaseCommand):
    help = _("Legt ein synthetisches Netzwerk in Bundesgröße an (nur PostgreSQL).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=_("Anteil der Bundesgröße, z. B. 0.01 (Standard 1.0)."),
        )
        parser.add_argument("--seed", type=int, default=27, help=_("Startwert des Zufalls."))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Auch in eine Datenbank schreiben, die mehr als die Demo-Welt enthält."),
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=2,
            help=_("So viele gleichzeitige COPY-Ströme für die größten Tabellen (Standard 2)."),
        )
        parser.add_argument(
            "--password",
            default="",
            help=_(
                "Ein Passwort für alle erzeugten Personen (z. B. für Lasttests); "
                "ohne es kann sich keine anmelden."
            ),
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                _(
                    "seed_scale schreibt nur in PostgreSQL (COPY). Bitte DATABASE_URL auf eine "
                    "PostgreSQL-Datenbank setzen; die eingebettete SQLite-Datenbank bleibt "
                    "unverändert."
                )
            )
        scale = options["scale"]
        if not 0 < scale <= 10:
            raise CommandError(_("--scale muss zwischen 0 und 10 liegen."))
        if not options["force"]:
            self._refuse_filled()
        self._check_disk(scale)
        from django.contrib.auth.hashers import make_password

        from workspace.scale.world import World

        password = make_password(options["password"] or None)
        began = time.monotonic()
        world = World(
            scale=scale,
            seed=options["seed"],
            anchor=timezone.localdate(),
            password=password,
            log=lambda text: self.stdout.write(f"  {text}"),
            jobs=max(1, options["jobs"]),
        )
        self.stdout.write(
            _("Synthetisches Netzwerk im Maßstab %(scale)s (Startwert %(seed)s):")
            % {"scale": scale, "seed": options["seed"]}
        )
        world.build()
        analyze_began = time.monotonic()
        # VACUUM sets the visibility map and hint bits once, here, so neither the first
        # readers nor autovacuum in the middle of a benchmark pay for the fresh rows (the
        # TOAST tables, most of the bytes and never read by an index-only scan, are left to
        # their readers); inside a transaction (a test) VACUUM cannot run, and statistics
        # are all the planner needs.
        statement = (
            "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE, PROCESS_TOAST FALSE)"
        )
        with connection.cursor() as cursor:
            cursor.execute(statement)
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
        self.stdout.write(f"  {statement}: {time.monotonic() - analyze_began:.1f} s")
        elapsed = dt.timedelta(seconds=round(time.monotonic() - began))
        self.stdout.write(
            self.style.SUCCESS(
                _("Fertig in %(time)s; die Datenbank ist jetzt %(size)s groß.")
                % {"time": elapsed, "size": _human(size)}
            )
        )

    def _refuse_filled(self) -> None:
        with connection.cursor() as cursor:
            for table, limit in DEMO_LIMITS.items():
                # Table names are this module's constants, never input.
                sql = f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) t"  # noqa: S608
                cursor.execute(sql, [limit + 1])
                if cursor.fetchone()[0] > limit:
                    raise CommandError(
                        _(
                            "Diese Datenbank enthält mehr als die Demo-Welt (%(table)s). "
                            "seed_scale schreibt nur in eine leere Datenbank oder eine mit der "
                            "Demo-Welt; mit --force auch hierhin."
                        )
                        % {"table": table}
                    )

    def _check_disk(self, scale: float) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            directory = cursor.fetchone()[0]
        estimate = int(BYTES_AT_NATIONAL * scale * 2)  # the tables and their WAL
        media = getattr(settings, "MEDIA_ROOT", "")
        try:
            free = shutil.disk_usage(directory).free
        except OSError:  # the server's directory is not on this machine
            free = shutil.disk_usage(media or ".").free
        if free < estimate:
            raise CommandError(
                _(
                    "Zu wenig Speicherplatz: geschätzt %(need)s nötig, frei sind %(free)s. "
                    "Mit kleinerem --scale versuchen."
                )
                % {"need": _human(estimate), "free": _human(free)}
            )
        self.stdout.write(
            _("Geschätzter Platzbedarf %(need)s, frei %(free)s.")
            % {"need": _human(estimate), "free": _human(free)}
        )


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.1f} {unit}".replace(".", ",")
        value /= 1024
    return f"{value:.1f} TB"
