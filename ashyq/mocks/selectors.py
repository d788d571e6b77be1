"""Reads of the mock registries, in the shapes of the HTTP contract (R-RG-1)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from ashyq.mocks.models import MODELS, CompanyRecord, NotificationRecord, SubscriberRecord
from ashyq.mocks.records import FIELDS, record_payload, record_values


@dataclass(frozen=True)
class Page:
    records: list[dict]
    next: str
    more: bool


def feed_page(name: str, *, since: int, limit: int) -> Page:
    """The records changed after change number `since`, oldest change first (one query on `seq`'s index).

    Tuples, not model instances: a page of 5,000 records is served in milliseconds. The
    payload is exactly record_payload's (ids as strings, moments in local time).
    """
    fields = list(FIELDS[name])
    rows = list(
        MODELS[name]
        .objects.filter(seq__gt=since)
        .order_by("seq")
        .values_list("seq", "pk", "changed_at", *fields)[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = str(rows[-1][0]) if rows else str(since)
    zone = timezone.get_current_timezone()

    def json_value(value):
        if isinstance(value, datetime):
            return value.astimezone(zone).isoformat()  # timezone.localtime(value), without its checks
        if isinstance(value, date):
            return value.isoformat()
        return value

    keys = ["id", "changed_at", *fields]
    records = [dict(zip(keys, (str(pk), *map(json_value, values)), strict=True)) for _seq, pk, *values in rows]
    return Page(records=records, next=next_cursor, more=more)


def person_records(name: str, **key: str) -> list[dict]:
    """Every record of a person in a health registry: by IIN, or by passport and country (pcr)."""
    rows = MODELS[name].objects.filter(**key).order_by("seq")
    return [record_payload(name, row) for row in rows]


def subscriber(phone: str) -> dict | None:
    row = SubscriberRecord.objects.filter(phone=phone).first()
    return None if row is None else record_values("subscribers", row)


def company(bin: str) -> dict | None:
    row = CompanyRecord.objects.filter(bin=bin).first()
    return None if row is None else record_values("companies", row)


def notification(number: str) -> dict | None:
    row = NotificationRecord.objects.filter(number=number).first()
    return None if row is None else record_values("notifications", row)
