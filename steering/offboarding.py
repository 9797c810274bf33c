"""A person leaves: their committee seats end (workspace.services.membership_end).

A seat is the municipality's, filled by the committee; the successor is not seated
automatically — the office assigns the new delegate, as for any seat.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from steering import services
from steering.models import Seat
from workspace.hooks import Handover
from workspace.models import User


def preview(person: User) -> list[Handover]:
    return [
        Handover(what=_("Sitz im Steuerkreis (%(role)s) endet") % {"role": seat.get_role_display()})
        for seat in Seat.objects.active().filter(person=person)
    ]


def apply(*, person: User, successor: User | None, by: User, today: datetime.date) -> None:
    services.seats_end_for(person=person, ends_on=today)
