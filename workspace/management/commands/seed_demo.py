"""Fill an empty installation with the demo world of the network (DESIGN.md).

Idempotent: a second run changes nothing. Each app adds its part through a function
registered in ``workspace.demo.seeders`` so the core needs to know none of them.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from workspace.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, run_seeders


class Command(BaseCommand):
    help = _("Legt die Demo-Welt des Netzwerks an (nur mit DEBUG=1).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-accounts",
            action="store_true",
            help=_("Die Demo-Zugänge am Ende nicht ausgeben."),
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not settings.TESTING:
            raise CommandError(
                _("Die Demo-Welt wird nur mit DEBUG=1 angelegt, nie in einer echten Installation.")
            )
        with transaction.atomic():
            run_seeders(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(_("Demo-Welt ist bereit.")))
        if not options["quiet_accounts"]:
            self.stdout.write(
                _("Demo-Zugänge (Passwort: %(password)s):") % {"password": DEMO_PASSWORD}
            )
            for username, who in DEMO_ACCOUNTS:
                self.stdout.write(f"  {username:<22} {who}")
