"""The pages every versioned text has: versions, compare, restore and the conflict page.

A kind's view finds the text and its reader's access (``workspace.access``), then hands
over here with what only it knows: whether the reader reads hidden versions, whether they
may restore, its own header partial and context, and its own restore service.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from workspace.diff import diff_texts
from workspace.versioning import selectors
from workspace.versioning.forms import RestoreForm
from workspace.versioning.models import StaleRevision, VersionedText

VERSIONS_PER_PAGE = 50


def _columns(text: VersionedText) -> list[tuple[str, str]]:
    """(label, field name) of the kind's choice columns of a version."""
    return [(type(text)._meta.get_field(name).verbose_name, name) for name in text.VERSION_COLUMNS]


def _display(row, name: str) -> str:
    return getattr(row, f"get_{name}_display")()


def versions_page(
    request: HttpRequest,
    text: VersionedText,
    *,
    reads_hidden: bool,
    can_restore: bool,
    header: str,
    context: dict,
) -> HttpResponse:
    """One page of ``text``'s versions (``?seite=``), newest first."""
    page = selectors.VersionPage.of(
        text, request.GET.get("seite"), per_page=VERSIONS_PER_PAGE, reads_hidden=reads_hidden
    )
    versions = selectors.with_change_sizes(text, page.versions())
    columns = _columns(text)
    for version in versions:
        version.columns = [_display(version, name) for _label, name in columns]
    return render(
        request,
        "versioning/versions.html",
        {
            **context,
            "text": text,
            "header": header,
            "page": page,
            "versions": versions,
            "column_labels": [label for label, _name in columns],
            "restore_allowed": can_restore,
        },
    )


def _revision_param(value: str | None, default: int) -> int | None:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number >= 1 else None


def compare_page(
    request: HttpRequest, text: VersionedText, *, reads_hidden: bool, header: str, context: dict
) -> HttpResponse:
    """Two versions (``?von=&zu=``, by default the two newest the reader may see) and their
    differences; 400 with an explanation for a version that is not there for the reader."""
    context = {**context, "text": text, "header": header}
    newest = selectors.newest_revisions(text, reads_hidden=reads_hidden)
    old = _revision_param(request.GET.get("von"), newest[-1])
    new = _revision_param(request.GET.get("zu"), newest[0])
    versions = (
        selectors.two_versions(text, old, new, reads_hidden=reads_hidden) if old and new else {}
    )
    if old not in versions or new not in versions:
        context["error"] = _("Bitte wählen Sie zwei Versionen zwischen 1 und %(n)s.") % {
            "n": text.revision
        }
        return render(request, "versioning/compare.html", context, status=400)
    before, after = versions[old], versions[new]
    return render(
        request,
        "versioning/compare.html",
        {
            **context,
            "before": before,
            "after": after,
            "diff": diff_texts(before.body, after.body),
            "title_changed": before.title != after.title,
            "changes": [
                (label, _display(before, name), _display(after, name))
                for label, name in _columns(text)
                if getattr(before, name) != getattr(after, name)
            ],
            "summary_diff": diff_texts(before.summary, after.summary, context=None)
            if before.summary != after.summary
            else None,
        },
    )


def restore_action(
    request: HttpRequest, text: VersionedText, *, restore: Callable[..., None]
) -> HttpResponse:
    """POST: restore a version through the kind's ``restore(revision=, base_revision=)``;
    back to the versions with a message when it cannot, to the text when it did."""
    form = RestoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie eine Version zum Wiederherstellen."))
        return redirect(text.versions_url)
    revision = form.cleaned_data["revision"]
    try:
        restore(revision=revision, base_revision=form.cleaned_data["base_revision"])
    except StaleRevision:
        messages.error(
            request,
            _(
                "Der Text wurde inzwischen geändert. Prüfen Sie die Versionen und stellen "
                "Sie dann erneut wieder her."
            ),
        )
        return redirect(text.versions_url)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(text.versions_url)
    messages.success(
        request,
        _(
            "Version %(old)s ist als neue Version %(new)s wiederhergestellt. "
            "Keine Version ist verloren."
        )
        % {"old": revision, "new": text.revision},
    )
    return redirect(text)


def conflict_page(
    request: HttpRequest,
    current: VersionedText,
    *,
    mine: dict,
    form: Form,
    heading: str,
    header: str,
    context: dict,
) -> HttpResponse:
    """Someone saved in between: both texts and their diff, and the form again on top of
    the current revision (409); nothing was written."""
    return render(
        request,
        "versioning/conflict.html",
        {
            **context,
            "text": current,
            "header": header,
            "heading": heading,
            "mine": mine,
            "diff": diff_texts(current.body, mine["body"]),
            "form": form,
        },
        status=409,
    )
