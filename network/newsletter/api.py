"""The newsletter's published issues in the API (/api/v1/), by the newsletter's rules: an
issue is public from the moment its sending starts; drafts are the editorial team's
(``get_issue_for``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from network.newsletter import selectors
from network.newsletter.models import Issue, NewsItem
from network.newsletter.permissions import get_issue_for
from workspace.api.serializers import DescribedModelSerializer
from workspace.api.views import conditional

TAG = _("Schülerzeitung")


class NewsItemSerializer(DescribedModelSerializer):
    municipality = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, label=_("Kommune")
    )

    class Meta:
        model = NewsItem
        fields = ["title", "body", "link", "municipality"]


class IssueSerializer(DescribedModelSerializer):
    url = serializers.CharField(
        source="get_absolute_url", read_only=True, help_text=_("Adresse der Seite")
    )

    class Meta:
        model = Issue
        fields = ["id", "number", "title", "state", "published_at", "url"]


class IssueDetailSerializer(IssueSerializer):
    items = serializers.SerializerMethodField(help_text=_("Die Beiträge der Ausgabe"))

    class Meta(IssueSerializer.Meta):
        fields = [*IssueSerializer.Meta.fields, "editorial", "items"]

    def get_items(self, issue) -> list[dict]:
        return NewsItemSerializer(selectors.issue_items(issue), many=True).data


@extend_schema_view(
    list=extend_schema(summary=_("Erschienene Ausgaben"), tags=[TAG]),
    retrieve=extend_schema(
        summary=_("Eine Ausgabe mit ihren Beiträgen"), tags=[TAG], responses=IssueDetailSerializer
    ),
)
class IssueViewSet(viewsets.GenericViewSet):
    serializer_class = IssueSerializer
    queryset = Issue.objects.none()
    lookup_value_converter = "int"

    def list(self, request):
        issues = selectors.published_issues().order_by("pk")
        page = self.paginate_queryset(issues)
        return self.get_paginated_response(IssueSerializer(page, many=True).data)

    def retrieve(self, request, pk: int):
        issue = get_issue_for(request.user, pk)
        return conditional(request, IssueDetailSerializer(issue).data)


def register() -> None:
    from workspace.api import register as register_viewset

    register_viewset("schuelerzeitung", IssueViewSet, basename="issue")
