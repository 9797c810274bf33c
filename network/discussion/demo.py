"""The discussion's part of the demo world: a short exchange on a result of the Menden
project, written through the services; a second run changes nothing."""

from __future__ import annotations

from network.discussion import services
from network.discussion.models import Comment
from projects.models import Result
from workspace.models import User


def seed_discussion(*, stdout) -> None:
    result = (
        Result.objects.filter(project__lead_municipality__slug="menden", project__isnull=False)
        .select_related("project")
        .order_by("pk")
        .first()
    )
    editor = User.objects.filter(username="team-iserlohn").first()
    coordinator = User.objects.filter(username="koordination-menden").first()
    if result is None or editor is None or coordinator is None:
        return
    if Comment.objects.filter(result=result).exists():
        return
    question = services.comment_create(
        by=editor,
        project=result.project,
        result=result,
        body="Können wir den Abschnitt zu den Schnittstellen um ein Beispiel ergänzen, "
        "@koordination-menden?",
    )
    services.comment_create(
        by=coordinator,
        project=result.project,
        result=result,
        parent=question,
        body="Gute Idee – ich nehme ein Beispiel aus unserem Pilotbetrieb in die nächste Version auf.",
    )
    stdout.write("Diskussion: zwei Kommentare an einem Ergebnis des Menden-Projekts.\n")
