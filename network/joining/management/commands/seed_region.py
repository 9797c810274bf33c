"""Put Südwestfalen's 59 towns into the database, so the join form lists them (idempotent)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from network.joining.region import region_seed


class Command(BaseCommand):
    help = _(
        "Legt die 59 Städte und Gemeinden Südwestfalens an, die das Beitrittsformular anbietet."
    )

    def handle(self, *args, **options):
        added = region_seed()
        self.stdout.write(self.style.SUCCESS(_("%(n)s Kommunen neu angelegt.") % {"n": added}))
