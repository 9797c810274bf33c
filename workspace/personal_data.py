"""The registry of personal data: which field of which model holds what about a person.

Every field of every model in the database is classified here (tests/workspace/test_personal_
data.py fails for any field that is not): it points at a person who acted (``person``: who
created, decided, uploaded), points at the person a row is about (``owner``), holds personal
data that erasure replaces in the rows about the person (``personal``), or holds nothing about a
person (``not_personal``). Rows about a person are those of an ``owner`` key and those ``find``
returns (a request typed in with their e-mail address, a login record with their name). Apps classify their own models in ``AppConfig.ready()``; the core
classifies its own and Django's.

From the registry follow the two rights a person has (GDPR Art. 15 and 17):

- :func:`personal_data_export` — every classified row that belongs to the person or names them;
- :func:`person_erase` — replaces the person's data everywhere, history tables included, with a
  pseudonym, while results, agreements and their history stay intact (they point to the
  pseudonymised account).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q

from workspace.audit.models import SecurityEvent
from workspace.audit.services import security_log
from workspace.erasures import erasure_record
from workspace.events import recheck_user_on_commit
from workspace.search_index import update_rows

# How erasure treats a personal field.
PSEUDONYM = "pseudonym"  # replaced by the person's pseudonym (names)
BLANK = "blank"  # emptied ("" or NULL)
DELETE_ROW = "delete-row"  # the row itself goes (logs, sessions, throttling records)

Finder = Callable[[Any], Q]


@dataclass(frozen=True)
class Classification:
    model: type[models.Model]
    person: tuple[str, ...] = ()
    owner: tuple[str, ...] = ()
    personal: dict[str, str] = field(default_factory=dict)
    not_personal: tuple[str, ...] = ()
    find: Finder | None = None  # rows about the person that no foreign key points out
    erase: Callable[[Any, Any], None] | None = None  # custom erasure (queryset, pseudonym)

    def fields(self) -> set[str]:
        return set(self.person) | set(self.owner) | set(self.personal) | set(self.not_personal)


_registry: dict[type[models.Model], Classification] = {}


def classify(
    model: type[models.Model],
    *,
    person: Iterable[str] = (),
    owner: Iterable[str] = (),
    personal: dict[str, str] | None = None,
    not_personal: Iterable[str] = (),
    find: Finder | None = None,
    erase: Callable[[Any, Any], None] | None = None,
) -> None:
    """Classify every field of ``model`` (apps call this in ``ready()``)."""
    _registry[model] = Classification(
        model=model,
        person=tuple(person),
        owner=tuple(owner),
        personal=dict(personal or {}),
        not_personal=tuple(not_personal),
        find=find,
        erase=erase,
    )


# simple-history's own columns on every historical model.
HISTORY_FIELDS = ("history_id", "history_date", "history_change_reason", "history_type")


def _base_of_history(model: type[models.Model]) -> type[models.Model] | None:
    instance_type = getattr(model, "instance_type", None)
    return instance_type if instance_type and hasattr(model, "history_object") else None


def classification_of(model: type[models.Model]) -> Classification | None:
    """A model's classification; a historical model inherits its original's."""
    if model in _registry:
        return _registry[model]
    base = _base_of_history(model)
    if base is None or base not in _registry:
        return None
    original = _registry[base]
    extra_not_personal = tuple(
        f.name
        for f in model._meta.concrete_fields
        if f.name not in original.fields()
        and f.name not in ("history_user",)
        and f.name not in HISTORY_FIELDS
        and not f.name.endswith("_id")
    )
    return Classification(
        model=model,
        person=(*original.person, "history_user"),
        owner=original.owner,
        personal=original.personal,
        not_personal=(*original.not_personal, *HISTORY_FIELDS, *extra_not_personal),
        find=original.find,
        erase=original.erase,
    )


def unclassified_fields() -> dict[str, list[str]]:
    """``{"app.Model": [field, …]}`` for every concrete field no classification names."""
    missing: dict[str, list[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        classification = classification_of(model)
        names = {f.name for f in model._meta.concrete_fields}
        known = classification.fields() if classification else set()
        left = sorted(names - known)
        if left:
            missing[model._meta.label] = left
    return missing


def _rows_about(classification: Classification, person) -> models.QuerySet:
    """The rows whose personal fields are the person's."""
    condition = Q(pk__in=[])
    for name in classification.owner:
        condition |= Q(**{name: person})
    if classification.find is not None:
        condition |= classification.find(person)
    return classification.model._default_manager.filter(condition)


def _rows_of(classification: Classification, person) -> models.QuerySet:
    """The rows about the person and those that name them as the one who acted."""
    condition = Q(pk__in=_rows_about(classification, person).values("pk"))
    for name in classification.person:
        condition |= Q(**{name: person})
    return classification.model._default_manager.filter(condition)


def _all_classifications() -> list[Classification]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        classification = classification_of(model)
        if classification and (
            classification.person or classification.owner or classification.find
        ):
            found.append(classification)
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def personal_data_export(person) -> dict[str, list[dict[str, Any]]]:
    """Everything stored about ``person``: per model, each row about them with all its fields,
    and each row that names them as the one who acted with the fields that point at them."""
    export: dict[str, list[dict[str, Any]]] = {}
    for classification in _all_classifications():
        about = set(_rows_about(classification, person).values_list("pk", flat=True))
        acted = [*classification.person, *classification.owner, *classification.personal]
        every = [f.name for f in classification.model._meta.concrete_fields]
        rows = []
        for row in _rows_of(classification, person):
            entry: dict[str, Any] = {"eintrag": str(row)}
            for name in every if row.pk in about else ["pk", *acted]:
                entry[name] = _plain(getattr(row, name))
            if _base_of_history(classification.model):
                entry["history_date"] = _plain(row.history_date)
                entry["history_change_reason"] = row.history_change_reason
            rows.append(entry)
        if rows:
            export[str(classification.model._meta.verbose_name_plural)] = rows
    return export


def _blank_value(model_field: models.Field) -> Any:
    return None if model_field.null else ""


def _erase_rows(classification: Classification, rows: models.QuerySet, pseudonym: str) -> None:
    if classification.erase is not None:
        classification.erase(rows, pseudonym)
        return
    if DELETE_ROW in classification.personal.values():
        rows.delete()  # logs, sessions and throttling records: nothing points at them
        return
    changes: dict[str, Any] = {}
    for name, how in classification.personal.items():
        model_field = classification.model._meta.get_field(name)
        if how == PSEUDONYM:
            changes[name] = pseudonym[: model_field.max_length or None]
        else:
            changes[name] = _blank_value(model_field)
    if changes:
        # Erasure is the one place that rewrites history rows in bulk: a new version would
        # keep the old name in the row before it. The search index follows (a speaker's name).
        update_rows(rows, **changes)


@transaction.atomic
def person_erase(person, *, by=None) -> str:
    """Replace ``person``'s personal data everywhere by a pseudonym; returns it.

    The account stays as the pseudonym (results, versions and agreements point at it) and can
    no longer log in.
    """
    from workspace.models import User

    pseudonym = f"geloescht-{secrets.token_hex(4)}"
    for classification in _all_classifications():
        if classification.model is User:
            continue
        _erase_rows(classification, _rows_about(classification, person), pseudonym)
    rows = User.objects.filter(pk=person.pk)
    rows.update(
        username=pseudonym,
        display_name=pseudonym,
        first_name="",
        last_name="",
        email="",
        public_name=False,
        is_active=False,
        is_staff=False,
        is_superuser=False,
        password="!" + secrets.token_urlsafe(24),  # unusable, like set_unusable_password()
    )
    # An update sends no signal: the open sockets of the erased account are told here.
    recheck_user_on_commit(person.pk)
    security_log(kind=SecurityEvent.Kind.ACCOUNT_ERASED, account=person, by=by)
    # Kept documents may print the name: every one is made afresh.
    from workspace.documents.store import forget_people

    transaction.on_commit(forget_people)
    # Last, so a failed erasure leaves no entry; a restored older backup reads it (ledger).
    erasure_record(person=person)
    return pseudonym


# --- The core's and Django's own models -------------------------------------------------


def sessions_of(person) -> Q:
    """Sessions are opaque rows; the person's are found by decoding them."""
    from django.contrib.sessions.models import Session

    keys = [
        session.session_key
        for session in Session.objects.all()
        if str(session.get_decoded().get("_auth_user_id")) == str(person.pk)
    ]
    return Q(session_key__in=keys)


def _log_entries_about(person) -> Q:
    from django.contrib.contenttypes.models import ContentType

    from workspace.models import User

    return Q(content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk))


def classify_core() -> None:
    from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog
    from django.contrib.admin.models import LogEntry
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.models import Session
    from django_tasks_db.models import DBTaskResult
    from guardian.models import GroupObjectPermission, UserObjectPermission

    from workspace.models import (
        BarrierReport,
        Cohort,
        District,
        ErasureRecord,
        LegalPage,
        Membership,
        Municipality,
        State,
        Topic,
        User,
    )
    from workspace.sessions import sessions_delete

    classify(
        User,
        find=lambda person: Q(pk=person.pk),
        personal={
            "username": PSEUDONYM,
            "display_name": PSEUDONYM,
            "first_name": BLANK,
            "last_name": BLANK,
            "email": BLANK,
            "password": BLANK,
            "last_login": BLANK,
        },
        not_personal=(
            "id",
            "is_superuser",
            "is_staff",
            "is_active",
            "date_joined",
            "public_name",
            "language",
            "mail_frequency",
        ),
    )
    classify(User.groups.through, owner=("user",), not_personal=("id", "group"))
    classify(User.user_permissions.through, owner=("user",), not_personal=("id", "permission"))
    classify(Cohort, not_personal=("id", "year", "description"))
    # The erased account's id and creation time: the pseudonymised account keeps both anyway.
    classify(ErasureRecord, not_personal=("id", "account_id", "account_joined", "erased_at"))
    classify(Topic, not_personal=("id", "name", "slug", "description"))
    classify(State, not_personal=("id", "name", "slug", "official_key"))
    classify(District, not_personal=("id", "name", "slug", "kind", "state", "official_key"))
    classify(
        Municipality,
        not_personal=(
            "id", "name", "slug", "kind", "district", "is_pioneer", "is_member", "website",
            "official_key", "joined_on", "cohort",
        ),
    )  # fmt: skip
    classify(
        Membership,
        owner=("user",),
        personal={"function": BLANK},
        not_personal=("id", "municipality", "role", "started_on", "ended_on"),
    )
    classify(
        LegalPage,
        person=("updated_by",),
        not_personal=("id", "kind", "title", "body", "updated_at"),
    )
    classify(
        BarrierReport,
        personal={"name": PSEUDONYM, "email": BLANK},
        not_personal=("id", "created_at", "page", "message"),
        find=lambda person: Q(email__iexact=person.email) if person.email else Q(pk__in=[]),
    )
    # Django and the libraries.
    classify(
        LogEntry,
        person=("user",),
        personal={"object_repr": PSEUDONYM, "change_message": BLANK},
        not_personal=("id", "action_time", "content_type", "object_id", "action_flag"),
        find=_log_entries_about,
        # Entries the person made keep their subject; entries about the person lose the name.
        erase=lambda rows, pseudonym: rows.filter(content_type__model="user").update(
            object_repr=pseudonym, change_message=""
        ),
    )
    classify(Permission, not_personal=("id", "name", "content_type", "codename"))
    classify(Group, not_personal=("id", "name"))
    classify(Group.permissions.through, not_personal=("id", "group", "permission"))
    classify(ContentType, not_personal=("id", "app_label", "model"))
    classify(
        Session,
        personal={"session_data": DELETE_ROW},
        not_personal=("session_key", "expire_date"),
        find=sessions_of,
        # Their cached copies too (workspace/sessions.py).
        erase=lambda rows, pseudonym: sessions_delete(rows.values_list("session_key", flat=True)),
    )
    classify(
        UserObjectPermission,
        owner=("user",),
        not_personal=("id", "permission", "content_type", "object_pk"),
    )
    classify(
        GroupObjectPermission,
        not_personal=("id", "permission", "content_type", "object_pk", "group"),
    )
    login_record = {
        "username": DELETE_ROW,
        "ip_address": DELETE_ROW,
        "user_agent": DELETE_ROW,
    }
    by_username = lambda person: Q(username=person.username)  # noqa: E731
    classify(
        AccessAttempt,
        personal={**login_record, "get_data": DELETE_ROW, "post_data": DELETE_ROW},
        not_personal=("id", "http_accept", "path_info", "attempt_time", "failures_since_start"),
        find=by_username,
    )
    classify(
        AccessFailureLog,
        personal=login_record,
        not_personal=("id", "http_accept", "path_info", "attempt_time", "locked_out"),
        find=by_username,
    )
    classify(
        AccessLog,
        personal=login_record,
        not_personal=(
            "id", "http_accept", "path_info", "attempt_time", "logout_time", "session_hash",
        ),
        find=by_username,
    )  # fmt: skip
    classify(AccessAttemptExpiration, not_personal=("access_attempt", "expires_at"))
    # Background tasks get ids, never addresses; a failed mail's traceback may name one.
    classify(
        DBTaskResult,
        personal={"traceback": BLANK},
        not_personal=(
            "id", "status", "enqueued_at", "started_at", "finished_at", "args_kwargs", "priority",
            "task_path", "worker_ids", "queue_name", "backend_name", "run_after", "return_value",
            "exception_class_path",
        ),
        find=lambda person: (
            Q(traceback__icontains=person.email) if person.email else Q(pk__in=[])
        ),
    )  # fmt: skip
