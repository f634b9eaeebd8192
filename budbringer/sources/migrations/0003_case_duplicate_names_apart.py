"""Rows whose name another list of the organisation has in another case get
"Name (2)", "Name (3)", ... (the oldest keeps it), so the case-insensitive unique
constraint of the next migration holds on existing data."""

from django.db import migrations

from budbringer.lib.names import migrate_case_duplicates_apart


def rename_case_duplicates(apps, schema_editor):
    migrate_case_duplicates_apart(apps.get_model("sources", "SourceList"))


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0002_fetch_state"),
    ]

    operations = [
        migrations.RunPython(rename_case_duplicates, migrations.RunPython.noop, elidable=True),
    ]
