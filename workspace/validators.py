"""The checks every text a person writes passes: its length and its characters.

Forms get them through :class:`workspace.forms.TextGuardMixin` (part of ``KernFormMixin``),
services through :func:`texts_check` on every save of a model listed in
:data:`workspace.limits.TEXT_LIMITS`, the import of lead-project archives through its own reader;
all three raise the same messages.

Control characters: Unicode's category Cc, that is C0 (U+0000–U+001F), DEL (U+007F, which
Unicode counts among the controls though it is not in the C0 block) and C1 (U+0080–U+009F),
are refused, except tab, line feed and carriage return, which people type. None of them is
ever shown; they hide text from reviewers, break mails, feeds and exports, and NUL cannot be
stored in PostgreSQL at all.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from workspace.limits import TEXT_LIMITS

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

CONTROL_MESSAGE = _("Der Text enthält unzulässige Steuerzeichen.")
TOO_LONG_MESSAGE = _("Der Text ist zu lang: höchstens %(limit)s Zeichen, eingegeben %(length)s.")


def characters(n: int) -> str:
    """A count as people read it here: 500.000 in German, 500,000 in English."""
    return number_format(n, force_grouping=True)


def validate_no_control_characters(value: str) -> None:
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_characters")


def too_long(limit: int, length: int) -> ValidationError:
    return ValidationError(
        TOO_LONG_MESSAGE % {"limit": characters(limit), "length": characters(length)},
        code="too_long",
    )


@deconstructible
class MaxCharactersValidator:
    """At most ``limit`` code points, said with the limit and the length entered."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, value: str) -> None:
        if len(value) > self.limit:
            raise too_long(self.limit, len(value))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxCharactersValidator) and other.limit == self.limit


def _limits_by_model() -> dict[str, dict[str, int]]:
    by_model: dict[str, dict[str, int]] = {}
    for path, limit in TEXT_LIMITS.items():
        label, field = path.rsplit(".", 1)
        by_model.setdefault(label, {})[field] = limit
    return by_model


_LIMITS_BY_MODEL = _limits_by_model()


def text_limit_of(model: type[Model], field: str) -> int | None:
    """The documented limit of ``model.field``, or ``None`` when it has none here."""
    return _LIMITS_BY_MODEL.get(model._meta.label, {}).get(field)


def texts_check(instance: Model) -> None:
    """Refuse to save ``instance`` when one of its people's texts is too long or holds control
    characters; raises :class:`ValidationError` keyed by field, before anything is written.

    Connected to ``pre_save`` of every model (``workspace.apps``): a service, an import, the
    co-editing room or a shell cannot store what a form would refuse, whichever way it came.
    """
    limits = _LIMITS_BY_MODEL.get(instance._meta.label)
    if not limits:
        return
    errors: dict[str, list[ValidationError]] = {}
    for name, limit in limits.items():
        value = getattr(instance, name)
        if not isinstance(value, str):
            continue
        if len(value) > limit:
            errors.setdefault(name, []).append(too_long(limit, len(value)))
        if CONTROL_CHARACTERS.search(value):
            errors.setdefault(name, []).append(
                ValidationError(CONTROL_MESSAGE, code="control_characters")
            )
    if errors:
        raise ValidationError(errors)


def texts_guard(sender, instance, raw=False, **kwargs) -> None:
    """``pre_save`` receiver for :func:`texts_check`; fixtures loaded raw are left alone."""
    if not raw:
        texts_check(instance)
