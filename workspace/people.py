"""How a person appears to whoever looks: their name, or their municipality without consent.

Municipal staff decide themselves whether their name may stand on public pages
(``User.public_name``). Members of the network and the network office always see names; a
visitor without login sees "Mitarbeiter*in der Stadt …" for everyone who has not agreed.
Every template shows people through ``{% person user %}``, so this is the one place that decides.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from workspace.models import Membership, Municipality, User
from workspace.permissions import is_member_or_office


def may_see_names(viewer: User | AnonymousUser | None) -> bool:
    return bool(viewer) and is_member_or_office(viewer)


def home_municipality(person: User) -> Municipality | None:
    """The municipality a person works (or last worked) for. Uses prefetched memberships
    (``prefetch_related("user__memberships__municipality")``); otherwise one query, cached."""
    cache = getattr(person, "_prefetched_objects_cache", {})
    if "memberships" in cache:
        memberships = sorted(
            cache["memberships"], key=lambda m: (m.ended_on is not None, -m.started_on.toordinal())
        )
    else:
        if hasattr(person, "_home_municipality"):
            return person._home_municipality
        memberships = list(
            Membership.objects.filter(user=person)
            .select_related("municipality")
            .order_by("ended_on", "-started_on")[:1]
        )
    municipality = memberships[0].municipality if memberships else None
    person._home_municipality = municipality
    return municipality


def public_name(
    person: User | None, viewer: User | AnonymousUser | None, cache: dict | None = None
) -> str:
    """The name ``viewer`` may see for ``person``. ``cache`` (one per request) keeps the
    municipality looked up for a person, so a list of rows by the same people costs one query
    per person, not per row."""
    if person is None:
        return ""
    if may_see_names(viewer) or (viewer and viewer.pk == person.pk) or person.public_name:
        return person.get_display_name()
    cache = {} if cache is None else cache
    if person.pk not in cache:
        municipality = home_municipality(person)
        cache[person.pk] = (
            municipality.staff_label if municipality else _("Mitarbeiter*in im Netzwerk")
        )
    return cache[person.pk]
