"""The erasure ledger: every erasure of a person, kept where restoring a backup cannot undo it.

``person_erase`` records each erasure twice: as an :class:`~workspace.models.ErasureRecord` row in
the same transaction (so every backup knows which of its accounts are erased) and as one JSON
line in ``settings.ERASURE_LEDGER_PATH``, a file outside the database and outside MEDIA_ROOT
(so it outlives a restore). ``manage.py restore`` reads the file of the running installation and
erases again every account the restored data does not know as erased: a backup taken before an
erasure never brings the person back.

An entry names the account by its id and the moment it was created, never by a name:
``{"account": 17, "joined": "2025-03-01T09:12:00+00:00", "erased_at": "…"}``. The creation time
keeps an entry from reaching a later account that got the same id from an older sequence.

The line is written and synced before the erasure commits. Should the commit fail afterwards,
the ledger holds an erasure that did not happen, and the next restore completes it: the person
had asked for it. The other way round, a committed erasure missing from the file, cannot happen.
"""

from __future__ import annotations

import datetime
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


class LedgerError(Exception):
    """The ledger file cannot be read or written; the message says why, in German."""


@dataclass(frozen=True)
class LedgerEntry:
    account: int
    joined: datetime.datetime
    erased_at: datetime.datetime


def ledger_path() -> Path:
    return Path(settings.ERASURE_LEDGER_PATH)


@contextmanager
def _locked(mode: str) -> Iterator[int]:
    """The ledger file, opened for appending (``"a"``) or reading (``"r"``), under a lock that
    erasures in other processes and a running restore respect."""
    path = ledger_path()
    try:
        if mode == "a":
            if not path.parent.exists():
                path.parent.mkdir(parents=True, mode=0o700)
                _sync_directory(path.parent.parent)
            created = not path.exists()
            descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            if created:
                _sync_directory(path.parent)  # the new file's name survives a crash too
        else:
            descriptor = os.open(path, os.O_RDONLY)
    except OSError as error:
        raise LedgerError(
            _("Das Löschprotokoll %(path)s lässt sich nicht öffnen: %(error)s")
            % {"path": path, "error": error.strerror}
        ) from error
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX if mode == "a" else fcntl.LOCK_SH)
        yield descriptor
    finally:
        os.close(descriptor)


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _read_all(descriptor: int) -> bytes:
    os.lseek(descriptor, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(descriptor, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(content: bytes) -> list[LedgerEntry]:
    entries = []
    lines = content.split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        torn = number == len(lines)  # no line break after it: a write cut off by a crash
        try:
            raw = json.loads(line)
            entries.append(
                LedgerEntry(
                    account=int(raw["account"]),
                    joined=datetime.datetime.fromisoformat(raw["joined"]),
                    erased_at=datetime.datetime.fromisoformat(raw["erased_at"]),
                )
            )
        except (ValueError, KeyError, TypeError) as error:
            if torn:
                # Written before its erasure committed, so that erasure never happened.
                continue
            raise LedgerError(
                _("Zeile %(line)d des Löschprotokolls %(path)s ist unlesbar.")
                % {"line": number, "path": ledger_path()}
            ) from error
    return entries


def ledger_entries() -> list[LedgerEntry]:
    """Every entry of the ledger file, oldest first; none when there is no file yet."""
    if not ledger_path().exists():
        return []
    with _locked("r") as descriptor:
        return _parse(_read_all(descriptor))


def ledger_copy_write(target: Path) -> bool:
    """Copy the ledger file to ``target`` (a backup), consistent with erasures going on;
    returns whether there was a ledger to copy."""
    if not ledger_path().exists():
        return False
    with _locked("r") as descriptor:
        target.write_bytes(_read_all(descriptor))
    return True


def erasure_record(*, person) -> None:
    """Record that ``person`` is being erased: a row here, a synced line in the ledger file.

    Called by ``person_erase`` inside its transaction. An account erased again (a restore
    applying the ledger) gets its row, but no second line.
    """
    from workspace.models import ErasureRecord

    now = timezone.now()
    joined = person.date_joined
    with _locked("a") as descriptor:
        content = _read_all(descriptor)
        if content and not content.endswith(b"\n"):
            # A line cut off by a crash belongs to an erasure that never committed: it goes.
            content = content[: content.rfind(b"\n") + 1]
            os.ftruncate(descriptor, len(content))
        if not any((e.account, e.joined) == (person.pk, joined) for e in _parse(content)):
            line = {
                "account": person.pk,
                "joined": joined.isoformat(),
                "erased_at": now.isoformat(),
            }
            data = json.dumps(line, sort_keys=True).encode() + b"\n"
            try:
                os.write(descriptor, data)
                os.fsync(descriptor)
            except OSError as error:
                raise LedgerError(
                    _("Das Löschprotokoll %(path)s lässt sich nicht schreiben: %(error)s")
                    % {"path": ledger_path(), "error": error.strerror}
                ) from error
    ErasureRecord.objects.create(account_id=person.pk, account_joined=joined, erased_at=now)


def ledger_apply() -> list[int]:
    """Erase again, through ``person_erase``, every account of the ledger file that the data
    does not know as erased; returns their ids. Accounts the data does not hold (created after
    the backup) and later accounts with a reused id are left alone."""
    from workspace.models import ErasureRecord, User
    from workspace.personal_data import person_erase

    entries = ledger_entries()
    if not entries:
        return []
    accounts = User.objects.in_bulk({entry.account for entry in entries})
    erased = set(
        ErasureRecord.objects.filter(account_id__in=accounts).values_list(
            "account_id", "account_joined"
        )
    )
    done = []
    for entry in entries:
        account = accounts.get(entry.account)
        if account is None or account.date_joined != entry.joined:
            continue
        if (entry.account, entry.joined) in erased:
            continue
        person_erase(account)
        erased.add((entry.account, entry.joined))
        done.append(entry.account)
    return done
