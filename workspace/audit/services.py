"""Writing to the security log, and the one deletion: entries past the retention period."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from simple_history.models import HistoricalRecords

from workspace.audit.models import SecurityEvent
from workspace.clients import client_address

Kind = SecurityEvent.Kind


def current_request() -> HttpRequest | None:
    """The request being answered in this thread (simple-history's middleware keeps it), for
    entries written from model signals, which know no request: who acted, from where."""
    return getattr(HistoricalRecords.context, "request", None)


def current_actor():
    request = current_request()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def security_log(
    *,
    kind: str,
    account=None,
    by=None,
    detail: dict[str, Any] | None = None,
    provider: str = "",
    request: HttpRequest | None = None,
) -> SecurityEvent:
    """Write one entry. ``account``: whom it is about; ``by``: who acted (``None``: the system
    or an anonymous visitor); ``detail``: roles, slugs, kinds — never a person's name;
    ``request``: the client address is taken from it (``workspace.clients``).

    Runs in the caller's transaction: an action rolled back leaves no entry.
    """
    if kind not in Kind.values:
        raise ValueError(f"Unbekanntes Ereignis des Sicherheitsprotokolls: {kind!r}")
    address = client_address(request) if request is not None else ""
    entry = SecurityEvent(
        kind=kind,
        account=account if account is not None and account.pk else None,
        by=by if by is not None and getattr(by, "is_authenticated", False) else None,
        provider=provider[:100],
        address=address or None,
        detail=detail or {},
    )
    entry.save()
    return entry


@transaction.atomic
def security_log_purge() -> int:
    """Delete the entries older than ``SECURITY_LOG_RETENTION_DAYS``; the number deleted.

    On PostgreSQL the trigger checks the same age with the retention period this transaction
    names (``klassenraum.audit_retention_days``), so nothing younger can go.
    """
    days = int(settings.SECURITY_LOG_RETENTION_DAYS)
    expired = SecurityEvent.objects.expired()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('klassenraum.audit_retention_days', %s, true)", [str(days)]
            )
    # The queryset's delete() refuses; this is the one place that deletes, row by row in SQL.
    return expired._raw_delete(expired.db)
