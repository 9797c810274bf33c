from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Adoption, LeadProject, Result, TeamMembership, Template
from workspace.forms import KernFormMixin
from workspace.limits import LONG_TEXT_MAX
from workspace.models import Municipality, Topic, User
from workspace.permissions import is_network_office
from workspace.versioning.forms import RestoreForm  # noqa: F401 – archive and copy forms use it


class LeadProjectForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = LeadProject
        fields = [
            "title",
            "summary",
            "description",
            "topics",
            "lead_municipality",
            "lead_exception_reason",
            "participants",
            "kind",
            "visibility",
            "criterion_concerns_all",
            "criterion_saves_resources",
            "criterion_joint_impact",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "topics": forms.CheckboxSelectMultiple,
            "participants": forms.CheckboxSelectMultiple,
            "criterion_concerns_all": forms.Textarea(attrs={"rows": 3}),
            "criterion_saves_resources": forms.Textarea(attrs={"rows": 3}),
            "criterion_joint_impact": forms.Textarea(attrs={"rows": 3}),
            "lead_exception_reason": forms.Textarea(attrs={"rows": 2}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "description": _("Markdown ist erlaubt: Überschriften, Listen, Links."),
            "participants": _("Kommunen, die im Leitprojekt mitarbeiten (ohne die Federführung)."),
            "visibility": _(
                "Öffentlich: alle. Im Netzwerk: angemeldete Mitarbeitende der Mitgliedskommunen. "
                "Nur das Team: die Mitglieder des Projektteams und die Geschäftsstelle."
            ),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        members = Municipality.objects.members().order_by("-is_pioneer", "name")
        self.fields["lead_municipality"].queryset = members
        self.fields["lead_municipality"].empty_label = _("– bitte wählen –")
        self.fields["participants"].queryset = members
        self.fields["topics"].queryset = Topic.objects.all()
        if not is_network_office(user):
            # Only the network office records a steering committee's exception.
            del self.fields["lead_exception_reason"]
        self.apply_kern_classes()


class StatusChangeForm(KernFormMixin, forms.Form):
    to = forms.ChoiceField(label=_("Neuer Stand"))
    reason = forms.CharField(
        label=_("Begründung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Für Vereinbarung, Abschluss, Etablierung und Archivierung erforderlich."),
    )

    def __init__(self, *args, choices: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s, LeadProject.Status(s).label) for s in choices]
        self.apply_kern_classes()


class TeamAddForm(KernFormMixin, forms.Form):
    person = forms.CharField(
        label=_("Benutzername oder E-Mail-Adresse"),
        max_length=254,
        help_text=_("Die Person braucht schon ein Konto im Klassenraum."),
    )
    role = forms.ChoiceField(
        label=_("Rolle"), choices=TeamMembership.Role.choices, initial=TeamMembership.Role.EDITOR
    )

    def clean_person(self) -> User:
        value = self.cleaned_data["person"].strip()
        user = (
            User.objects.filter(is_active=True).filter(username__iexact=value).first()
            or User.objects.filter(is_active=True, email__iexact=value).first()
        )
        if user is None:
            raise forms.ValidationError(
                _("Zu „%(value)s“ gibt es kein aktives Konto im Klassenraum."),
                params={"value": value},
            )
        return user


class TeamRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=TeamMembership.Role.choices)


class ProjectFilterForm(KernFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Stand"),
        required=False,
        choices=[("", _("alle außer archivierten"))] + list(LeadProject.Status.choices),
    )
    topic = forms.ModelChoiceField(
        label=_("Thema"),
        required=False,
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label=_("alle Themen"),
    )
    municipality = forms.ModelChoiceField(
        label=_("Kommune"),
        required=False,
        queryset=Municipality.objects.members(),
        to_field_name="slug",
        empty_label=_("alle Kommunen"),
    )


class ResultForm(KernFormMixin, forms.ModelForm):
    note = forms.CharField(
        label=_("Was haben Sie geändert?"),
        required=False,
        max_length=300,
        help_text=_("Eine kurze Notiz für die Versionsliste, zum Beispiel „Kapitel 3 ergänzt“."),
    )
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Result
        fields = ["title", "summary", "kind", "maturity", "body"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 20, "class": "kr-editor"}),
        }
        help_texts = {
            "body": _("Markdown: # Überschrift, - Aufzählung, **fett**, [Link](https://…)."),
            "maturity": _(
                "„Vereinbart“ wird ein Ergebnis nur durch einen Beschluss des Steuerkreises."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["base_revision"].initial = self.instance.revision
        if not self.instance.pk:
            self.fields["base_revision"].required = False
        self.apply_kern_classes()


class AttachmentForm(KernFormMixin, forms.Form):
    file = forms.FileField(label=_("Datei"), help_text=_("Höchstens 25 MB."))


class TemplateForm(KernFormMixin, forms.Form):
    licence = forms.ChoiceField(label=_("Lizenz"), choices=Template.Licence.choices)
    recommended_revision = forms.IntegerField(
        label=_("Empfohlene Version"),
        min_value=1,
        help_text=_("Diese Version übernehmen Kommunen, wenn sie nichts anderes wählen."),
    )
    prerequisites = forms.CharField(
        label=_("Voraussetzungen"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    effort = forms.CharField(label=_("Aufwand"), required=False, max_length=200)
    contact = forms.CharField(label=_("Ansprechperson"), required=False, max_length=200)


class AdoptForm(KernFormMixin, forms.Form):
    municipality = forms.ModelChoiceField(label=_("Für welche Kommune?"), queryset=None)

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        field.queryset = municipalities
        if municipalities.count() == 1:
            # Working for one municipality only: nothing to choose, no empty first line.
            field.empty_label = None
        self.apply_kern_classes()


class TakeOverForm(KernFormMixin, forms.Form):
    text_limits = {"body": LONG_TEXT_MAX}

    body = forms.CharField(
        label=_("Neue Fassung Ihrer Nachnutzung"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "kr-editor"}),
        help_text=_(
            "Vorschlag: Ihre Fassung mit den Änderungen der Vorlage. Wo beide dieselbe Stelle "
            "geändert haben, stehen beide Fassungen zwischen Markierungen – bitte entscheiden Sie."
        ),
    )
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AdoptionStatusForm(KernFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Stand der Nachnutzung"), choices=Adoption.Status.choices)
    experience = forms.CharField(
        label=_("Erfahrungsbericht"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kurz: Was hat funktioniert, was nicht? Andere Kommunen lesen mit."),
    )


class OfferForm(KernFormMixin, forms.Form):
    message = forms.CharField(
        label=_("Nachricht an das Team der Vorlage"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeclineForm(KernFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Begründung für die Kommune"), widget=forms.Textarea(attrs={"rows": 3})
    )


class TemplateFilterForm(KernFormMixin, forms.Form):
    topic = forms.ModelChoiceField(
        label=_("Thema"),
        required=False,
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label=_("alle Themen"),
    )
    project = forms.ModelChoiceField(
        label=_("Leitprojekt"),
        required=False,
        queryset=LeadProject.objects.all(),
        to_field_name="slug",
        empty_label=_("alle Leitprojekte"),
    )
    municipality = forms.ModelChoiceField(
        label=_("Kommune"),
        required=False,
        queryset=Municipality.objects.members(),
        to_field_name="slug",
        empty_label=_("alle Kommunen"),
    )
    maturity = forms.ChoiceField(
        label=_("Reife"),
        required=False,
        choices=[("", _("jede Reife"))] + [c for c in Result.Maturity.choices if c[0] != "draft"],
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            from projects.permissions import visible_projects

            self.fields["project"].queryset = visible_projects(user)
        self.apply_kern_classes()
