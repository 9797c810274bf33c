"""Living results: every save a version (with its events), restore, archive, attachments."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from projects import notifications  # NOTIFY
from projects.coedit.state import coedit_body_saved  # COEDIT
from projects.models import LeadProject, Result, ResultAttachment, StaleRevision
from workspace.attachments import MAX_ATTACHMENT_BYTES, attachment_store  # noqa: F401 – re-exported
from workspace.events import group_name, recheck_project_on_commit, send_event_on_commit
from workspace.models import User
from workspace.people import public_name
from workspace.versioning.services import text_restore, text_save

RESULT_FIELDS = Result.VERSIONED_FIELDS


def _result_events(result: Result, by: User, note: str) -> None:
    payload = {
        "result": result.pk,
        "title": result.title,
        "revision": result.revision,
        "author": by.get_display_name(),
        "public": {"author": public_name(by, None)},
        "note": note,
        "draft": result.is_draft,
        # The same partial the page includes, so page and push can never drift apart.
        "html": render_to_string("projects/_result_body.html", {"result": result}),
    }
    send_event_on_commit(group_name("result", result.pk), "result.version", payload)
    if result.project_id:
        send_event_on_commit(group_name("project", result.project_id), "result.version", payload)


@transaction.atomic
def result_create(
    *,
    project: LeadProject,
    by: User,
    title: str,
    summary: str = "",
    body: str = "",
    kind: str = Result.Kind.CONCEPT,
    maturity: str = Result.Maturity.DRAFT,
    note: str = "",
) -> Result:
    result = Result(
        project=project,
        title=title,
        summary=summary,
        body=body,
        kind=kind,
        maturity=maturity,
        created_by=by,
    )
    result.full_clean(exclude=["revision"])
    result._history_user = by
    result._change_reason = note.strip()
    result.save()
    _result_events(result, by, note.strip())
    notifications.result_saved(result=result, by=by, created=True)  # NOTIFY
    return result


@transaction.atomic
def result_update(
    *, result: Result, by: User, base_revision: int, note: str = "", **fields
) -> bool:
    """Save a new version of ``result`` if anything changed; returns whether it did.

    Refused with :class:`StaleRevision` when ``base_revision`` is not the current revision:
    nobody's change is ever overwritten unseen. (The write itself is the one versioned
    text's; the result adds its events, co-editing and notifications.)
    """
    current, changed = text_save(
        text=result,
        by=by,
        base_revision=base_revision,
        note=note,
        changes=fields,
        also_allowed=("upstream",),
    )
    if not changed:
        return False
    if "maturity" in changed and current.project_id:
        # Before the version's events: a result back to draft is gone for everyone outside
        # the team before its new text could reach them.
        recheck_project_on_commit(current.project_id)
    if "body" in changed:
        coedit_body_saved(result=current)  # COEDIT: the Yjs state follows, as a diff
    _result_events(current, by, note.strip())
    notifications.result_saved(result=current, by=by, note=note.strip())  # NOTIFY
    return True


def result_restore(*, result: Result, by: User, revision: int, base_revision: int) -> None:
    """Write the content of version ``revision`` as a new version; history stays untouched."""
    update = partial(result_update, result=result, by=by)
    text_restore(text=result, revision=revision, base_revision=base_revision, update=update)


@transaction.atomic
def result_archive(*, result: Result, by: User, base_revision: int) -> None:
    """Archive a result: it stays readable with its whole history, but is no longer listed."""
    current = Result.objects.select_for_update().get(pk=result.pk)
    if current.revision != base_revision:
        raise StaleRevision(current.revision)
    if current.is_archived:
        return
    current.is_archived = True
    current._history_user = by
    current._change_reason = str(_("archiviert"))
    current.save()
    result.is_archived, result.revision = True, current.revision
    if current.project_id:
        recheck_project_on_commit(current.project_id)
    _result_events(current, by, current._change_reason)


def attachment_add(*, result: Result, by: User, upload) -> ResultAttachment:
    """A new attachment of ``result``, checked as every upload is (type by content, clamd):
    ``workspace.attachments.attachment_store``."""
    return attachment_store(
        attachment=ResultAttachment(result=result),
        file_field="file",
        upload=upload,
        by=by,
        where=_("Ergebnis „%(title)s“") % {"title": result.title},
    )
