"""Full-text search on PostgreSQL from stored vectors (``workspace.search_vectors``): news items and issues
get a generated ``search_vector`` column with a GIN index, replacing the GIN *expression*
indexes of 0002: the search no longer computes the vector in the query. History tables
get nothing. Nothing on SQLite."""

from django.db import migrations

from workspace.search_vectors import stored_vectors

GENERATED = [
    # table, title, body, column, the expression index it replaces (if any)
    ("newsletter_newsitem", "title", ("body",), "search_vector", "newsletter_newsitem_search"),
    ("newsletter_issue", "title", ("editorial",), "search_vector", "newsletter_issue_search"),
]


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0002_search_indexes")]
    operations = [stored_vectors(GENERATED)]
