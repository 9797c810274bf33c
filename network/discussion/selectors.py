"""Reads of the discussion."""

from __future__ import annotations

from django.db.models import Prefetch

from network.discussion.models import Comment

_RELATED = ("author", "hidden_by", "quoted_row")
_PEOPLE = ("author__memberships__municipality",)


def threads(comments) -> list[Comment]:
    """Top-level comments with their replies, in order; a fixed number of queries however
    long the discussion is."""
    replies = Comment.objects.select_related(*_RELATED).prefetch_related(*_PEOPLE)
    return list(
        comments.threads()
        .select_related(*_RELATED)
        .prefetch_related(
            *_PEOPLE, Prefetch("replies", queryset=replies.order_by("created_at", "pk"))
        )
        .order_by("created_at", "pk")
    )
