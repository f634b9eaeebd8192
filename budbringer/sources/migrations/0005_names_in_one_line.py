"""Names are one line of ordinary characters (lib/names.py): the field validators, and
existing names with control characters made one line (numbered apart where a name
is unique in the organisation)."""

import budbringer.lib.names
from django.db import migrations, models

from budbringer.lib.names import migrate_to_one_line


def names_in_one_line(apps, schema_editor):
    migrate_to_one_line(apps.get_model("sources", "SourceList"), "name", distinct_per_organisation=True)
    migrate_to_one_line(apps.get_model("sources", "Source"), "title")


class Migration(migrations.Migration):

    dependencies = [
        ('sources', '0004_names_unique_in_any_case'),
    ]

    operations = [
        migrations.RunPython(names_in_one_line, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name='source',
            name='feed_url',
            field=models.URLField(max_length=2000, validators=[budbringer.lib.names.validate_one_line], verbose_name='feed URL'),
        ),
        migrations.AlterField(
            model_name='source',
            name='site_url',
            field=models.URLField(blank=True, max_length=2000, validators=[budbringer.lib.names.validate_one_line], verbose_name='site URL'),
        ),
        migrations.AlterField(
            model_name='source',
            name='title',
            field=models.CharField(max_length=300, validators=[budbringer.lib.names.validate_one_line], verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='sourcelist',
            name='name',
            field=models.CharField(max_length=200, validators=[budbringer.lib.names.validate_one_line], verbose_name='name'),
        ),
    ]
