from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspace.api.models import AccessToken
from workspace.forms import KernFormMixin

EXPIRY_CHOICES = [
    ("30", _("30 Tage")),
    ("90", _("90 Tage")),
    ("365", _("ein Jahr")),
]


class AccessTokenForm(KernFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name des Zugangs"),
        max_length=100,
        help_text=_("Wofür Sie ihn nutzen, z. B. „Portal der Stadt“."),
    )
    scope = forms.ChoiceField(
        label=_("Berechtigung"),
        choices=AccessToken.Scope.choices,
        initial=AccessToken.Scope.READ,
        widget=forms.RadioSelect,
    )
    expiry = forms.ChoiceField(
        label=_("Gültig für"), choices=EXPIRY_CHOICES, initial="90", widget=forms.RadioSelect
    )

    def expires_at(self) -> datetime.datetime:
        return timezone.now() + datetime.timedelta(days=int(self.cleaned_data["expiry"]))
