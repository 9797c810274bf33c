"""``manage.py backup DIR``: database, uploaded files and a manifest with checksums."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workspace.backup import BackupRefused, backup_create, describe_time


class Command(BaseCommand):
    help = _(
        "Sichert Datenbank und hochgeladene Dateien in ein neues Verzeichnis, mit Prüfsummen "
        "in manifest.json."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", type=Path, help=_("neues oder leeres Verzeichnis"))

    def handle(self, *args, directory: Path, **options) -> None:
        try:
            manifest = backup_create(directory=directory)
        except BackupRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Gesichert nach %(dir)s (%(time)s): %(vendor)s, %(tables)d Tabellen mit "
                "%(rows)d Zeilen, %(files)d hochgeladene Dateien."
            )
            % {
                "dir": directory,
                "time": describe_time(manifest["created_at"]),
                "vendor": manifest["vendor"],
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "files": manifest["media_files"],
            }
        )
