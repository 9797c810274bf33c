"""Full-text search on PostgreSQL from stored vectors (``workspace.search_vectors``): lead
projects, results and their attachments get a generated ``search_vector`` column with a GIN
index, templates a column that triggers keep in step with their result's title and summary
(and no parallel workers: see ``store``).
The GIN *expression* indexes of 0007 and 0008 go: the search no longer computes the vector in
the query. History tables get nothing. Nothing on SQLite."""

from django.db import migrations

from workspace.search_vectors import (
    add_expression_index,
    add_generated,
    add_index,
    drop_column,
    drop_expression_index,
)

GENERATED = [
    # table, title, body, the expression index it replaces
    ("projects_leadproject", "title", ("summary", "description"), "projects_leadproject_search"),
    ("projects_result", "title", ("summary", "body"), "projects_result_search"),
    ("projects_resultattachment", "name", ("text",), "projects_resultattachment_search"),
]

# A template is searched by its result's title (A) and summary, its prerequisites and effort
# (B): projects.search.TEMPLATE_DOCUMENT. A generated column cannot read another table, so a
# trigger on each side keeps the column current in the writing transaction.


def _template_vector(result: str, template: str) -> str:
    """The vector of the template row ``template`` whose result row is ``result``."""
    return (
        f"setweight(to_tsvector('german'::regconfig, COALESCE({result}.title, '')), 'A') || "
        f"setweight(to_tsvector('german'::regconfig, COALESCE({result}.summary, '') || ' ' || "
        f"COALESCE({template}.prerequisites, '') || ' ' || COALESCE({template}.effort, '')), 'B')"
    )


TEMPLATE_SQL = f"""
ALTER TABLE projects_template ADD COLUMN search_vector tsvector;

CREATE FUNCTION projects_template_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT {_template_vector("r", "NEW")} INTO NEW.search_vector
    FROM projects_result r WHERE r.id = NEW.result_id;
    RETURN NEW;
END $$;

CREATE TRIGGER projects_template_search_vector
BEFORE INSERT OR UPDATE OF result_id, prerequisites, effort ON projects_template
FOR EACH ROW EXECUTE FUNCTION projects_template_search_vector();

CREATE FUNCTION projects_result_template_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE projects_template t SET search_vector = {_template_vector("NEW", "t")}
    WHERE t.result_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER projects_result_template_search_vector
AFTER UPDATE OF title, summary ON projects_result
FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.summary IS DISTINCT FROM NEW.summary)
EXECUTE FUNCTION projects_result_template_search_vector();

UPDATE projects_template t SET search_vector = {_template_vector("r", "t")}
FROM projects_result r WHERE r.id = t.result_id;
"""  # noqa: S608 – built from constants only
TEMPLATE_UNDO = """
DROP TRIGGER projects_result_template_search_vector ON projects_result;
DROP FUNCTION projects_result_template_search_vector();
DROP TRIGGER projects_template_search_vector ON projects_template;
DROP FUNCTION projects_template_search_vector();
ALTER TABLE projects_template DROP COLUMN search_vector;
"""


def store(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, title, body, old_index in GENERATED:
        drop_expression_index(schema_editor, old_index)
        add_generated(schema_editor, table, title, body)
    schema_editor.execute(TEMPLATE_SQL)
    add_index(schema_editor, "projects_template")
    # The search reads a template with its result and project row by row until it has a
    # page's worth; PostgreSQL's cost model prices that high enough to start a parallel worker,
    # whose start costs more than the whole walk. A table of templates never needs one.
    schema_editor.execute("ALTER TABLE projects_template SET (parallel_workers = 0)")
    schema_editor.execute("ANALYZE projects_template")


def compute(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE projects_template RESET (parallel_workers)")
    schema_editor.execute(TEMPLATE_UNDO)
    for table, title, body, old_index in GENERATED:
        drop_column(schema_editor, table)
        add_expression_index(schema_editor, old_index, table, title, body)


class Migration(migrations.Migration):
    dependencies = [("projects", "0008_attachments_checked_and_removable")]
    operations = [migrations.RunPython(store, compute, elidable=False)]
