"""Deleting many rows without one long transaction: what the retention jobs share."""

from django.db import transaction
from django.db.models import QuerySet

BATCH = 10_000


def delete_in_batches(queryset: QuerySet, *, dry_run: bool = False, batch: int = BATCH) -> int:
    """Delete the queryset's rows `batch` at a time, each batch its own short
    transaction (a night's deletes never hold locks for long); how many went. With
    `dry_run`, nothing changes and the count is how many would go."""
    if dry_run:
        return queryset.count()
    deleted = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        with transaction.atomic():
            deleted += queryset.model.objects.filter(pk__in=ids).delete()[0]
