"""Guides and the glossary in the API (/api/v1/), by the guides' own rules.

Guides are public; a planned guide shows its title and summary to everyone and its body only
to its editors (``get_guide_for(..., body=True)``, ``GuideAccess.can_read_body``); the lead
projects and results a guide names follow their own visibility (``selectors.links_of``).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets

from network.guides import selectors
from network.guides.models import Authorship, Guide, Term
from network.guides.permissions import get_guide_for, get_term_for
from workspace.api.serializers import DescribedModelSerializer, person_name
from workspace.api.views import conditional

TAG = _("Leitfäden und Vokabelheft")


class GuideSerializer(DescribedModelSerializer):
    topics = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, label=_("Themen")
    )
    authors = serializers.SerializerMethodField(
        help_text=_("Autorinnen und Autoren, wie die aufrufende Person sie sehen darf")
    )
    url = serializers.CharField(
        source="get_absolute_url", read_only=True, help_text=_("Adresse der Seite")
    )

    class Meta:
        model = Guide
        fields = [
            "slug",
            "title",
            "summary",
            "status",
            "published_in",
            "topics",
            "authors",
            "updated_at",
            "url",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_authors(self, guide) -> list[str]:
        return [person_name(self, a.person) for a in guide.authorships.all()]


class GuideDetailSerializer(GuideSerializer):
    body = serializers.SerializerMethodField(
        help_text=_("Der Text (Markdown); bei einem geplanten Leitfaden nur für seine Redaktion")
    )
    lead_projects = serializers.SerializerMethodField(
        help_text=_("Leitprojekte, aus denen er entstand")
    )
    results = serializers.SerializerMethodField(
        help_text=_("Ergebnisse, auf denen er beruht (Kennungen)")
    )

    class Meta(GuideSerializer.Meta):
        fields = [*GuideSerializer.Meta.fields, "body", "lead_projects", "results"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body(self, guide):
        return guide.body if self.context["access"].can_read_body else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_lead_projects(self, guide) -> list[str]:
        return [p.slug for p in self.context["links"]["projects"]]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_results(self, guide) -> list[int]:
        return [r.pk for r in self.context["links"]["results"]]


class TermSerializer(DescribedModelSerializer):
    related = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, label=_("Verwandte Begriffe")
    )

    class Meta:
        model = Term
        fields = ["slug", "name", "definition", "synonyms", "related", "updated_at"]


@extend_schema_view(
    list=extend_schema(
        summary=_("Leitfäden"),
        tags=[TAG],
        parameters=[OpenApiParameter("topic", str, description=_("Thema (Kurzname)"))],
    ),
    retrieve=extend_schema(summary=_("Ein Leitfaden"), tags=[TAG], responses=GuideDetailSerializer),
)
class GuideViewSet(viewsets.GenericViewSet):
    serializer_class = GuideSerializer
    queryset = Guide.objects.none()
    lookup_field = "slug"
    lookup_value_converter = "slug"

    def list(self, request):
        guides = Guide.objects.prefetch_related(
            "topics",
            Prefetch("authorships", queryset=Authorship.objects.select_related("person")),
        )
        if topic := request.query_params.get("topic"):
            guides = guides.filter(topics__slug=topic)
        page = self.paginate_queryset(guides.order_by("pk"))
        return self.get_paginated_response(
            GuideSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    def retrieve(self, request, slug: str):
        guide, access = get_guide_for(request.user, slug)
        context = {
            **self.get_serializer_context(),
            "access": access,
            "links": selectors.links_of(guide, request.user),
        }
        return conditional(request, GuideDetailSerializer(guide, context=context).data)


@extend_schema_view(
    list=extend_schema(summary=_("Das Vokabelheft: Begriffe des Netzwerks"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Ein Begriff"), tags=[TAG]),
)
class TermViewSet(viewsets.GenericViewSet):
    serializer_class = TermSerializer
    queryset = Term.objects.none()
    lookup_field = "slug"
    lookup_value_converter = "slug"

    def list(self, request):
        terms = Term.objects.prefetch_related(
            Prefetch("related", queryset=Term.objects.only("slug"))
        )
        page = self.paginate_queryset(terms.order_by("pk"))
        return self.get_paginated_response(TermSerializer(page, many=True).data)

    def retrieve(self, request, slug: str):
        term = get_term_for(request.user, slug)
        return conditional(request, TermSerializer(term).data)


def register() -> None:
    from workspace.api import register as register_viewset

    register_viewset("leitfaeden", GuideViewSet, basename="guide")
    register_viewset("vokabelheft", TermViewSet, basename="term")
