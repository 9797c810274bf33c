"""Backups (issue 22): a restore gives back every row, every version and every file; a backup
older than an erasure never brings the person back; a damaged backup and a target that is not
empty are refused before anything changes.

The tests run on whichever database the run uses: SQLite in the embedded run, PostgreSQL with
``DATABASE_URL``. The restore always runs as an operator runs it, ``manage.py restore`` in a
process of its own, pointed at a database and a storage the test has just created.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import uuid
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from projects import services as project_services
from projects.models import Result
from tests.factories import UserFactory
from workspace.erasures import LedgerError, ledger_apply, ledger_entries
from workspace.models import ErasureRecord, User
from workspace.personal_data import person_erase

ROOT = Path(django_settings.BASE_DIR)
# Every version of every result, all columns; and which versions each result has.
EVERY_VERSION = "SELECT * FROM projects_historicalresult ORDER BY history_id"
VERSIONS = "SELECT id, revision FROM projects_historicalresult ORDER BY history_id"


# --- helpers ---------------------------------------------------------------------------------


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "postgresql":
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY 1"
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        )
    return [row[0] for row in cursor.fetchall()]


def _row_counts(cursor, vendor: str) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor, vendor):
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def _rows(cursor, sql: str, params=()) -> list[tuple]:
    cursor.execute(sql, params)
    return [tuple(row) for row in cursor.fetchall()]


def _checksums(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _postgres_env(name: str | None = None) -> dict[str, str]:
    params = connection.settings_dict
    env = dict(os.environ)
    env.update(
        PGHOST=str(params["HOST"]),
        PGPORT=str(params["PORT"]),
        PGUSER=str(params["USER"]),
        PGPASSWORD=str(params["PASSWORD"] or ""),
        PGDATABASE=name or params["NAME"],
    )
    return env


@contextmanager
def _new_database(tmp_path: Path):
    """A new, empty database of this run's kind: ``(environment for manage.py, connect())``."""
    if connection.vendor == "postgresql":
        import psycopg

        params = connection.settings_dict
        name = f"{params['NAME']}_restored_{uuid.uuid4().hex[:8]}"
        admin = psycopg.connect(
            host=params["HOST"],
            port=params["PORT"],
            user=params["USER"],
            password=params["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        admin.execute(f'CREATE DATABASE "{name}"')
        credentials = quote(params["USER"]) + (
            ":" + quote(params["PASSWORD"]) if params["PASSWORD"] else ""
        )
        url = f"postgres://{credentials}@{params['HOST']}:{params['PORT']}/{name}"
        try:
            yield (
                {"DATABASE_URL": url, "PGDATABASE_FOR_TEST": name},
                lambda: psycopg.connect(url.replace("postgres://", "postgresql://")),
            )
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
    else:
        path = tmp_path / f"restored-{uuid.uuid4().hex[:8]}.sqlite3"
        yield (
            {"SQLITE_PATH": str(path)},
            # Django's converters (registered globally) give the same types as its own cursor.
            lambda: sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES),
        )


def _manage(*args: str, env: dict[str, str], media_root: Path) -> subprocess.CompletedProcess:
    """``manage.py`` as an operator runs it: no DEBUG, the given database and storage, and the
    erasure ledger of this installation."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "SQLITE_PATH", "DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(env)
    environment.update(
        MEDIA_ROOT=str(media_root), ERASURE_LEDGER_PATH=str(django_settings.ERASURE_LEDGER_PATH)
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _data_text(vendor: str, *, database_env: dict[str, str] | None = None, path=None) -> str:
    """Every row of a database as SQL text: a name in it is somewhere in the data."""
    if vendor == "postgresql":
        if path is not None:  # a custom-format dump
            command = ["pg_restore", "--data-only", "--file=-", str(path)]
            env = dict(os.environ)
        else:
            command = ["pg_dump", "--data-only"]
            env = _postgres_env(database_env["PGDATABASE_FOR_TEST"])
        return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    database = sqlite3.connect(path)
    try:
        return "\n".join(database.iterdump())
    finally:
        database.close()


@pytest.fixture
def committed(transactional_db):
    """Data that other connections (pg_dump, SQLite's backup) see, emptied afterwards.

    SQLite's flush deletes row by row, which the triggers guarding adopted agreements refuse
    (PostgreSQL truncates): they are lifted for the cleaning only."""
    yield
    if connection.vendor == "sqlite":
        guard = importlib.import_module("steering.migrations.0002_agreements_are_immutable")
        with connection.schema_editor() as editor:
            guard.drop_triggers(None, editor)
        call_command("flush", interactive=False, verbosity=0)
        with connection.schema_editor() as editor:
            guard.create_triggers(None, editor)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media-source"
    settings.MEDIA_ROOT = str(root)
    return root


# --- the round trip --------------------------------------------------------------------------


def test_restore_of_an_older_backup_gives_back_everything_but_the_erased_person(
    committed, media, tmp_path
):
    vendor = connection.vendor
    call_command("seed_demo", "--quiet-accounts", stdout=StringIO())
    ida = User.objects.get(username="team-iserlohn")
    coordinator = User.objects.get(username="koordination-menden")
    result = Result.objects.filter(project__slug="offene-regionale-datenplattform").first()
    project_services.result_update(
        result=result,
        by=ida,
        base_revision=result.revision,
        body=result.body + "\n\nErgänzt vor der Sicherung.",
        note="Ergänzung",
    )
    project_services.attachment_add(
        result=result,
        by=ida,
        upload=SimpleUploadedFile("datenmodell.csv", b"feld;typ\nschule;text\n", "text/csv"),
    )
    project_services.attachment_add(
        result=result,
        by=coordinator,
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 " + os.urandom(4096), "application/pdf"),
    )
    backup = tmp_path / "sicherung"

    call_command("backup", str(backup), stdout=StringIO())

    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["vendor"] == vendor
    assert manifest["migrations"]["workspace"].startswith("0")
    with connection.cursor() as cursor:
        assert manifest["tables"] == _row_counts(cursor, vendor)
    assert len([name for name in manifest["files"] if name.startswith("media/")]) == 2
    database_file = backup / manifest["database_file"]
    assert "Ida Imhoff" in _data_text(vendor, path=database_file)  # the backup holds her

    # After the backup, Ida asks to be erased.
    person_erase(ida)
    ledger = Path(django_settings.ERASURE_LEDGER_PATH).read_text().splitlines()
    assert [json.loads(line)["account"] for line in ledger] == [ida.pk]

    with connection.cursor() as cursor:
        expected_counts = _row_counts(cursor, vendor)
        expected_history = _rows(cursor, EVERY_VERSION)
    expected_files = _checksums(media)
    attachments = dict(Result.objects.get(pk=result.pk).attachments.values_list("file", "sha256"))
    assert expected_files == attachments

    restored_media = tmp_path / "media-restored"
    with _new_database(tmp_path) as (database_env, connect):
        done = _manage("restore", str(backup), env=database_env, media_root=restored_media)
        assert done.returncode == 0, done.stderr
        assert "Alle Zeilenzahlen stimmen mit dem Manifest." in done.stdout
        assert f"erneut gelöscht: 1 Konten {ida.pk}" in done.stdout

        restored = connect()
        try:
            cursor = restored.cursor()
            assert _row_counts(cursor, vendor) == expected_counts
            history = _rows(cursor, EVERY_VERSION)
            assert history == expected_history
            versions = [row for row in _rows(cursor, VERSIONS) if row[0] == result.pk]
            assert len(versions) >= 4  # three from the demo world, one before the backup
            account = _rows(
                cursor,
                "SELECT username, display_name, first_name, last_name, email, is_active "
                "FROM workspace_user WHERE id = " + str(int(ida.pk)),
            )[0]
            assert account[0].startswith("geloescht-")
            assert account[1:] == (account[0], "", "", "", False)
            assert _rows(cursor, "SELECT account_id FROM workspace_erasurerecord") == [(ida.pk,)]
        finally:
            restored.close()
        restored_text = _data_text(
            vendor,
            database_env=database_env,
            path=database_env.get("SQLITE_PATH"),
        )
        for trace in ("Ida Imhoff", "ida.imhoff@example.org", "team-iserlohn"):
            assert trace not in restored_text
        assert "koordination-menden" in restored_text

    assert _checksums(restored_media) == expected_files
    # The restore erased again, but wrote no second line for the same erasure.
    assert Path(django_settings.ERASURE_LEDGER_PATH).read_text().splitlines() == ledger


@pytest.mark.django_db(transaction=True)
def test_a_backup_from_before_the_ledger_table_is_migrated_and_still_erases(media, tmp_path):
    """Every backup made before the ledger existed lacks its table: restore migrates first."""
    _small_world(media)
    anna = User.objects.get(username="anna-arnsberg")
    backup = tmp_path / "sicherung"
    call_command("migrate", "workspace", "0005", verbosity=0)
    try:
        call_command("backup", str(backup), stdout=StringIO())
    finally:
        call_command("migrate", "workspace", verbosity=0)
    assert json.loads((backup / "manifest.json").read_text())["migrations"]["workspace"] == (
        "0005_outgoing_mail"
    )
    person_erase(anna)

    with _new_database(tmp_path) as (database_env, connect):
        done = _manage(
            "restore", str(backup), env=database_env, media_root=tmp_path / "media-restored"
        )
        assert done.returncode == 0, done.stderr
        assert "auf den Stand des Codes migriert" in done.stdout
        restored = connect()
        try:
            cursor = restored.cursor()
            cursor.execute("SELECT id, username, display_name FROM workspace_user")
            ((username, display_name),) = [row[1:] for row in cursor if row[0] == anna.pk]
            cursor.execute("SELECT account_id FROM workspace_erasurerecord")
            assert cursor.fetchall() == [(anna.pk,)]
        finally:
            restored.close()
    assert username.startswith("geloescht-")
    assert display_name == username


# --- refusals --------------------------------------------------------------------------------


def _small_world(media: Path) -> None:
    UserFactory(username="anna-arnsberg", display_name="Anna Arnsberg")
    default_storage.save("ergebnisse/1/notiz.txt", ContentFile(b"Notiz zur Sicherung\n"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("damaged", ["database", "upload"])
def test_a_damaged_backup_is_refused_and_nothing_changes(media, tmp_path, damaged):
    _small_world(media)
    backup = tmp_path / "sicherung"
    call_command("backup", str(backup), stdout=StringIO())
    manifest = json.loads((backup / "manifest.json").read_text())
    name = manifest["database_file"] if damaged == "database" else "media/ergebnisse/1/notiz.txt"
    path = backup / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, same size
    path.write_bytes(bytes(data))

    restored_media = tmp_path / "media-restored"
    with _new_database(tmp_path) as (database_env, connect):
        refused = _manage("restore", str(backup), env=database_env, media_root=restored_media)
        assert refused.returncode == 1
        assert "Die Sicherung ist beschädigt, es wurde nichts verändert." in refused.stderr
        assert f"Prüfsumme stimmt nicht: {name}." in refused.stderr
        target = connect()
        try:
            assert _tables(target.cursor(), connection.vendor) == []
        finally:
            target.close()
    assert not restored_media.exists()


@pytest.mark.django_db(transaction=True)
def test_restore_into_a_database_with_rows_is_refused(media, tmp_path):
    _small_world(media)
    backup = tmp_path / "sicherung"
    call_command("backup", str(backup), stdout=StringIO())
    with connection.cursor() as cursor:
        before = _row_counts(cursor, connection.vendor)

    with pytest.raises(CommandError, match="Die Zieldatenbank .* ist nicht leer") as refused:
        call_command("restore", str(backup), stdout=StringIO())

    assert "Wiederhergestellt wird nur in eine leere Datenbank" in str(refused.value)
    with connection.cursor() as cursor:
        assert _row_counts(cursor, connection.vendor) == before
    assert User.objects.filter(username="anna-arnsberg").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_into_a_storage_with_files_is_refused(media, tmp_path):
    _small_world(media)
    backup = tmp_path / "sicherung"
    call_command("backup", str(backup), stdout=StringIO())
    occupied = tmp_path / "media-occupied"
    (occupied / "alt").mkdir(parents=True)
    (occupied / "alt" / "rest.txt").write_bytes(b"von vorher")

    with _new_database(tmp_path) as (database_env, connect):
        refused = _manage("restore", str(backup), env=database_env, media_root=occupied)
        assert refused.returncode == 1
        assert "Die Dateiablage" in refused.stderr
        assert "ist nicht leer (zum Beispiel alt/rest.txt)" in refused.stderr
        target = connect()
        try:
            assert _tables(target.cursor(), connection.vendor) == []
        finally:
            target.close()
    assert _checksums(occupied) == {"alt/rest.txt": hashlib.sha256(b"von vorher").hexdigest()}


@pytest.mark.django_db(transaction=True)
def test_a_backup_from_newer_code_is_refused(media, tmp_path):
    _small_world(media)
    backup = tmp_path / "sicherung"
    call_command("backup", str(backup), stdout=StringIO())
    manifest_path = backup / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["migrations"]["workspace"] = "9999_aus_der_zukunft"
    manifest_path.write_text(json.dumps(manifest))

    with pytest.raises(CommandError, match="workspace.9999_aus_der_zukunft"):
        call_command("restore", str(backup), stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_a_backup_goes_only_into_a_new_or_empty_directory(media, tmp_path):
    _small_world(media)
    backup = tmp_path / "sicherung"
    backup.mkdir()
    (backup / "alt.txt").write_text("von gestern")

    with pytest.raises(CommandError, match="ist nicht leer; eine Sicherung braucht ein neues"):
        call_command("backup", str(backup), stdout=StringIO())
    assert [path.name for path in backup.iterdir()] == ["alt.txt"]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_older_than_the_server_is_refused(media, tmp_path, settings):
    # No older client is installed here; this one only answers --version as PostgreSQL 13's.
    old = tmp_path / "postgresql-13" / "bin"
    old.mkdir(parents=True)
    (old / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.16'\n")
    (old / "pg_dump").chmod(0o755)
    settings.POSTGRES_BIN_DIR = str(old)
    backup = tmp_path / "sicherung"

    with pytest.raises(CommandError) as refused:
        call_command("backup", str(backup), stdout=StringIO())

    server_major = connection.pg_version // 10000
    assert f"ist Version 13, der Datenbankserver Version {server_major}" in str(refused.value)
    assert f"postgresql-client-{server_major}" in str(refused.value)
    assert not (backup / "manifest.json").exists()
    assert not (backup / "database.dump").exists()


# --- the ledger ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_backup_carries_a_copy_of_the_ledger_for_a_new_machine(media, tmp_path):
    _small_world(media)
    person_erase(User.objects.get(username="anna-arnsberg"))
    backup = tmp_path / "sicherung"

    call_command("backup", str(backup), stdout=StringIO())

    ledger = Path(django_settings.ERASURE_LEDGER_PATH).read_bytes()
    manifest = json.loads((backup / "manifest.json").read_text())
    assert (backup / "erasures.jsonl").read_bytes() == ledger
    assert manifest["files"]["erasures.jsonl"]["sha256"] == hashlib.sha256(ledger).hexdigest()


@pytest.mark.django_db
def test_an_erasure_is_written_to_the_ledger_without_a_name(editor):
    call_command("erase_person", editor.username, stdout=StringIO())

    path = Path(django_settings.ERASURE_LEDGER_PATH)
    text = path.read_text()
    (entry,) = [json.loads(line) for line in text.splitlines()]
    assert entry["account"] == editor.pk
    assert entry["joined"] == editor.date_joined.isoformat()
    assert set(entry) == {"account", "joined", "erased_at"}
    for trace in (editor.username, editor.email, editor.get_display_name()):
        assert trace not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(ErasureRecord.objects.values_list("account_id", "account_joined")) == [
        (editor.pk, editor.date_joined)
    ]


@pytest.mark.django_db
def test_no_erasure_without_its_ledger_line(editor, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.ERASURE_LEDGER_PATH = str(blocker / "erasures.jsonl")  # cannot be created

    with pytest.raises(LedgerError, match="Löschprotokoll .* lässt sich nicht öffnen"):
        person_erase(editor)

    editor.refresh_from_db()
    assert editor.username == "team-iserlohn"
    assert editor.is_active
    assert not ErasureRecord.objects.exists()


@pytest.mark.django_db
def test_the_ledger_erases_only_the_same_account_again(settings):
    erased_then = UserFactory(username="war-geloescht", display_name="Vera Vergangen")
    same_id_later = UserFactory(username="neu-mit-alter-id", display_name="Nina Neu")
    path = Path(settings.ERASURE_LEDGER_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = [
        {"account": erased_then.pk, "joined": erased_then.date_joined.isoformat()},
        # An account erased before the backup's sequence handed its id out again.
        {"account": same_id_later.pk, "joined": "2020-01-01T00:00:00+00:00"},
        {"account": 999_999, "joined": "2020-01-01T00:00:00+00:00"},
    ]
    path.write_text(
        "".join(
            json.dumps({**entry, "erased_at": "2026-01-01T00:00:00+00:00"}) + "\n"
            for entry in entries
        )
    )

    assert ledger_apply() == [erased_then.pk]
    assert ledger_apply() == []  # the data now knows the erasure

    erased_then.refresh_from_db()
    same_id_later.refresh_from_db()
    assert erased_then.username.startswith("geloescht-")
    assert same_id_later.username == "neu-mit-alter-id"
    assert len(path.read_text().splitlines()) == 3


@pytest.mark.django_db
def test_a_line_cut_off_by_a_crash_does_not_stop_later_erasures(editor, outsider, settings):
    path = Path(settings.ERASURE_LEDGER_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    person_erase(outsider)
    with path.open("ab") as ledger:
        ledger.write(b'{"account": 4711, "joi')  # the process died here, before its commit

    person_erase(editor)

    assert [entry.account for entry in ledger_entries()] == [outsider.pk, editor.pk]
    assert b"4711" not in path.read_bytes()
    path.write_bytes(b"kaputt\n" + path.read_bytes())  # edited by hand: that is no crash
    with pytest.raises(LedgerError, match="Zeile 1 des Löschprotokolls"):
        ledger_entries()
