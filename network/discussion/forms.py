from django import forms
from django.utils.translation import gettext_lazy as _

from network.discussion.services import MAX_LENGTH
from workspace.forms import KernFormMixin


class CommentForm(KernFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Ihr Kommentar"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Markdown: **fett**, *kursiv*, - Liste. Mit @benutzername erwähnen Sie jemanden."
        ),
    )


class ResultCommentForm(CommentForm):
    quote = forms.CharField(
        label=_("Zitat aus der aktuellen Version"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "data-quote-field": ""}),
        help_text=_("Eine Stelle des Ergebnisses, auf die Sie sich beziehen, wörtlich kopiert."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReplyForm(CommentForm):
    body = forms.CharField(
        label=_("Ihre Antwort"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EditForm(CommentForm):
    pass


class HideForm(KernFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Grund"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Alle, die die Diskussion lesen, sehen diesen Grund anstelle des Kommentars."),
    )
