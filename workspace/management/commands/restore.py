"""``manage.py restore DIR``: a backup into an empty database and storage, erasures again."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workspace.backup import BackupRefused, backup_restore
from workspace.erasures import ledger_path


class Command(BaseCommand):
    help = _(
        "Stellt eine Sicherung in eine leere Datenbank und eine leere Dateiablage wieder her "
        "und löscht danach erneut jede Person aus dem Löschprotokoll."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", type=Path, help=_("Verzeichnis einer Sicherung"))

    def handle(self, *args, directory: Path, **options) -> None:
        try:
            report = backup_restore(directory=directory)
        except BackupRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Wiederhergestellt: %(tables)d Tabellen mit %(rows)d Zeilen, %(files)d Dateien.")
            % {"tables": report.tables, "rows": report.rows, "files": report.files}
        )
        if report.ledger_missing:
            self.stderr.write(
                _(
                    "Warnung: Unter %(path)s liegt kein Löschprotokoll. Ist dies eine neue "
                    "Maschine, legen Sie die erasures.jsonl der neuesten Sicherung dorthin und "
                    "stellen Sie noch einmal in eine leere Datenbank wieder her."
                )
                % {"path": ledger_path()}
            )
        if report.migrated:
            self.stdout.write(_("Die Datenbank wurde auf den Stand des Codes migriert."))
        self.stdout.write(
            _("Aus dem Löschprotokoll erneut gelöscht: %(count)d Konten %(ids)s")
            % {
                "count": len(report.erased_again),
                "ids": ", ".join(str(pk) for pk in report.erased_again),
            }
        )
        if report.count_mismatches:
            raise CommandError(
                _(
                    "Die Zeilenzahlen weichen vom Manifest ab; die Daten sind eingespielt, aber "
                    "nehmen Sie sie so nicht in Betrieb: %(tables)s"
                )
                % {
                    "tables": ", ".join(
                        f"{table} ({expected} → {found})"
                        for table, (expected, found) in report.count_mismatches.items()
                    )
                }
            )
        self.stdout.write(self.style.SUCCESS(_("Alle Zeilenzahlen stimmen mit dem Manifest.")))
