"""Send every reminder that is due, for a cron beside (or instead of) the task worker."""

from django.core.management.base import BaseCommand

from network.dates.services import due_reminders_send


class Command(BaseCommand):
    help = "Verschickt fällige Erinnerungen an Klassentreffen (jede nur einmal)."

    def handle(self, *args, **options) -> None:
        sent = due_reminders_send()
        self.stdout.write(f"{sent} Erinnerung(en) verschickt.")
