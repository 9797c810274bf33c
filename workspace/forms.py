from urllib.parse import urlsplit

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core import validators
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from workspace.limits import LINE_MAX, LONG_TEXT_MAX, PROSE_MAX
from workspace.models import District, Municipality, User
from workspace.text import german_slugify
from workspace.validators import (
    MaxCharactersValidator,
    text_limit_of,
    validate_no_control_characters,
)


class TextGuardMixin:
    """Every text field of the form refuses control characters and texts over its limit.

    Applied to the form's fields rather than declared on each, so that no form, and no field
    added later, can forget it (``tests/workspace/test_control_characters.py`` checks that every
    form of the project has it). A field's limit, in this order: ``text_limits[name]`` of the
    form; its own ``max_length``; the documented limit of the model field it edits
    (``workspace.limits.TEXT_LIMITS``); ``PROSE_MAX`` for a multi-line field, ``LINE_MAX`` for
    a one-line one. Passwords are left as typed: hashed whole, never shown.
    """

    #: limits of fields that are no model field, by name (e.g. a result body in a plain form)
    text_limits: dict[str, int] = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.guard_texts()

    def full_clean(self) -> None:
        self.guard_texts()
        super().full_clean()

    def guard_texts(self) -> None:
        """Give each text field its checks once (idempotent, also for fields added later)."""
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField) or getattr(field, "text_limit", None):
                continue
            if isinstance(field.widget, forms.PasswordInput):
                continue
            field.text_limit = self._text_limit(name, field)
            # Django's own MaxLengthValidator says the same less plainly; ours replaces it.
            field.validators = [
                v for v in field.validators if not isinstance(v, validators.MaxLengthValidator)
            ]
            field.validators += [
                validate_no_control_characters,
                MaxCharactersValidator(field.text_limit),
            ]

    def _text_limit(self, name: str, field: forms.CharField) -> int:
        if name in self.text_limits:
            return self.text_limits[name]
        if field.max_length is not None:
            return field.max_length
        model = getattr(getattr(self, "_meta", None), "model", None)
        if model is not None and (limit := text_limit_of(model, name)) is not None:
            return limit
        return PROSE_MAX if isinstance(field.widget, forms.Textarea) else LINE_MAX


class GuardedModelForm(TextGuardMixin, forms.ModelForm):
    """The admin's model forms (``workspace.apps`` makes it their default): the office's
    edits there meet the same limits, told the same way, instead of the services' refusal."""


class KernFormMixin(TextGuardMixin):
    """Give every widget the class KERN styles it with (again after changing fields:
    ``apply_kern_classes()``; it is idempotent)."""

    WIDGET_CLASSES = {
        forms.Select: "kern-form-input__select",
        forms.SelectMultiple: "kern-form-input__select",
        forms.CheckboxInput: "kern-form-check__checkbox",
        forms.CheckboxSelectMultiple: "kern-form-check__checkbox",
        forms.RadioSelect: "kern-form-check__radio",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.apply_kern_classes()

    def apply_kern_classes(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            css = next(
                (c for kind, c in self.WIDGET_CLASSES.items() if type(widget) is kind),
                "kern-form-input__input",
            )
            classes = widget.attrs.get("class", "").split()
            if css not in classes:
                widget.attrs["class"] = " ".join([*classes, css])


class LoginForm(KernFormMixin, AuthenticationForm):
    username = forms.CharField(
        label=_("Benutzername"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Benutzername oder Passwort stimmen nicht. Bitte prüfen Sie beides; "
            "Groß- und Kleinschreibung werden unterschieden."
        ),
        "inactive": _("Dieses Konto ist nicht mehr aktiv. Die Geschäftsstelle hilft weiter."),
    }


def form_errors_from(error: ValidationError, form) -> None:
    """Show a service's validation error on the form it came from."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ProfileForm(KernFormMixin, forms.Form):
    display_name = forms.CharField(
        label=_("Ihr Name, wie andere ihn sehen"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    function = forms.CharField(
        label=_("Funktion in Ihrer Kommune"),
        max_length=150,
        required=False,
        help_text=_("Zum Beispiel: Digitalisierungsbeauftragte, Hauptamt."),
    )
    public_name = forms.BooleanField(
        label=_("Mein Name darf auf öffentlichen Seiten erscheinen"),
        required=False,
        help_text=_(
            "Sonst sehen Besucher*innen ohne Anmeldung „Mitarbeiter*in der Stadt …“. "
            "Angemeldete Mitglieder des Netzwerks sehen Ihren Namen immer."
        ),
    )
    language = forms.ChoiceField(
        label=_("Sprache der Oberfläche"), choices=User.Language.choices, required=False
    )
    mail_frequency = forms.ChoiceField(
        label=_("Benachrichtigungen per E-Mail"),
        choices=User.MailFrequency.choices,
        help_text=_("Die Glocke oben zeigt Benachrichtigungen immer sofort."),
    )

    def __init__(self, *args, has_function: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not has_function:
            del self.fields["function"]


class BarrierReportForm(KernFormMixin, forms.Form):
    message = forms.CharField(
        label=_("Welche Barriere ist Ihnen aufgefallen?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    page = forms.CharField(
        label=_("Auf welcher Seite?"),
        max_length=500,
        required=False,
        help_text=_("Die Adresse oder der Name der Seite."),
    )
    name = forms.CharField(
        label=_("Ihr Name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse, falls Sie eine Antwort möchten"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class LegalPageForm(KernFormMixin, forms.Form):
    text_limits = {"body": LONG_TEXT_MAX}

    title = forms.CharField(label=_("Überschrift"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 24, "class": "kr-editor"}),
        help_text=_("Markdown: # Zwischenüberschrift, **fett**, - Liste, [Link](https://…)"),
    )


class KernPasswordChangeForm(KernFormMixin, PasswordChangeForm):
    pass


class OffboardingForm(KernFormMixin, forms.Form):
    successor = forms.ModelChoiceField(
        label=_("Nachfolge"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("– niemand –"),
        help_text=_(
            "Übernimmt alle Rollen in Leitprojekten. Nötig, wenn die Person ein Leitprojekt "
            "koordiniert."
        ),
    )

    def __init__(self, *args, candidates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = candidates
        self.fields["successor"].label_from_instance = lambda user: user.get_display_name()


class MunicipalityFilterForm(KernFormMixin, forms.Form):
    """``/kommunen/?kreis=``: the member list of one district (only districts with members)."""

    kreis = forms.ModelChoiceField(
        label=_("Kreis"),
        required=False,
        queryset=District.objects.none(),
        to_field_name="slug",
        empty_label=_("alle Kreise"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        members = Municipality.objects.members().filter(district=OuterRef("pk"))
        self.fields["kreis"].queryset = District.objects.filter(Exists(members)).order_by(
            "name", "pk"
        )


# --- Municipalities named by their short name -------------------------------------------------
# A list of every municipality in Germany is no list to choose from: forms name them as their
# page's address does, and one query finds them.

# What a list field of a form takes at most: hundreds of lines, not a pasted export.
LINES_MAX_LENGTH = 20_000


def municipality_slug_in(text: str) -> str:
    """``bad-berleburg`` from ``bad-berleburg``, ``Bad Berleburg``, ``/kommunen/bad-berleburg/``
    or ``https://…/kommunen/bad-berleburg/…``."""
    text = text.strip()
    if "/" not in text:
        return german_slugify(text)
    parts = [part for part in urlsplit(text).path.split("/") if part]
    if "kommunen" in parts[:-1]:
        return parts[parts.index("kommunen") + 1].lower()
    return parts[-1].lower() if parts else ""


class MunicipalityField(forms.CharField):
    """A municipality by its short name (``menden``, as in the address of its page), its name
    or that address (``…/kommunen/menden/``); only one ``queryset`` holds (every municipality
    unless told). One query, by the unique short name."""

    default_not_found = _(
        "Zu „%(name)s“ gibt es keine Kommune im Klassenraum. Bitte geben Sie den Kurznamen "
        "aus der Adresse der Kommunenseite an, zum Beispiel „menden“ aus /kommunen/menden/."
    )

    def __init__(self, *args, queryset: QuerySet | None = None, not_found=None, **kwargs):
        self.queryset = queryset
        self.not_found = not_found or self.default_not_found
        kwargs.setdefault("max_length", 300)
        super().__init__(*args, **kwargs)

    def municipalities(self) -> QuerySet:
        return self.queryset.all() if self.queryset is not None else Municipality.objects.all()

    def prepare_value(self, value):
        return value.slug if isinstance(value, Municipality) else value

    def clean(self, value) -> Municipality | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        municipality = self.municipalities().filter(slug=municipality_slug_in(text)).first()
        if municipality is None:
            raise forms.ValidationError(self.not_found, params={"name": text})
        return municipality


class MunicipalitiesField(MunicipalityField):
    """Municipalities as :class:`MunicipalityField` names them, one a line; all in one query."""

    widget = forms.Textarea(attrs={"rows": 3})
    default_not_found = _(
        "Zu %(names)s finden wir keine Kommune im Klassenraum. Bitte geben Sie je Zeile den "
        "Kurznamen aus der Adresse der Kommunenseite an, zum Beispiel „menden“ aus "
        "/kommunen/menden/."
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", LINES_MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple | QuerySet):
            return "\n".join(m.slug if isinstance(m, Municipality) else str(m) for m in value)
        return value

    def clean(self, value) -> list[Municipality]:
        text = forms.CharField.clean(self, value) or ""
        lines = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
        slugs = {line: municipality_slug_in(line) for line in lines}
        found = (
            {m.slug: m for m in self.municipalities().filter(slug__in=set(slugs.values()))}
            if lines
            else {}
        )
        unknown = [line for line, slug in slugs.items() if slug not in found]
        if unknown:
            raise forms.ValidationError(
                self.not_found, params={"names": ", ".join(f"„{n}“" for n in unknown)}
            )
        return list(dict.fromkeys(found[slug] for slug in slugs.values()))
