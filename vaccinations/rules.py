"""The vaccination passport's rules (docs/rules.md §13) as pure functions: no database, no
settings, no clock (time and keys come in as arguments).

Decisions where §13 leaves room (keep them unless an issue changes them):

- A scheme is complete when some dose of a vaccine has ``dose >= doses_in_scheme``
  (a booster counts), as the status engine reads it (R-ST-5, statuses.rules).
- The certificate holds every dose that counts, one DCC vaccination entry ("v") each,
  oldest first; each entry's "ci" is that dose's own certificate identifier, so that a
  correction revokes exactly the dose it replaced (R-VP-2) and a new dose revokes
  nothing. The holder's name is the one recorded with the latest dose that has one.
- A certificate's identifiers are UVCIs ("URN:UVCI:01:KZ:…", the DCC's format):
  random for a dose entered in Ashyq, the registry's own when it sends one, and for a
  registry dose without one a keyed hash of its registry id (stable, and saying
  nothing about the holder).
- Planning figures (R-VP-6) count by the local week (Monday to Sunday) and the region
  of the organisation that gave the dose; "people with a complete scheme" in a week are
  those whose dose of that week was the final one of its scheme (dose = doses in the
  scheme). A public count below 10 is shown as "fewer than 10" (R-PR-5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from anyascii import anyascii

UVCI_PREFIX = "URN:UVCI:01:KZ:"
COUNTRY = "KZ"
DCC_VERSION = "1.3.0"
TARGET_DISEASE = "840539006"  # SNOMED CT: COVID-19, the DCC's value set "disease-agent-targeted"
FIRST_DAY = date(2020, 1, 1)  # no COVID-19 vaccine was given before
MAX_DOSE = 10
PUBLIC_MINIMUM = 10  # R-PR-5
NAME_LENGTH = 80  # the DCC's limit on fn, fnt, gn, gnt


def uvci(unique: str) -> str:
    """A certificate identifier from a unique string of letters and digits."""
    return UVCI_PREFIX + "".join(ch for ch in unique.upper() if ch.isascii() and ch.isalnum())


def machine_name(name: str) -> str:
    """The DCC's standardised name (fnt, gnt): A–Z and "<" only, as in a passport's
    machine-readable zone (ICAO 9303): Cyrillic and Kazakh letters transliterated,
    spaces and hyphens "<"."""
    text = anyascii(name or "").upper()
    out = "".join(ch if "A" <= ch <= "Z" else "<" for ch in text if ch.isalpha() or ch in " -'<")
    return "<".join(part for part in out.split("<") if part)[:NAME_LENGTH]


@dataclass(frozen=True)
class Dose:
    """A dose that counts, as the passport and the certificate show it."""

    vaccine: str  # the name as recorded (the registry's, or the reference's)
    dose: int
    doses_in_scheme: int
    administered_on: date
    certificate: str
    organisation: str = ""
    region: str = ""
    source: str = "registry"
    product: str = ""  # DCC mp, ma, vp of the reference vaccine ("" when unknown)
    manufacturer: str = ""
    prophylaxis: str = "J07BX03"
    family_name: str = ""
    given_name: str = ""

    @property
    def completes_scheme(self) -> bool:
        """R-ST-5: the final dose of the scheme, or any later one."""
        return 1 <= self.doses_in_scheme <= self.dose


def ordered(doses: list[Dose]) -> list[Dose]:
    return sorted(doses, key=lambda d: (d.administered_on, d.dose, d.certificate))


def scheme_complete(doses: list[Dose]) -> bool:
    return any(dose.completes_scheme for dose in doses)


def completed_on(doses: list[Dose]) -> date | None:
    """The day of the first dose that completed a scheme; green from the next day (R-ST-5)."""
    days = [dose.administered_on for dose in doses if dose.completes_scheme]
    return min(days) if days else None


def holder_name(doses: list[Dose]) -> tuple[str, str]:
    """(family, given) as recorded with the latest dose that has a name (R-VP-4)."""
    for dose in reversed(ordered(doses)):
        if dose.family_name or dose.given_name:
            return dose.family_name, dose.given_name
    return "", ""


def dcc_payload(*, doses: list[Dose], birth_date: date | None, issuer: str) -> dict:
    """The EU DCC's health certificate (schema 1.3.0) with one vaccination entry per dose."""
    family, given = holder_name(doses)
    name = {"fnt": machine_name(family)}
    if family:
        name["fn"] = family[:NAME_LENGTH]
    if given:
        name["gn"], name["gnt"] = given[:NAME_LENGTH], machine_name(given)
    return {
        "ver": DCC_VERSION,
        "nam": name,
        "dob": birth_date.isoformat() if birth_date else "",
        "v": [
            {
                "tg": TARGET_DISEASE,
                "vp": dose.prophylaxis or "J07BX03",
                "mp": dose.product or dose.vaccine,
                "ma": dose.manufacturer or dose.vaccine,
                "dn": dose.dose,
                "sd": dose.doses_in_scheme,
                "dt": dose.administered_on.isoformat(),
                "co": COUNTRY,
                "is": issuer,
                "ci": dose.certificate,
            }
            for dose in ordered(doses)
        ],
    }


def dose_problem(*, dose: int, administered_on: date, today: date) -> str | None:
    """Why a hand-entered dose cannot be right, or None: the code of the problem."""
    if not 1 <= dose <= MAX_DOSE:
        return "dose"
    if administered_on > today:
        return "future"
    if administered_on < FIRST_DAY:
        return "too_early"
    return None


# --- Planning figures (R-VP-6) ---------------------------------------------------------


def week_of(day: date) -> date:
    """The Monday of the local week of `day`."""
    return day - timedelta(days=day.weekday())


def weeks_between(first: date, last: date) -> list[date]:
    """The Mondays of the weeks from the one of `first` to the one of `last`."""
    start, end = week_of(first), week_of(last)
    return [start + timedelta(weeks=n) for n in range((end - start).days // 7 + 1)]


def suppress(value: int) -> int | None:
    """R-PR-5: the count, or None for "fewer than 10" (zero included: it would tell the
    same as 9 across a row)."""
    return value if value >= PUBLIC_MINIMUM else None


def suppress_row(values: dict, *, total_shown: bool) -> dict:
    """R-PR-5 across one row whose total is public: a lone hidden cell would be the total
    less the others, so the smallest shown one is hidden with it."""
    shown = {key: suppress(value) for key, value in values.items()}
    hidden = [key for key, value in shown.items() if value is None]
    if total_shown and len(hidden) == 1:
        visible = sorted((value, key) for key, value in shown.items() if value is not None)
        if visible:
            shown[visible[0][1]] = None
    return shown
