"""Writes to the mock registries (R-RG-4): a load file, one record, the failure switch.

Every insert and every update takes the next change number of its registry (see
MockCursor), so it shows up at the end of the feed, an update with the record's old
"id". The mocks stand for other agencies' databases: no audit rows here.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ashyq.mocks.models import (
    MODELS,
    NAMES,
    ContactRecord,
    FeedRecord,
    MockCursor,
    MockFailure,
    PcrRecord,
    Registry,
    VaccinationRecord,
)
from ashyq.mocks.records import FIELDS, NATURAL_KEYS, clean_record

_BATCH = 1000
MAX_LATENCY_MS = 60_000


def _reserve(name: str, count: int) -> int:
    """The first of `count` new change numbers of registry `name`; call inside the writing transaction."""
    MockCursor.objects.get_or_create(registry=name)
    # The UPDATE locks the cursor row until the commit: numbers become visible in order.
    MockCursor.objects.filter(registry=name).update(last=F("last") + count)
    last = MockCursor.objects.values_list("last", flat=True).get(registry=name)
    return last - count + 1


def _stamp(name: str, records: list[FeedRecord], now: datetime) -> None:
    if not records:
        return
    first = _reserve(name, len(records))
    for offset, record in enumerate(records):
        record.seq = first + offset
        record.changed_at = now


def _clean_file(data) -> dict[str, list[dict]]:
    """Every record of a load file checked; ValidationError lists every fault, "pcr[3]: sampled_at: …"."""
    if not isinstance(data, dict):
        raise ValidationError(_("The load file must hold a JSON object with a list per registry."))
    errors = [
        _("%(name)s: unknown registry (known: %(known)s)") % {"name": name, "known": ", ".join(FIELDS)}
        for name in data
        if name not in FIELDS
    ]
    cleaned: dict[str, list[dict]] = {}
    for name in FIELDS:
        raw_records = data.get(name, [])
        if not isinstance(raw_records, list):
            errors.append(_("%(name)s: must be a list of records") % {"name": name})
            continue
        seen: dict[object, int] = {}
        cleaned[name] = []
        key = NATURAL_KEYS.get(name)
        for index, raw in enumerate(raw_records):
            try:
                values = clean_record(name, raw)
            except ValidationError as exc:
                errors += [f"{name}[{index}]: {message}" for message in exc.messages]
                continue
            if key and values[key] in seen:
                errors.append(
                    _("%(name)s[%(index)d]: %(key)s: the same as %(name)s[%(first)d]")
                    % {"name": name, "index": index, "key": key, "first": seen[values[key]]}
                )
            elif key:
                seen[values[key]] = index
            cleaned[name].append(values)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _save_all(name: str, records: list[dict], now: datetime) -> int:
    model, key = MODELS[name], NATURAL_KEYS.get(name)
    # A keyed registry (phone, BIN, notification number) updates the record it already has.
    existing = model.objects.in_bulk([values[key] for values in records], field_name=key) if key else {}
    new, changed = [], []
    for values in records:
        record = existing.get(values[key]) if key else None
        if record is None:
            new.append(model(**values))
        else:
            for field, value in values.items():
                setattr(record, field, value)
            changed.append(record)
    _stamp(name, new + changed, now)
    model.objects.bulk_create(new, batch_size=_BATCH)
    model.objects.bulk_update(changed, [*FIELDS[name], "seq", "changed_at"], batch_size=_BATCH)
    return len(records)


@transaction.atomic
def records_load(data: dict) -> dict[str, int]:
    """Add the records of a load file (docs/registries.md); all or nothing.

    Health records (pcr, contacts, vaccinations) are added every time; subscribers,
    companies and notifications are updated when their phone, BIN or number exists.
    Returns the number of records written per registry.
    """
    cleaned = _clean_file(data)
    now = timezone.now()
    return {name: _save_all(name, records, now) for name, records in cleaned.items()}


@transaction.atomic
def record_save(record: FeedRecord) -> FeedRecord:
    """Check the record, give it the next change number and save it: a new feed entry."""
    name = NAMES[type(record)]
    values = clean_record(name, {field: getattr(record, field) for field in FIELDS[name]})
    key = NATURAL_KEYS.get(name)
    if key and type(record).objects.filter(**{key: values[key]}).exclude(pk=record.pk).exists():
        raise ValidationError(_("%(key)s: another record already has this value") % {"key": key})
    for field, value in values.items():
        setattr(record, field, value)
    _stamp(name, [record], timezone.now())
    record.save()
    return record


@transaction.atomic
def record_update(name: str, record_id: int, **fields) -> FeedRecord:
    """Change fields of a record; it reappears in the feed with the same "id" and its new values."""
    record = MODELS[name].objects.select_for_update().get(pk=record_id)
    unknown = set(fields) - set(FIELDS[name])
    if unknown:
        raise ValidationError([_("%(field)s: unknown field") % {"field": field} for field in sorted(unknown)])
    for field, value in fields.items():
        setattr(record, field, value)
    return record_save(record)


def _set(name: str, values: dict) -> FeedRecord:
    key = NATURAL_KEYS[name]
    model = MODELS[name]
    try:
        clean_key = FIELDS[name][key](values[key])
    except ValueError:
        clean_key = None  # record_save says what is wrong with it
    with transaction.atomic():
        existing = model.objects.select_for_update().filter(**{key: clean_key}) if clean_key else model.objects.none()
        record = existing.first() or model()
        for field, value in values.items():
            setattr(record, field, value)
        return record_save(record)


def pcr_add(
    *,
    iin: str | None = None,
    passport: str | None = None,
    country: str | None = None,
    result: str,
    sampled_at: datetime | str,
    resulted_at: datetime | str | None = None,
):
    """A new PCR result: a citizen's by `iin`, a foreigner's by `passport` and `country` (R-ID-4)."""
    values = dict(iin=iin, passport=passport, country=country, result=result)
    return record_save(PcrRecord(**values, sampled_at=sampled_at, resulted_at=resulted_at))


def contact_add(*, iin: str, contact_date: date | str, registered_at: datetime | str):
    """A new close contact (R-ST-4)."""
    return record_save(ContactRecord(iin=iin, contact_date=contact_date, registered_at=registered_at))


def vaccination_add(
    *, iin: str, vaccine: str, dose: int, doses_in_scheme: int, administered_on: date | str, **optional
):
    """A new dose in the vaccination passport (R-ST-5); `optional`: family_name,
    given_name, organisation, region (a region's code), certificate (R-VP-1, R-VP-4)."""
    return record_save(
        VaccinationRecord(
            iin=iin,
            vaccine=vaccine,
            dose=dose,
            doses_in_scheme=doses_in_scheme,
            administered_on=administered_on,
            **optional,
        )
    )


def subscriber_set(phone: str, iin: str):
    """The holder of `phone` is `iin` from now on (R-AU-2); creates or updates by phone."""
    return _set("subscribers", {"phone": phone, "iin": iin})


def company_set(bin: str, name: str, oked: list[str], phone: str | None = None):
    """The company with this BIN, its name, OKED codes (R-VN-1, R-VN-2) and contact phone
    (where a claim's code goes); creates or updates by BIN."""
    return _set("companies", {"bin": bin, "name": name, "oked": list(oked), "phone": phone})


def notification_set(number: str, date: date | str, bin: str, address: str):
    """The sanitary notification `number` (R-VN-1); creates or updates by number."""
    return _set("notifications", {"number": number, "date": date, "bin": bin, "address": address})


def _rate(value, label: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValidationError(_("%(label)s must be a number from 0 to 1.") % {"label": label})
    return float(value)


def failure_set(
    name: str,
    *,
    error_rate: float = 0,
    latency_ms: int = 0,
    malformed_rate: float = 0,
    bad_record_rate: float = 0,
    seed: int | None = None,
) -> MockFailure:
    """How registry `name` misbehaves from now on (R-RG-4); all zeros turn it off.

    A seed makes the draws repeatable (see ashyq.mocks.failures); the request count
    starts again from zero on every call.
    """
    if name not in Registry.values:
        raise ValidationError(
            _("Unknown registry %(name)s (known: %(known)s).") % {"name": name, "known": ", ".join(Registry.values)}
        )
    if isinstance(latency_ms, bool) or not isinstance(latency_ms, int) or not 0 <= latency_ms <= MAX_LATENCY_MS:
        raise ValidationError(
            _("The latency must be a whole number of milliseconds from 0 to %(max)d.") % {"max": MAX_LATENCY_MS}
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValidationError(_("The seed must be a whole number."))
    failure, _created = MockFailure.objects.update_or_create(
        registry=name,
        defaults={
            "error_rate": _rate(error_rate, "error_rate"),
            "latency_ms": latency_ms,
            "malformed_rate": _rate(malformed_rate, "malformed_rate"),
            "bad_record_rate": _rate(bad_record_rate, "bad_record_rate"),
            "seed": seed,
            "requests": 0,
        },
    )
    return failure
