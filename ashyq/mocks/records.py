"""The shapes of the registry HTTP contract (R-RG-1), without a database.

`clean_record` checks one record of a load file (or of a test's helper call) and
returns Python values; `record_payload` turns a stored record into the JSON a feed
sends; `break_record` spoils one on purpose for the bad-record failure (R-RG-4).
"""

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ashyq.identifiers import parse_bin, parse_iin
from ashyq.sms.rules import normalize_phone

FEED_LIMIT_DEFAULT = 500
FEED_LIMIT_MAX = 5000

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_PASSPORT = re.compile(r"[A-Z0-9]{5,20}")
_OKED = re.compile(r"\d{5}")


# --- one value ----------------------------------------------------------------------


def _text(max_length: int):
    def parse(value):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(_("must be a non-empty string"))
        value = value.strip()
        if len(value) > max_length:
            raise ValueError(_("must be at most %(max)d characters") % {"max": max_length})
        return value

    return parse


def _iin(value):
    if not isinstance(value, str):
        raise ValueError(_("must be a string of 12 digits"))
    try:
        return parse_iin(value).number
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None


def _bin(value):
    if not isinstance(value, str):
        raise ValueError(_("must be a string of 12 digits"))
    try:
        return parse_bin(value)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None


def _phone(value):
    if not isinstance(value, str):
        raise ValueError(_("must be a string such as +77011234567"))
    try:
        return normalize_phone(value)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None


def _passport(value):
    if not isinstance(value, str) or not _PASSPORT.fullmatch(value.replace(" ", "").upper()):
        raise ValueError(_("must be 5 to 20 letters and digits"))
    return value.replace(" ", "").upper()


def _country(value):
    if not isinstance(value, str) or not _COUNTRY.fullmatch(value):
        raise ValueError(_("must be an ISO 3166 alpha-2 code in capitals, such as DE"))
    return value


def _result(value):
    if value not in ("positive", "negative"):
        raise ValueError(_('must be "positive" or "negative"'))
    return value


def _aware_datetime(value):
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValueError(_("must be an ISO-8601 date and time, such as 2021-05-01T10:00:00+06:00"))
        value = parsed
    if not isinstance(value, datetime):
        raise ValueError(_("must be an ISO-8601 date and time, such as 2021-05-01T10:00:00+06:00"))
    if timezone.is_naive(value):
        raise ValueError(_("must give its UTC offset, such as +06:00"))
    return value


def _date(value):
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError(_("must be a date as YYYY-MM-DD"))


def _count(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(_("must be a whole number from 1"))
    return value


def _oked_list(value):
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(_("must be a non-empty list of OKED codes"))
    if not all(isinstance(code, str) and _OKED.fullmatch(code) for code in value):
        raise ValueError(_("every OKED code must be a string of 5 digits"))
    return list(dict.fromkeys(value))


def _nullable(parse):
    def parse_or_none(value):
        return None if value is None else parse(value)

    parse_or_none.nullable = True
    return parse_or_none


# --- one record ---------------------------------------------------------------------

FIELDS = {
    "pcr": {
        "iin": _nullable(_iin),
        "passport": _nullable(_passport),
        "country": _nullable(_country),
        "result": _result,
        "sampled_at": _aware_datetime,
        "resulted_at": _nullable(_aware_datetime),
    },
    "contacts": {"iin": _iin, "contact_date": _date, "registered_at": _aware_datetime},
    "vaccinations": {
        "iin": _iin,
        "vaccine": _text(100),
        "dose": _count,
        "doses_in_scheme": _count,
        "administered_on": _date,
        "family_name": _nullable(_text(100)),
        "given_name": _nullable(_text(100)),
        "organisation": _nullable(_text(200)),
        "region": _nullable(_text(30)),
        "certificate": _nullable(_text(80)),
    },
    "subscribers": {"phone": _phone, "iin": _iin},
    "companies": {"bin": _bin, "name": _text(300), "oked": _oked_list, "phone": _nullable(_phone)},
    "notifications": {"number": _text(50), "date": _date, "bin": _bin, "address": _text(500)},
}

# Look-up keys (never null: a null IIN would match every foreigner's PCR result).
KEYS = {"iin": _iin, "passport": _passport, "country": _country, "phone": _phone}

# The field that identifies a record of a keyed registry: loading it again updates it.
NATURAL_KEYS = {"subscribers": "phone", "companies": "bin", "notifications": "number"}


def _cross_check(name: str, clean: dict) -> list[str]:
    errors = []
    if name == "pcr":
        by_iin = clean["iin"] is not None
        by_passport = clean["passport"] is not None or clean["country"] is not None
        if by_iin == by_passport or (by_passport and None in (clean["passport"], clean["country"])):
            # R-ID-4: a citizen's result is keyed by IIN, a foreigner's by passport and country.
            errors.append(_("give either iin, or passport and country (not both)"))
        if clean["resulted_at"] is not None and clean["resulted_at"] < clean["sampled_at"]:
            errors.append(_("resulted_at: must not be before sampled_at"))
    if name == "vaccinations" and clean["dose"] > clean["doses_in_scheme"]:
        errors.append(_("dose: must not be greater than doses_in_scheme"))
    return errors


def clean_record(name: str, raw) -> dict:
    """The record's values as Python objects; ValidationError lists every fault as "field: problem"."""
    fields = FIELDS[name]
    if not isinstance(raw, dict):
        raise ValidationError(_("must be a JSON object"))
    errors = [_("%(field)s: unknown field") % {"field": key} for key in raw if key not in fields]
    clean = {}
    for field, parse in fields.items():
        if field not in raw and not getattr(parse, "nullable", False):
            errors.append(_("%(field)s: missing") % {"field": field})
            continue
        try:
            clean[field] = parse(raw.get(field))
        except ValueError as exc:
            errors.append(f"{field}: {exc}")
    if not errors:
        errors = _cross_check(name, clean)
    if errors:
        raise ValidationError(errors)
    return clean


# --- JSON out -----------------------------------------------------------------------


def _json_value(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def record_values(name: str, record) -> dict:
    """The contract's fields of a stored record, as JSON values (no "id", no "changed_at")."""
    return {field: _json_value(getattr(record, field)) for field in FIELDS[name]}


def record_payload(name: str, record) -> dict:
    """A record as the feed and the person look-ups send it."""
    return {"id": str(record.pk), "changed_at": _json_value(record.changed_at), **record_values(name, record)}


# What a structurally broken record looks like in each registry (R-RG-3: the client
# logs it and skips it). "id" and "changed_at" stay, so the client can say which one.
_BREAKS = {
    "pcr": ("drop", "sampled_at"),
    "contacts": ("set", "iin", 12345),
    "vaccinations": ("set", "dose", "two"),
    "subscribers": ("drop", "iin"),
    "companies": ("set", "oked", "56101"),
    "notifications": ("drop", "date"),
}


def break_record(name: str, payload: dict) -> dict:
    """A copy of `payload` with one field missing or of the wrong type."""
    broken = dict(payload)
    action, field, *value = _BREAKS[name]
    if action == "drop":
        broken.pop(field, None)
    else:
        broken[field] = value[0]
    return broken


def feed_params(query) -> tuple[int, int]:
    """`since` and `limit` of a feed request; ValueError with a message when they are wrong."""
    since_raw = query.get("since", "") or "0"
    limit_raw = query.get("limit", "") or str(FEED_LIMIT_DEFAULT)
    if not (since_raw.isascii() and since_raw.isdigit()) or len(since_raw) > 18:  # a bigint
        raise ValueError("since must be a cursor returned as next by an earlier page")
    if not (limit_raw.isascii() and limit_raw.isdigit()) or not 1 <= int(limit_raw) <= FEED_LIMIT_MAX:
        raise ValueError(f"limit must be a whole number from 1 to {FEED_LIMIT_MAX}")
    return int(since_raw), int(limit_raw)
