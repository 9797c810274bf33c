"""What guides store about people (see workspace.personal_data): who wrote and edited them."""

from __future__ import annotations

from workspace.personal_data import classify


def classify_models() -> None:
    from network.guides.models import Authorship, Guide, GuideAttachment, GuideCoeditState, Term

    classify(
        Guide,
        person=("created_by",),
        not_personal=(
            "id", "title", "slug", "summary", "body", "status", "published_in", "revision",
            "created_at", "updated_at",
        ),
    )  # fmt: skip
    classify(Guide.topics.through, not_personal=("id", "guide", "topic"))
    classify(Guide.lead_projects.through, not_personal=("id", "guide", "leadproject"))
    classify(Guide.results.through, not_personal=("id", "guide", "result"))
    classify(Authorship, owner=("person",), not_personal=("id", "guide", "municipality"))
    classify(Term, not_personal=("id", "name", "slug", "definition", "synonyms", "updated_at"))
    classify(Term.related.through, not_personal=("id", "from_term", "to_term"))
    classify(
        GuideCoeditState,
        person=("last_editor",),
        # ``authors`` holds account ids, which point at the (pseudonymised) accounts.
        not_personal=("guide", "state", "revision", "authors", "updated_at"),
    )
    classify(
        GuideAttachment,
        person=("uploaded_by", "removed_by"),
        not_personal=(
            "id", "guide", "file", "name", "size", "sha256", "content_type", "uploaded_at",
            "removed_at", "replaces", "status", "text",
        ),
    )  # fmt: skip
