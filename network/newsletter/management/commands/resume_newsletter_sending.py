"""Resume the sending of every issue whose sender died (for operators; safe to run any time).

Normally nobody needs it: a watchdog task waits in the queue beside every sending issue and a
restarted ``db_worker`` resumes by itself. Run it after restoring a database backup or when the
issue's page says the sending stalled; it only queues work where no sender holds the lease.
"""

from django.core.management.base import BaseCommand

from network.newsletter import services
from network.newsletter.models import Issue


class Command(BaseCommand):
    help = "Setzt den Versand von Ausgaben fort, deren Versand abgebrochen ist."

    def handle(self, *args, **options) -> None:
        resumed = 0
        for issue in Issue.objects.filter(state=Issue.State.SENDING):
            if services.issue_sending_resume(issue=issue):
                resumed += 1
                self.stdout.write(f"Ausgabe {issue.number}: Versand fortgesetzt.")
            else:
                self.stdout.write(f"Ausgabe {issue.number}: Versand läuft.")
        if not resumed:
            self.stdout.write("Kein abgebrochener Versand.")
