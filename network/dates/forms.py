from __future__ import annotations

import datetime

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.dates.models import Appointment
from network.dates.selectors import schedulable_pausenhof
from workspace.forms import KernFormMixin, MunicipalityField
from workspace.models import User

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PersonField(forms.CharField):
    """An account by user name (active accounts only); empty is fine."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        user = User.objects.filter(username=value.strip(), is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("Zu „%(name)s“ gibt es kein aktives Konto im Klassenraum.") % {"name": value}
            )
        return user


class AppointmentForm(KernFormMixin, forms.ModelForm):
    video_url = forms.URLField(label=_("Videolink"), required=False, assume_scheme="https")
    speaker = PersonField(
        label=_("Konto der impulsgebenden Person (Benutzername)"),
        required=False,
        help_text=_("Nur wenn sie ein Konto im Klassenraum hat."),
    )
    speaker_municipality = MunicipalityField(
        label=_("Kommune der impulsgebenden Person"),
        required=False,
        max_length=300,
        help_text=_(
            "Der Kurzname aus der Adresse der Kommunenseite, zum Beispiel „menden“ aus "
            "/kommunen/menden/, oder die Adresse selbst."
        ),
    )

    class Meta:
        model = Appointment
        fields = [
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "video_url",
            "speaker_name",
            "speaker",
            "speaker_municipality",
            "description",
            "topics",
            "capacity",
        ]
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "topics": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.speaker_id:
            self.initial["speaker"] = self.instance.speaker.username
        if self.instance.pk and self.instance.speaker_municipality_id:
            self.initial["speaker_municipality"] = self.instance.speaker_municipality.slug

    def _post_clean(self):
        # The service validates and saves; the form only parses.
        pass


class SeriesForm(KernFormMixin, forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200, initial=_("Pausenhof"))
    first_day = forms.DateField(
        label=_("Erster Termin am"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start_time = forms.TimeField(
        label=_("Beginn"), initial="12:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=_("Ende"), initial="13:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    interval_weeks = forms.IntegerField(
        label=_("Abstand in Wochen"),
        min_value=1,
        max_value=8,
        initial=2,
        help_text=_("2 heißt: jeden zweiten Wochentag wie den ersten Termin."),
    )
    count = forms.IntegerField(label=_("Anzahl der Termine"), min_value=1, max_value=26, initial=6)
    video_url = forms.URLField(label=_("Videolink"), assume_scheme="https")
    description = forms.CharField(
        label=_("Beschreibung"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


_SIGNER = "network.dates.suggestion-form"
MIN_FILL_SECONDS = 3


def form_started_token(at: datetime.datetime | None = None) -> str:
    """When the form was shown, signed: a submission seconds later came from a program."""
    moment = at or timezone.now()
    return signing.dumps(moment.timestamp(), salt=_SIGNER)


class SuggestionForm(KernFormMixin, forms.Form):
    title = forms.CharField(label=_("Thema"), max_length=200)
    description = forms.CharField(
        label=_("Worum soll es gehen?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    name = forms.CharField(label=_("Ihr Name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse"),
        required=False,
        help_text=_("Nur für Rückfragen der Geschäftsstelle."),
    )
    # The trap: hidden from people (and screen readers), filled in by bots.
    homepage = forms.CharField(
        label=_("Bitte leer lassen"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started"] = form_started_token()

    @property
    def is_trap(self) -> bool:
        """Whether a bot filled in the hidden field (then nothing is stored, and it isn't told)."""
        return bool(self.cleaned_data.get("homepage"))

    def clean(self):
        cleaned = super().clean()
        try:
            started = signing.loads(
                cleaned.get("started") or "", salt=_SIGNER, max_age=datetime.timedelta(days=1)
            )
        except signing.BadSignature as error:
            raise forms.ValidationError(
                _("Das Formular ist abgelaufen. Bitte senden Sie es noch einmal.")
            ) from error
        if timezone.now().timestamp() - started < MIN_FILL_SECONDS:
            raise forms.ValidationError(
                _("Das ging sehr schnell. Bitte senden Sie das Formular noch einmal.")
            )
        return cleaned

    def visible_fields_for_people(self):
        return [self[name] for name in ("title", "description", "name", "email")]


class ScheduleForm(KernFormMixin, forms.Form):
    appointment = forms.ModelChoiceField(
        label=_("Pausenhof-Termin"), queryset=Appointment.objects.none()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment"].queryset = schedulable_pausenhof()
        self.fields["appointment"].label_from_instance = lambda a: (
            f"{timezone.localtime(a.starts_at):%d.%m.%Y %H:%M} – {a.title}"
        )
