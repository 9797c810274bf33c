"""The lead-project list as anonymous visitors see it, cached in the shared cache.

Visitors all see the same public projects, so one rendering serves all of them per language and
filter; members see network and team projects of their own and are rendered afresh. The list
shows projects with their lead, participants and topics, and its filter offers every topic and
member municipality: a write to any of these retires the cached copies (workspace/fragments.py).
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest
from django.utils import translation

from projects.models import LeadProject
from workspace import fragments
from workspace.models import Municipality, Topic
from workspace.pagination import PAGE_PARAM

PROJECT_LIST = "project-list"
# The filter's own fields and the page number; any other query (or a repeated field) is rendered without the cache,
# so made-up queries cannot fill it.
FILTER_FIELDS = ("status", "topic", "municipality", PAGE_PARAM)


def project_list_key(request: HttpRequest) -> str | None:
    """The cache key of the list for this request, or None when it is not served from cache."""
    if request.user.is_authenticated:
        return None
    query = request.GET
    if any(name not in FILTER_FIELDS or len(query.getlist(name)) != 1 for name in query):
        return None
    values = [f"{name}={query.get(name, '')}" for name in FILTER_FIELDS]
    # Bound or not changes the form (an empty bound form is validated and shows its choices).
    return fragments.key(PROJECT_LIST, translation.get_language(), bool(query), *values)


def _retire(action: str = "post", **kwargs) -> None:
    if action.startswith("post"):
        fragments.bump(PROJECT_LIST)


def connect() -> None:
    for model in (LeadProject, Municipality, Topic):
        post_save.connect(_retire, sender=model, dispatch_uid=f"fragments-{model.__name__}-save")
        post_delete.connect(
            _retire, sender=model, dispatch_uid=f"fragments-{model.__name__}-delete"
        )
    for through in (LeadProject.participants.through, LeadProject.topics.through):
        m2m_changed.connect(_retire, sender=through, dispatch_uid=f"fragments-{through.__name__}")
