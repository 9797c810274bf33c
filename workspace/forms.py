from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class KernFormMixin:
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
