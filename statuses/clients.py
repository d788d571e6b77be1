"""The three health registries over HTTP (R-RG-1), and their records parsed into plain dicts.

The transport (timeouts, status codes, malformed bodies) is ashyq.registries; here each
record of a feed page is checked against the contract and turned into the fields of
our model, keyed by the blind index of the person (R-ID-5). A record that breaks the
contract raises BadRecord, whose message shows identifiers masked only.
"""

from collections.abc import Callable
from datetime import date, datetime

from django.core.exceptions import ValidationError

from ashyq.crypto import encrypt, masked
from ashyq.identifiers import parse_iin
from ashyq.registries import FeedPage, RegistryClient
from statuses.persons import person_key

HEALTH_REGISTRIES = ("pcr", "contacts", "vaccinations")

_MAX_ID_LENGTH = 64
# The ids of the doses entered in Ashyq itself (vaccinations.models.OWN_PREFIX).
OWN_VACCINATION_PREFIX = "ashyq:"
_MAX_DOSES = 100


class BadRecord(ValueError):
    """A record of a good page that cannot be applied; its message holds no identifier in clear."""

    def __init__(self, registry: str, source_id: str | None, problem: str, who: str = ""):
        self.registry, self.source_id, self.problem, self.who = registry, source_id, problem, who
        person = f" (person {who})" if who else ""
        super().__init__(f"{registry} record {source_id or '?'}{person}: {problem}")


class _Problem(Exception):
    """One field is wrong; turned into BadRecord with the record's id and masked person."""


def client(registry: str) -> RegistryClient:
    if registry not in HEALTH_REGISTRIES:
        raise ValueError(f"not a health registry: {registry}")
    return RegistryClient(registry)


def feed_page(registry: str, *, since: str | None, limit: int) -> FeedPage:
    """One raw page of changes after `since`; raises RegistryUnavailable when transient."""
    return client(registry).feed(since=since, limit=limit)


def lookup(registry: str, *, iin: str | None = None, passport: str | None = None, country: str | None = None):
    """The records of one person straight from the registry (POST body, never the URL).

    Returns (records, bad): the parsed records and the BadRecord errors of the rest.
    """
    key = {"iin": iin} if iin else {"passport": passport, "country": country}
    body = client(registry).lookup(**key)
    raws = body.get("records")
    if not isinstance(raws, list):
        return [], [BadRecord(registry, None, "the answer has no list of records")]
    return parse_records(registry, raws)


def parse_records(registry: str, raws: list) -> tuple[list[dict], list[BadRecord]]:
    good, bad = [], []
    for raw in raws:
        try:
            good.append(parse_record(registry, raw))
        except BadRecord as exc:
            bad.append(exc)
    return good, bad


def parse_record(registry: str, raw) -> dict:
    """The model fields of one feed record, or BadRecord."""
    if not isinstance(raw, dict):
        raise BadRecord(registry, None, "the record is not a JSON object")
    source_id = raw.get("id")
    if isinstance(source_id, int) and not isinstance(source_id, bool):
        source_id = str(source_id)
    if not isinstance(source_id, str) or not source_id or len(source_id) > _MAX_ID_LENGTH:
        raise BadRecord(registry, None, "the record has no valid id", _who(raw))
    if registry == "vaccinations" and source_id.startswith(OWN_VACCINATION_PREFIX):
        # The namespace of the doses Ashyq's own medical workers entered (R-VP-2): a
        # registry record there would overwrite one of them.
        raise BadRecord(registry, source_id, "the id is in Ashyq's own namespace", _who(raw))
    try:
        fields = _PARSERS[registry](raw)
        fields["changed_at"] = _moment(raw, "changed_at")
    except _Problem as exc:
        raise BadRecord(registry, source_id, str(exc), _who(raw)) from None
    return {"source_id": source_id, **fields}


def _who(raw: dict) -> str:
    """The person of a record as logs may show it: masked (R-ID-5)."""
    for field in ("iin", "passport"):
        value = raw.get(field)
        if value:
            return masked(str(value))
    return ""


def _iin_person(raw: dict) -> str:
    value = raw.get("iin")
    if not isinstance(value, str):
        raise _Problem("iin is missing")
    try:
        number = parse_iin(value).number
    except ValidationError as exc:
        raise _Problem(f"iin is not valid ({exc.code})") from None
    return person_key(iin=number)


def _pcr_person(raw: dict) -> str:
    if raw.get("iin") is not None:
        if raw.get("passport") is not None:
            raise _Problem("both iin and passport are given")
        return _iin_person(raw)
    passport, country = raw.get("passport"), raw.get("country")
    if not isinstance(passport, str) or not passport.strip() or len(passport) > 20:
        raise _Problem("neither iin nor passport is given")
    if not isinstance(country, str) or len(country) != 2 or not (country.isascii() and country.isalpha()):
        raise _Problem("country is not an ISO 3166 alpha-2 code")
    return person_key(passport=passport, country=country)


def _moment(raw: dict, field: str, *, optional: bool = False) -> datetime | None:
    value = raw.get(field)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _Problem(f"{field} is missing")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Problem(f"{field} is not an ISO-8601 date-time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _Problem(f"{field} has no UTC offset")
    _within_range(moment.year, field)
    return moment


def _day(raw: dict, field: str) -> date:
    value = raw.get(field)
    if not isinstance(value, str):
        raise _Problem(f"{field} is missing")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise _Problem(f"{field} is not a YYYY-MM-DD date") from None
    _within_range(day.year, field)
    return day


# Dates a health record can plausibly carry. Year 1 or 9999 parse as ISO dates but
# overflow the engine's arithmetic (D + 14 days), which would roll the page back on
# every run and wedge the registry's sync: such a record is bad, logged and skipped.
_YEARS = range(1900, 2101)


def _within_range(year: int, field: str) -> None:
    if year not in _YEARS:
        raise _Problem(f"{field} is out of range")


def _count(raw: dict, field: str) -> int:
    value = raw.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= _MAX_DOSES:
        raise _Problem(f"{field} is not a whole number from 1 to {_MAX_DOSES}")
    return value


def _pcr(raw: dict) -> dict:
    result = raw.get("result")
    if result not in ("positive", "negative"):
        raise _Problem("result is neither positive nor negative")
    return {
        "person": _pcr_person(raw),
        "positive": result == "positive",
        "sampled_at": _moment(raw, "sampled_at"),
        "resulted_at": _moment(raw, "resulted_at", optional=True),
    }


def _contact(raw: dict) -> dict:
    return {
        "person": _iin_person(raw),
        "contact_date": _day(raw, "contact_date"),
        "registered_at": _moment(raw, "registered_at"),
    }


def _vaccination(raw: dict) -> dict:
    vaccine = raw.get("vaccine")
    if not isinstance(vaccine, str) or not vaccine.strip() or len(vaccine) > 100:
        raise _Problem("vaccine is missing")
    family, given = _optional_text(raw, "family_name", 100), _optional_text(raw, "given_name", 100)
    return {
        "person": _iin_person(raw),
        "vaccine": vaccine.strip(),
        "dose": _count(raw, "dose"),
        "doses_in_scheme": _count(raw, "doses_in_scheme"),
        "administered_on": _day(raw, "administered_on"),
        # R-VP-1, R-VP-4: optional; a record without them (an old load file) still applies.
        # The holder's name is encrypted here, before any SQL sees it (R-ID-5).
        "family_name": encrypt(family) if family else None,
        "given_name": encrypt(given) if given else None,
        "organisation": _optional_text(raw, "organisation", 200),
        "region": _optional_text(raw, "region", 30),
        "certificate": _optional_text(raw, "certificate", 80),
    }


def _optional_text(raw: dict, field: str, max_length: int) -> str:
    value = raw.get(field)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value.strip()) > max_length:
        raise _Problem(f"{field} is not a text of at most {max_length} characters")
    return value.strip()


_PARSERS: dict[str, Callable[[dict], dict]] = {"pcr": _pcr, "contacts": _contact, "vaccinations": _vaccination}
