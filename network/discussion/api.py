"""Comments in the API (/api/v1/kommentare/): write one on a lead project or one of its
results, by the discussion's own rules (``discussion_of_project``/``discussion_of_result``,
``require_comment``) and its service, which also makes the author follow what they commented.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from network.discussion import services
from network.discussion.permissions import (
    discussion_of_project,
    discussion_of_result,
    require_comment,
)
from workspace.api.serializers import DescribedSerializer

TAG = _("Diskussion")


class CommentCreateSerializer(DescribedSerializer):
    project = serializers.SlugField(
        required=False, help_text=_("Das Leitprojekt (Kurzname), wenn es um das Projekt geht")
    )
    result = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Das Ergebnis (Kennung), wenn es um eines geht")
    )
    body = serializers.CharField(max_length=5000, help_text=_("Der Kommentar (Markdown)"))

    def validate(self, data):
        if ("project" in data) == ("result" in data):
            raise serializers.ValidationError(_("Bitte genau ein Leitprojekt oder ein Ergebnis."))
        return data


class CommentSerializer(DescribedSerializer):
    id = serializers.IntegerField(help_text=_("Kennung des Kommentars"))
    project = serializers.CharField(source="project.slug", help_text=_("Leitprojekt"))
    result = serializers.IntegerField(source="result_id", allow_null=True, help_text=_("Ergebnis"))
    body = serializers.CharField(help_text=_("Der Kommentar (Markdown)"))


class CommentViewSet(viewsets.GenericViewSet):
    serializer_class = CommentCreateSerializer

    @extend_schema(
        summary=_("Einen Kommentar schreiben"),
        description=_(
            "Kommentieren können alle, die das Projekt sehen und zum Netzwerk gehören oder im "
            "Team sind. Wer kommentiert, folgt dem Projekt oder Ergebnis danach."
        ),
        tags=[TAG],
        request=CommentCreateSerializer,
        responses={201: CommentSerializer},
    )
    def create(self, request):
        incoming = CommentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if "result" in data:
            result, discussion = discussion_of_result(request.user, data["result"])
            project = result.project
        else:
            result = None
            project, discussion = discussion_of_project(request.user, data["project"])
        require_comment(request.user, discussion)
        try:
            comment = services.comment_create(
                by=request.user, project=project, result=result, body=data["body"]
            )
        except DjangoValidationError as error:
            raise ApiValidationError(error.messages) from error
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


def register() -> None:
    from workspace.api import register as register_viewset

    register_viewset("kommentare", CommentViewSet, basename="comment")
