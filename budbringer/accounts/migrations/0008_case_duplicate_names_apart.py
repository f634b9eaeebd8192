"""Rows whose name another department of the organisation has in another case get
"Name (2)", "Name (3)", ... (the oldest keeps it), so the case-insensitive unique
constraint of the next migration holds on existing data."""

from django.db import migrations

from budbringer.lib.names import names_apart


def rename_case_duplicates(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    max_length = Department._meta.get_field("name").max_length
    by_organisation = {}
    for row_id, organisation_id, name in Department.objects.order_by("pk").values_list(
        "pk", "organisation_id", "name"
    ):
        by_organisation.setdefault(organisation_id, []).append((row_id, name))
    for rows in by_organisation.values():
        for row_id, name in names_apart(rows, max_length).items():
            Department.objects.filter(pk=row_id).update(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_password_reset_throttle"),
    ]

    operations = [
        migrations.RunPython(rename_case_duplicates, migrations.RunPython.noop, elidable=True),
    ]
