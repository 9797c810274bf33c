"""Documents of the steering committee: an agreement and a meeting's minutes, as PDF (the
archive copy PDF/A-3a, for the files of every member municipality) and ODT.

Who gets which is decided by the views with ``steering.permissions`` and ``steering.public``;
the audience a document is made for carries what it may show: the committee reads how each
municipality voted (committee only, ``steering.public``) and every name, members of the
network every name, everyone else the totals and the names of people who agreed.
"""

from __future__ import annotations

import zlib

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from steering import public
from steering.models import Agreement, Meeting, Seat, Vote
from steering.permissions import visible_agreements
from workspace.documents import NAMES, PUBLIC, Document, absolute, name_for, register_part
from workspace.markdown import render_markdown

COMMITTEE = "gremium"


def _chair_of(meeting: Meeting) -> Seat | None:
    return (
        Seat.objects.active(on=meeting.starts_at.date())
        .filter(role=Seat.Role.CHAIR)
        .select_related("person", "municipality")
        .first()
    )


def _chair_name(meeting: Meeting, audience: str) -> str:
    seat = _chair_of(meeting)
    if seat is None:
        return ""
    name = name_for(seat.person, PUBLIC if audience == PUBLIC else NAMES)
    return f"{name} ({seat.municipality.name})" if seat.municipality_id else name


def build_agreement(pk: int, version: int, audience: str) -> Document:
    """An adopted agreement (immutable, so ``version`` is always 0)."""
    agreement = Agreement.objects.select_related(
        "project", "lead", "meeting", "item", "proposal", "amends"
    ).get(pk=pk)
    approvals = list(
        agreement.approvals.select_related("history_row", "result").order_by(
            "result__title", "history_row__revision"
        )
    )
    votes = (
        list(Vote.objects.filter(item=agreement.item).select_related("municipality", "seat"))
        if audience == COMMITTEE
        else None
    )
    body = render_to_string(
        "steering/documents/agreement.html",
        {
            "agreement": agreement,
            "text": render_markdown(agreement.text, top_heading=3),
            "proposal_text": render_markdown(agreement.proposal.text, top_heading=4),
            "approvals": approvals,
            "votes": votes,
            "chair": _chair_name(agreement.meeting, audience),
            "parties": list(agreement.parties.select_related("municipality")),
        },
    )
    return Document(
        title=_("Vereinbarung %(number)s: %(title)s")
        % {"number": agreement.number, "title": agreement.title},
        body=mark_safe(body),  # noqa: S308 – rendered by a template, the Markdown by nh3
        filename=f"vereinbarung-{slugify(agreement.number)}",
        footer=[
            _("Steuerkreis Smart Cities: Schule – Vereinbarung %(number)s")
            % {"number": agreement.number},
            _("Beschlossen am %(date)s in der Sitzung „%(meeting)s“")
            % {
                "date": formats.date_format(agreement.adopted_on, "DATE_FORMAT"),
                "meeting": agreement.meeting.title,
            },
            absolute(agreement.get_absolute_url()),
        ],
    )


def minutes_state(meeting: Meeting) -> int:
    """Minutes change until they are approved: the kept copy follows the text and the state."""
    return zlib.crc32(f"{meeting.state}\0{meeting.minutes}".encode())


def build_minutes(pk: int, version: int, audience: str) -> Document:
    """A meeting's minutes: all of it for the committee, the public part for everyone else."""
    meeting = Meeting.objects.get(pk=pk)
    items = list(meeting.items.select_related("proposal").order_by("position"))
    if audience == COMMITTEE:
        text = meeting.minutes
        for item in items:
            item.public = True
    else:
        text = public.public_minutes(meeting)
        # The public part as an anonymous visitor reads it: a hidden project's item stays
        # without its title for everyone outside the committee.
        from django.contrib.auth.models import AnonymousUser

        from projects.permissions import visible_projects

        viewer = AnonymousUser()
        visible = set(visible_projects(viewer).values_list("pk", flat=True))
        for item in items:
            item.public = public.item_is_public(viewer, item, visible)
    body = render_to_string(
        "steering/documents/minutes.html",
        {
            "meeting": meeting,
            "place_kind": public.place_kind(meeting),
            "items": items,
            "text": render_markdown(text, top_heading=2),
            "chair": _chair_name(meeting, audience),
            "committee": audience == COMMITTEE,
        },
    )
    return Document(
        title=_("Protokoll: %(title)s") % {"title": meeting.title},
        subtitle=formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT"),
        body=mark_safe(body),  # noqa: S308 – rendered by a template, the Markdown by nh3
        filename=f"protokoll-{slugify(meeting.title)}",
        footer=[
            _("Steuerkreis Smart Cities: Schule – Protokoll der Sitzung vom %(date)s")
            % {"date": formats.date_format(timezone.localtime(meeting.starts_at), "DATE_FORMAT")},
            meeting.get_state_display(),
            absolute(meeting.get_absolute_url()),
        ],
    )


def dossier_agreements(project, audience: str) -> SafeString:
    """The agreements section of a lead project's dossier (``projects.documents``)."""
    from django.contrib.auth.models import AnonymousUser

    agreements = Agreement.objects.filter(project=project).order_by("adopted_on", "number")
    if audience == PUBLIC:
        agreements = agreements & visible_agreements(AnonymousUser())
    return mark_safe(  # noqa: S308 – rendered by a template
        render_to_string(
            "steering/documents/_dossier_agreements.html", {"agreements": list(agreements)}
        )
    )


def register() -> None:
    register_part("dossier", dossier_agreements)
