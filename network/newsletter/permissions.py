"""The one place that decides who may see and do what in the Schülerzeitung.

- Published issues, the archive, the feed and subscribing are public.
- Members of member municipalities submit news and see their own submissions with their state.
- The editorial team is the network office: it reviews news, composes and sends issues.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from network.newsletter.models import Issue, NewsItem
from workspace.access import decide, require_login
from workspace.models import User
from workspace.permissions import is_member_or_office, is_network_member, is_network_office

NOT_MEMBER = _("Beiträge für die Schülerzeitung reichen Mitarbeitende der Mitgliedskommunen ein.")
NOT_EDITOR = _("Das tut die Redaktion der Schülerzeitung (die Geschäftsstelle).")


def can_submit(user: User | AnonymousUser) -> bool:
    return is_member_or_office(user)


def require_submitter(user) -> None:
    decide(user, acts=is_network_member(user), refusal=NOT_MEMBER)


def require_editor(user) -> None:
    decide(user, acts=is_network_office(user), refusal=NOT_EDITOR)


def visible_items(user: User | AnonymousUser) -> QuerySet[NewsItem]:
    """The editorial team sees every item; a member their own submissions."""
    items = NewsItem.objects.all()
    if is_network_office(user):
        return items
    if not user.is_authenticated:
        return items.none()
    return items.filter(submitted_by=user)


def get_item_for(user: User | AnonymousUser, item_id: int, *, edit: bool = False) -> NewsItem:
    """An item for its submitter and the editorial team (others: 404; anonymous: login)."""
    require_login(user)
    item = (
        visible_items(user)
        .select_related("municipality", "submitted_by", "reviewed_by", "issue")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404
    if edit:
        require_editor(user)
    return item


def get_issue_for(user: User | AnonymousUser, issue_id: int, *, edit: bool = False) -> Issue:
    """A published issue for everyone; a draft only for the editorial team."""
    issue = Issue.objects.filter(pk=issue_id).first()
    decide(user, sees=issue is not None and (issue.is_published or is_network_office(user)))
    if edit:
        require_editor(user)
    return issue


def can_see_image(user: User | AnonymousUser, item: NewsItem) -> bool:
    """A picture is public with its published issue, before that like its item."""
    if item.issue_id is not None and item.issue.is_published:
        return True
    return is_network_office(user) or (user.is_authenticated and item.submitted_by_id == user.pk)
