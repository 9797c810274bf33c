"""A lead project's lifecycle as data: which step exists, who takes it, and which one only an
adopted agreement of the steering committee takes.

The table is the projects app's own; the committee is not. An app that decides agreements (the
steering app) registers its check in ``ready()`` (:func:`register_agreement_check`); without
one, the network office records the agreement as an office step with a reason. Nothing here
is changed after import: the steps are the table's, the committee's say is its check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from projects.models import LeadProject

Status = LeadProject.Status


@dataclass(frozen=True)
class Transition:
    """Who may move a project from one state to another, and whether a reason is required.

    ``by_agreement``: the step is the committee's decision. Once an agreement check is
    registered, only an adopted agreement takes it (``project_change_status(decision=...)``).
    """

    office_only: bool
    needs_reason: bool
    by_agreement: bool = False


_TO_ARCHIVE = Transition(office_only=True, needs_reason=True)
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (Status.IDEA, Status.PROPOSED): Transition(office_only=False, needs_reason=False),
    (Status.PROPOSED, Status.IDEA): Transition(office_only=False, needs_reason=True),
    # The steering committee's agreement; without a committee, the office records it.
    (Status.PROPOSED, Status.AGREED): Transition(
        office_only=True, needs_reason=True, by_agreement=True
    ),
    (Status.AGREED, Status.RUNNING): Transition(office_only=False, needs_reason=False),
    (Status.RUNNING, Status.COMPLETED): Transition(office_only=True, needs_reason=True),
    (Status.COMPLETED, Status.RUNNING): Transition(office_only=True, needs_reason=True),
    (Status.COMPLETED, Status.ESTABLISHED): Transition(office_only=True, needs_reason=True),
    **{(status, Status.ARCHIVED): _TO_ARCHIVE for status in Status if status != Status.ARCHIVED},
}

AgreementCheck = Callable[[LeadProject], bool]
_agreement_checks: list[AgreementCheck] = []


def register_agreement_check(check: AgreementCheck) -> None:
    """``check(project)`` is true when a committee's adopted agreement decides the
    ``by_agreement`` steps of ``project`` (registered once, in an app's ``ready()``)."""
    if check not in _agreement_checks:
        _agreement_checks.append(check)


def agreement_decides(project: LeadProject, to: str) -> bool:
    """Whether the step of ``project`` to ``to`` is taken only by an adopted agreement."""
    rule = TRANSITIONS.get((project.status, to))
    return bool(
        rule is not None
        and rule.by_agreement
        and any(check(project) for check in _agreement_checks)
    )
