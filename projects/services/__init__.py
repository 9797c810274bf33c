"""Every write of lead projects, teams, living results and their reuse: keyword-only, atomic,
validated, with its event. One module per sub-domain; every public name is here as well, so
``from projects import services`` and ``services.result_update(...)`` keep working.

- :mod:`.project`: lead projects and their lifecycle (the table is :mod:`projects.lifecycle`)
- :mod:`.teams`: team members and roles
- :mod:`.results`: living results, their versions, archive and attachments
- :mod:`.reuse`: templates, adoptions and offers back
"""

from projects.lifecycle import TRANSITIONS, Transition, agreement_decides
from projects.services.project import (
    EDITABLE_FIELDS,
    Role,
    Status,
    allowed_transitions,
    project_change_status,
    project_create,
    project_update,
)
from projects.services.results import (
    MAX_ATTACHMENT_BYTES,
    RESULT_FIELDS,
    attachment_add,
    result_archive,
    result_create,
    result_restore,
    result_update,
)
from projects.services.reuse import (
    adoption_create,
    adoption_dismiss,
    adoption_set_status,
    adoption_take_over,
    current_row,
    offer_accept,
    offer_create,
    offer_decline,
    template_publish,
    upstream_change,
)
from projects.services.teams import team_member_add, team_member_change_role, team_member_remove

__all__ = [
    "EDITABLE_FIELDS",
    "MAX_ATTACHMENT_BYTES",
    "RESULT_FIELDS",
    "TRANSITIONS",
    "Role",
    "Status",
    "Transition",
    "adoption_create",
    "adoption_dismiss",
    "adoption_set_status",
    "adoption_take_over",
    "agreement_decides",
    "allowed_transitions",
    "attachment_add",
    "current_row",
    "offer_accept",
    "offer_create",
    "offer_decline",
    "project_change_status",
    "project_create",
    "project_update",
    "result_archive",
    "result_create",
    "result_restore",
    "result_update",
    "team_member_add",
    "team_member_change_role",
    "team_member_remove",
    "template_publish",
    "upstream_change",
]
