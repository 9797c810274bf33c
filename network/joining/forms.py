from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from network.joining.selectors import JoinChoices
from workspace.forms import KernFormMixin
from workspace.models import District, Municipality


class JoinRequestForm(KernFormMixin, forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Kommune"),
        required=False,
        queryset=Municipality.objects.all(),
        to_field_name="slug",
        help_text=_("Die Städte und Gemeinden Südwestfalens, nach Kreisen geordnet."),
        error_messages={
            "invalid_choice": _(
                "Bitte eine gültige Auswahl treffen. „%(value)s“ ist keine gültige Auswahl."
            )
        },
    )
    other_municipality = forms.CharField(
        label=_("Ihre Kommune ist nicht in der Liste? Dann tragen Sie ihren Namen hier ein"),
        max_length=100,
        required=False,
    )
    contact_name = forms.CharField(
        label=_("Ihr Name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    function = forms.CharField(
        label=_("Ihre Funktion in der Verwaltung"),
        max_length=150,
        help_text=_("Zum Beispiel: Digitalisierungsbeauftragte, Hauptamt, Stabsstelle."),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    email = forms.EmailField(
        label=_("Dienstliche E-Mail-Adresse"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    message = forms.CharField(
        label=_("Ihre Nachricht an die Geschäftsstelle"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Was möchten Sie im Netzwerk erreichen, welche Fragen haben Sie?"),
    )
    consent = forms.BooleanField(
        label=_(
            "Ich bin einverstanden, dass die Geschäftsstelle meine Angaben speichert, um meine "
            "Anfrage zu bearbeiten und mich dazu per E-Mail zu kontaktieren."
        ),
        error_messages={
            "required": _("Ohne Ihr Einverständnis können wir die Anfrage nicht bearbeiten.")
        },
    )

    def __init__(self, *args, choices: JoinChoices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        # What the list shows comes from ``choices`` (grouped, no query of its own); what is
        # accepted is any municipality by its slug.
        field.choices = [("", _("– bitte wählen –")), *choices.grouped()]
        # Until a district is chosen among thousands of towns the page shows no list; what
        # is said about the town is then said where the person can see it.
        self.shows_list = bool(choices.municipalities) or choices.districts is None
        if choices.district:
            field.help_text = _("Die Städte und Gemeinden des Kreises %(district)s.") % {
                "district": choices.district.name
            }

    def clean(self) -> dict:
        cleaned = super().clean()
        picked = cleaned.get("municipality")
        entered = " ".join(cleaned.get("other_municipality", "").split())
        if picked and entered:
            raise forms.ValidationError(
                _(
                    "Bitte wählen Sie Ihre Kommune aus der Liste oder tragen Sie sie ein, nicht beides."
                )
            )
        if not self.shows_list and "municipality" in self.errors:
            for error in self.errors.pop("municipality"):
                self.add_error(None, error)
        if not picked and not entered:
            self.add_error(
                "municipality" if self.shows_list else "other_municipality",
                _("Bitte wählen Sie Ihre Kommune oder tragen Sie ihren Namen ein."),
            )
        cleaned["municipality_name"] = picked.name if picked else entered
        return cleaned


class AcceptForm(KernFormMixin, forms.Form):
    district = forms.ModelChoiceField(
        label=_("Kreis"),
        required=False,
        queryset=District.objects.all(),
        to_field_name="slug",
        empty_label=_("– bitte wählen –"),
        help_text=_(
            "Nur nötig, wenn die Kommune noch nicht im Klassenraum und nicht in der Liste Südwestfalens ist."
        ),
    )


class DeclineForm(KernFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Nachricht an die anfragende Person"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Wird der freundlichen Absage per E-Mail beigefügt."),
    )


class InvitationForm(KernFormMixin, forms.Form):
    name = forms.CharField(label=_("Name der Kollegin oder des Kollegen"), max_length=150)
    email = forms.EmailField(label=_("Dienstliche E-Mail-Adresse"))
    function = forms.CharField(label=_("Funktion"), max_length=150, required=False)


class AccountSetupForm(KernFormMixin, forms.Form):
    """What an invited person enters to set up their account."""

    username = forms.CharField(
        label=_("Anmeldename"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Damit melden Sie sich künftig an. Buchstaben, Ziffern und @ . + - _"),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    display_name = forms.CharField(
        label=_("Ihr Name, wie andere ihn sehen"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Passwort wiederholen"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        elif first:
            try:
                password_validation.validate_password(first)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
