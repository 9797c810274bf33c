"""German full text on SQLite: the FTS5 table ``workspace.search_index`` writes (stems from
Snowball, one row per searched object). Nothing on PostgreSQL, which stems in the query and
has GIN indexes instead. The table is filled after ``migrate`` (``rebuild_after_migrate``),
from the models as they are then, never from this migration's historical ones."""

from django.db import migrations

CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS workspace_searchindex USING fts5("
    "kind UNINDEXED, object_id UNINDEXED, title, body, "
    "tokenize = 'unicode61 remove_diacritics 0')"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS workspace_searchindex")


class Migration(migrations.Migration):
    dependencies = [("workspace", "0003_notifications")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
