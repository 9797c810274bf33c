"""What OParl publishes now, and the record of what it once published.

:func:`public_objects` builds every public object as a payload: URLs as paths (the views make
them absolute), embedded objects as ``{"$embed": "Kind/ident"}`` markers, no ``created`` or
``modified``. :func:`refresh` compares that with the ``PublishedObject`` rows and writes only
the differences: a new object is created, a changed one gets a fresh ``modified``, one that left
the public becomes a stub (``deleted``, payload emptied, fresh ``modified``), one that came back
is published again. Both take a constant number of queries, however much the committee holds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation

from projects.permissions import visible_projects
from steering import public
from steering.models import AgendaItem, Committee, PublishedObject, Seat
from steering.permissions import visible_agreements
from workspace import fragments
from workspace.models import Membership
from workspace.people import public_name

OPARL = "https://schema.oparl.org/1.1/"
# The write stamp (workspace.fragments.WRITES) the record was last compared under.
COMPARED = "oparl-compared"
NETWORK_NAME = "Smart Cities: Schule"
BODY = "1"
COMMITTEE = "steuerkreis"

# The list of each kind under /oparl/v1/<segment>/, and its objects under …/<ident>/.
SEGMENTS = {
    "Body": "body",
    "Organization": "organization",
    "Person": "person",
    "Membership": "membership",
    "LegislativeTerm": "legislativeterm",
    "Meeting": "meeting",
    "AgendaItem": "agendaitem",
    "Paper": "paper",
    "Consultation": "consultation",
    "File": "file",
    "Location": "location",
}
KINDS = {segment: kind for kind, segment in SEGMENTS.items()}


def object_path(kind: str, ident: str) -> str:
    if kind == "System":
        return reverse("oparl:system")
    return reverse("oparl:object", kwargs={"segment": SEGMENTS[kind], "ident": ident})


def list_path(kind: str) -> str:
    return reverse("oparl:list", kwargs={"segment": SEGMENTS[kind]})


def embed(key: str) -> dict[str, str]:
    """Where an object is given whole inside another (``key``: "Kind/ident")."""
    return {"$embed": key}


class Builder:
    """Collects the payloads of one build, keyed "Kind/ident"."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}

    def add(self, kind: str, ident: str, **fields: Any) -> str:
        key = f"{kind}/{ident}"
        payload = {"id": object_path(kind, ident), "type": f"{OPARL}{kind}"}
        payload.update({name: value for name, value in fields.items() if value not in (None, "")})
        self.objects[key] = payload
        return key


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _datetime(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def public_objects() -> dict[str, dict[str, Any]]:
    """Every object OParl publishes now, as an anonymous visitor sees the committee's pages."""
    with translation.override("de"):
        return _build()


def _build() -> dict[str, dict[str, Any]]:
    anonymous = AnonymousUser()
    build = Builder()
    committee = Committee.load()
    body = object_path("Body", BODY)
    committee_url = object_path("Organization", COMMITTEE)

    build.add(
        "Body",
        BODY,
        system=reverse("oparl:system"),
        name=NETWORK_NAME,
        shortName="SCS",
        classification="Netzwerk von Kommunen",
        mainOrganization=committee_url,
        organization=list_path("Organization"),
        person=list_path("Person"),
        meeting=list_path("Meeting"),
        paper=list_path("Paper"),
        agendaItem=list_path("AgendaItem"),
        consultation=list_path("Consultation"),
        file=list_path("File"),
        locationList=list_path("Location"),
        legislativeTermList=list_path("LegislativeTerm"),
        membership=list_path("Membership"),
        legislativeTerm=[],
        web=reverse("home"),
    )

    # Seats: every term, by municipality; a person named only with consent.
    seats = list(
        Seat.objects.select_related("person", "municipality")
        .prefetch_related(
            Prefetch(
                "person__memberships",
                queryset=Membership.objects.select_related("municipality"),
            )
        )
        .order_by("pk")
    )
    names: dict = {}
    memberships = []
    for seat in seats:
        person = seat.person
        ident = str(person.pk) if person.public_name else f"sitz-{seat.pk}"
        # The municipality the seat is for: the affiliation everyone may see.
        status = seat.municipality.name if seat.municipality else "Geschäftsstelle"
        earlier = build.objects.get(f"Person/{ident}", {}).get("status", [])
        build.add(
            "Person",
            ident,
            body=body,
            name=public_name(person, None, names),
            status=earlier + [status] if status not in earlier else earlier,
        )
        votes = seat.municipality_id is not None or committee.chair_votes
        build.add(
            "Membership",
            str(seat.pk),
            person=object_path("Person", ident),
            organization=committee_url,
            role=str(seat.get_role_display()),
            votingRight=votes,
            startDate=_date(seat.starts_on),
            endDate=_date(seat.ends_on),
        )
        memberships.append(object_path("Membership", str(seat.pk)))
    build.add(
        "Organization",
        COMMITTEE,
        body=body,
        name=committee.name,
        organizationType="Gremium",
        classification="Steuerkreis",
        membership=memberships,
        meeting=list_path("Meeting"),
        consultation=list_path("Consultation"),
        web=reverse("steering:committee"),
    )
    projects = list(visible_projects(anonymous).order_by("pk"))
    for project in projects:
        build.add(
            "Organization",
            f"team-{project.pk}",
            body=body,
            name=f"Team des Leitprojekts „{project.title}“",
            organizationType="Projektgruppe",
            classification="Leitprojekt",
            web=project.get_absolute_url(),
        )

    # Adopted agreements the public may see, and the proposals they adopted.
    agreements = {
        a.item_id: a
        for a in visible_agreements(anonymous).select_related("proposal", "meeting", "item")
    }
    project_ids = {p.pk for p in projects}
    meetings = list(public.public_meetings().order_by("starts_at", "pk"))
    items = AgendaItem.objects.filter(meeting__in=[m.pk for m in meetings]).select_related(
        "proposal"
    )
    items_of: dict[int, list[AgendaItem]] = {}
    for item in items.order_by("position"):
        items_of.setdefault(item.meeting_id, []).append(item)

    for meeting in meetings:
        meeting_url = object_path("Meeting", str(meeting.pk))
        location = build.add(
            "Location",
            str(meeting.pk),
            description=public.place_kind(meeting),
            meetings=[meeting_url],
        )
        embedded_items = []
        for item in items_of.get(meeting.pk, []):
            agreement = agreements.get(item.pk)
            shown = public.item_is_public(anonymous, item, project_ids)
            consultation = None
            if agreement is not None:
                consultation = object_path("Consultation", str(item.pk))
                _paper(build, agreement, item, meeting_url, consultation, committee_url, body)
            embedded_items.append(
                embed(
                    build.add(
                        "AgendaItem",
                        str(item.pk),
                        meeting=meeting_url,
                        number=str(item.position),
                        order=item.position,
                        name=item.title if shown else str(public.NON_PUBLIC_ITEM),
                        public=shown,
                        consultation=consultation,
                        result="angenommen" if agreement is not None else None,
                        web=f"{meeting.get_absolute_url()}#top-{item.position}",
                    )
                )
            )
        minutes = public.public_minutes(meeting)
        protocol, printed = None, []
        if minutes:
            day = timezone.localtime(meeting.minutes_approved_at).date()
            ident = f"protokoll-{meeting.pk}"
            pdf = _pdf_file(
                build,
                ident,
                name=f"Protokoll: {meeting.title} (PDF)",
                file_name=f"Protokoll {meeting.title}.pdf",
                url=reverse("steering:minutes-pdf", kwargs={"meeting_id": meeting.pk}),
                day=day,
                meeting=[meeting_url],
            )
            protocol = embed(
                _text_file(
                    build,
                    ident,
                    name=f"Protokoll: {meeting.title}",
                    file_name=f"protokoll-sitzung-{meeting.pk}.md",
                    text=minutes,
                    day=day,
                    meeting=[meeting_url],
                    derivativeFile=[object_path(*_split(pdf))],
                )
            )
            printed = [embed(pdf)]
        build.add(
            "Meeting",
            str(meeting.pk),
            name=meeting.title,
            meetingState=str(meeting.get_state_display()),
            cancelled=False,
            start=_datetime(meeting.starts_at),
            location=embed(location),
            organization=[committee_url],
            agendaItem=embedded_items,
            resultsProtocol=protocol,
            auxiliaryFile=printed or None,
            web=meeting.get_absolute_url(),
        )

    build.add(
        "System",
        "",
        oparlVersion=OPARL,
        name="Klassenraum – OParl-Schnittstelle des Steuerkreises",
        body=list_path("Body"),
        website=reverse("home"),
        web=reverse("steering:committee"),
    )
    return build.objects


def _text_file(build: Builder, ident: str, *, name, file_name, text, day, **links) -> str:
    content = text.encode()
    path = object_path("File", ident)
    return build.add(
        "File",
        ident,
        name=name,
        fileName=file_name,
        mimeType="text/markdown",
        date=_date(day),
        size=len(content),
        sha512Checksum=hashlib.sha512(content).hexdigest(),
        text=text,
        accessUrl=path + "inhalt/",
        downloadUrl=path + "inhalt/?download=1",
        **links,
    )


def _pdf_file(build: Builder, master: str, *, name, file_name, url, day, **links) -> str:
    """The printed document of a text File (made by steering.documents, served by its page's
    rules, so it is public exactly when the text is)."""
    return build.add(
        "File",
        f"{master}-pdf",
        name=name,
        fileName=file_name,
        mimeType="application/pdf",
        date=_date(day),
        accessUrl=url,
        masterFile=object_path("File", master),
        **links,
    )


def _paper(build: Builder, agreement, item, meeting_url, consultation, committee_url, body):
    proposal = agreement.proposal
    paper_url = object_path("Paper", str(proposal.pk))
    ident = f"vereinbarung-{agreement.pk}"
    pdf = _pdf_file(
        build,
        ident,
        name=f"Vereinbarung {agreement.number}: {agreement.title} (PDF)",
        file_name=f"Vereinbarung {agreement.number}.pdf",
        url=reverse("steering:agreement-pdf", kwargs={"number": agreement.number}),
        day=agreement.adopted_on,
        paper=[paper_url],
    )
    document = _text_file(
        build,
        ident,
        name=f"Vereinbarung {agreement.number}: {agreement.title}",
        file_name=f"vereinbarung-{agreement.number}.md",
        text=agreement.text,
        day=agreement.adopted_on,
        paper=[paper_url],
        derivativeFile=[object_path(*_split(pdf))],
    )
    consultation = build.add(
        "Consultation",
        str(item.pk),
        paper=paper_url,
        agendaItem=object_path("AgendaItem", str(item.pk)),
        meeting=meeting_url,
        organization=[committee_url],
        authoritative=True,
        role="Entscheidung",
    )
    build.add(
        "Paper",
        str(proposal.pk),
        body=body,
        name=proposal.title,
        reference=agreement.number,
        date=_date(agreement.adopted_on),
        paperType="Beschlussvorlage",
        mainFile=embed(document),
        auxiliaryFile=[embed(pdf)],
        consultation=[embed(consultation)],
        web=proposal.get_absolute_url(),
    )


# --- the record ------------------------------------------------------------------------------


def _resolved(payload: Any, objects: dict[str, dict[str, Any]]) -> Any:
    """``payload`` with every embedded object put in (for the fingerprint)."""
    if isinstance(payload, dict):
        if set(payload) == {"$embed"}:
            return _resolved(objects.get(payload["$embed"], {}), objects)
        return {name: _resolved(value, objects) for name, value in payload.items()}
    if isinstance(payload, list):
        return [_resolved(value, objects) for value in payload]
    return payload


def fingerprint(payload: dict[str, Any], objects: dict[str, dict[str, Any]]) -> str:
    text = json.dumps(_resolved(payload, objects), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _split(key: str) -> tuple[str, str]:
    kind, _, ident = key.partition("/")
    return kind, ident


def _differences(objects: dict[str, dict[str, Any]], now) -> tuple[list, list]:
    """(records to create, records changed) to make the record match ``objects``."""
    records = {f"{r.kind}/{r.ident}": r for r in PublishedObject.objects.all()}
    new, changed = [], []
    for key, payload in objects.items():
        hashed = fingerprint(payload, objects)
        record = records.get(key)
        if record is None:
            kind, ident = _split(key)
            new.append(
                PublishedObject(
                    kind=kind,
                    ident=ident,
                    payload=payload,
                    fingerprint=hashed,
                    created=now,
                    modified=now,
                )
            )
        elif record.deleted or record.fingerprint != hashed:
            record.payload, record.fingerprint = payload, hashed
            record.deleted, record.modified = False, now
            changed.append(record)
    for key, record in records.items():
        if key not in objects and not record.deleted:
            withdraw(record, now)
            changed.append(record)
    return new, changed


def refresh() -> None:
    """Bring the record up to date with what is public now (writes only what changed).

    Most requests find nothing changed and write nothing (and, with a shared cache, build
    nothing either while no write happened since). Whoever finds a change takes the
    committee's row as a lock, builds and compares again, so two requests never record one
    change twice, and an older build never overwrites a newer one.
    """
    # With a cache every process shares (PAGE_CACHE), every write to the database renews the
    # write stamp: as long as it stands, nothing can have changed and the build is skipped.
    shared = settings.PAGE_CACHE
    stamp = fragments.stamp(fragments.WRITES) if shared else None
    if shared and cache.get(COMPARED) == stamp:
        return
    objects = public_objects()
    new, changed = _differences(objects, timezone.now())
    if not new and not changed:
        if shared:
            cache.set(COMPARED, stamp, None)
        return
    with transaction.atomic():
        Committee.objects.select_for_update().filter(pk=Committee.load().pk).first()
        new, changed = _differences(public_objects(), timezone.now())
        if new:
            PublishedObject.objects.bulk_create(new, ignore_conflicts=True)
        if changed:
            PublishedObject.objects.bulk_update(
                changed, ["payload", "fingerprint", "deleted", "modified"]
            )


def withdraw(record: PublishedObject, now) -> None:
    """The stub of an object that left the public: nothing of it stays but its kind and times."""
    record.payload, record.fingerprint = {}, ""
    record.deleted, record.modified = True, now


def withdraw_rows(rows: Iterable[PublishedObject]) -> None:
    """Erasure (workspace.personal_data): a person's published name goes at once."""
    now = timezone.now()
    rows = list(rows)
    for record in rows:
        withdraw(record, now)
    PublishedObject.objects.bulk_update(rows, ["payload", "fingerprint", "deleted", "modified"])
