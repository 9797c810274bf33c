"""Reuse of results: templates, adoptions by other municipalities, and offers back."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects import notifications  # NOTIFY
from projects.models import Adoption, Offer, Result, Template
from projects.permissions import is_draft
from projects.services.events import project_event
from projects.services.results import result_update
from workspace.models import Municipality, User


def current_row(result: Result):
    """The history row of ``result``'s current version."""
    return result.history.filter(revision=result.revision).get()


@transaction.atomic
def template_publish(
    *,
    result: Result,
    by: User,
    licence: str,
    recommended_revision: int,
    prerequisites: str = "",
    effort: str = "",
    contact: str = "",
) -> Template:
    """Publish ``result`` as a template, or update what its template says about reuse."""
    if result.is_copy:
        raise ValidationError(_("Eine Nachnutzung kann nicht selbst Vorlage werden."))
    if result.is_draft:
        raise ValidationError(
            {
                "result": _(
                    "Ein Entwurf wird keine Vorlage. Setzen Sie die Reife zuerst auf „in der Praxis erprobt“."
                )
            }
        )
    recommended = result.history.filter(revision=recommended_revision).first()
    if recommended is None or is_draft(recommended):
        raise ValidationError(
            {
                "recommended_revision": _(
                    "Empfehlen Sie eine vorhandene Version, die kein Entwurf ist."
                )
            }
        )
    template, created = Template.objects.update_or_create(
        result=result,
        defaults={
            "licence": licence,
            "recommended": recommended,
            "prerequisites": prerequisites,
            "effort": effort,
            "contact": contact,
        },
        create_defaults={
            "licence": licence,
            "recommended": recommended,
            "prerequisites": prerequisites,
            "effort": effort,
            "contact": contact,
            "published_by": by,
        },
    )
    template.full_clean()
    if created:
        project_event(
            result.project,
            "project.changed",
            _("„%(title)s“ ist jetzt eine Vorlage.") % {"title": result.title},
        )
    return template


@transaction.atomic
def adoption_create(
    *, template: Template, municipality: Municipality, by: User, revision: int | None = None
) -> Adoption:
    """``municipality`` adopts ``template``: its own copy of the chosen version (default: the
    recommended one), which remembers that exact source row."""
    if not municipality.is_member:
        raise ValidationError(_("Nachnutzen können Mitgliedskommunen des Netzwerks."))
    if Adoption.objects.filter(template=template, municipality=municipality).exists():
        raise ValidationError(
            _("%(name)s nutzt diese Vorlage schon nach.") % {"name": municipality.name}
        )
    source = template.result
    row = source.history.filter(revision=revision).first() if revision else template.recommended
    if row is None:
        raise ValidationError({"revision": _("Diese Version der Vorlage gibt es nicht.")})
    copy = Result(
        municipality=municipality,
        upstream=row,
        title=row.title,
        summary=row.summary,
        body=row.body,
        kind=row.kind,
        maturity=Result.Maturity.DRAFT,
        created_by=by,
    )
    copy.full_clean(exclude=["revision"])
    copy._history_user = by
    copy._change_reason = str(
        _("nachgenutzt aus „%(title)s“, Version %(n)s") % {"title": source.title, "n": row.revision}
    )
    copy.save()
    adoption = Adoption.objects.create(
        template=template, municipality=municipality, copy=copy, adopted_row=row, adopted_by=by
    )
    project_event(
        source.project,
        "project.changed",
        _("%(municipality)s nutzt „%(title)s“ jetzt nach.")
        % {"municipality": municipality.name, "title": source.title},
    )
    notifications.adopted(adoption=adoption, by=by)  # NOTIFY
    return adoption


def upstream_change(adoption: Adoption):
    """``(from_row, to_row)`` when the template changed since the copy's source version and the
    change was neither taken over nor dismissed; otherwise ``None``. Two queries at most."""
    copy = adoption.copy
    source = adoption.template.result
    based_on = copy.upstream
    if based_on is None or source.revision <= based_on.revision:
        return None
    if adoption.dismissed_row_id and adoption.dismissed_row.revision >= source.revision:
        return None
    return based_on, current_row(source)


@transaction.atomic
def adoption_take_over(
    *, adoption: Adoption, by: User, base_revision: int, body: str, title: str | None = None
) -> None:
    """Take the template's change over: a new version of the copy that records the source
    row it now follows. ``body`` is what the staff settled on (the merge they checked)."""
    change = upstream_change(adoption)
    if change is None:
        raise ValidationError(_("Die Vorlage hat sich seit Ihrer Version nicht geändert."))
    _old, new = change
    copy = adoption.copy
    fields = {"body": body, "upstream": new}
    if title:
        fields["title"] = title
    result_update(
        result=copy,
        by=by,
        base_revision=base_revision,
        note=str(_("Änderung der Vorlage übernommen (Version %(n)s)") % {"n": new.revision}),
        **fields,
    )


@transaction.atomic
def adoption_dismiss(*, adoption: Adoption, by: User) -> None:
    """Leave the copy as it is; this change of the template is not shown again."""
    change = upstream_change(adoption)
    if change is None:
        return
    adoption.dismissed_row = change[1]
    adoption.save(update_fields=["dismissed_row"])


@transaction.atomic
def adoption_set_status(*, adoption: Adoption, by: User, status: str, experience: str) -> None:
    if status not in Adoption.Status.values:
        raise ValidationError({"status": _("Diesen Stand gibt es nicht.")})
    adoption.status = status
    adoption.experience = experience.strip()
    adoption.full_clean()
    adoption.save(update_fields=["status", "experience"])


@transaction.atomic
def offer_create(*, adoption: Adoption, by: User, message: str = "") -> Offer:
    """Offer the copy's current version back to the template's team."""
    copy = adoption.copy
    if Offer.objects.filter(adoption=adoption, status=Offer.Status.OPEN).exists():
        raise ValidationError(_("Es gibt schon ein offenes Angebot dieser Kommune."))
    copy_row = current_row(copy)
    source = adoption.template.result
    if copy_row.body == current_row(source).body:
        raise ValidationError(
            _("Ihre Fassung gleicht der aktuellen Vorlage; es gibt nichts anzubieten.")
        )
    offer = Offer.objects.create(
        adoption=adoption,
        base_row=copy.upstream,
        copy_row=copy_row,
        message=message.strip(),
        offered_by=by,
    )
    project_event(
        source.project,
        "project.changed",
        _("%(municipality)s bietet eine Verbesserung für „%(title)s“ an.")
        % {"municipality": adoption.municipality.name, "title": source.title},
    )
    notifications.offered(offer=offer, by=by)  # NOTIFY
    return offer


@transaction.atomic
def offer_accept(*, offer: Offer, by: User, base_revision: int) -> None:
    """The source team takes the offered text as a new version of the template, crediting
    the municipality and the person who offered it."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != Offer.Status.OPEN:
        raise ValidationError(_("Über dieses Angebot ist schon entschieden."))
    source = offer.adoption.template.result
    result_update(
        result=source,
        by=by,
        base_revision=base_revision,
        note=str(
            _("Verbesserung aus %(municipality)s übernommen, angeboten von %(name)s")
            % {
                "municipality": offer.adoption.municipality.name,
                "name": offer.offered_by.get_display_name(),
            }
        ),
        body=offer.copy_row.body,
    )
    offer.status = Offer.Status.ACCEPTED
    offer.decided_by = by
    offer.decided_at = timezone.now()
    offer.source_row = current_row(source)
    offer.save()
    copy = offer.adoption.copy
    if copy.revision == offer.copy_row.revision:
        # The copy is what the template now says: it follows the new version, so its staff
        # are not told of "a change" that is their own contribution.
        result_update(
            result=copy,
            by=by,
            base_revision=copy.revision,
            note=str(
                _("Angebot angenommen: folgt jetzt Version %(n)s der Vorlage")
                % {"n": source.revision}
            ),
            upstream=offer.source_row,
        )


@transaction.atomic
def offer_decline(*, offer: Offer, by: User, note: str) -> None:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != Offer.Status.OPEN:
        raise ValidationError(_("Über dieses Angebot ist schon entschieden."))
    if not note.strip():
        raise ValidationError({"note": _("Bitte sagen Sie der Kommune kurz, warum.")})
    offer.status = Offer.Status.DECLINED
    offer.decided_by = by
    offer.decided_at = timezone.now()
    offer.decision_note = note.strip()
    offer.save()
