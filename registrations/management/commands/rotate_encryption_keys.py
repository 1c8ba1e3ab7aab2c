from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from shared.encryption import EncryptedTextField


class Command(BaseCommand):
    help = (
        "Re-encrypt every personal field with the newest key in FIELD_ENCRYPTION_KEYS. Put the new key first, "
        "keep the old ones after it, run this, then remove the old keys."
    )

    def handle(self, *args, **options) -> None:
        for model in apps.get_models():
            fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            count = 0
            with transaction.atomic():
                for row in model._default_manager.select_for_update().iterator(chunk_size=1000):
                    model._default_manager.filter(pk=row.pk).update(**{name: getattr(row, name) for name in fields})
                    count += 1
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
