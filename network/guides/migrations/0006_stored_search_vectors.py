"""Full-text search on PostgreSQL from stored vectors (``workspace.search_vectors``): guides, glossary terms and guide attachments
get a generated ``search_vector`` column with a GIN index (a guide a second one, ``search_cover``, of its title and summary: what whoever may not read a planned guide's body searches), replacing the GIN *expression*
indexes of 0002 and 0005: the search no longer computes the vector in the query. History tables
get nothing. Nothing on SQLite."""

from django.db import migrations

from workspace.search_vectors import stored_vectors

GENERATED = [
    # table, title, body, column, the expression index it replaces (if any)
    ("guides_guide", "title", ("summary", "body"), "search_vector", "guides_guide_search"),
    ("guides_guide", "title", ("summary",), "search_cover", None),
    ("guides_term", "name", ("synonyms", "definition"), "search_vector", "guides_term_search"),
    (
        "guides_guideattachment",
        "name",
        ("text",),
        "search_vector",
        "guides_guideattachment_search",
    ),
]


class Migration(migrations.Migration):
    dependencies = [("guides", "0005_guideattachment")]
    operations = [stored_vectors(GENERATED)]
