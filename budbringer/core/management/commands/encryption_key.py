from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from budbringer.lib.encryption import EncryptedTextField, new_key


class Command(BaseCommand):
    help = (
        "Print a new key for BUDBRINGER_ENCRYPTION_KEYS, or (--rotate) re-encrypt every "
        "stored secret with the first configured key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rotate", action="store_true")

    def handle(self, *args, rotate, **options):
        if not rotate:
            self.stdout.write(new_key())
            return
        count = 0
        with transaction.atomic():
            for model in apps.get_models():
                fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
                if not fields:
                    continue
                for row in model._default_manager.select_for_update().only("pk", *fields):
                    # Reading decrypts with any configured key; saving encrypts with the first.
                    row.save(update_fields=fields)
                    count += 1
        self.stdout.write(f"{count} rows re-encrypted with the first key")
