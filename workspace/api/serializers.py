"""What every app's serializers share."""

from __future__ import annotations

from rest_framework import serializers

from workspace.people import public_name


# Every field carries a description in the schema: its help text, else its label (the model's
# ``verbose_name``), both translatable, so the schema speaks the caller's language
# (``Accept-Language``: German, or English). (A comment, not a docstring: the schema would
# show a docstring as every serializer's description.)
class Described:
    def get_fields(self):
        fields = super().get_fields()
        model = getattr(getattr(self, "Meta", None), "model", None)
        for name, field in fields.items():
            if field.help_text:
                continue
            label = field.label
            if not label and model is not None:
                # DRF leaves out a label equal to the field's name ("title" in English).
                try:
                    label = model._meta.get_field(field.source or name).verbose_name
                except Exception:  # noqa: BLE001, S110 – not a model field: no description
                    label = None
            if label:
                field.help_text = label
        return fields


class DescribedSerializer(Described, serializers.Serializer):
    __doc__ = ""


class DescribedModelSerializer(Described, serializers.ModelSerializer):
    __doc__ = ""


def person_name(serializer, person) -> str:
    """A person's name as the caller may see it (workspace.people's public-name rule), with
    the request's cache so a list of rows by the same people costs a query per person."""
    request = serializer.context.get("request")
    viewer = getattr(request, "user", None)
    cache = serializer.context.setdefault("names", {})
    return public_name(person, viewer, cache)
