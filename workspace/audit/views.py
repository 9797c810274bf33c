"""The security log as the network office reads it (filtered), and a person's own entries."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from workspace.access import decide, require_login
from workspace.audit.models import SecurityEvent
from workspace.forms import KernFormMixin
from workspace.models import User
from workspace.permissions import is_network_office

PAGE_SIZE = 50


class FilterForm(KernFormMixin, forms.Form):
    art = forms.ChoiceField(
        label=gettext_lazy("Ereignis"),
        required=False,
        choices=[("", gettext_lazy("alle Ereignisse")), *SecurityEvent.Kind.choices],
    )
    person = forms.CharField(
        label=gettext_lazy("Benutzername"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("Einträge über diese Person oder von ihr."),
    )
    von = forms.DateField(
        label=gettext_lazy("Von"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    bis = forms.DateField(
        label=gettext_lazy("Bis"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def entries(self):
        entries = SecurityEvent.objects.select_related("account", "by")
        if not self.is_valid():
            return entries.none()
        data = self.cleaned_data
        if data["art"]:
            entries = entries.filter(kind=data["art"])
        if data["person"]:
            person = User.objects.filter(username=data["person"].strip()).first()
            entries = entries.about(person) if person else entries.none()
        zone = timezone.get_current_timezone()
        if data["von"]:
            start = datetime.datetime.combine(data["von"], datetime.time.min, tzinfo=zone)
            entries = entries.filter(at__gte=start)
        if data["bis"]:
            end = datetime.datetime.combine(
                data["bis"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
            )
            entries = entries.filter(at__lt=end)
        return entries


def _page(request: HttpRequest, entries):
    return Paginator(entries, PAGE_SIZE).get_page(request.GET.get("seite"))


@require_GET
def security_log(request: HttpRequest) -> HttpResponse:
    decide(
        request.user,
        acts=is_network_office(request.user),
        refusal=_("Das Sicherheitsprotokoll liest die Geschäftsstelle."),
    )
    form = FilterForm(request.GET)
    page = _page(request, form.entries())
    query = request.GET.copy()
    query.pop("seite", None)
    return render(
        request,
        "audit/security_log.html",
        {
            "form": form,
            "page": page,
            "query_string": query.urlencode(),
            "retention_days": settings.SECURITY_LOG_RETENTION_DAYS,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def my_security_log(request: HttpRequest) -> HttpResponse:
    require_login(request.user)
    entries = SecurityEvent.objects.about(request.user).select_related("account", "by")
    return render(
        request,
        "audit/my_security_log.html",
        {"page": _page(request, entries), "retention_days": settings.SECURITY_LOG_RETENTION_DAYS},
    )
