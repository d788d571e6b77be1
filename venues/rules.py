"""The automatic checks of a venue application (R-VN-1, R-VN-2, R-VN-3, R-REF-4) and
test mode (R-VN-5), as pure functions: the registry answers and reference facts come
in as arguments, time comes in as a day.

Each check yields a `Check(code, passed, reason, params)`; its message is rendered
from (code, reason) in the reader's language, so an owner and an operator each read
the same refusal in their own interface language. `Application.checks` stores the
JSON of every check, the message included as written at submission. A category or a
region is stored by its code (`category_code`, `region_code`) and named when the
message is rendered, from `names` (venues.selectors.check_names), in the reader's
language; checks stored before kept the name as written then (`category`, `region`).
"""

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# --- Registry answers -------------------------------------------------------------------


@dataclass(frozen=True)
class CompanyRecord:
    """A legal entity in the business registry."""

    bin: str
    name: str
    oked: tuple[str, ...]
    phone: str = ""  # its contact in the registry, where a claim's code goes ("" when none)


@dataclass(frozen=True)
class NotificationRecord:
    """A sanitary notification in the notification registry."""

    number: str
    date: date
    bin: str
    address: str


@dataclass(frozen=True)
class AdmissionFacts:
    """What the admissions table says of a category in a region on a day (R-REF-4).

    `green_zone_only`: a row in force admits the category only in the green zone, and
    the region is not green that day (banquet halls). `next_from`: the earliest later
    date from which a row would admit it, if any."""

    admitted: bool
    zone: str | None = None
    green_zone_only: bool = False
    next_from: date | None = None


# --- Checks -----------------------------------------------------------------------------

BIN_REGISTERED = "bin_registered"
OKED_REGISTERED = "oked_registered"
OKED_CATEGORY = "oked_category"
NOTIFICATION_FOUND = "notification_found"
NOTIFICATION_DATE = "notification_date"
NOTIFICATION_BIN = "notification_bin"
NOTIFICATION_ADDRESS = "notification_address"
ADMISSION = "admission"
NO_EXCLUSION = "no_exclusion"
NOTIFICATION_UNUSED = "notification_unused"

OK = "ok"

# (code, reason) → message; %(name)s placeholders are filled from the check's params.
# A failed check says what is wrong and what to do.
MESSAGES = {
    (BIN_REGISTERED, OK): _("The company «%(name)s» (BIN %(bin)s) is in the business registry."),
    (BIN_REGISTERED, "not_found"): _(
        "The BIN %(bin)s is not in the business registry. Check the BIN, or register the legal entity first."
    ),
    (OKED_REGISTERED, OK): _("The OKED code %(oked)s is among the company's registered activity codes."),
    (OKED_REGISTERED, "missing"): _(
        "The OKED code %(oked)s is not among the activity codes registered for the company (%(registered)s). "
        "Re-register the legal entity's OKED, or enter one of its registered codes."
    ),
    (OKED_CATEGORY, OK): _("The OKED code %(oked)s matches the category «%(category)s»."),
    (OKED_CATEGORY, "mismatch"): _(
        "The OKED code %(oked)s does not match the category «%(category)s» (matching codes: %(codes)s). "
        "Re-register the legal entity's OKED, or choose the category of your activity."
    ),
    (OKED_CATEGORY, "no_codes"): _(
        "No OKED code matches the category «%(category)s» yet. Write to the support of Ashyq."
    ),
    (NOTIFICATION_FOUND, OK): _("The sanitary notification № %(number)s is in the notification registry."),
    (NOTIFICATION_FOUND, "not_found"): _(
        "There is no sanitary notification № %(number)s in the notification registry. Check the number, "
        "or file the notification with the sanitary service first."
    ),
    (NOTIFICATION_DATE, OK): _("The date of the sanitary notification matches the registry."),
    (NOTIFICATION_DATE, "mismatch"): _(
        "The sanitary notification № %(number)s is dated %(registry_date)s in the registry, not %(date)s. "
        "Enter the date written on the notification."
    ),
    (NOTIFICATION_BIN, OK): _("The sanitary notification belongs to the company."),
    (NOTIFICATION_BIN, "mismatch"): _(
        "The sanitary notification № %(number)s belongs to another legal entity, not to BIN %(bin)s. "
        "Enter a notification filed by your company."
    ),
    (NOTIFICATION_ADDRESS, OK): _("The address in the sanitary notification matches the venue's address."),
    (NOTIFICATION_ADDRESS, "mismatch"): _(
        "The sanitary notification № %(number)s is for «%(registry_address)s», not for «%(address)s». "
        "Enter the address as written in the notification, or file a notification for this address."
    ),
    (ADMISSION, OK): _("The category «%(category)s» is admitted to the project in %(region)s on %(on)s."),
    (ADMISSION, "later"): _(
        "The category «%(category)s» is admitted to the project in %(region)s only from %(from)s. "
        "Apply on or after that day."
    ),
    (ADMISSION, "green_zone"): _(
        "The category «%(category)s» is admitted only while the region is in the green zone; %(region)s is "
        "in the %(zone)s zone on %(on)s. Apply when the region is in the green zone."
    ),
    (ADMISSION, "not_admitted"): _(
        "The category «%(category)s» is not admitted to the project in %(region)s. "
        "Apply when a decree of the Chief Sanitary Doctor admits it."
    ),
    (NOTIFICATION_UNUSED, OK): _("The sanitary notification № %(number)s serves no other venue."),
    (NOTIFICATION_UNUSED, "used"): _(
        "The sanitary notification № %(number)s already serves a venue in Ashyq: one notification and "
        "address serve one venue. Enter the notification of this venue, or ask the operator to allow more."
    ),
    (NO_EXCLUSION, OK): _("Neither the company nor a venue at this address is excluded from the project."),
    (NO_EXCLUSION, "excluded"): _(
        "The company or a venue at this address is excluded from the project. Apply again when the exclusion ends."
    ),
}

# Params holding ISO dates, shown in the reader's date format.
_DATE_PARAMS = frozenset({"on", "from", "date", "registry_date"})
# Reference data stored by code (param "<kind>_code") and named in the reader's language.
NAMED_KINDS = ("category", "region")
# kind → code → name, in the reader's language (venues.selectors.check_names).
Names = Mapping[str, Mapping[str, str]]

ZONE_NAMES = {"red": _("red"), "yellow": _("yellow"), "green": _("green")}


@dataclass(frozen=True)
class Check:
    code: str
    passed: bool
    reason: str = OK
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The message with a category or region shown by its code (see as_json)."""
        return render_message(self.code, self.reason, self.params)

    def as_json(self, names: Names | None = None) -> dict:
        """What Application.checks stores: the codes and params, and the message as
        the submitter read it (a fallback only)."""
        return {
            "code": self.code,
            "passed": self.passed,
            "reason": self.reason,
            "params": dict(self.params),
            "message": render_message(self.code, self.reason, self.params, names),
        }


def render_message(code: str, reason: str, params: Mapping[str, str], names: Names | None = None) -> str:
    template = MESSAGES.get((code, reason))
    if template is None:
        return ""
    shown = dict(params)
    for key in _DATE_PARAMS & shown.keys():
        shown[key] = date_format(date.fromisoformat(shown[key]), "j E Y")
    if "zone" in shown:
        shown["zone"] = str(ZONE_NAMES.get(shown["zone"], shown["zone"]))  # the message is read now
    for kind in NAMED_KINDS:
        if (stored := shown.get(f"{kind}_code")) is not None:
            shown[kind] = (names or {}).get(kind, {}).get(stored, stored)
    return str(template) % shown


def named_codes(stored_checks: Iterable[Mapping]) -> dict[str, set[str]]:
    """kind → the codes of reference data that stored checks name (to load their names
    at once for a page of applications)."""
    codes: dict[str, set[str]] = {kind: set() for kind in NAMED_KINDS}
    for stored in stored_checks:
        params = stored.get("params") or {}
        for kind in NAMED_KINDS:
            if isinstance(params.get(f"{kind}_code"), str):
                codes[kind].add(params[f"{kind}_code"])
    return codes


def check_message(stored: Mapping, names: Names | None = None) -> str:
    """The message of a stored check in the reader's language, a category or region
    named from `names`; the stored text if its (code, reason) is no longer known."""
    try:
        return render_message(stored["code"], stored["reason"], stored.get("params", {}), names) or stored["message"]
    except (KeyError, TypeError, ValueError):
        return stored.get("message", "")


def check_company(*, bin_: str, company: CompanyRecord | None) -> Check:
    """R-VN-1: the company's BIN is in the business registry."""
    if company is None:
        return Check(BIN_REGISTERED, False, "not_found", {"bin": bin_})
    return Check(BIN_REGISTERED, True, OK, {"bin": bin_, "name": company.name})


def check_oked_registered(*, oked: str, company: CompanyRecord) -> Check:
    """R-VN-2: the OKED code is among the company's registered codes."""
    params = {"oked": oked, "registered": ", ".join(company.oked) or "—"}
    if oked in company.oked:
        return Check(OKED_REGISTERED, True, OK, params)
    return Check(OKED_REGISTERED, False, "missing", params)


def check_oked_category(*, oked: str, category_code: str, matching_codes: Collection[str]) -> Check:
    """R-VN-2, R-REF-5: the OKED code is one of the codes that match the category."""
    params = {"oked": oked, "category_code": category_code, "codes": ", ".join(sorted(matching_codes))}
    if oked in matching_codes:
        return Check(OKED_CATEGORY, True, OK, params)
    return Check(OKED_CATEGORY, False, "mismatch" if matching_codes else "no_codes", params)


def check_notification(
    *, number: str, on_date: date, bin_: str, address: str, record: NotificationRecord | None
) -> list[Check]:
    """R-VN-1: the notification exists, has the date entered, belongs to the BIN and
    is for the venue's address. A notification not found is one failed check: its
    date, BIN and address cannot be compared."""
    if record is None:
        return [Check(NOTIFICATION_FOUND, False, "not_found", {"number": number})]
    base = {"number": number}
    if record.bin != bin_:
        # Another legal entity's notification: say so and nothing more. Its date and
        # address are that company's data, not the applicant's to read.
        return [
            Check(NOTIFICATION_FOUND, True, OK, base),
            Check(NOTIFICATION_BIN, False, "mismatch", {**base, "bin": bin_}),
        ]
    dated = {**base, "date": on_date.isoformat(), "registry_date": record.date.isoformat()}
    located = {**base, "address": address, "registry_address": record.address}
    return [
        Check(NOTIFICATION_FOUND, True, OK, base),
        Check(NOTIFICATION_DATE, record.date == on_date, OK if record.date == on_date else "mismatch", dated),
        Check(NOTIFICATION_BIN, record.bin == bin_, OK if record.bin == bin_ else "mismatch", {**base, "bin": bin_}),
        Check(
            NOTIFICATION_ADDRESS,
            addresses_match(record.address, address),
            OK if addresses_match(record.address, address) else "mismatch",
            located,
        ),
    ]


def check_admission(*, category_code: str, region_code: str, on: date, facts: AdmissionFacts) -> Check:
    """R-REF-4: the category is admitted in the venue's region on the day of filing."""
    params = {"category_code": category_code, "region_code": region_code, "on": on.isoformat()}
    if facts.admitted:
        return Check(ADMISSION, True, OK, params)
    if facts.green_zone_only:
        return Check(ADMISSION, False, "green_zone", {**params, "zone": facts.zone or ""})
    if facts.next_from is not None:
        return Check(ADMISSION, False, "later", {**params, "from": facts.next_from.isoformat()})
    return Check(ADMISSION, False, "not_admitted", params)


def check_exclusion(*, excluded: bool) -> Check:
    """R-VN-3: neither the company nor a venue at the address is excluded."""
    return Check(NO_EXCLUSION, not excluded, "excluded" if excluded else OK)


def check_notification_unused(*, number: str, used: bool) -> Check:
    """One sanitary notification (and so its address) serves one venue: seven venues
    approved on one notification each had a guard and a look-up allowance of their own.
    An operator may allow more by overriding the refusal (R-VN-3)."""
    return Check(NOTIFICATION_UNUSED, not used, "used" if used else OK, {"number": number})


def all_passed(checks: Iterable[Check]) -> bool:
    """R-VN-3: approved only if every check passed."""
    return all(check.passed for check in checks)


# --- Addresses --------------------------------------------------------------------------

# Spellings of the same word in addresses → one form. Kept short on purpose: the
# comparison forgives case, punctuation, spaces and these abbreviations, nothing else.
_ADDRESS_WORDS = {
    "ул": "улица",
    "улица": "улица",
    "пр": "проспект",
    "пр-т": "проспект",
    "просп": "проспект",
    "проспект": "проспект",
    "мкр": "микрорайон",
    "мкрн": "микрорайон",
    "микрорайон": "микрорайон",
    "д": "дом",
    "дом": "дом",
    "пер": "переулок",
    "переулок": "переулок",
    "бул": "бульвар",
    "б-р": "бульвар",
    "бульвар": "бульвар",
}
# The city is in the region field anyway and is often left out of an address.
_ADDRESS_DROPPED = frozenset({"г", "город"})
_ADDRESS_PUNCTUATION = re.compile(r"[^\w-]+")


def normalize_address(address: str) -> str:
    """ "г. Алматы, ул. Абая, 10" and "Алматы улица  Абая 10" → "алматы улица абая 10".

    Lower case, ё → е, punctuation and runs of spaces → one space, the abbreviations
    of `_ADDRESS_WORDS` spelt out, the words "г."/"город" dropped, hyphens inside
    names ("Бухар-Жырау") kept as spaces."""
    words = []
    for word in _ADDRESS_PUNCTUATION.sub(" ", address.lower().replace("ё", "е")).split():
        word = word.strip("-")
        if not word or word in _ADDRESS_DROPPED:
            continue
        words.append(_ADDRESS_WORDS.get(word, word).replace("-", " "))
    return " ".join(" ".join(words).split())


def addresses_match(first: str, second: str) -> bool:
    return normalize_address(first) == normalize_address(second)


def same_venue(first: tuple[str, str], second: tuple[str, str]) -> bool:
    """Whether two (name, address) pairs are one venue: the names equal but for case
    and spaces, the addresses as addresses_match compares them."""
    (name, address), (other_name, other_address) = first, second
    return " ".join(name.split()).casefold() == " ".join(other_name.split()).casefold() and addresses_match(
        address, other_address
    )


# --- Entrances --------------------------------------------------------------------------

MAX_ENTRANCES = 50


def parse_entrances(text: str) -> list[str]:
    """One entrance name per line; blank lines and surrounding spaces ignored."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def duplicate_names(names: Iterable[str]) -> list[str]:
    """Names given more than once (case-insensitive), in order of first repeat."""
    seen, repeated = set(), []
    for name in names:
        key = name.casefold()
        if key in seen and name not in repeated:
            repeated.append(name)
        seen.add(key)
    return repeated


# --- Test mode (R-VN-5) -----------------------------------------------------------------


def test_mode_days_left(*, ends_at: datetime, now: datetime) -> int:
    """Days of test mode left, a part of a day counting as one: 0 once it is over."""
    left = ends_at - now
    if left <= timedelta(0):
        return 0
    return -(-left // timedelta(days=1))


def describe_test_mode(*, ends_at: datetime, now: datetime) -> str:
    """ "Test mode until 8 June 23:30 (2 days left)" — R-VN-5 Decided: exactly 7 × 24
    hours from the first issue of the codes."""
    days = test_mode_days_left(ends_at=ends_at, now=now)
    until = date_format(timezone.localtime(ends_at), "j E H:i")
    return ngettext(
        "Test mode until %(until)s (%(days)s day left)",
        "Test mode until %(until)s (%(days)s days left)",
        days,
    ) % {"until": until, "days": days}
