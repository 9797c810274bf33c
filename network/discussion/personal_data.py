"""What the discussion stores about people (see workspace.personal_data)."""

from __future__ import annotations

from workspace.personal_data import classify


def classify_models() -> None:
    from network.discussion.models import Comment

    classify(
        Comment,
        person=("author", "hidden_by"),
        not_personal=(
            "id", "project", "result", "parent", "body", "quoted_row", "quote", "created_at",
            "edited_at", "hidden_at", "hidden_reason",
        ),
    )  # fmt: skip
