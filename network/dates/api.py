"""The network's dates in the API (/api/v1/), and registering for one, by the dates' rules.

Dates are public; registering for a Klassentreffen is for the members and the office
(``get_appointment_for(..., register=True)``), cancelling for whoever is registered; both go
through the dates' services, which keep the capacity and the waiting list.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from network.dates import services
from network.dates.models import Appointment
from network.dates.permissions import get_appointment_for, require_login
from workspace.api.serializers import DescribedModelSerializer, DescribedSerializer, person_name
from workspace.api.views import conditional

TAG = _("Termine")


class AppointmentSerializer(DescribedModelSerializer):
    speaker = serializers.SerializerMethodField(
        help_text=_("Wer spricht (Regel für öffentliche Namen)")
    )
    speaker_municipality = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        label=_("Kommune der sprechenden Person"),
    )
    topics = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, label=_("Themen")
    )
    url = serializers.CharField(
        source="get_absolute_url", read_only=True, help_text=_("Adresse der Seite")
    )

    class Meta:
        model = Appointment
        fields = [
            "id", "kind", "title", "starts_at", "ends_at", "place", "speaker",
            "speaker_municipality", "description", "topics", "capacity", "url",
        ]  # fmt: skip

    @extend_schema_field(serializers.CharField())
    def get_speaker(self, appointment) -> str:
        if appointment.speaker_id:
            return person_name(self, appointment.speaker)
        return appointment.speaker_name


class RegistrationSerializer(DescribedSerializer):
    status = serializers.CharField(
        help_text=_("confirmed: angemeldet; waiting: auf der Warteliste")
    )
    created_at = serializers.DateTimeField(help_text=_("Angemeldet am"))


@extend_schema_view(
    list=extend_schema(
        summary=_("Termine: Klassentreffen, Pausenhof und weitere"),
        tags=[TAG],
        parameters=[
            OpenApiParameter(
                "kind", str, enum=Appointment.Kind.values, description=_("Art des Termins")
            ),
        ],
    ),
    retrieve=extend_schema(summary=_("Ein Termin"), tags=[TAG]),
)
class AppointmentViewSet(viewsets.GenericViewSet):
    serializer_class = AppointmentSerializer
    queryset = Appointment.objects.none()
    lookup_value_converter = "int"

    def list(self, request):
        appointments = Appointment.objects.select_related(
            "speaker", "speaker_municipality"
        ).prefetch_related("topics")
        if kind := request.query_params.get("kind"):
            if kind not in Appointment.Kind.values:
                raise ApiValidationError({"kind": _("Diese Art von Termin gibt es nicht.")})
            appointments = appointments.filter(kind=kind)
        page = self.paginate_queryset(appointments.order_by("pk"))
        return self.get_paginated_response(
            AppointmentSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    def retrieve(self, request, pk: int):
        appointment = get_appointment_for(request.user, pk)
        return conditional(
            request, AppointmentSerializer(appointment, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary=_("Zum Termin anmelden (POST) oder abmelden (DELETE)"),
        description=_(
            "Anmelden können sich Mitarbeitende der Mitgliedskommunen und die Geschäftsstelle; "
            "ist der Termin voll, kommt die Anmeldung auf die Warteliste."
        ),
        tags=[TAG],
        request=None,
        responses={200: RegistrationSerializer, 201: RegistrationSerializer},
    )
    @action(detail=True, methods=["post", "delete"], url_path="anmeldung")
    def registration(self, request, pk: int):
        if request.method == "DELETE":
            # Whoever is registered may always cancel, even after leaving the network.
            require_login(request.user)
            appointment = get_appointment_for(request.user, pk)
            write = services.registration_cancel
            code = status.HTTP_200_OK
        else:
            appointment = get_appointment_for(request.user, pk, register=True)
            write = services.registration_create
            code = status.HTTP_201_CREATED
        try:
            registration = write(appointment=appointment, user=request.user)
        except DjangoValidationError as error:
            raise ApiValidationError(error.messages) from error
        return Response(
            {"status": registration.status, "created_at": registration.created_at}, status=code
        )


def register() -> None:
    from workspace.api import register as register_viewset

    register_viewset("termine", AppointmentViewSet, basename="appointment")
