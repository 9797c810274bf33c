"""``manage.py import_project <archiv.zip> --als <benutzername>``: a lead project from an
archive, checked as a whole before anything is written."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from projects import portable
from workspace.models import Municipality, User
from workspace.permissions import is_network_office


class Command(BaseCommand):
    help = _(
        "Importiert ein Leitprojekt aus einem Archiv (ZIP). Das Archiv wird vollständig "
        "geprüft; ist etwas nicht in Ordnung, wird nichts gespeichert."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("Archiv (ZIP)"))
        parser.add_argument(
            "--als",
            dest="username",
            required=True,
            help=_("Benutzername eines Kontos der Geschäftsstelle, das den Import verantwortet"),
        )
        parser.add_argument(
            "--federfuehrung",
            dest="lead",
            default="",
            help=_("Kurzname der federführenden Kommune, falls die des Archivs hier fehlt"),
        )

    def handle(self, *args, path: str, username: str, lead: str, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not is_network_office(user):
            raise CommandError(_("Leitprojekte importiert nur die Geschäftsstelle."))
        municipality = None
        if lead:
            municipality = Municipality.objects.filter(slug=lead).first()
            if municipality is None:
                raise CommandError(_("Eine Kommune „%(slug)s“ gibt es nicht.") % {"slug": lead})
        source = Path(path)
        if not source.is_file():
            raise CommandError(_("Die Datei „%(path)s“ gibt es nicht.") % {"path": path})
        try:
            with source.open("rb") as archive:
                outcome = portable.project_import(archive=archive, by=user, lead=municipality)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            _(
                "Importiert: „%(title)s“ (%(slug)s) mit %(results)s Ergebnissen, %(versions)s "
                "Versionen und %(attachments)s Anhängen."
            )
            % {
                "title": outcome.project.title,
                "slug": outcome.project.slug,
                "results": outcome.results,
                "versions": outcome.versions,
                "attachments": outcome.attachments,
            }
        )
        for notice in outcome.notices():
            self.stdout.write(notice)
