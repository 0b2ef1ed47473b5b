"""An index for finding a member by number typed without its letters or leading zeros, on PostgreSQL.

`polity.members.search` compares `regexp_replace(membership_number, '^[A-Za-z]*0*', '')` with the digits
typed; with this index on that expression a national officer's search of "137" in the 500,000-member demo
takes milliseconds instead of a sequential scan of the register (~1 s; docs/performance.md). SQLite has no
such function: there, this migration does nothing (its registers are small).
"""

from django.db import migrations

NAME = "members_number_digits"
EXPRESSION = "regexp_replace((membership_number)::text, '^[A-Za-z]*0*'::text, ''::text)"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON members_person (({EXPRESSION}))")
    # An expression index has no statistics until the table is analysed; without them the planner guesses
    # 0.25% of the register per number and walks the name index instead (measured: 3.6 s, worse than before).
    schema_editor.execute("ANALYZE members_person")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("members", "0004_resignations_and_status_notices")]

    operations = [migrations.RunPython(create, drop)]
