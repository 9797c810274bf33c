"""Send the notification digests that are due (daily and weekly), for a cron beside (or
instead of) the task worker; a digest already sent is not sent again."""

from django.core.management.base import BaseCommand

from workspace.notifications import Frequency, digest_schedule, digests_send


class Command(BaseCommand):
    help = "Verschickt fällige Sammel-E-Mails zu Benachrichtigungen (jede nur einmal)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Außerdem die regelmäßigen Aufgaben in die Warteschlange stellen.",
        )

    def handle(self, *args, **options) -> None:
        for frequency in (Frequency.DAILY, Frequency.WEEKLY):
            sent = digests_send(frequency=frequency)
            self.stdout.write(f"{frequency}: {sent} Sammel-E-Mail(s) verschickt.")
            if options["schedule"]:
                digest_schedule(frequency=frequency)
