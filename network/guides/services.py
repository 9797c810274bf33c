"""Every write of guides and glossary terms: keyword-only, atomic, validated."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from network.guides.models import (
    RESERVED_SLUGS,
    Authorship,
    Guide,
    Term,
    first_of_month,
)
from projects.models import LeadProject, Result
from workspace.models import Membership, Topic, User
from workspace.text import german_slugify
from workspace.versioning.services import text_restore, text_save


def _unique_slug(model, name: str, *, exclude_pk: int | None = None) -> str:
    base = (german_slugify(name) or "eintrag")[:70]
    if base in RESERVED_SLUGS:
        base = f"{base}-1"
    taken = set(
        model.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _author_rows(guide: Guide, authors: Iterable[User]) -> None:
    """Make the guide's authors exactly ``authors``; a new one is kept with the municipality
    they work for today (their first active membership)."""
    wanted = {user.pk: user for user in authors}
    guide.authorships.exclude(person_id__in=wanted).delete()
    have = set(guide.authorships.values_list("person_id", flat=True))
    missing = [pk for pk in wanted if pk not in have]
    towns = dict(
        Membership.objects.active()
        .filter(user_id__in=missing)
        .order_by("-role", "started_on", "pk")
        .values_list("user_id", "municipality_id")
    )
    for pk in missing:
        Authorship.objects.create(guide=guide, person=wanted[pk], municipality_id=towns.get(pk))


def _check(guide: Guide) -> None:
    guide.published_in = first_of_month(guide.published_in)
    if guide.status == Guide.Status.PUBLISHED and not guide.body.strip():
        raise ValidationError({"body": _("Ein veröffentlichter Leitfaden braucht einen Inhalt.")})
    guide.full_clean(exclude=["revision", "slug"])


@transaction.atomic
def guide_create(
    *,
    by: User,
    title: str,
    summary: str,
    body: str = "",
    status: str = Guide.Status.PLANNED,
    published_in: datetime.date | None = None,
    topics: Iterable[Topic] = (),
    authors: Iterable[User] = (),
    lead_projects: Iterable[LeadProject] = (),
    results: Iterable[Result] = (),
    note: str = "",
) -> Guide:
    guide = Guide(
        title=title,
        slug=_unique_slug(Guide, title),
        summary=summary,
        body=body,
        status=status,
        published_in=published_in,
        created_by=by,
    )
    _check(guide)
    guide._history_user = by
    guide._change_reason = note.strip()
    guide.save()
    guide.topics.set(topics)
    guide.lead_projects.set(lead_projects)
    guide.results.set(results)
    _author_rows(guide, authors)
    return guide


@transaction.atomic
def guide_update(
    *,
    guide: Guide,
    by: User,
    base_revision: int,
    note: str = "",
    topics: Iterable[Topic] | None = None,
    authors: Iterable[User] | None = None,
    lead_projects: Iterable[LeadProject] | None = None,
    results: Iterable[Result] | None = None,
    **fields,
) -> bool:
    """Save a new version of ``guide`` if its text, status or month changed; returns whether
    a version was written. Topics, authors and links are saved beside it (no version).

    Refused with :class:`~workspace.versioning.models.StaleRevision` when ``base_revision``
    is not the current revision: nobody's change is ever overwritten unseen, and then
    nothing at all is saved.
    """
    if "published_in" in fields:
        fields["published_in"] = first_of_month(fields["published_in"])
    current, changed = text_save(
        text=guide, by=by, base_revision=base_revision, note=note, changes=fields, clean=_check
    )
    if topics is not None:
        current.topics.set(topics)
    if lead_projects is not None:
        current.lead_projects.set(lead_projects)
    if results is not None:
        current.results.set(results)
    if authors is not None:
        _author_rows(current, authors)
    return bool(changed)


def guide_restore(*, guide: Guide, by: User, revision: int, base_revision: int) -> None:
    """Write the text of version ``revision`` as a new version; history stays untouched."""
    update = partial(guide_update, guide=guide, by=by)
    text_restore(text=guide, revision=revision, base_revision=base_revision, update=update)


# --- glossary --------------------------------------------------------------------------------


def _normalise_synonyms(text: str) -> str:
    lines = [" ".join(line.split()) for line in (text or "").splitlines()]
    return "\n".join(dict.fromkeys(line for line in lines if line))


def _check_term(term: Term) -> None:
    """No word may stand for two terms: names and synonyms are unique across the glossary."""
    term.full_clean(exclude=["slug"])
    own = [term.name, *term.synonym_list]
    seen: set[str] = set()
    for word in own:
        key = word.casefold()
        if key in seen and word != term.name:
            raise ValidationError({"synonyms": _("„%(word)s“ steht doppelt.") % {"word": word}})
        seen.add(key)
    others = Term.objects.exclude(pk=term.pk).only("name", "synonyms")
    for other in others:
        for word in [other.name, *other.synonym_list]:
            if word.casefold() in seen:
                field = "name" if word.casefold() == term.name.casefold() else "synonyms"
                raise ValidationError(
                    {
                        field: _("„%(word)s“ erklärt schon der Begriff „%(other)s“.")
                        % {"word": word, "other": other.name}
                    }
                )


@transaction.atomic
def term_create(
    *,
    by: User,
    name: str,
    definition: str,
    synonyms: str = "",
    related: Iterable[Term] = (),
) -> Term:
    term = Term(
        name=" ".join(name.split()),
        slug=_unique_slug(Term, name),
        definition=definition.strip(),
        synonyms=_normalise_synonyms(synonyms),
    )
    _check_term(term)
    term.save()
    term.related.set(related)
    return term


@transaction.atomic
def term_update(
    *,
    term: Term,
    by: User,
    name: str,
    definition: str,
    synonyms: str = "",
    related: Iterable[Term] = (),
) -> bool:
    """Change a term; returns whether anything changed. The cached term list is dropped by
    the model's signals, so the next render links the new words."""
    current = Term.objects.select_for_update().get(pk=term.pk)
    values = {
        "name": " ".join(name.split()),
        "definition": definition.strip(),
        "synonyms": _normalise_synonyms(synonyms),
    }
    related_ids = {t.pk for t in related} - {current.pk}
    changed = [n for n, v in values.items() if getattr(current, n) != v]
    links_changed = related_ids != set(current.related.values_list("pk", flat=True))
    if not changed and not links_changed:
        return False
    for name_, value in values.items():
        setattr(current, name_, value)
    _check_term(current)
    current.save()
    current.related.set(related_ids)
    for name_ in values:
        setattr(term, name_, getattr(current, name_))
    return True


def terms_by_name(names: Iterable[str]) -> list[Term]:
    """Terms by their names, case-insensitive (for the demo world and imports)."""
    lowered = [n.lower() for n in names]
    return list(Term.objects.annotate(lname=Lower("name")).filter(lname__in=lowered))
