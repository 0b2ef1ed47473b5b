"""Indexes for the members search on PostgreSQL: a search word matches a membership number exactly or the
start of a family or given name, case-insensitively (`UPPER(col) = / LIKE 'SM%'`). Without indexes on those
expressions the planner walks the whole name index and filters: 1.3 s for a regional officer's search of
"Sm" in the 500,000-member demo, 24 ms with them (docs/performance.md, load). `text_pattern_ops` lets a
prefix LIKE use the index whatever the database's collation. SQLite has no operator classes and needs none
at its sizes: there, this migration does nothing.
"""

from django.db import migrations

INDEXES = {
    "members_upper_family_prefix": "UPPER(family_name::text) text_pattern_ops",
    "members_upper_given_prefix": "UPPER(given_name::text) text_pattern_ops",
    "members_upper_number": "UPPER(membership_number::text)",
}


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON members_person ({expression})")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("members", "0002_refused_status")]

    operations = [migrations.RunPython(create, drop)]
