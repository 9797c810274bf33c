"""``manage.py export_project <kurzname>``: the archive of a lead project, as a user sees it."""

from pathlib import Path

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from projects import portable
from projects.models import LeadProject
from projects.permissions import ProjectAccess
from workspace.models import User


class Command(BaseCommand):
    help = _(
        "Exportiert ein Leitprojekt als Archiv (ZIP) mit allen Versionen, Anhängen, Lizenzen "
        "und Nachnutzungen – so viel, wie die mit --als genannte Person sehen darf."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help=_("Kurzname des Leitprojekts"))
        parser.add_argument(
            "--als",
            dest="username",
            default="",
            help=_(
                "Benutzername, mit dessen Rechten exportiert wird (ohne: nur Öffentliches, "
                "ohne Entwürfe)"
            ),
        )
        parser.add_argument("-o", "--ausgabe", dest="output", default="", help=_("Zieldatei (ZIP)"))

    def handle(self, *args, slug: str, username: str, output: str, **options):
        project = LeadProject.objects.select_related("lead_municipality").filter(slug=slug).first()
        user = AnonymousUser()
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(
                    _("Ein aktives Konto „%(name)s“ gibt es nicht.") % {"name": username}
                )
        if project is None or not ProjectAccess(user, project).can_view:
            raise CommandError(
                _("Ein Leitprojekt „%(slug)s“, das diese Person sehen darf, gibt es nicht.")
                % {"slug": slug}
            )
        target = Path(output or portable.export_filename(project))
        with portable.project_export(project=project, user=user) as archive:
            target.write_bytes(archive.read())
        self.stdout.write(
            _("Archiv geschrieben: %(path)s (%(size)s MB)")
            % {"path": target, "size": portable.megabytes(target.stat().st_size)}
        )
