from django import forms
from django.utils.translation import gettext_lazy as _

from network.guides.models import Guide, Term
from network.guides.permissions import linked_projects_for, linked_results_for
from projects.forms import LeadProjectsField, ResultsField
from workspace.forms import LINES_MAX_LENGTH, KernFormMixin
from workspace.models import Topic, User


class MonthField(forms.DateField):
    """A month as ``YYYY-MM`` (``<input type="month">``), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%m.%Y", "%Y-%m-%d"]
    default_error_messages = {
        "invalid": _("Bitte geben Sie einen Monat an, zum Beispiel 2025-03 (Jahr-Monat)."),
    }

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class PeopleField(forms.CharField):
    """People by user name or e-mail address, one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(u.username if isinstance(u, User) else str(u) for u in value)
        return value

    def clean(self, value) -> list[User]:
        text = super().clean(value) or ""
        wanted = [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
        people, unknown = [], []
        for name in dict.fromkeys(wanted):
            user = (
                User.objects.filter(is_active=True, username__iexact=name).first()
                or User.objects.filter(is_active=True, email__iexact=name).first()
            )
            (people.append(user) if user else unknown.append(name))
        if unknown:
            raise forms.ValidationError(
                _("Zu %(names)s gibt es kein aktives Konto im Klassenraum."),
                params={"names": ", ".join(f"„{n}“" for n in unknown)},
            )
        return list(dict.fromkeys(people))


class GuideForm(KernFormMixin, forms.ModelForm):
    published_in = MonthField(
        label=_("Erscheinungsmonat"),
        required=False,
        help_text=_("Jahr und Monat, zum Beispiel 2025-03. Nötig, sobald er veröffentlicht ist."),
    )
    authors = PeopleField(
        label=_("Autorinnen und Autoren"),
        required=False,
        max_length=LINES_MAX_LENGTH,
        help_text=_(
            "Benutzernamen oder E-Mail-Adressen, eine je Zeile. Sie dürfen den Leitfaden "
            "bearbeiten; ihre Kommune steht bei ihrem Namen."
        ),
    )
    # Addresses, not a choice among every project and result of the nation.
    lead_projects = LeadProjectsField(
        label=_("Aus diesen Leitprojekten"),
        required=False,
        max_length=LINES_MAX_LENGTH,
        help_text=_(
            "Die Adressen der Leitprojekte, eine je Zeile: aus der Adresszeile des Browsers, "
            "zum Beispiel https://…/leitprojekte/offene-daten/, oder nur der Kurzname "
            "offene-daten. Was hinter der Adresse steht, etwa der Titel, zählt nicht."
        ),
    )
    results = ResultsField(
        label=_("Aus diesen Ergebnissen"),
        required=False,
        max_length=LINES_MAX_LENGTH,
        help_text=_(
            "Die Adressen veröffentlichter Ergebnisse, eine je Zeile, zum Beispiel "
            "https://…/leitprojekte/offene-daten/ergebnisse/12/ oder kurz offene-daten/12 "
            "(Kurzname des Leitprojekts und Nummer des Ergebnisses)."
        ),
    )
    note = forms.CharField(
        label=_("Was haben Sie geändert?"),
        required=False,
        max_length=100,
        help_text=_("Eine kurze Notiz für die Versionsliste, zum Beispiel „Abschnitt 2 ergänzt“."),
    )
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    field_order = [
        "title",
        "summary",
        "topics",
        "status",
        "published_in",
        "body",
        "lead_projects",
        "results",
        "authors",
        "note",
    ]

    class Meta:
        model = Guide
        fields = ["title", "summary", "topics", "status", "published_in", "body"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 20, "class": "kr-editor"}),
            "topics": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "body": _("Markdown: # Überschrift, - Aufzählung, **fett**, [Link](https://…)."),
            "status": _(
                "„Bald verfügbar“ zeigt allen Titel und Kurzbeschreibung, den Inhalt nur Ihnen."
            ),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.all()
        # Only what the editor may see can be named or is shown; links they cannot see are
        # kept (the view).
        projects, results = linked_projects_for(user), linked_results_for(user)
        self.fields["lead_projects"].queryset = projects
        self.fields["results"].queryset = results
        if self.instance.pk:
            if not self.is_bound:
                self.fields["base_revision"].initial = self.instance.revision
                self.initial["authors"] = [a.person for a in self.instance.authorships.all()]
                if "lead_projects" not in self.initial:
                    self.initial["lead_projects"] = list(projects.filter(guides=self.instance))
                if "results" not in self.initial:
                    self.initial["results"] = list(results.filter(guides=self.instance))
            self.fields["base_revision"].required = True
        self.apply_kern_classes()

    def clean(self):
        data = super().clean()
        if data.get("status") == Guide.Status.PUBLISHED and not data.get("published_in"):
            self.add_error(
                "published_in",
                _("Ein veröffentlichter Leitfaden braucht seinen Erscheinungsmonat."),
            )
        if data.get("status") == Guide.Status.PUBLISHED and not (data.get("body") or "").strip():
            self.add_error("body", _("Ein veröffentlichter Leitfaden braucht einen Inhalt."))
        return data


class TermForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = Term
        fields = ["name", "definition", "synonyms", "related"]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 4}),
            "synonyms": forms.Textarea(attrs={"rows": 3}),
            "related": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        related = Term.objects.only("name", "slug")
        if self.instance.pk:
            related = related.exclude(pk=self.instance.pk)
        self.fields["related"].queryset = related
        self.apply_kern_classes()

    def validate_unique(self):
        # The service checks names and synonyms across the glossary, with clearer messages.
        pass
