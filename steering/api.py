"""The steering committee in the API (/api/v1/): adopted agreements with the result versions
they pin, and the public part of held meetings — exactly what the public committee pages show
(``steering.public``, ``permissions.visible_agreements``/``get_agreement_for``,
``get_meeting_page_for``). Deliberations, votes in progress and planned meetings stay with the
committee's pages.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from projects.permissions import ProjectAccess, readable_versions, visible_projects
from steering.models import Agreement, Meeting
from steering.permissions import get_agreement_for, get_meeting_page_for, visible_agreements
from steering.public import (
    NON_PUBLIC_ITEM,
    is_public_meeting,
    item_is_public,
    place_kind,
    public_meetings,
    public_minutes,
)
from workspace.access import decide
from workspace.api.serializers import DescribedModelSerializer, DescribedSerializer
from workspace.api.views import conditional

TAG = _("Steuerkreis")


class AgreementSerializer(DescribedModelSerializer):
    project = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, label=_("Leitprojekt")
    )
    lead = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, label=_("Federführende Kommune")
    )
    amends = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True, label=_("Ändert die Vereinbarung")
    )
    url = serializers.CharField(
        source="get_absolute_url", read_only=True, help_text=_("Adresse der Seite")
    )

    class Meta:
        model = Agreement
        fields = [
            "number", "kind", "title", "project", "lead", "starts_on", "ends_on", "adopted_on",
            "votes_yes", "votes_no", "votes_abstain", "amends", "url",
        ]  # fmt: skip


class PinnedVersionSerializer(DescribedSerializer):
    result = serializers.IntegerField(help_text=_("Das Ergebnis (Kennung)"))
    revision = serializers.IntegerField(help_text=_("Die vereinbarte Version"))
    history_id = serializers.IntegerField(help_text=_("Kennung der Version in der Historie"))
    title = serializers.CharField(help_text=_("Titel des Ergebnisses in dieser Version"))
    readable = serializers.BooleanField(
        help_text=_("Ob Sie den Text dieser Version lesen dürfen (Entwürfe: nur das Team)")
    )


class AgreementDocumentsSerializer(DescribedSerializer):
    pdf = serializers.CharField(help_text=_("Das barrierefreie PDF (PDF/UA-1)"))
    pdf_archive = serializers.CharField(help_text=_("Das PDF für das Archiv (PDF/A-3a)"))
    odt = serializers.CharField(help_text=_("Der OpenDocument-Text (ODT)"))


class AgreementDetailSerializer(AgreementSerializer):
    pinned_versions = serializers.SerializerMethodField(
        help_text=_("Die Versionen der Ergebnisse, die die Vereinbarung festhält")
    )
    documents = serializers.SerializerMethodField(
        help_text=_("Die Vereinbarung als Dokument, für wen sie lesen darf (steering.documents)")
    )

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "text", "pinned_versions", "documents"]

    @extend_schema_field(AgreementDocumentsSerializer)
    def get_documents(self, agreement) -> dict:
        pdf = reverse("steering:agreement-pdf", kwargs={"number": agreement.number})
        return {
            "pdf": pdf,
            "pdf_archive": f"{pdf}?archiv=1",
            "odt": reverse("steering:agreement-odt", kwargs={"number": agreement.number}),
        }

    @extend_schema_field(PinnedVersionSerializer(many=True))
    def get_pinned_versions(self, agreement) -> list[dict]:
        return self.context["pinned"]


class AgendaItemSerializer(DescribedSerializer):
    position = serializers.IntegerField(help_text=_("Nummer"))
    title = serializers.CharField(help_text=_("Titel, oder „nicht öffentlich“"))
    agreement = serializers.CharField(
        allow_null=True, help_text=_("Die Vereinbarung, die der Punkt beschlossen hat")
    )


class MeetingSerializer(DescribedModelSerializer):
    place_kind = serializers.SerializerMethodField(
        help_text=_("Art des Orts (vor Ort, per Videokonferenz), nie die Adresse")
    )
    url = serializers.CharField(
        source="get_absolute_url", read_only=True, help_text=_("Adresse der Seite")
    )

    class Meta:
        model = Meeting
        fields = ["id", "title", "starts_at", "state", "place_kind", "url"]

    def get_place_kind(self, meeting) -> str:
        return place_kind(meeting)


class MeetingDetailSerializer(MeetingSerializer):
    items = serializers.SerializerMethodField(help_text=_("Die Tagesordnung"))
    minutes = serializers.SerializerMethodField(
        help_text=_("Das Protokoll, sobald der Steuerkreis es genehmigt hat (Markdown)")
    )

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "items", "minutes"]

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_items(self, meeting) -> list[dict]:
        user = self.context["request"].user
        visible = set(visible_projects(user).values_list("pk", flat=True))
        items = meeting.items.select_related("proposal", "agreement").order_by("position")
        rows = []
        for item in items:
            public = item_is_public(user, item, visible)
            agreement = getattr(item, "agreement", None)
            rows.append(
                {
                    "position": item.position,
                    "title": item.title if public else str(NON_PUBLIC_ITEM),
                    "agreement": agreement.number if public and agreement else None,
                }
            )
        return rows

    def get_minutes(self, meeting) -> str:
        return public_minutes(meeting)


@extend_schema_view(
    list=extend_schema(summary=_("Vereinbarungen des Steuerkreises"), tags=[TAG]),
    retrieve=extend_schema(
        summary=_("Eine Vereinbarung mit den Ergebnisversionen, die sie festhält"),
        tags=[TAG],
        responses=AgreementDetailSerializer,
    ),
)
class AgreementViewSet(viewsets.GenericViewSet):
    serializer_class = AgreementSerializer
    queryset = Agreement.objects.none()
    lookup_field = "number"
    lookup_value_converter = "str"

    def list(self, request):
        agreements = visible_agreements(request.user).select_related("project", "lead", "amends")
        page = self.paginate_queryset(agreements.order_by("pk"))
        return self.get_paginated_response(AgreementSerializer(page, many=True).data)

    def retrieve(self, request, number: str):
        agreement = get_agreement_for(request.user, number)
        approvals = list(
            agreement.approvals.select_related("history_row").order_by(
                "result_id", "history_row__revision"
            )
        )
        access = (
            None if agreement.project is None else ProjectAccess(request.user, agreement.project)
        )
        readable = readable_versions(request.user, [a.history_row for a in approvals], access)
        pinned = [
            {
                "result": approval.result_id,
                "revision": approval.history_row.revision,
                "history_id": approval.history_row_id,
                "title": approval.history_row.title,
                "readable": approval.history_row_id in readable,
            }
            for approval in approvals
        ]
        context = {**self.get_serializer_context(), "pinned": pinned}
        return conditional(request, AgreementDetailSerializer(agreement, context=context).data)


@extend_schema_view(
    list=extend_schema(summary=_("Durchgeführte Sitzungen (öffentlicher Teil)"), tags=[TAG]),
    retrieve=extend_schema(
        summary=_("Eine durchgeführte Sitzung: Tagesordnung und genehmigtes Protokoll"),
        tags=[TAG],
        responses=MeetingDetailSerializer,
    ),
)
class MeetingViewSet(viewsets.GenericViewSet):
    serializer_class = MeetingSerializer
    queryset = Meeting.objects.none()
    lookup_value_converter = "int"

    def list(self, request):
        page = self.paginate_queryset(public_meetings().order_by("pk"))
        return self.get_paginated_response(MeetingSerializer(page, many=True).data)

    def retrieve(self, request, pk: int):
        meeting, _member = get_meeting_page_for(request.user, pk)
        # The API publishes the public part only: a meeting not yet held has none.
        decide(request.user, sees=is_public_meeting(meeting))
        context = self.get_serializer_context()
        return conditional(request, MeetingDetailSerializer(meeting, context=context).data)


def register() -> None:
    from workspace.api import register as register_viewset

    register_viewset("vereinbarungen", AgreementViewSet, basename="agreement")
    register_viewset("sitzungen", MeetingViewSet, basename="meeting")
