"""The core's own endpoints: municipalities and cohorts (public, as their pages are)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from workspace.api.serializers import DescribedModelSerializer
from workspace.api.views import ETagRetrieveMixin
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
    url = serializers.CharField(
        source="get_absolute_url", read_only=True, help_text=_("Adresse der Seite")
    )

    class Meta:
        model = Municipality
        fields = [
            "slug", "name", "kind", "district", "is_pioneer", "is_member", "website",
            "official_key", "joined_on", "cohort", "url",
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
            return network_members().order_by()
        # Every municipality of the region has its page, member or not.
        return Municipality.objects.select_related("cohort")


@extend_schema_view(
    list=extend_schema(summary=_("Klassen: die Jahrgänge des Netzwerks"), tags=[_("Netzwerk")]),
    retrieve=extend_schema(summary=_("Eine Klasse"), tags=[_("Netzwerk")]),
)
class CohortViewSet(ETagRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CohortSerializer
    queryset = Cohort.objects.all()
    lookup_field = "year"
    lookup_value_converter = "int"


def register_endpoints() -> None:
    from workspace.api import register

    register("kommunen", MunicipalityViewSet, basename="municipality")
    register("klassen", CohortViewSet, basename="cohort")
