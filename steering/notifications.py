"""What the steering committee tells the followers of a lead project (workspace.notifications).

Called by ``vote_close`` inside its transaction: a decision that is rolled back tells nobody.
The status step a decision takes announces itself through this one notification.
"""

from __future__ import annotations

from steering.models import Agreement
from workspace.models import NotificationKind, User
from workspace.notifications import notify


def decided(*, agreement: Agreement | None, by: User) -> None:
    if agreement is None or agreement.project_id is None:
        return
    project = agreement.project
    notify(
        kind=NotificationKind.DECISION,
        actor=by,
        target=project,
        title=project.title,
        detail=f"{agreement.number} – {agreement.title}",
        url=agreement.get_absolute_url(),
    )
