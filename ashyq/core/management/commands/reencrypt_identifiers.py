"""manage.py reencrypt_identifiers: rewrite every encrypted identifier under the current
key (IIN_ENCRYPTION_KEY / IIN_ENCRYPTION_KEY_ID), after a key rotation (SECURITY.md).

Rows already under the current key are left alone, so the command can be stopped and
run again. Each chunk is one transaction.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import BinaryField, ExpressionWrapper, F

from ashyq.crypto import EncryptedCharField, current_key_id, decrypt, key_id_of

CHUNK = 2000


def encrypted_fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedCharField):
                yield model, field


def _stale_rows(model, field, after):
    """(pk, plaintext) of up to CHUNK rows after pk `after` whose value is under an old
    key. The column is read as plain bytes (the field itself hands out the plaintext
    and hides the key id)."""
    rows = list(
        model.objects.filter(pk__gt=after, **{f"{field.name}__isnull": False})
        .order_by("pk")
        .values_list("pk", ExpressionWrapper(F(field.name), output_field=BinaryField()))[:CHUNK]
    )
    current = current_key_id()
    return rows, [(key, decrypt(value)) for key, value in rows if key_id_of(value) != current]


class Command(BaseCommand):
    help = "Re-encrypt every stored identifier under the current key (after a key rotation)."

    def handle(self, *args, **options):
        for model, field in encrypted_fields():
            rewritten, after = 0, 0
            while True:
                rows, stale = _stale_rows(model, field, after)
                if not rows:
                    break
                after = rows[-1][0]
                with transaction.atomic():
                    objs = [model(pk=key, **{field.attname: plain}) for key, plain in stale]
                    model.objects.bulk_update(objs, [field.attname], batch_size=500)
                rewritten += len(stale)
            self.stdout.write(f"{model._meta.label}.{field.name}: {rewritten} re-encrypted")
