from urllib.parse import urlsplit

from django import forms
from django.db.models import QuerySet
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from projects.models import Adoption, LeadProject, Result, TeamMembership, Template
from workspace.forms import (
    LINES_MAX_LENGTH,
    KernFormMixin,
    MunicipalitiesField,
    MunicipalityField,
)
from workspace.limits import LONG_TEXT_MAX
from workspace.models import Municipality, Topic, User
from workspace.permissions import is_network_office
from workspace.versioning.forms import RestoreForm  # noqa: F401 – archive and copy forms use it

# --- Lead projects and results named by their addresses ---------------------------------------
# Guides, the committee's proposals and others name them so instead of choosing among every
# project and result of the network.

# The largest id a database key holds: a longer number names nothing (and must not reach a query).
MAX_ID = 2**63 - 1


def project_address(line: str) -> tuple[str, int | None] | None:
    """``(project slug, result id or None)`` of one pasted address: a page of a lead project
    or one of its results, whole (``https://…/leitprojekte/a/ergebnisse/7/``), as a path, or
    short (``a``, ``a/7``); None if it names neither. Anything after the address is ignored,
    so a line may carry the title the form shows beside it."""
    words = line.split()
    if not words:
        return None
    path = urlsplit(words[0]).path if "://" in words[0] else words[0]
    segments = [segment for segment in path.split("/") if segment]
    if segments[:1] == ["leitprojekte"]:
        try:
            match = resolve("/" + "/".join(segments) + "/")
        except Resolver404:
            return None
        if match.namespace != "projects" or "slug" not in match.kwargs:
            return None
        number = match.kwargs.get("result_id")
        return (match.kwargs["slug"], number) if number is None or number <= MAX_ID else None
    if len(segments) <= 1:
        return (segments[0], None) if segments else None
    number = segments[-1]
    if number.isdigit() and int(number) <= MAX_ID and segments[1:-1] in ([], ["ergebnisse"]):
        return segments[0], int(number)
    return None


class AddressesField(forms.CharField):
    """Lead projects or results named by their page address, one per line; only what
    ``queryset`` holds (what the editor may see) can be named, in one query whatever the
    number of lines. Subclasses say what the lines name."""

    widget = forms.Textarea(attrs={"rows": 3})
    not_found: str

    def __init__(self, *args, **kwargs):
        self.queryset: QuerySet | None = None
        kwargs.setdefault("max_length", LINES_MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def line_of(self, obj) -> str:
        return f"{obj.url() if isinstance(obj, Result) else obj.get_absolute_url()} {obj.title}"

    def prepare_value(self, value):
        if isinstance(value, list | tuple | QuerySet):
            return "\n".join(self.line_of(obj) for obj in value)
        return value

    def wanted(self, address: tuple[str, int | None]) -> bool:
        raise NotImplementedError

    def found(self, addresses: list[tuple[str, int | None]]) -> dict:
        """The objects behind ``addresses`` that ``queryset`` holds, by their address."""
        raise NotImplementedError

    def clean(self, value) -> list:
        text = super().clean(value) or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        addresses = {line: project_address(line) for line in lines}
        wanted = [a for a in addresses.values() if a is not None and self.wanted(a)]
        found = self.found(list(dict.fromkeys(wanted))) if wanted else {}
        unknown = [line.split()[0] for line, a in addresses.items() if a not in found]
        if unknown:
            raise forms.ValidationError(
                self.not_found,
                params={"names": ", ".join(f"„{n}“" for n in dict.fromkeys(unknown))},
            )
        return list(dict.fromkeys(found[a] for a in addresses.values()))


class LeadProjectsField(AddressesField):
    not_found = _(
        "Zu %(names)s finden wir kein Leitprojekt, das Sie sehen dürfen. Bitte prüfen Sie die "
        "Adresse."
    )

    def wanted(self, address):
        return address[1] is None

    def found(self, addresses):
        projects = self.queryset.filter(slug__in=[slug for slug, _number in addresses])
        return {(project.slug, None): project for project in projects}


class ResultsField(AddressesField):
    not_found = _(
        "Zu %(names)s finden wir kein veröffentlichtes Ergebnis eines Leitprojekts, das Sie "
        "sehen dürfen. Bitte prüfen Sie die Adresse."
    )

    def wanted(self, address):
        return address[1] is not None

    def found(self, addresses):
        results = self.queryset.filter(pk__in=[number for _slug, number in addresses])
        return {(result.project.slug, result.pk): result for result in results}


class LeadProjectField(LeadProjectsField):
    """One lead project by its page address (or none): what ``LeadProjectsField`` reads, in
    a line of its own."""

    widget = forms.TextInput
    many = _("Bitte nennen Sie nur ein Leitprojekt, nicht mehrere.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 500)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        return self.line_of(value) if isinstance(value, LeadProject) else value

    def clean(self, value) -> LeadProject | None:
        found = super().clean(value)
        if len(found) > 1:
            raise forms.ValidationError(self.many)
        return found[0] if found else None


MEMBER_NOT_FOUND = _(
    "Zu „%(name)s“ gibt es keine Mitgliedskommune im Netzwerk. Bitte geben Sie den Kurznamen "
    "aus der Adresse der Kommunenseite an, zum Beispiel „menden“ aus /kommunen/menden/."
)
MEMBERS_NOT_FOUND = _(
    "Zu %(names)s finden wir keine Mitgliedskommune im Netzwerk. Bitte geben Sie je Zeile den "
    "Kurznamen aus der Adresse der Kommunenseite an, zum Beispiel „menden“ aus "
    "/kommunen/menden/."
)


# Filters of lists by a municipality or a lead project: short names or addresses.
FILTER_MUNICIPALITY_HELP = _(
    "Der Kurzname aus der Adresse der Kommunenseite, zum Beispiel „menden“ aus /kommunen/menden/."
)
FILTER_PROJECT_HELP = _(
    "Die Adresse des Leitprojekts, zum Beispiel https://…/leitprojekte/offene-daten/, oder "
    "nur sein Kurzname offene-daten."
)


class LeadProjectForm(KernFormMixin, forms.ModelForm):
    # Short names, not a list of every member municipality of the network.
    lead_municipality = MunicipalityField(
        label=_("Federführung"),
        queryset=Municipality.objects.members(),
        not_found=MEMBER_NOT_FOUND,
        help_text=_(
            "Die federführende Kommune, in der Regel eine Pionierkommune: der Kurzname aus der "
            "Adresse ihrer Seite, zum Beispiel „menden“ aus /kommunen/menden/, oder die "
            "Adresse selbst."
        ),
    )
    participants = MunicipalitiesField(
        label=_("Beteiligte Kommunen"),
        queryset=Municipality.objects.members(),
        not_found=MEMBERS_NOT_FOUND,
        required=False,
        help_text=_(
            "Kommunen, die im Leitprojekt mitarbeiten (ohne die Federführung), eine je Zeile: "
            "der Kurzname aus der Adresse ihrer Seite, zum Beispiel „iserlohn“ aus "
            "/kommunen/iserlohn/, oder die Adresse selbst."
        ),
    )

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
            "criterion_concerns_all": forms.Textarea(attrs={"rows": 3}),
            "criterion_saves_resources": forms.Textarea(attrs={"rows": 3}),
            "criterion_joint_impact": forms.Textarea(attrs={"rows": 3}),
            "lead_exception_reason": forms.Textarea(attrs={"rows": 2}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "description": _("Markdown ist erlaubt: Überschriften, Listen, Links."),
            "visibility": _(
                "Öffentlich: alle. Im Netzwerk: angemeldete Mitarbeitende der Mitgliedskommunen. "
                "Nur das Team: die Mitglieder des Projektteams und die Geschäftsstelle."
            ),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            # The stored choices as the fields name them (the model's initial are keys).
            self.initial["lead_municipality"] = self.instance.lead_municipality
            self.initial["participants"] = list(
                self.instance.participants.order_by("name", "pk").only("slug")
            )
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
    # By short name (the same ?municipality=menden as before), not a list of every member.
    municipality = MunicipalityField(
        label=_("Kommune"),
        required=False,
        queryset=Municipality.objects.members(),
        not_found=MEMBER_NOT_FOUND,
        help_text=FILTER_MUNICIPALITY_HELP,
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
    # By address or short name (the same ?project=… as before), not lists of every project
    # and member of the network.
    project = LeadProjectField(
        label=_("Leitprojekt"), required=False, help_text=FILTER_PROJECT_HELP
    )
    municipality = MunicipalityField(
        label=_("Kommune"),
        required=False,
        queryset=Municipality.objects.members(),
        not_found=MEMBER_NOT_FOUND,
        help_text=FILTER_MUNICIPALITY_HELP,
    )
    maturity = forms.ChoiceField(
        label=_("Reife"),
        required=False,
        choices=[("", _("jede Reife"))] + [c for c in Result.Maturity.choices if c[0] != "draft"],
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from projects.permissions import visible_projects

        self.fields["project"].queryset = (
            visible_projects(user) if user is not None else LeadProject.objects.all()
        )
        self.apply_kern_classes()
