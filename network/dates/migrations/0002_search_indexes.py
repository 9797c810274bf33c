"""Full-text search on PostgreSQL: GIN expression indexes over the German weighted vector the
search builds at query time (``workspace.search.document_vector``; title A, body B). Nothing
on SQLite, which searches without them."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations


def _vector(title, *body):
    vector = SearchVector(title, weight="A", config="german")
    return vector + SearchVector(*body, weight="B", config="german") if body else vector


INDEXES = [
    (
        "appointment",
        GinIndex(
            _vector("title", "description", "place", "speaker_name"),
            name="dates_appointment_search",
        ),
    ),
]


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model_name, index in INDEXES:
            schema_editor.add_index(apps.get_model("dates", model_name), index)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model_name, index in INDEXES:
            schema_editor.remove_index(apps.get_model("dates", model_name), index)


class Migration(migrations.Migration):
    dependencies = [("dates", "0001_initial")]
    operations = [migrations.RunPython(add, remove, elidable=False)]
