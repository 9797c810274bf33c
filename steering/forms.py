from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import LeadProject, Result
from steering.models import Agreement, Meeting, Proposal, Seat, Vote
from workspace.forms import KernFormMixin
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


class ProposalForm(KernFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Art"), choices=Proposal.Kind.choices)
    title = forms.CharField(label=_("Titel"), max_length=200)
    text = forms.CharField(
        label=_("Beschlusstext"), widget=forms.Textarea(attrs={"rows": 6}), help_text=_("Markdown")
    )
    project = forms.ModelChoiceField(
        label=_("Leitprojekt"),
        queryset=LeadProject.objects.none(),
        required=False,
        empty_label=_("– keines (freier Beschluss) –"),
    )
    lead = forms.ModelChoiceField(
        label=_("Federführung"),
        queryset=Municipality.objects.members(),
        required=False,
        help_text=_("Für Beginn und Wechsel der Federführung."),
    )
    lead_person = PersonField(
        label=_("Koordination der Federführung (Benutzername)"), required=False
    )
    lead_contribution = forms.CharField(label=_("Beitrag der Federführung"), required=False)
    participant = forms.ModelChoiceField(
        label=_("Beteiligte Kommune"), queryset=Municipality.objects.members(), required=False
    )
    participant_person = PersonField(
        label=_("Ansprechperson der Kommune (Benutzername)"), required=False
    )
    participant_contribution = forms.CharField(label=_("Beitrag der Kommune"), required=False)
    results = forms.ModelMultipleChoiceField(
        label=_("Ergebnisse, deren aktuelle Version vereinbart wird"),
        queryset=Result.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = forms.DateField(
        label=_("Beginn"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Ende"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    amends = forms.ModelChoiceField(
        label=_("Ändert die Vereinbarung"), queryset=Agreement.objects.all(), required=False
    )

    def __init__(self, *args, projects, results, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["amends"].queryset = agreements
        self.fields["results"].queryset = results
        self.fields["results"].label_from_instance = lambda r: (
            f"{r.project.title}: {r.title} (" + str(_("Version %(n)s") % {"n": r.revision}) + ")"
        )
        self.apply_kern_classes()

    def clean(self):
        data = super().clean()
        for town, person in (("lead", "lead_person"), ("participant", "participant_person")):
            if data.get(town) and not data.get(person):
                self.add_error(person, _("Bitte nennen Sie die Ansprechperson der Kommune."))
        return data


class RegisterFilterForm(KernFormMixin, forms.Form):
    project = forms.ModelChoiceField(
        label=_("Leitprojekt"),
        queryset=LeadProject.objects.none(),
        required=False,
        empty_label=_("alle"),
    )
    municipality = forms.ModelChoiceField(
        label=_("Kommune"),
        queryset=Municipality.objects.members(),
        required=False,
        empty_label=_("alle"),
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.apply_kern_classes()
