"""The core's own endpoints: municipalities and cohorts (public, as their pages are)."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from workspace import notifications
from workspace.access import decide, require_login
from workspace.api.serializers import DescribedModelSerializer
from workspace.api.views import ETagRetrieveMixin
from workspace.hooks import visibility_rules
from workspace.models import Cohort, Municipality
from workspace.selectors import network_members


class CohortSerializer(DescribedModelSerializer):
    class Meta:
        model = Cohort
        fields = ["id", "year", "description"]


class MunicipalitySerializer(DescribedModelSerializer):
    cohort = serializers.SlugRelatedField(
        slug_field="year",
        read_only=True,
        allow_null=True,
        label=_("Klasse"),
        help_text=_("Jahr der Klasse, mit der die Kommune beigetreten ist."),
    )
    district = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        label=_("Kreis"),
        help_text=_("Kurzname des Kreises oder der kreisfreien Stadt."),
    )
    district_name = serializers.CharField(
        source="district.name", read_only=True, label=_("Name des Kreises")
    )
    state = serializers.CharField(source="district.state.name", read_only=True, label=_("Land"))
    url = serializers.CharField(
        source="get_absolute_url", read_only=True, help_text=_("Adresse der Seite")
    )

    class Meta:
        model = Municipality
        fields = [
            "slug", "name", "kind", "district", "district_name", "state", "is_pioneer",
            "is_member", "website", "official_key", "joined_on", "cohort", "url",
        ]  # fmt: skip


@extend_schema_view(
    list=extend_schema(summary=_("Mitgliedskommunen des Netzwerks"), tags=[_("Netzwerk")]),
    retrieve=extend_schema(summary=_("Eine Kommune"), tags=[_("Netzwerk")]),
)
class MunicipalityViewSet(ETagRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MunicipalitySerializer
    lookup_field = "slug"
    lookup_value_converter = "slug"

    def get_queryset(self):
        if self.action == "list":
            return network_members().select_related("district__state").order_by()
        # Every municipality of the region has its page, member or not.
        return Municipality.objects.select_related("cohort", "district__state")


@extend_schema_view(
    list=extend_schema(summary=_("Klassen: die Jahrgänge des Netzwerks"), tags=[_("Netzwerk")]),
    retrieve=extend_schema(summary=_("Eine Klasse"), tags=[_("Netzwerk")]),
)
class CohortViewSet(ETagRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CohortSerializer
    queryset = Cohort.objects.all()
    lookup_field = "year"
    lookup_value_converter = "int"


class FollowSerializer(serializers.Serializer):
    following = serializers.BooleanField(help_text=_("Ob Sie dem Objekt folgen"))


@extend_schema_view(
    retrieve=extend_schema(summary=_("Folgen Sie diesem Objekt?"), tags=[_("Benachrichtigungen")]),
    update=extend_schema(
        summary=_("Einem Leitprojekt, Ergebnis oder anderen Objekt folgen"),
        tags=[_("Benachrichtigungen")],
        request=None,
    ),
    destroy=extend_schema(
        summary=_("Nicht mehr folgen"),
        tags=[_("Benachrichtigungen")],
        responses={200: FollowSerializer},
    ),
)
class FollowViewSet(viewsets.GenericViewSet):
    # Follow what one may see: the same rule as the pages' follow buttons (the apps' registered
    # visibility, ``workspace.hooks.visibility_rules``).

    serializer_class = FollowSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        return Cohort.objects.none()

    def _target(self, request, model: str, pk: int):
        require_login(request.user)
        try:
            model_class = apps.get_model(model)
        except (LookupError, ValueError):
            model_class = None
        visible = visibility_rules().get(model_class)
        target = visible(request.user).filter(pk=pk).first() if visible else None
        decide(request.user, sees=target is not None)
        return target

    def _answer(self, request, target):
        return Response({"following": notifications.is_following(request.user, target)})

    def retrieve(self, request, model: str, pk: int):
        return self._answer(request, self._target(request, model, pk))

    def update(self, request, model: str, pk: int):
        target = self._target(request, model, pk)
        notifications.follow(user=request.user, target=target)
        return self._answer(request, target)

    def destroy(self, request, model: str, pk: int):
        target = self._target(request, model, pk)
        notifications.unfollow(user=request.user, target=target)
        return self._answer(request, target)


def register_endpoints() -> None:
    from workspace.api import register

    register("kommunen", MunicipalityViewSet, basename="municipality")
    register("klassen", CohortViewSet, basename="cohort")
    # /api/v1/folgen/<app_label.model>/<id>/, e.g. folgen/projects.leadproject/5/
    register("folgen/<str:model>", FollowViewSet, basename="follow")
