"""The database refuses changes to the consent ledger from any client, not only from Django models.

PostgreSQL: UPDATE and DELETE raise. (TRUNCATE, which needs table ownership, stays possible for the
operator and for the test runner's flush.) SQLite: UPDATE raises; DELETE is refused by the model layer
only, because Django's flush empties SQLite tables with DELETE.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION consent_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the consent ledger is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON consent_consentevent
    FOR EACH ROW EXECUTE FUNCTION consent_event_append_only();
CREATE TRIGGER consent_event_no_delete BEFORE DELETE ON consent_consentevent
    FOR EACH ROW EXECUTE FUNCTION consent_event_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS consent_event_no_update ON consent_consentevent;
DROP TRIGGER IF EXISTS consent_event_no_delete ON consent_consentevent;
DROP FUNCTION IF EXISTS consent_event_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON consent_consentevent
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS consent_event_no_update;"


def _run(sql: dict[str, str]):  # type: ignore[no-untyped-def]
    def apply(apps, schema_editor):  # type: ignore[no-untyped-def]
        vendor = schema_editor.connection.vendor
        if vendor in sql:
            schema_editor.execute(sql[vendor])

    return apply


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_ledger_and_suppression")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
