from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from projects.forms import (
    FILTER_MUNICIPALITY_HELP,
    FILTER_PROJECT_HELP,
    MEMBER_NOT_FOUND,
    LeadProjectField,
    ResultsField,
)
from steering.models import Agreement, Meeting, Proposal, Seat, Vote
from workspace.forms import LINES_MAX_LENGTH, KernFormMixin, MunicipalityField
from workspace.models import Municipality, User


class PersonField(forms.CharField):
    """A person by user name (active accounts only)."""

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


class SeatForm(KernFormMixin, forms.Form):
    person = PersonField(label=_("Person (Benutzername)"))
    municipality = forms.ModelChoiceField(
        label=_("Kommune"),
        queryset=Municipality.objects.members(),
        required=False,
        empty_label=_("– Geschäftsstelle –"),
    )
    role = forms.ChoiceField(label=_("Rolle"), choices=Seat.Role.choices)
    starts_on = forms.DateField(label=_("Beginn"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Ende"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SeatEndForm(KernFormMixin, forms.Form):
    ends_on = forms.DateField(
        label=_("Ende der Amtszeit"), widget=forms.DateInput(attrs={"type": "date"})
    )


class MeetingForm(KernFormMixin, forms.ModelForm):
    video_url = forms.URLField(label=_("Videokonferenz"), required=False, assume_scheme="https")

    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "place", "video_url"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }


class AgendaForm(KernFormMixin, forms.Form):
    proposal = forms.ModelChoiceField(
        label=_("Beschlussvorlage"),
        queryset=Proposal.objects.filter(state=Proposal.State.DRAFT),
        required=False,
        empty_label=_("– keine, nur ein Punkt zur Beratung –"),
    )
    title = forms.CharField(label=_("Titel"), max_length=200, required=False)


class OpenForm(KernFormMixin, forms.Form):
    present = forms.ModelMultipleChoiceField(
        label=_("Anwesend"), queryset=Seat.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, seats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = seats
        self.fields["present"].label_from_instance = lambda seat: (
            f"{seat.municipality or _('Geschäftsstelle')}: {seat.person}"
        )
        self.apply_kern_classes()


class VoteForm(forms.Form):
    choice = forms.ChoiceField(choices=Vote.Choice.choices)


class MinutesForm(KernFormMixin, forms.Form):
    minutes = forms.CharField(
        label=_("Protokoll"), widget=forms.Textarea(attrs={"rows": 8}), help_text=_("Markdown")
    )


def agreement_number(text: str) -> str:
    """``2026-3`` from ``2026-3``, ``/steuerkreis/vereinbarungen/2026-3/`` or the whole
    address; anything after the first word (the title the form shows) is ignored."""
    words = text.split()
    if not words:
        return ""
    path = urlsplit(words[0]).path if "://" in words[0] else words[0]
    parts = [part for part in path.split("/") if part]
    if "vereinbarungen" in parts[:-1]:
        return parts[parts.index("vereinbarungen") + 1]
    return parts[-1] if parts else ""


class AgreementField(forms.CharField):
    """An agreement by its number or page address; only one ``queryset`` holds (what the
    person may see). One query, by the unique number."""

    def __init__(self, *args, **kwargs):
        self.queryset = Agreement.objects.none()
        kwargs.setdefault("max_length", 500)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Agreement):
            return f"{value.number} {value.title}"
        return value

    def clean(self, value) -> Agreement | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        agreement = self.queryset.filter(number=agreement_number(text)).first()
        if agreement is None:
            raise forms.ValidationError(
                _(
                    "Zu „%(name)s“ finden wir keine Vereinbarung, die Sie sehen dürfen. Bitte "
                    "geben Sie ihre Nummer an, zum Beispiel 2026-3, oder die Adresse ihrer Seite."
                ),
                params={"name": text.split()[0]},
            )
        return agreement


MEMBER_HELP = _(
    "Der Kurzname aus der Adresse der Kommunenseite, zum Beispiel „menden“ aus "
    "/kommunen/menden/, oder die Adresse selbst."
)


class ProposalForm(KernFormMixin, forms.Form):
    # Addresses and short names, not lists of every project, result, municipality and
    # agreement of the network.
    kind = forms.ChoiceField(label=_("Art"), choices=Proposal.Kind.choices)
    title = forms.CharField(label=_("Titel"), max_length=200)
    text = forms.CharField(
        label=_("Beschlusstext"), widget=forms.Textarea(attrs={"rows": 6}), help_text=_("Markdown")
    )
    project = LeadProjectField(
        label=_("Leitprojekt"),
        required=False,
        help_text=_(
            "Die Adresse des Leitprojekts aus der Adresszeile des Browsers, zum Beispiel "
            "https://…/leitprojekte/offene-daten/, oder nur sein Kurzname offene-daten. Leer "
            "für einen freien Beschluss."
        ),
    )
    lead = MunicipalityField(
        label=_("Federführung"),
        queryset=Municipality.objects.members(),
        not_found=MEMBER_NOT_FOUND,
        required=False,
        help_text=format_lazy("{} {}", _("Für Beginn und Wechsel der Federführung."), MEMBER_HELP),
    )
    lead_person = PersonField(
        label=_("Koordination der Federführung (Benutzername)"), required=False
    )
    lead_contribution = forms.CharField(label=_("Beitrag der Federführung"), required=False)
    participant = MunicipalityField(
        label=_("Beteiligte Kommune"),
        queryset=Municipality.objects.members(),
        not_found=MEMBER_NOT_FOUND,
        required=False,
        help_text=MEMBER_HELP,
    )
    participant_person = PersonField(
        label=_("Ansprechperson der Kommune (Benutzername)"), required=False
    )
    participant_contribution = forms.CharField(label=_("Beitrag der Kommune"), required=False)
    results = ResultsField(
        label=_("Ergebnisse, deren aktuelle Version vereinbart wird"),
        required=False,
        max_length=LINES_MAX_LENGTH,
        help_text=_(
            "Die Adressen veröffentlichter Ergebnisse des Leitprojekts, eine je Zeile, zum "
            "Beispiel https://…/leitprojekte/offene-daten/ergebnisse/12/ oder kurz "
            "offene-daten/12 (Kurzname des Leitprojekts und Nummer des Ergebnisses)."
        ),
    )
    starts_on = forms.DateField(
        label=_("Beginn"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Ende"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    amends = AgreementField(
        label=_("Ändert die Vereinbarung"),
        required=False,
        help_text=_(
            "Die Nummer der Vereinbarung, zum Beispiel 2026-3, oder die Adresse ihrer Seite."
        ),
    )

    def __init__(self, *args, projects, results, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["amends"].queryset = agreements
        self.fields["results"].queryset = results
        self.apply_kern_classes()

    def clean(self):
        data = super().clean()
        for town, person in (("lead", "lead_person"), ("participant", "participant_person")):
            if data.get(town) and not data.get(person):
                self.add_error(person, _("Bitte nennen Sie die Ansprechperson der Kommune."))
        return data


class RegisterFilterForm(KernFormMixin, forms.Form):
    # By address or short name, not lists of every project and member of the network.
    project = LeadProjectField(
        label=_("Leitprojekt"), required=False, help_text=FILTER_PROJECT_HELP
    )
    municipality = MunicipalityField(
        label=_("Kommune"),
        queryset=Municipality.objects.members(),
        not_found=MEMBER_NOT_FOUND,
        required=False,
        help_text=FILTER_MUNICIPALITY_HELP,
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.apply_kern_classes()
