"""On PostgreSQL the database itself keeps the log: UPDATE is refused, DELETE only allowed for
entries older than the retention period. The period is the one the deleting transaction names
(``SET LOCAL klassenraum.audit_retention_days``, see services.security_log_purge), 400 days
when it names none; nothing younger than a day can ever go."""

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION audit_securityevent_guard() RETURNS trigger AS $$
DECLARE
    days integer := GREATEST(
        1,
        COALESCE(NULLIF(current_setting('klassenraum.audit_retention_days', true), '')::integer, 400)
    );
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'Einträge des Sicherheitsprotokolls sind unveränderlich.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.at >= now() - make_interval(days => days) THEN
        RAISE EXCEPTION 'Einträge des Sicherheitsprotokolls werden erst nach % Tagen gelöscht.', days
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_securityevent_guard
    BEFORE UPDATE OR DELETE ON audit_securityevent
    FOR EACH ROW EXECUTE FUNCTION audit_securityevent_guard();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS audit_securityevent_guard ON audit_securityevent;
DROP FUNCTION IF EXISTS audit_securityevent_guard();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(guard, unguard)]
