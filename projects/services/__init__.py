"""Every write of lead projects, teams, living results and their reuse (see the modules)."""

from projects.services.project import *  # noqa: F403
from projects.services.project import (  # noqa: F401
    COMMITTEE_STEPS,
    EDITABLE_FIELDS,
    MAX_ATTACHMENT_BYTES,
    RESULT_FIELDS,
    TRANSITIONS,
    Role,
    Status,
    Transition,
)
