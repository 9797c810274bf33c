"""The password backend, loading the person of each request in one query.

Every page asks of a logged-in person whether they are the network office (the navigation,
every access decision) and, through the second-factor rule, what higher apps register (the
steering app: the seat they hold today). Django's ``ModelBackend`` loads the person alone and
each answer cost a query of its own on every request; here they are subqueries of the one that
loads the person (``workspace.hooks.register_user_annotations``), kept in the per-request caches
that ``is_network_office`` and the apps already read.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

from workspace.hooks import register_user_annotations, user_annotations
from workspace.permissions import NETWORK_OFFICE_GROUP


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.annotate(**user_annotations()).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def _office() -> dict[str, Exists]:
    office = Group.objects.filter(user=OuterRef("pk"), name=NETWORK_OFFICE_GROUP)
    return {"_is_network_office": Exists(office)}


register_user_annotations(_office)
