"""What the projects app stores about people (see workspace.personal_data).

People appear here only as foreign keys (who created, edited, adopted, offered); erasure
pseudonymises the account they point to, so results and their history stay whole.
"""

from __future__ import annotations

from workspace.personal_data import classify


def classify_models() -> None:
    from projects import models as m

    classify(
        m.LeadProject,
        person=("created_by", "lead_exception_recorded_by"),
        not_personal=(
            "id", "title", "slug", "summary", "description", "criterion_concerns_all",
            "criterion_saves_resources", "criterion_joint_impact", "lead_municipality",
            "lead_exception_reason", "kind", "visibility", "status", "starts_on", "ends_on",
            "created_at",
        ),
    )  # fmt: skip
    classify(m.LeadProject.topics.through, not_personal=("id", "leadproject", "topic"))
    classify(m.LeadProject.participants.through, not_personal=("id", "leadproject", "municipality"))
    classify(
        m.LeadProjectUserObjectPermission,
        owner=("user",),
        not_personal=("id", "permission", "content_object"),
        related=("permission__content_type",),
    )
    classify(
        m.LeadProjectGroupObjectPermission,
        not_personal=("id", "permission", "group", "content_object"),
    )
    classify(m.TeamMembership, owner=("user",), not_personal=("id", "project", "role", "added_at"))
    classify(
        m.ProjectActivity,
        person=("actor", "member"),
        not_personal=(
            "id", "project", "kind", "reason", "old_status", "new_status", "role",
            "changed_fields", "at",
        ),
        related=("project",),
    )  # fmt: skip
    classify(
        m.Result,
        person=("created_by",),
        not_personal=(
            "id", "project", "municipality", "upstream", "title", "summary", "body", "kind",
            "maturity", "revision", "is_archived", "created_at", "updated_at",
        ),
    )  # fmt: skip
    classify(
        m.ResultAttachment,
        person=("uploaded_by", "removed_by"),
        not_personal=(
            "id",
            "result",
            "file",
            "name",
            "size",
            "sha256",
            "content_type",
            "uploaded_at",
            "removed_at",
            "replaces",
            "status",
            # the text read out of the file, for the search: the file's own content
            "text",
        ),
    )
    classify(
        m.Template,
        person=("published_by",),
        # ``contact`` names a role or a shared mailbox of the municipality, shown with the template.
        not_personal=(
            "id", "result", "licence", "prerequisites", "effort", "contact", "recommended",
            "published_at",
        ),
        related=("result",),
    )  # fmt: skip
    classify(
        m.Adoption,
        person=("adopted_by",),
        not_personal=(
            "id", "template", "municipality", "copy", "adopted_row", "dismissed_row", "status",
            "experience", "adopted_at",
        ),
        related=("municipality", "template__result"),
    )  # fmt: skip
    classify(
        m.Offer,
        person=("offered_by", "decided_by"),
        not_personal=(
            "id", "adoption", "base_row", "copy_row", "message", "status", "offered_at",
            "decided_at", "decision_note", "source_row",
        ),
        related=("adoption__municipality", "adoption__template__result"),
    )  # fmt: skip
    classify(
        m.ResultCoeditState,
        person=("last_editor",),
        # ``authors`` holds account ids, which point at the (pseudonymised) accounts.
        not_personal=("result", "state", "revision", "authors", "updated_at"),
    )
