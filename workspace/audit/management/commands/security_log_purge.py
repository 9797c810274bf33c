"""Daily (deploy/systemd/klassenraum-command@security_log_purge.timer): the security log keeps
``SECURITY_LOG_RETENTION_DAYS`` days and no more."""

from django.conf import settings
from django.core.management.base import BaseCommand

from workspace.audit.services import security_log_purge


class Command(BaseCommand):
    help = "Löscht Einträge des Sicherheitsprotokolls, die älter als die Aufbewahrungsfrist sind."

    def handle(self, *args, **options) -> None:
        deleted = security_log_purge()
        self.stdout.write(
            f"{deleted} Einträge älter als {settings.SECURITY_LOG_RETENTION_DAYS} Tage gelöscht."
        )
