"""Lead projects, teams and living results in the API (/api/v1/), by the pages' own rules.

Every object is fetched through ``projects.permissions`` (``get_project_for``,
``get_result_for``, ``get_copy_for``, ``visible_projects``, ``results_visible_in``,
``visible_templates``, ``without_drafts``): the API sees exactly what the pages show, and a
save goes through ``services.result_update``, so it is a version, refuses a stale base
revision and reaches open co-editing rooms like a form save.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from projects import selectors, services
from projects.forms import ProjectFilterForm
from projects.models import Adoption, LeadProject, Result, StaleRevision, Template
from projects.permissions import (
    EDIT_RESULTS,
    get_copy_for,
    get_project_for,
    get_result_for,
    get_template_for,
    reads_drafts,
    results_visible_in,
    visible_results,
    visible_templates,
)
from workspace.access import decide
from workspace.api.serializers import DescribedModelSerializer, DescribedSerializer, person_name
from workspace.api.views import conditional
from workspace.diff import diff_texts

TAG_PROJECTS = _("Leitprojekte")
TAG_RESULTS = _("Ergebnisse")
TAG_REUSE = _("Vorlagen und Nachnutzungen")


# --- serializers ----------------------------------------------------------------------------


class TeamMemberSerializer(DescribedSerializer):
    name = serializers.SerializerMethodField(
        help_text=_("Name, wie die aufrufende Person ihn sehen darf (Regel für öffentliche Namen)")
    )
    role = serializers.CharField(help_text=_("Rolle im Team"))
    municipalities = serializers.SerializerMethodField(
        help_text=_("Kommunen, für die die Person arbeitet (Kurznamen)")
    )

    def get_name(self, membership) -> str:
        return person_name(self, membership.user)

    def get_municipalities(self, membership) -> list[str]:
        return [m.municipality.slug for m in getattr(membership.user, "active_memberships", [])]


class ProjectSerializer(DescribedModelSerializer):
    lead_municipality = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, label=_("Federführende Kommune")
    )
    participants = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, label=_("Beteiligte Kommunen")
    )
    topics = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, label=_("Themen")
    )
    url = serializers.CharField(
        source="get_absolute_url", read_only=True, help_text=_("Adresse der Seite")
    )

    class Meta:
        model = LeadProject
        fields = [
            "slug", "title", "summary", "kind", "visibility", "status", "starts_on", "ends_on",
            "lead_municipality", "participants", "topics", "created_at", "url",
        ]  # fmt: skip


class ResultBriefSerializer(DescribedModelSerializer):
    project = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, label=_("Leitprojekt")
    )
    municipality = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        label=_("Kommune"),
        help_text=_("Bei einer Nachnutzung: die Kommune, der die Kopie gehört"),
    )
    url = serializers.CharField(
        source="get_absolute_url", read_only=True, help_text=_("Adresse der Seite")
    )

    class Meta:
        model = Result
        fields = [
            "id", "project", "municipality", "title", "summary", "kind", "maturity", "revision",
            "is_archived", "updated_at", "url",
        ]  # fmt: skip


class ProjectDetailSerializer(ProjectSerializer):
    description = serializers.CharField(read_only=True, help_text=_("Beschreibung (Markdown)"))
    team = serializers.SerializerMethodField(help_text=_("Das Team des Leitprojekts"))
    results = serializers.SerializerMethodField(
        help_text=_("Die Ergebnisse, die die aufrufende Person sehen darf")
    )

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "description", "team", "results"]

    @extend_schema_field(TeamMemberSerializer(many=True))
    def get_team(self, project) -> list[dict]:
        return TeamMemberSerializer(
            selectors.team_of(project), many=True, context=self.context
        ).data

    @extend_schema_field(ResultBriefSerializer(many=True))
    def get_results(self, project) -> list[dict]:
        access = self.context["access"]
        rows = results_visible_in(project, access).active().order_by("title")
        return ResultBriefSerializer(
            rows.select_related("project", "municipality"), many=True, context=self.context
        ).data


class ResultSerializer(ResultBriefSerializer):
    body = serializers.CharField(read_only=True, help_text=_("Der aktuelle Text (Markdown)"))
    created_by = serializers.SerializerMethodField(help_text=_("Angelegt von"))

    class Meta(ResultBriefSerializer.Meta):
        fields = [*ResultBriefSerializer.Meta.fields, "body", "created_at", "created_by"]

    def get_created_by(self, result) -> str:
        return person_name(self, result.created_by)


class ResultUpdateSerializer(DescribedSerializer):
    base_revision = serializers.IntegerField(
        min_value=1,
        help_text=_("Die Version, auf der die Änderung beruht; ist sie nicht mehr aktuell: 409"),
    )
    title = serializers.CharField(required=False, max_length=200, label=_("Titel"))
    summary = serializers.CharField(
        required=False, allow_blank=True, max_length=400, label=_("Kurzbeschreibung")
    )
    body = serializers.CharField(
        required=False, allow_blank=True, label=_("Inhalt"), help_text=_("Markdown")
    )
    kind = serializers.ChoiceField(choices=Result.Kind.choices, required=False, label=_("Art"))
    maturity = serializers.ChoiceField(
        choices=Result.Maturity.choices, required=False, label=_("Reife")
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text=_("Was haben Sie geändert? (für die Versionsliste)"),
    )


class VersionSerializer(DescribedSerializer):
    revision = serializers.IntegerField(help_text=_("Nummer der Version"))
    history_id = serializers.IntegerField(help_text=_("Kennung der Version in der Historie"))
    title = serializers.CharField(label=_("Titel"))
    maturity = serializers.CharField(label=_("Reife"))
    saved_at = serializers.DateTimeField(source="history_date", help_text=_("Gespeichert am"))
    note = serializers.CharField(source="history_change_reason", help_text=_("Notiz"))
    author = serializers.SerializerMethodField(help_text=_("Gespeichert von"))

    def get_author(self, row) -> str:
        return person_name(self, row.history_user)


class VersionDetailSerializer(VersionSerializer):
    summary = serializers.CharField(label=_("Kurzbeschreibung"))
    body = serializers.CharField(label=_("Inhalt"), help_text=_("Der Text dieser Version"))


class DiffSerializer(DescribedSerializer):
    old = VersionDetailSerializer(help_text=_("Die ältere Version"))
    new = VersionDetailSerializer(help_text=_("Die neuere Version"))
    diff = serializers.CharField(help_text=_("Der Unterschied der Texte (unified diff)"))
    words_added = serializers.IntegerField(help_text=_("Hinzugefügte Wörter"))
    words_removed = serializers.IntegerField(help_text=_("Entfernte Wörter"))


class ConflictSerializer(DescribedSerializer):
    detail = serializers.CharField()
    current_revision = serializers.IntegerField(help_text=_("Die aktuelle Version"))
    current = serializers.DictField(help_text=_("Der gespeicherte Text"))
    yours = serializers.DictField(help_text=_("Ihr Text, nicht gespeichert"))
    diff = serializers.CharField(help_text=_("Unterschied vom gespeicherten zu Ihrem Text"))


# --- viewsets -------------------------------------------------------------------------------


def _filters(request) -> dict:
    """The list page's filters (status, topic, municipality), read by the page's own form."""
    form = ProjectFilterForm(request.query_params or None)
    if form.is_bound and not form.is_valid():
        raise ApiValidationError(form.errors)
    return form.cleaned_data if form.is_bound else {}


FILTER_PARAMETERS = [
    OpenApiParameter("status", str, description=_("Stand (ohne Angabe: alle außer archivierten)"),
                     enum=LeadProject.Status.values),
    OpenApiParameter("topic", str, description=_("Thema (Kurzname)")),
    OpenApiParameter("municipality", str, description=_("Kommune (Kurzname), federführend oder beteiligt")),
]  # fmt: skip


@extend_schema_view(
    list=extend_schema(
        summary=_("Leitprojekte, die Sie sehen dürfen"),
        tags=[TAG_PROJECTS],
        parameters=FILTER_PARAMETERS,
    ),
    retrieve=extend_schema(
        summary=_("Ein Leitprojekt mit Team und Ergebnissen"), tags=[TAG_PROJECTS]
    ),
)
class ProjectViewSet(viewsets.GenericViewSet):
    lookup_field = "slug"
    lookup_value_converter = "slug"
    serializer_class = ProjectSerializer
    queryset = LeadProject.objects.none()

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectSerializer

    def list(self, request):
        criteria = _filters(request)
        projects = selectors.project_list(
            user=request.user,
            status=criteria.get("status", ""),
            topic=criteria.get("topic"),
            municipality=criteria.get("municipality"),
        ).prefetch_related("participants", "topics")
        page = self.paginate_queryset(projects.order_by("pk"))
        return self.get_paginated_response(ProjectSerializer(page, many=True).data)

    def retrieve(self, request, slug: str):
        project, access = get_project_for(request.user, slug)
        context = {**self.get_serializer_context(), "access": access}
        return conditional(request, ProjectDetailSerializer(project, context=context).data)


def result_for(user, pk: int, *, perm: str | None = None):
    """A result by id, through the page's own access helper: a project's result through
    ``get_result_for``, a municipality's adopted copy through ``get_copy_for``."""
    owner = Result.objects.filter(pk=pk).values_list("project__slug", "municipality__slug").first()
    if owner is None:
        decide(user, sees=False)
    project_slug, municipality_slug = owner
    if project_slug:
        return get_result_for(user, project_slug, pk, perm=perm)
    return get_copy_for(user, municipality_slug, pk, perm=perm)


class VersionCursor(CursorPagination):
    ordering = "-revision"
    page_size = 50
    page_size_query_param = "anzahl"
    max_page_size = 200


def _unified(old: str, new: str) -> str:
    import difflib

    return "\n".join(
        difflib.unified_diff(
            (old or "").splitlines(), (new or "").splitlines(), "alt", "neu", lineterm=""
        )
    )


def _texts(result) -> dict:
    return {name: getattr(result, name) for name in services.RESULT_FIELDS}


@extend_schema_view(
    list=extend_schema(
        summary=_("Ergebnisse, die Sie sehen dürfen"),
        tags=[TAG_RESULTS],
        responses=ResultBriefSerializer(many=True),
        parameters=[
            OpenApiParameter("project", str, description=_("Leitprojekt (Kurzname)")),
            OpenApiParameter(
                "municipality", str, description=_("Kommune einer Nachnutzung (Kurzname)")
            ),
        ],
    ),
    retrieve=extend_schema(summary=_("Ein Ergebnis mit seinem aktuellen Text"), tags=[TAG_RESULTS]),
)
class ResultViewSet(viewsets.GenericViewSet):
    serializer_class = ResultSerializer
    queryset = Result.objects.none()
    lookup_value_converter = "int"

    def list(self, request):
        results = visible_results(request.user).filter(is_archived=False)
        if project := request.query_params.get("project"):
            results = results.filter(project__slug=project)
        if municipality := request.query_params.get("municipality"):
            results = results.filter(municipality__slug=municipality)
        results = results.select_related("project", "municipality").order_by("pk")
        page = self.paginate_queryset(results)
        return self.get_paginated_response(
            ResultBriefSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    def retrieve(self, request, pk: int):
        result, _access = result_for(request.user, pk)
        return conditional(
            request, ResultSerializer(result, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary=_("Ein Ergebnis ändern (neue Version)"),
        description=_(
            "Speichert eine neue Version, wenn sich etwas ändert. base_revision nennt die "
            "Version, auf der die Änderung beruht; ist inzwischen eine neuere gespeichert, "
            "antwortet die Schnittstelle mit 409 und beiden Texten, und nichts wird geschrieben."
        ),
        tags=[TAG_RESULTS],
        request=ResultUpdateSerializer,
        responses={
            200: ResultSerializer,
            409: OpenApiResponse(ConflictSerializer, description=_("Veraltete Grundlage")),
        },
    )
    def partial_update(self, request, pk: int):
        result, _access = result_for(request.user, pk, perm=EDIT_RESULTS)
        incoming = ResultUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        base_revision = data.pop("base_revision")
        note = data.pop("note", "")
        try:
            services.result_update(
                result=result, by=request.user, base_revision=base_revision, note=note, **data
            )
        except StaleRevision as stale:
            current = Result.objects.get(pk=result.pk)
            yours = {**_texts(current), **data}
            return Response(
                {
                    "detail": _(
                        "Inzwischen wurde eine neuere Version gespeichert. Nichts wurde "
                        "geschrieben; vergleichen Sie beide Texte und speichern Sie erneut "
                        "auf Grundlage der aktuellen Version."
                    ),
                    "current_revision": stale.current_revision,
                    "current": _texts(current),
                    "yours": yours,
                    "diff": _unified(current.body, yours["body"]),
                },
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as error:
            raise ApiValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error
        result.refresh_from_db()
        return Response(ResultSerializer(result, context=self.get_serializer_context()).data)

    @extend_schema(
        summary=_("Alle Versionen eines Ergebnisses, die neueste zuerst"),
        tags=[TAG_RESULTS],
        responses=VersionSerializer(many=True),
    )
    @action(detail=True, url_path="versionen", pagination_class=VersionCursor)
    def versions(self, request, pk: int):
        result, access = result_for(request.user, pk)
        rows = selectors.versions_of(result, with_drafts=reads_drafts(access))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            VersionSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary=_("Eine Version mit ihrem Text"),
        tags=[TAG_RESULTS],
        responses=VersionDetailSerializer,
    )
    @action(detail=True, url_path="versionen/<int:revision>", url_name="version")
    def version(self, request, pk: int, revision: int):
        result, access = result_for(request.user, pk)
        rows = selectors.two_versions(result, revision, revision, with_drafts=reads_drafts(access))
        decide(request.user, sees=revision in rows)
        row = result.history.select_related("history_user").get(
            history_id=rows[revision].history_id
        )
        return conditional(
            request, VersionDetailSerializer(row, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary=_("Der Unterschied zwischen zwei Versionen"),
        tags=[TAG_RESULTS],
        parameters=[
            OpenApiParameter("von", int, required=True, description=_("Ältere Version")),
            OpenApiParameter("zu", int, required=True, description=_("Neuere Version")),
        ],
        responses=DiffSerializer,
    )
    @action(detail=True, url_path="vergleich")
    def compare(self, request, pk: int):
        result, access = result_for(request.user, pk)
        numbers = []
        for name in ("von", "zu"):
            try:
                numbers.append(int(request.query_params.get(name, "")))
            except ValueError:
                raise ApiValidationError({name: _("Bitte eine Versionsnummer angeben.")}) from None
        old, new = numbers
        rows = selectors.two_versions(result, old, new, with_drafts=reads_drafts(access))
        if old not in rows or new not in rows:
            raise ApiValidationError(
                _("Bitte wählen Sie zwei Versionen zwischen 1 und %(n)s.") % {"n": result.revision}
            )
        full = {
            row.revision: row
            for row in result.history.select_related("history_user").filter(
                history_id__in=[rows[old].history_id, rows[new].history_id]
            )
        }
        before, after = full[old], full[new]
        words = diff_texts(before.body, after.body)
        context = self.get_serializer_context()
        return conditional(
            request,
            {
                "old": VersionDetailSerializer(before, context=context).data,
                "new": VersionDetailSerializer(after, context=context).data,
                "diff": _unified(before.body, after.body),
                "words_added": words.words_added,
                "words_removed": words.words_removed,
            },
        )


# --- templates and adoptions ---------------------------------------------------------------


class AdoptionSerializer(DescribedSerializer):
    municipality = serializers.CharField(
        source="municipality.slug", help_text=_("Die Kommune, die nachnutzt (Kurzname)")
    )
    template = serializers.IntegerField(source="template_id", help_text=_("Die Vorlage"))
    copy = serializers.IntegerField(
        source="copy_id", help_text=_("Die Kopie der Kommune (ein Ergebnis, Kennung)")
    )
    source_result = serializers.IntegerField(
        source="template.result_id", help_text=_("Das Ergebnis, von dem die Kopie stammt")
    )
    source_revision = serializers.IntegerField(
        source="adopted_row.revision", help_text=_("Die Version der Quelle, die übernommen wurde")
    )
    source_history_id = serializers.IntegerField(
        source="adopted_row_id", help_text=_("Kennung dieser Version in der Historie")
    )
    status = serializers.CharField(help_text=_("Stand der Nachnutzung"))
    adopted_at = serializers.DateTimeField(help_text=_("Nachgenutzt seit"))


class TemplateSerializer(DescribedSerializer):
    id = serializers.IntegerField(help_text=_("Kennung der Vorlage"))
    result = serializers.IntegerField(source="result_id", help_text=_("Das Ergebnis (Kennung)"))
    title = serializers.CharField(source="result.title", help_text=_("Titel"))
    project = serializers.CharField(source="result.project.slug", help_text=_("Leitprojekt"))
    licence = serializers.CharField(help_text=_("Lizenz"))
    prerequisites = serializers.CharField(help_text=_("Voraussetzungen"))
    effort = serializers.CharField(help_text=_("Aufwand"))
    published_at = serializers.DateTimeField(help_text=_("Veröffentlicht am"))
    url = serializers.CharField(source="get_absolute_url", help_text=_("Adresse der Seite"))


class TemplateDetailSerializer(TemplateSerializer):
    adoptions = serializers.SerializerMethodField(help_text=_("Wer die Vorlage nachnutzt"))

    @extend_schema_field(AdoptionSerializer(many=True))
    def get_adoptions(self, template) -> list[dict]:
        rows = selectors.adoption_register(user=self.context["request"].user, template=template)
        return AdoptionSerializer(rows, many=True).data


@extend_schema_view(
    list=extend_schema(
        summary=_("Vorlagen zur Nachnutzung"),
        tags=[TAG_REUSE],
        parameters=[
            OpenApiParameter("topic", str, description=_("Thema (Kurzname)")),
            OpenApiParameter("municipality", str, description=_("Kommune (Kurzname)")),
        ],
    ),
    retrieve=extend_schema(
        summary=_("Eine Vorlage mit ihren Nachnutzungen"),
        tags=[TAG_REUSE],
        responses=TemplateDetailSerializer,
    ),
)
class TemplateViewSet(viewsets.GenericViewSet):
    serializer_class = TemplateSerializer
    queryset = Template.objects.none()
    lookup_value_converter = "int"

    def list(self, request):
        templates = visible_templates(request.user).select_related("result__project")
        if topic := request.query_params.get("topic"):
            templates = templates.filter(result__project__topics__slug=topic)
        if municipality := request.query_params.get("municipality"):
            templates = templates.filter(
                Q(result__project__lead_municipality__slug=municipality)
                | Q(adoptions__municipality__slug=municipality)
            ).distinct()
        page = self.paginate_queryset(templates.order_by("pk"))
        return self.get_paginated_response(TemplateSerializer(page, many=True).data)

    def retrieve(self, request, pk: int):
        template = get_template_for(request.user, pk)
        context = self.get_serializer_context()
        return conditional(request, TemplateDetailSerializer(template, context=context).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("Nachnutzungen: wer welche Vorlage in welcher Version übernommen hat"),
        tags=[TAG_REUSE],
        parameters=[OpenApiParameter("municipality", str, description=_("Kommune (Kurzname)"))],
    ),
)
class AdoptionViewSet(viewsets.GenericViewSet):
    serializer_class = AdoptionSerializer
    queryset = Adoption.objects.none()

    def list(self, request):
        adoptions = selectors.adoption_register(user=request.user).select_related(
            "template", "adopted_row"
        )
        if municipality := request.query_params.get("municipality"):
            adoptions = adoptions.filter(municipality__slug=municipality)
        page = self.paginate_queryset(adoptions.order_by("pk"))
        return self.get_paginated_response(AdoptionSerializer(page, many=True).data)


def register() -> None:
    from workspace.api import register as register_viewset

    register_viewset("vorlagen", TemplateViewSet, basename="template")
    register_viewset("nachnutzungen", AdoptionViewSet, basename="adoption")
    register_viewset("leitprojekte", ProjectViewSet, basename="project")
    register_viewset("ergebnisse", ResultViewSet, basename="result")
