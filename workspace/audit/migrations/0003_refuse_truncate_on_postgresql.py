"""On PostgreSQL ``TRUNCATE`` empties a table without firing the row trigger of 0002, so a
statement trigger refuses it for the security log: entries go one by one, past the retention
period, or not at all. (A superuser can still switch triggers off for a transaction with
``session_replication_role``; the test suite empties its database that way, the app's own role
cannot.)"""

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION audit_securityevent_truncate_guard() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Einträge des Sicherheitsprotokolls werden nicht auf einmal geleert (TRUNCATE); alte Einträge löscht nur die Aufbewahrungsfrist.'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_securityevent_truncate_guard
    BEFORE TRUNCATE ON audit_securityevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_securityevent_truncate_guard();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS audit_securityevent_truncate_guard ON audit_securityevent;
DROP FUNCTION IF EXISTS audit_securityevent_truncate_guard();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_refuse_changes_on_postgresql")]

    operations = [migrations.RunPython(guard, unguard)]
