"""``manage.py erase_person <username>``: erasure on request (Art. 17 GDPR)."""

from django.core.management.base import BaseCommand, CommandError

from workspace.models import User
from workspace.personal_data import person_erase


class Command(BaseCommand):
    help = "Ersetzt die personenbezogenen Daten einer Person überall durch ein Pseudonym."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        person = User.objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"Kein Konto mit dem Anmeldenamen {username!r}.")
        pseudonym = person_erase(person)
        self.stdout.write(f"Gelöscht: {username} heißt jetzt {pseudonym}.")
