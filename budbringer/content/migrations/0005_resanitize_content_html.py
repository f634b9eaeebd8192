"""Items saved before every write of content_html was sanitised (the admin's form stored
what it was given) may hold raw HTML: pass every item's HTML through the sanitiser once.

In batches by id, each in its own transaction, so a big table is neither held in memory
nor locked for the whole run; only the rows the sanitiser changes are written. Running
it again (after an interruption) rewrites nothing that is already clean.
"""

from django.db import migrations, transaction

from budbringer.sources.sanitize import sanitize_html

BATCH_SIZE = 500


def resanitize_content_html(apps, schema_editor):
    Item = apps.get_model("content", "Item")
    items = Item.objects.using(schema_editor.connection.alias)
    last_id = 0
    while True:
        with transaction.atomic(using=schema_editor.connection.alias):
            batch = list(
                items.filter(pk__gt=last_id)
                .exclude(content_html="")
                .order_by("pk")
                .only("pk", "url", "content_html")[:BATCH_SIZE]
            )
            if not batch:
                return
            changed = []
            for item in batch:
                cleaned = sanitize_html(item.content_html, item.url)
                if cleaned != item.content_html:
                    item.content_html = cleaned
                    changed.append(item)
            items.bulk_update(changed, ["content_html"])
        last_id = batch[-1].pk


class Migration(migrations.Migration):
    atomic = False  # one transaction per batch (above)

    dependencies = [
        ("content", "0004_content_html_sanitized_on_write"),
    ]

    operations = [
        migrations.RunPython(resanitize_content_html, migrations.RunPython.noop, elidable=True),
    ]
