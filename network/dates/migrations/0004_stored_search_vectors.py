"""Full-text search on PostgreSQL from stored vectors (``workspace.search_vectors``): dates
get a generated ``search_vector`` column with a GIN index, replacing the GIN *expression*
indexes of 0002: the search no longer computes the vector in the query. History tables
get nothing. Nothing on SQLite."""

from django.db import migrations

from workspace.search_vectors import stored_vectors

GENERATED = [
    # table, title, body, column, the expression index it replaces (if any)
    (
        "dates_appointment",
        "title",
        ("description", "place", "speaker_name"),
        "search_vector",
        "dates_appointment_search",
    ),
]


class Migration(migrations.Migration):
    dependencies = [("dates", "0003_appointment_end_indexes")]
    operations = [stored_vectors(GENERATED)]
