"""What of the steering committee is public: decided once, asked by the pages and by OParl.

The committee works in the open where its work is a record, and in private where it deliberates.

Public (for everyone, without login):

- the committee's composition: today's seats and former terms, by municipality. A person's name
  shows only with their consent for public names (``workspace.people.public_name``); otherwise
  the municipality stands in their place;
- meetings that have been held (state "durchgeführt" or "Protokoll genehmigt"): title, date and
  kind of place (on site, by video, or both; never the address or the video link), and the
  titles of their agenda items. An item about a proposal whose decision the viewer may not see
  (a lead project that is not public, a free resolution for the network) shows as a non-public
  item without its title;
- the minutes of a meeting, once the committee has approved them;
- adopted agreements, following their project as before (``permissions.visible_agreements``),
  and the proposal each of them adopted.

Committee only, as before: planned and invited meetings with their details, the video link and
the address, attendance, drafts and proposals not (yet) adopted, deliberations, votes in
progress and how each municipality voted.

The pages show exactly this to whoever is not in the committee; logged-in members of the network
see, beyond it, what their project visibility gives them (agreements of network projects).
``steering.oparl`` publishes the anonymous view of it.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from steering.models import AgendaItem, Meeting
from workspace.models import User
from workspace.permissions import is_network_member

PUBLIC_MEETING_STATES = (Meeting.State.HELD, Meeting.State.APPROVED)

ON_SITE = _("vor Ort")
BY_VIDEO = _("per Videokonferenz")
HYBRID = _("vor Ort und per Videokonferenz")
NON_PUBLIC_ITEM = _("Nicht öffentlicher Tagesordnungspunkt")


def public_meetings(meetings: QuerySet[Meeting] | None = None) -> QuerySet[Meeting]:
    """Meetings that have been held: their public part is for everyone."""
    meetings = Meeting.objects.all() if meetings is None else meetings
    return meetings.filter(state__in=PUBLIC_MEETING_STATES)


def is_public_meeting(meeting: Meeting) -> bool:
    return meeting.state in PUBLIC_MEETING_STATES


def place_kind(meeting: Meeting) -> str:
    """Where a meeting took place, as the public learns it: the kind, not the address."""
    if meeting.place and meeting.video_url:
        return str(HYBRID)
    return str(ON_SITE if meeting.place else BY_VIDEO)


def public_minutes(meeting: Meeting) -> str:
    """The minutes, once approved (empty before)."""
    return meeting.minutes if meeting.state == Meeting.State.APPROVED else ""


def item_is_public(
    viewer: User | AnonymousUser, item: AgendaItem, visible_project_ids: set[int]
) -> bool:
    """Whether ``viewer`` may read the title of ``item`` (its proposal loaded).

    ``visible_project_ids``: the projects ``viewer`` may see (``visible_projects``), asked once
    per page, so a whole agenda costs no query per item.
    """
    proposal = item.proposal
    if proposal is None:
        return True
    if proposal.project_id is None:
        return is_network_member(viewer)
    return proposal.project_id in visible_project_ids
