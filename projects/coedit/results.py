"""Living results as a kind of co-edited text (registered in ``ProjectsConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from projects.coedit.kinds import Checked, CoeditKind, register_kind
from projects.models import Result, ResultCoeditState
from projects.permissions import get_result_for
from projects.services.results import result_update
from workspace.events import project_access_group


def _check(user, kwargs) -> Checked:
    """The edit page's check: who may see the result reads, its editors write (not while
    it is archived). Its sockets follow the lead project's access group."""
    result, access = get_result_for(user, kwargs["slug"], kwargs["result_id"])
    return Checked(
        pk=result.pk,
        can_edit=access.can_edit_results and not result.is_archived,
        revision=result.revision,
        access=("project", result.project_id),
    )


def _update(result: Result, **fields) -> bool:
    return result_update(result=result, **fields)


RESULTS = CoeditKind(
    name="result",
    model=Result,
    state_model=ResultCoeditState,
    update=_update,
    check=_check,
    access_group=project_access_group,
    revoked_text=_(
        "Sie haben keinen Zugriff mehr auf dieses Ergebnis. Die gemeinsame Bearbeitung wurde "
        "beendet."
    ),
    readonly_text=_(
        "Sie dürfen dieses Ergebnis nicht mehr bearbeiten. Sie lesen ab jetzt nur noch mit; "
        "Ihre weiteren Eingaben werden nicht übernommen."
    ),
)


def register() -> None:
    register_kind(RESULTS)
