"""Adopted agreements are records: the database itself refuses UPDATE and DELETE on them.

Not even raw SQL or a tool at the database can change what the committee decided (DESIGN.md,
invariant 5). An amendment is a new row that refers to the old one.
"""

from django.db import migrations

TABLES = ("steering_agreement", "steering_agreementparty", "steering_approval")
MESSAGE = "Vereinbarungen sind unveraenderlich"


def _sqlite(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {table}'); END;"
        for op in ("UPDATE", "DELETE")
    ]


def _postgresql(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION steering_refuse_change();"
    ]


POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION steering_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: %', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = [s for table in TABLES for s in _sqlite(table)]
    elif vendor == "postgresql":
        statements = [POSTGRESQL_FUNCTION, *(s for table in TABLES for s in _postgresql(table))]
    else:
        raise NotImplementedError(f"Keine Schutz-Trigger für {vendor}")
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS steering_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("steering", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
