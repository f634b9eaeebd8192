"""Rows whose name another department of the organisation has in another case get
"Name (2)", "Name (3)", ... (the oldest keeps it), so the case-insensitive unique
constraint of the next migration holds on existing data."""

from django.db import migrations

from budbringer.lib.names import migrate_case_duplicates_apart


def rename_case_duplicates(apps, schema_editor):
    migrate_case_duplicates_apart(apps.get_model("accounts", "Department"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_password_reset_throttle"),
    ]

    operations = [
        migrations.RunPython(rename_case_duplicates, migrations.RunPython.noop, elidable=True),
    ]
