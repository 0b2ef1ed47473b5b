"""Move the meetings comms recorded (its placeholder model) into this app, keeping their ids, so the
messages that name them keep pointing at the same meetings."""

from django.core.management.color import no_style
from django.db import connection, migrations


def copy(apps, schema_editor):  # type: ignore[no-untyped-def]
    Old = apps.get_model("comms", "Meeting")
    New = apps.get_model("meetings", "Meeting")
    rows = [
        New(
            pk=old.pk,
            body_id=old.body_id,
            kind="ordinary",
            title=old.title,
            starts_at=old.starts_at,
            place=old.place,
            agenda=old.agenda,
            state="noticed" if old.notice_sent_at else "called",
            created_by_label=old.created_by_label,
            notice_sent_at=old.notice_sent_at,
        )
        for old in Old.objects.all()
    ]
    New.objects.bulk_create(rows)
    if rows:
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [New]):
                cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_meetings_of_bodies"),
        ("comms", "0001_audiences_messages_meetings"),
    ]

    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
