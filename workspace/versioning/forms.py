from django import forms


class RestoreForm(forms.Form):
    """Which version to restore, and the revision the page showed as the current one."""

    revision = forms.IntegerField(min_value=1)
    base_revision = forms.IntegerField(min_value=1)
