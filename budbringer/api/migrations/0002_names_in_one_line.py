"""Names are one line of ordinary characters (lib/names.py): the field validators, and
existing names with control characters made one line (numbered apart where a name
is unique in the organisation)."""

import budbringer.lib.names
from django.db import migrations, models

from budbringer.lib.names import migrate_to_one_line


def names_in_one_line(apps, schema_editor):
    migrate_to_one_line(apps.get_model("api", "ApiToken"), "name")


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(names_in_one_line, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name='apitoken',
            name='name',
            field=models.CharField(max_length=100, validators=[budbringer.lib.names.validate_one_line], verbose_name='name'),
        ),
    ]
