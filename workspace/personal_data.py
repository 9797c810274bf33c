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
import functools
import json
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Case, F, OrderBy, Q, Value, When

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
    # Paths beyond the row's own keys that its name (``str``) reads, joined in the export.
    related: tuple[str, ...] = ()

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
    related: Iterable[str] = (),
) -> None:
    """Classify every field of ``model`` (apps call this in ``ready()``); ``related`` names
    the paths beyond the row's own keys that its ``str()`` reads (``"adoption__template"``),
    so the export reads them in the same query."""
    _registry[model] = Classification(
        model=model,
        person=tuple(person),
        owner=tuple(owner),
        personal=dict(personal or {}),
        not_personal=tuple(not_personal),
        find=find,
        erase=erase,
        related=tuple(related),
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
        related=original.related,
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


def _about(classification: Classification, person) -> Q:
    """The condition of the rows whose personal fields are the person's."""
    condition = Q(pk__in=[])
    for name in classification.owner:
        condition |= Q(**{name: person})
    if classification.find is not None:
        condition |= classification.find(person)
    return condition


def _rows_about(classification: Classification, person) -> models.QuerySet:
    """The rows whose personal fields are the person's."""
    return classification.model._default_manager.filter(_about(classification, person))


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


# The annotation telling a row about the person from one they only acted in.
ABOUT = "personal_data_about"


def _newest_first(model: type[models.Model]) -> OrderBy | str:
    """Newest rows first, by key. A numeric key is ordered as ``key + 0``: ordered by the key
    itself, PostgreSQL would walk the key's index backwards through every row of the table
    until it found the newest of this person's (and count them all the same), instead of
    reading the person's rows through their own indexes and sorting those."""
    if isinstance(model._meta.pk, models.IntegerField):  # AutoField and BigAutoField too
        return OrderBy(F("pk") + 0, descending=True)
    return "-pk"


@dataclass(frozen=True)
class _Kind:
    """One kind of rows in a person's data: which rows are about them, which at all."""

    classification: Classification
    about: Q
    every: Q

    @property
    def label(self) -> str:
        return str(self.classification.model._meta.verbose_name_plural)

    def rows(self) -> models.QuerySet:
        """The rows, newest first: each marked whether it is about the person, with every
        related row its entry reads joined."""
        classification = self.classification
        keys = {f.name for f in classification.model._meta.concrete_fields if f.is_relation}
        read = keys if (classification.owner or classification.find) else set()
        read |= keys & {*classification.person, *classification.owner, *classification.personal}
        return (
            classification.model._default_manager.filter(self.every)
            .annotate(**{ABOUT: Case(When(self.about, then=Value(True)), default=Value(False))})
            .select_related(*sorted(read | set(classification.related)))
            .order_by(_newest_first(classification.model))
        )

    def latest(self, number: int) -> models.QuerySet:
        """The ``number`` newest rows: their keys found first, among narrow rows, so a kind
        with long texts (versions) does not sort all of them to keep a few."""
        model = self.classification.model
        newest = (
            model._default_manager.filter(self.every)
            .order_by(_newest_first(model))
            .values("pk")[:number]
        )
        return self.rows().filter(pk__in=newest)


# A stand-in for a person's key while the SQL of a count by keys is made once (_keys_sql).
_ANY_KEY = 2**31 - 7


@functools.cache
def _keys_sql(model: type[models.Model], names: tuple[str, ...], alias: str) -> tuple[str, int]:
    """The SQL selecting ``model``'s rows whose ``names`` point at one person, and how often
    it takes the person's key: made once per process. Asking Django to build a query for
    each of some sixty kinds on every request cost more than all their counts together."""
    condition = Q(pk__in=[])
    for name in names:
        condition |= Q(**{name: _ANY_KEY})
    sql, params = (
        model._default_manager.using(alias)
        .filter(condition)
        .order_by()
        .values("pk")
        .query.sql_with_params()
    )
    if any(param != _ANY_KEY for param in params):
        raise ImproperlyConfigured(f"{model._meta.label}: a key condition with other values")
    return sql, len(params)


def _rows_sql(kind: _Kind, person) -> tuple[str, list[Any]] | None:
    """The SQL selecting the keys of the kind's rows of the person; None if it has none."""
    classification = kind.classification
    if classification.find is None:
        names = (*classification.owner, *classification.person)
        sql, places = _keys_sql(classification.model, names, DEFAULT_DB_ALIAS)
        return sql, [person.pk] * places
    rows = classification.model._default_manager.filter(kind.every).order_by().values("pk")
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, list(params)


def _kinds_of(person) -> list[tuple[_Kind, int]]:
    """Each kind of rows the person has, with its number of rows: every kind counted in one
    query (a count per kind, each by its own indexes), so the kinds the person has no rows of
    cost nothing more."""
    kinds = []
    for classification in _all_classifications():
        about = _about(classification, person)
        every = about
        for name in classification.person:
            every |= Q(**{name: person})
        kinds.append(_Kind(classification, about, every))
    counted, selects, params = [], [], []
    for kind in kinds:
        rows = _rows_sql(kind, person)
        if rows is None:
            continue
        counted.append(kind)
        count = f"(SELECT COUNT(*) FROM ({rows[0]}) AS kind_{len(selects)})"  # noqa: S608
        selects.append(count)
        params += rows[1]
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selects)}", params)  # noqa: S608 – the ORM's SQL
        numbers = cursor.fetchone()
    return [(kind, number) for kind, number in zip(counted, numbers, strict=True) if number]


def _name(row) -> str:
    """``str(row)``; for a history row without a query per row: simple-history names it by a
    fresh copy of its original, which would read every related row its name needs again, so
    the copy gets the ones joined to the history row."""
    if not _base_of_history(type(row)):
        return str(row)
    original = row.history_object
    joined = row._state.fields_cache
    for model_field in original._meta.concrete_fields:
        if model_field.is_relation and model_field.name in joined:
            original._state.fields_cache[model_field.name] = joined[model_field.name]
    return f"{original} as of {row.history_date}"  # simple-history's own name of the row


def _entry(classification: Classification, row) -> dict[str, Any]:
    """One row as the export shows it: all its fields if it is about the person, else the
    fields that point at them."""
    acted = [*classification.person, *classification.owner, *classification.personal]
    names = (
        [f.name for f in classification.model._meta.concrete_fields]
        if getattr(row, ABOUT)
        else ["pk", *acted]
    )
    entry: dict[str, Any] = {"eintrag": _name(row)}
    for name in names:
        entry[name] = _plain(getattr(row, name))
    if _base_of_history(classification.model):
        entry["history_date"] = _plain(row.history_date)
        entry["history_change_reason"] = row.history_change_reason
    return entry


# Rows read from the database at a time for the export: the memory one kind needs.
CHUNK_SIZE = 2000


def personal_data_kinds(person) -> Iterator[tuple[str, Iterator[dict[str, Any]]]]:
    """Everything stored about ``person``, kind by kind: its label and its entries, read in
    chunks by one query per kind however many rows the person has (and one query counting
    which kinds they have rows of)."""
    for kind, _number in _kinds_of(person):
        rows = kind.rows().iterator(chunk_size=CHUNK_SIZE)
        yield kind.label, (_entry(kind.classification, row) for row in rows)


def personal_data_export(person) -> dict[str, list[dict[str, Any]]]:
    """Everything stored about ``person``: per model, each row about them with all its fields,
    and each row that names them as the one who acted with the fields that point at them."""
    return {label: list(entries) for label, entries in personal_data_kinds(person)}


def personal_data_json(person, *, head: dict[str, Any]) -> str:
    """The download (Art. 20 GDPR): ``head``'s keys, then under ``"daten"`` every kind with
    every entry, one entry a line. Written entry by entry as the rows are read, so no second
    copy of them is held as Python objects."""

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    parts = ["{\n"]
    parts += [f"  {dumps(key)}: {dumps(value)},\n" for key, value in head.items()]
    parts.append('  "daten": {')
    for number, (label, entries) in enumerate(personal_data_kinds(person)):
        parts.append(f"{',' if number else ''}\n    {dumps(label)}: [")
        parts.append(",".join(f"\n      {dumps(entry)}" for entry in entries))
        parts.append("\n    ]")
    parts.append("\n  }\n}\n")
    return "".join(parts)


@dataclass(frozen=True)
class KindSummary:
    """A kind of stored rows on the readable page: how many, and the latest of them."""

    label: str
    total: int
    latest: list[dict[str, Any]]

    @property
    def more(self) -> int:
        return self.total - len(self.latest)


def personal_data_summary(person, *, latest: int = 10) -> list[KindSummary]:
    """Per kind of stored rows the person has: their number and the ``latest`` newest (by
    key), in one query per kind however many there are (and one counting them all). The page
    shows this; the download (:func:`personal_data_kinds`) holds every row."""
    return [
        KindSummary(
            label=kind.label,
            total=number,
            latest=[_entry(kind.classification, row) for row in kind.latest(latest)],
        )
        for kind, number in _kinds_of(person)
    ]


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
    # Every finder asks before anything is erased: one that looks at another table (a delivery
    # by its subscriber, a session by its login record) finds what it would have found first.
    about = [
        (classification, _rows_about(classification, person))
        for classification in _all_classifications()
        if classification.model is not User
    ]
    for classification, rows in about:
        _erase_rows(classification, rows, pseudonym)
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
    """The person's sessions, by the record every login leaves (allauth's ``UserSession``,
    written for every login and carried over a password change: workspace/identity/
    receivers.py): one indexed query instead of decoding every session. The keys are read at
    once, so erasure finds them even after it deleted those records."""
    from allauth.usersessions.models import UserSession

    keys = list(UserSession.objects.filter(user=person).values_list("session_key", flat=True))
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
    classify(
        User.user_permissions.through,
        owner=("user",),
        not_personal=("id", "permission"),
        related=("permission__content_type",),
    )
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
        related=("permission__content_type",),
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
