"""Backups of an installation and their restore (``manage.py backup DIR`` / ``restore DIR``).

A backup directory holds:

- ``database.dump`` (PostgreSQL: ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite:
  a copy made through SQLite's online backup API);
- ``media/<name>``: every file of the default storage under its storage name;
- ``manifest.json``, written last: the SHA-256 and size of every other file, the database
  vendor and versions, the latest applied migration per app, the time, and the rows per table.

On PostgreSQL the dump and the row counts come from one exported snapshot, so they agree even
while the site is busy. The files are copied after the snapshot: an upload is on disk before
its row commits, so every file the dump refers to is there; files uploaded meanwhile come along
unreferenced, which is harmless.

A restore checks every checksum before it changes anything, goes only into an empty database
and an empty storage, compares the rows per table with the manifest, brings the schema up to
the code's migrations, and applies the erasure ledger (workspace/erasures.py) again.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from workspace.erasures import (
    LedgerError,
    ledger_apply,
    ledger_copy_write,
    ledger_entries,
    ledger_path,
)

MANIFEST = "manifest.json"
FORMAT = 1
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media"
# The ledger as it was, for a new machine whose own ledger is lost: the newest backup's copy,
# put at ERASURE_LEDGER_PATH, erases again in any older backup (README, "Sicherung").
LEDGER_COPY = "erasures.jsonl"
CHUNK = 1 << 20


class BackupRefused(Exception):
    """A backup or restore that must not go ahead; the message says why, in German."""


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    files: int = 0
    migrated: bool = False
    erased_again: list[int] = field(default_factory=list)
    ledger_missing: bool = False
    count_mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)


# --- shared pieces ---------------------------------------------------------------------------


def _sha256_of(stream: BinaryIO, copy_to: BinaryIO | None = None) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return digest.hexdigest(), size


def _checksum(path: Path) -> dict[str, Any]:
    with path.open("rb") as stream:
        sha256, size = _sha256_of(stream)
    return {"sha256": sha256, "size": size}


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _storage_names(storage=default_storage, directory: str = "") -> Iterator[str]:
    """Every file name in ``storage``, depth first; nothing when its root does not exist yet."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for name in sorted(directories):
        yield from _storage_names(storage, f"{directory}/{name}" if directory else name)


def _storage_description() -> str:
    location = getattr(default_storage, "location", None)
    return str(location) if location else type(default_storage).__name__


def _latest_migrations(rows: list[tuple[str, str]]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in rows:
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def _unknown_migrations(latest: dict[str, str]) -> list[str]:
    """Migrations the backup has applied that this code does not know (a newer backup)."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return [f"{app}.{name}" for app, name in latest.items() if (app, name) not in graph.nodes]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- PostgreSQL ------------------------------------------------------------------------------


def _postgres_tool(name: str) -> str:
    directory = settings.POSTGRES_BIN_DIR or None
    found = shutil.which(name, path=directory)
    if found is None:
        raise BackupRefused(
            _(
                "%(tool)s wurde nicht gefunden. Installieren Sie den PostgreSQL-Client "
                "(Debian: postgresql-client) oder setzen Sie POSTGRES_BIN_DIR."
            )
            % {"tool": name}
        )
    return found


def _tool_major(tool: str) -> int:
    output = subprocess.run(  # noqa: S603 – a PostgreSQL client found on the path
        [tool, "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", output) or re.search(r"(\d+)\.\d+", output)
    if match is None:
        raise BackupRefused(
            _("Die Version von %(tool)s ist nicht zu erkennen: %(output)s")
            % {"tool": tool, "output": output.strip()}
        )
    return int(match.group(1))


def _postgres_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for the database: the password never appears on a command line."""
    environment = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if settings_dict.get(key):
            environment[variable] = str(settings_dict[key])
    for option, value in (settings_dict.get("OPTIONS") or {}).items():
        if option in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile"):
            environment[f"PG{option.upper()}"] = str(value)
    return environment


def _check_tool_version(tool: str, server_major: int, needed: int | None = None) -> int:
    major = _tool_major(tool)
    if major < max(server_major, needed or 0):
        raise BackupRefused(
            _(
                "%(tool)s ist Version %(tool_major)d, der Datenbankserver Version "
                "%(server_major)d: ein älteres %(name)s kann die Datenbank nicht vollständig "
                "sichern oder wiederherstellen. Installieren Sie postgresql-client-%(server_major)d "
                "oder setzen Sie POSTGRES_BIN_DIR auf dessen Verzeichnis."
            )
            % {
                "tool": tool,
                "tool_major": major,
                "server_major": max(server_major, needed or 0),
                "name": Path(tool).name,
            }
        )
    return major


def _postgres_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname"
    )
    return [row[0] for row in cursor.fetchall()]


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 – a catalogue name
        counts[table] = cursor.fetchone()[0]
    return counts


def _postgres_backup(directory: Path) -> dict[str, Any]:
    pg_dump = _postgres_tool("pg_dump")
    # A connection of its own, whatever transaction the caller is in: the snapshot it exports
    # lives exactly as long as its transaction.
    snapshot_connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        snapshot_connection.ensure_connection()
        dump_major = _check_tool_version(pg_dump, snapshot_connection.pg_version // 10000)
        with snapshot_connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            target = directory / POSTGRES_DUMP
            result = subprocess.run(  # noqa: S603 – argument list, no shell
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    "--no-password",
                ],
                env=_postgres_environment(snapshot_connection.settings_dict),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupRefused(
                    _("pg_dump ist gescheitert: %(error)s") % {"error": result.stderr.strip()}
                )
            counts = _counts(cursor, _postgres_tables(cursor))
            cursor.execute("SELECT app, name FROM django_migrations")
            migrations = _latest_migrations(cursor.fetchall())
            cursor.execute("ROLLBACK")
    finally:
        snapshot_connection.close()
    return {
        "database_file": POSTGRES_DUMP,
        "server_version": server_version,
        "pg_dump_major": dump_major,
        "tables": counts,
        "migrations": migrations,
    }


def _postgres_restore(directory: Path, manifest: dict[str, Any]) -> None:
    pg_restore = _postgres_tool("pg_restore")
    _check_tool_version(pg_restore, connection.pg_version // 10000, manifest.get("pg_dump_major"))
    settings_dict = connection.settings_dict
    result = subprocess.run(  # noqa: S603 – argument list, no shell
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={settings_dict['NAME']}",
            str(directory / POSTGRES_DUMP),
        ],
        env=_postgres_environment(settings_dict),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupRefused(
            _("pg_restore ist gescheitert, die Datenbank blieb leer: %(error)s")
            % {"error": result.stderr.strip()}
        )


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_tables(database: sqlite3.Connection) -> list[str]:
    rows = database.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' ORDER BY name"
    ).fetchall()
    return [row[0] for row in rows]


def _sqlite_backup(directory: Path) -> dict[str, Any]:
    if connection.in_atomic_block:
        # Its own open transaction would keep SQLite's backup waiting for a lock forever.
        raise BackupRefused(_("Eine Sicherung läuft nicht innerhalb einer Transaktion."))
    connection.ensure_connection()
    target_path = directory / SQLITE_COPY
    target = sqlite3.connect(target_path)
    try:
        # One step: the whole copy is taken under one read lock, a consistent state.
        connection.connection.backup(target)
        # One file, without a -wal beside it.
        target.execute("PRAGMA journal_mode=DELETE")
        cursor = target.cursor()
        counts = _counts(cursor, _sqlite_tables(target))
        migrations = _latest_migrations(
            target.execute("SELECT app, name FROM django_migrations").fetchall()
        )
        version = target.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        target.close()
    return {
        "database_file": SQLITE_COPY,
        "server_version": version,
        "tables": counts,
        "migrations": migrations,
    }


def _sqlite_restore(directory: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{directory / SQLITE_COPY}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    # The copy is in rollback-journal mode; the installation runs in WAL.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")


# --- backup ----------------------------------------------------------------------------------


def backup_create(*, directory: Path) -> dict[str, Any]:
    """Write a backup of the database and the uploaded files into ``directory`` (new or empty);
    returns the manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupRefused(
            _("Das Verzeichnis %(dir)s ist nicht leer; eine Sicherung braucht ein neues.")
            % {"dir": directory}
        )
    # The backup holds personal data: readable by the owner only.
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory.chmod(0o700)
    started = timezone.now()
    if connection.vendor == "postgresql":
        database = _postgres_backup(directory)
    elif connection.vendor == "sqlite":
        database = _sqlite_backup(directory)
    else:
        raise BackupRefused(
            _("Datenbanken vom Typ %(vendor)s werden nicht gesichert.")
            % {"vendor": connection.vendor}
        )
    database_path = directory / database["database_file"]
    database_path.chmod(0o600)
    _sync(database_path)
    files = {database["database_file"]: _checksum(database_path)}

    media_count = 0
    for name in _storage_names():
        target = directory / MEDIA / name
        for folder in reversed(target.relative_to(directory).parents[:-1]):
            (directory / folder).mkdir(exist_ok=True, mode=0o700)
        with default_storage.open(name, "rb") as source, target.open("xb") as copy:
            sha256, size = _sha256_of(source, copy_to=copy)
            copy.flush()
            os.fsync(copy.fileno())
        target.chmod(0o600)
        files[f"{MEDIA}/{name}"] = {"sha256": sha256, "size": size}
        media_count += 1

    ledger_copy = directory / LEDGER_COPY
    if ledger_copy_write(ledger_copy):
        ledger_copy.chmod(0o600)
        _sync(ledger_copy)
        files[LEDGER_COPY] = _checksum(ledger_copy)

    manifest = {
        "format": FORMAT,
        "created_at": started.isoformat(),
        "finished_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "server_version": database["server_version"],
        "pg_dump_major": database.get("pg_dump_major"),
        "database_file": database["database_file"],
        "migrations": database["migrations"],
        "tables": database["tables"],
        "media_files": media_count,
        "files": files,
    }
    partial = directory / (MANIFEST + ".part")
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    partial.chmod(0o600)
    _sync(partial)
    # Renamed last: a directory with a manifest is a complete backup.
    partial.rename(directory / MANIFEST)
    _sync(directory)
    return manifest


# --- restore ---------------------------------------------------------------------------------


def _read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupRefused(
            _("In %(dir)s liegt keine manifest.json: keine (vollständige) Sicherung.")
            % {"dir": directory}
        )
    try:
        manifest = json.loads(path.read_text())
        manifest["files"], manifest["tables"], manifest["migrations"]  # noqa: B018
    except (ValueError, KeyError, TypeError) as error:
        raise BackupRefused(
            _("Die manifest.json in %(dir)s ist beschädigt.") % {"dir": directory}
        ) from error
    if manifest.get("format") != FORMAT:
        raise BackupRefused(
            _("Die Sicherung hat das unbekannte Format %(format)s.")
            % {"format": manifest.get("format")}
        )
    return manifest


def _verify_checksums(directory: Path, manifest: dict[str, Any]) -> None:
    root = directory.resolve()
    damaged, missing = [], []
    for name, expected in sorted(manifest["files"].items()):
        path = (directory / name).resolve()
        if not path.is_relative_to(root):
            raise BackupRefused(
                _("Die manifest.json nennt eine Datei außerhalb der Sicherung: %(name)s")
                % {"name": name}
            )
        if not path.is_file():
            missing.append(name)
        elif _checksum(path) != {"sha256": expected["sha256"], "size": expected["size"]}:
            damaged.append(name)
    if missing or damaged:
        raise BackupRefused(
            _(
                "Die Sicherung ist beschädigt, es wurde nichts verändert. Prüfsumme stimmt "
                "nicht: %(damaged)s. Fehlt: %(missing)s."
            )
            % {
                "damaged": ", ".join(damaged) or _("keine"),
                "missing": ", ".join(missing) or _("keine"),
            }
        )


def _check_empty_target() -> None:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if tables:
            with_rows = [t for t, n in _counts(cursor, tables).items() if n]
            raise BackupRefused(
                _(
                    "Die Zieldatenbank %(name)s ist nicht leer (%(tables)d Tabellen, "
                    "%(with_rows)d davon mit Zeilen). Wiederhergestellt wird nur in eine leere "
                    "Datenbank: legen Sie eine neue an und richten Sie DATABASE_URL darauf."
                )
                % {
                    "name": connection.settings_dict["NAME"],
                    "tables": len(tables),
                    "with_rows": len(with_rows),
                }
            )
    first = next(_storage_names(), None)
    if first is not None:
        raise BackupRefused(
            _(
                "Die Dateiablage %(storage)s ist nicht leer (zum Beispiel %(name)s). "
                "Wiederhergestellt wird nur in eine leere Ablage."
            )
            % {"storage": _storage_description(), "name": first}
        )


def _restore_media(directory: Path, manifest: dict[str, Any]) -> int:
    count = 0
    prefix = MEDIA + "/"
    for name, expected in sorted(manifest["files"].items()):
        if not name.startswith(prefix):
            continue
        storage_name = name.removeprefix(prefix)
        with (directory / name).open("rb") as source:
            saved = default_storage.save(storage_name, File(source, name=storage_name))
        if saved != storage_name:
            raise BackupRefused(
                _("Die Datei %(name)s wurde als %(saved)s abgelegt; die Ablage war nicht leer.")
                % {"name": storage_name, "saved": saved}
            )
        with default_storage.open(saved, "rb") as stored:
            if _sha256_of(stored)[0] != expected["sha256"]:
                raise BackupRefused(
                    _("Die Datei %(name)s kam verändert in der Ablage an.") % {"name": saved}
                )
        count += 1
    return count


def _current_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tables = _postgres_tables(cursor)
        else:
            tables = _sqlite_tables(connection.connection)
        return _counts(cursor, tables)


def backup_restore(*, directory: Path) -> RestoreReport:
    """Restore the backup in ``directory`` into the (empty) database and storage of this
    installation, then erase again whoever the erasure ledger names."""
    directory = Path(directory)
    manifest = _read_manifest(directory)
    if manifest["vendor"] != connection.vendor:
        raise BackupRefused(
            _(
                "Die Sicherung stammt aus einer Datenbank vom Typ %(backup)s, "
                "die Zieldatenbank ist %(target)s."
            )
            % {"backup": manifest["vendor"], "target": connection.vendor}
        )
    unknown = _unknown_migrations(manifest["migrations"])
    if unknown:
        raise BackupRefused(
            _(
                "Die Sicherung ist neuer als dieser Code (unbekannte Migrationen: %(names)s). "
                "Bringen Sie zuerst den Code auf den Stand der Sicherung."
            )
            % {"names": ", ".join(unknown)}
        )
    _verify_checksums(directory, manifest)
    _check_empty_target()
    try:
        # Read before anything changes: an unreadable ledger stops the restore here.
        ledger_entries()
    except LedgerError as error:
        raise BackupRefused(str(error)) from error

    report = RestoreReport(
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        ledger_missing=not ledger_path().exists(),
    )
    if connection.vendor == "postgresql":
        _postgres_restore(directory, manifest)
    else:
        _sqlite_restore(directory)
    report.files = _restore_media(directory, manifest)

    restored = _current_counts()
    for table in sorted(set(restored) | set(manifest["tables"])):
        expected, found = manifest["tables"].get(table, 0), restored.get(table, 0)
        if expected != found:
            report.count_mismatches[table] = (expected, found)

    # Content types of the running process may carry ids of the database it had before.
    ContentType.objects.clear_cache()
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)
        report.migrated = True
    report.erased_again = ledger_apply()
    # Cached fragments were made from other data than the restored.
    cache.clear()
    return report


def describe_time(value: str) -> str:
    """A manifest's ISO time as the installation's local time, for messages."""
    moment = datetime.datetime.fromisoformat(value)
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M:%S")
