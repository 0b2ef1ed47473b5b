"""The append-only trigger lets one update through: anonymising an event (polity.consent.retention).

An update passes only if the event was not anonymised before, is marked anonymised now, names nobody (no
person, nobody who recorded it), keeps its purpose, channel, action, time, method and wording, and a later
event of the same person, purpose and channel superseded it (so no one's consent state can change); every
other update, and every DELETE on PostgreSQL, still raises. On SQLite the table was rebuilt by 0003 (which
drops its triggers), so the trigger is made again here.
"""

from django.db import migrations

_ALLOWED = (
    "OLD.anonymised_at IS NULL AND NEW.anonymised_at IS NOT NULL AND NEW.person_id IS NULL "
    "AND NEW.recorded_by_person_id IS NULL AND NEW.id = OLD.id AND NEW.purpose = OLD.purpose "
    "AND NEW.channel = OLD.channel AND NEW.action = OLD.action AND NEW.occurred_at = OLD.occurred_at "
    "AND NEW.method = OLD.method AND NEW.wording = OLD.wording "
    # ... and only an event a later one superseded: the latest of each (person, purpose, channel) decides.
    "AND EXISTS (SELECT 1 FROM consent_consentevent l WHERE l.person_id = OLD.person_id "
    "AND l.purpose = OLD.purpose AND l.channel = OLD.channel AND (l.occurred_at > OLD.occurred_at "
    "OR (l.occurred_at = OLD.occurred_at AND l.id > OLD.id)))"
)
PG_UP = f"""
CREATE OR REPLACE FUNCTION consent_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF {_ALLOWED} THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'the consent ledger is append-only';
END;
$$ LANGUAGE plpgsql;
"""
PG_DOWN = """
CREATE OR REPLACE FUNCTION consent_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the consent ledger is append-only';
END;
$$ LANGUAGE plpgsql;
"""
_SQLITE_DROP = "DROP TRIGGER IF EXISTS consent_event_no_update"
_SQLITE_CREATE = """
CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON consent_consentevent{when}
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
"""
SQLITE_UP = [_SQLITE_DROP, _SQLITE_CREATE.format(when=f"\nWHEN NOT ({_ALLOWED})")]
SQLITE_DOWN = [_SQLITE_DROP, _SQLITE_CREATE.format(when="")]


def _run(pg: str, sqlite: list[str]):  # type: ignore[no-untyped-def]
    def apply(apps, schema_editor):  # type: ignore[no-untyped-def]
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(pg)
        elif vendor == "sqlite":
            for statement in sqlite:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("consent", "0003_ledger_anonymised")]

    operations = [
        migrations.RunPython(
            _run(PG_UP, SQLITE_UP),
            _run(PG_DOWN, SQLITE_DOWN),
        )
    ]
