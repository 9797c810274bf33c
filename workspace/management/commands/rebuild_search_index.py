"""``manage.py rebuild_search_index``: SQLite's search index anew from every searched object.

Saves keep the index current by themselves; this is for a database filled before the index
existed, after writes that bypass the models (raw SQL, another program) or any doubt. On
PostgreSQL, which searches the columns themselves, there is nothing to rebuild.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from workspace import search_index


class Command(BaseCommand):
    help = _("Baut den Suchindex der eingebetteten Datenbank (SQLite) neu auf.")

    def handle(self, *args, **options) -> None:
        if not search_index.enabled():
            self.stdout.write(_("PostgreSQL durchsucht die Texte selbst: nichts zu tun."))
            return
        written = search_index.rebuild()
        self.stdout.write(
            self.style.SUCCESS(_("Suchindex neu aufgebaut: %(n)d Einträge.") % {"n": written})
        )
