"""The table of Django's database cache (POLITY_CACHE=database, the production default): created here so
that `polity migrate` is the only step, whatever the settings were when it ran. Idempotent."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "polity_cache"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("common", "0001_scheduled_runs")]

    operations = [migrations.RunPython(create, drop)]
