from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from network.newsletter import services
from network.newsletter.consent import consent_text
from network.newsletter.models import Issue, NewsItem
from workspace.forms import KernFormMixin
from workspace.models import Municipality

MARKDOWN_HELP = _("Markdown: **fett**, *kursiv*, Listen mit „-“, Links als [Text](https://…).")
IMAGE_ACCEPT = "image/png,image/jpeg,image/gif"


class SubscribeForm(KernFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Bitte geben Sie Ihre E-Mail-Adresse ein."),
            "invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse ein, etwa name@beispiel.de."),
        },
    )
    consent = forms.BooleanField(
        label="",
        error_messages={"required": _("Bitte willigen Sie in den Empfang ein.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_text()


class _ImageMixin:
    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image:
            try:
                services.image_validate(image)
            except ValidationError as error:
                raise ValidationError(error.message_dict["image"]) from error
        return image or None


class NewsItemForm(_ImageMixin, KernFormMixin, forms.Form):
    municipality = forms.ModelChoiceField(label=_("Kommune"), queryset=Municipality.objects.none())
    title = forms.CharField(label=_("Überschrift"), max_length=200)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}), help_text=MARKDOWN_HELP
    )
    link = forms.URLField(
        label=_("Link zu mehr"), required=False, assume_scheme="https", max_length=500
    )
    image = forms.FileField(
        label=_("Bild"),
        required=False,
        help_text=_("PNG, JPEG oder GIF, höchstens 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    image_alt = forms.CharField(
        label=_("Bildbeschreibung"),
        required=False,
        max_length=300,
        help_text=_("Was auf dem Bild zu sehen ist, für Menschen, die es nicht sehen."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        towns = Municipality.objects.members().filter(
            memberships__user=user, memberships__ended_on__isnull=True
        )
        self.fields["municipality"].queryset = towns.distinct().order_by("name")
        if len(self.fields["municipality"].queryset) == 1:
            self.fields["municipality"].initial = self.fields["municipality"].queryset[0]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and not (cleaned.get("image_alt") or "").strip():
            self.add_error(
                "image_alt", _("Bitte beschreiben Sie das Bild für Menschen, die es nicht sehen.")
            )
        return cleaned


class NewsItemEditForm(_ImageMixin, KernFormMixin, forms.Form):
    title = forms.CharField(label=_("Überschrift"), max_length=200)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}), help_text=MARKDOWN_HELP
    )
    link = forms.URLField(
        label=_("Link zu mehr"), required=False, assume_scheme="https", max_length=500
    )
    image = forms.FileField(
        label=_("Neues Bild"),
        required=False,
        help_text=_("PNG, JPEG oder GIF, höchstens 2 MB."),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    image_alt = forms.CharField(label=_("Bildbeschreibung"), required=False, max_length=300)
    remove_image = forms.BooleanField(label=_("Bild entfernen"), required=False)


class ReviewForm(KernFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Notiz an die Einreichung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class IssueForm(KernFormMixin, forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    editorial = forms.CharField(
        label=_("Editorial"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=MARKDOWN_HELP,
    )
    items = forms.ModelMultipleChoiceField(
        label=_("Beiträge"),
        queryset=NewsItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Angenommene Beiträge, die noch in keiner anderen Ausgabe stehen."),
    )

    def __init__(self, *args, issue: Issue | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        free = Q(issue__isnull=True)
        if issue is not None:
            free |= Q(issue=issue)
        self.fields["items"].queryset = (
            NewsItem.objects.filter(free, state=NewsItem.State.ACCEPTED)
            .select_related("municipality")
            .order_by("position", "reviewed_at", "pk")
        )
        self.fields["items"].label_from_instance = lambda item: (
            f"{item.title} ({item.municipality.name})"
        )
