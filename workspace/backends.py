"""The password backend, loading the person of each request in one query.

Every page asks of a logged-in person whether they are the network office (the navigation,
every access decision) and, through the second-factor rule, what higher apps register (the
steering app: the seat they hold today). Django's ``ModelBackend`` loads the person alone and
each answer cost a query of its own on every request; here they are subqueries of the one that
loads the person (``workspace.hooks.register_user_annotations``), kept in the per-request caches
that ``is_network_office`` and the apps already read.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import BooleanField, Exists, OuterRef
from django.utils import timezone

from workspace.hooks import register_user_annotations, user_annotations
from workspace.permissions import NETWORK_OFFICE_GROUP

# The id the query is written with once, to find where the person's id goes.
_PLACEHOLDER_ID = -7_012_345_678


@dataclass(frozen=True)
class _PersonQuery:
    """The SQL that loads a person with the registered annotations, written once a day per
    process (the annotations may name today's date: a seat held today). Building the
    expressions and compiling them cost more than the query itself on every request."""

    written_for: tuple  # (the day, the database alias)
    sql: str
    params: tuple
    at: int
    booleans: tuple[str, ...]

    def run(self, model, user_id):
        params = list(self.params)
        params[self.at] = user_id
        alias = self.written_for[1]
        found = list(model._default_manager.db_manager(alias).raw(self.sql, params))
        if not found:
            return None
        user = found[0]
        for name in self.booleans:  # SQLite answers EXISTS with 0 or 1
            setattr(user, name, bool(getattr(user, name)))
        return user


_written = threading.local()


def _person_query(model) -> _PersonQuery:
    written_for = (timezone.localdate(), router.db_for_read(model))
    query = getattr(_written, "query", None)
    if query is not None and query.written_for == written_for:
        return query
    annotations = user_annotations()
    queryset = model._default_manager.annotate(**annotations).filter(pk=_PLACEHOLDER_ID)
    sql, params = queryset.query.sql_with_params()
    params = tuple(params)
    booleans = tuple(
        name
        for name, expression in annotations.items()
        if isinstance(expression.output_field, BooleanField)
    )
    query = _PersonQuery(written_for, sql, params, params.index(_PLACEHOLDER_ID), booleans)
    _written.query = query
    return query


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            user_id = model._meta.pk.to_python(user_id)
        except ValidationError:  # a session naming no valid id names nobody
            return None
        user = _person_query(model).run(model, user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def _office() -> dict[str, Exists]:
    office = Group.objects.filter(user=OuterRef("pk"), name=NETWORK_OFFICE_GROUP)
    return {"_is_network_office": Exists(office)}


register_user_annotations(_office)
