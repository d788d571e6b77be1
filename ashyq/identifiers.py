"""Kazakh personal (IIN) and business (BIN) identification numbers: R-ID-1, R-ID-2, R-ID-3.

Pure functions, no database. The numbers are personal data (R-ID-5): nothing here logs
them, and no error message repeats them.
"""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

Sex = Literal["male", "female"]

ADULT_AGE = 18  # R-ID-2

# R-ID-1: the check digit is a weighted sum mod 11; when it is 10 a second set of
# weights is tried, and when that is 10 too no check digit exists for these 11 digits.
_FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# R-ID-1: the 7th digit gives the century of birth and the sex (odd = male).
_CENTURY_BY_DIGIT = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}

# R-ID-3: the 5th digit of a BIN is the kind of entity.
_BIN_ENTITY_KINDS = (4, 5, 6)

# People type "900101 300 126"; 12 digits and two spaces fit, a browser stops the rest.
_INPUT_MAX_LENGTH = 14

_IIN_MESSAGES = {
    "length": _("An IIN has 12 digits."),
    "digits": _("An IIN is made of digits only."),
    "century": _("This IIN is not valid: its 7th digit must be from 1 to 6. Please check the number."),
    "date": _(
        "This IIN is not valid: its first six digits must be a real date of birth (year, month, day). Please check the number."
    ),
    "checksum": _("This IIN is not valid: a digit is probably mistyped. Please check the number."),
}
_MINOR_MESSAGE = _("Only adults (18 and over) can be checked in.")
_BIN_MESSAGES = {
    "length": _("A BIN has 12 digits."),
    "digits": _("A BIN is made of digits only."),
    "month": _("This BIN is not valid: its 3rd and 4th digits must be a month from 01 to 12. Please check the number."),
    "entity": _("This BIN is not valid: its 5th digit must be 4, 5 or 6. Please check the number."),
    "checksum": _("This BIN is not valid: a digit is probably mistyped. Please check the number."),
}


def _is_ascii_digits(value: str) -> bool:
    # str.isdigit alone accepts "²" and Arabic-Indic digits, which int() and the
    # registries would not treat as the same number.
    return value.isascii() and value.isdigit()


def _normalise(value: str) -> str:
    # Drops every whitespace character, inside too (spaces, tabs, no-break spaces).
    if not isinstance(value, str):
        raise TypeError(f"expected str, got {type(value).__name__}")
    return "".join(value.split())


def _invalid(messages: dict, code: str) -> ValidationError:
    return ValidationError(messages[code], code=code)


def check_digit(first11: str) -> int | None:
    """The R-ID-1 check digit of 11 digits, or None when both passes give 10."""
    if len(first11) != 11 or not _is_ascii_digits(first11):
        raise ValueError("check_digit needs exactly 11 ASCII digits")
    digits = [int(c) for c in first11]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        result = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if result != 10:
            return result
    return None


def _has_valid_check_digit(number: str) -> bool:
    return check_digit(number[:11]) == int(number[11])


@dataclass(frozen=True)
class IIN:
    """A valid IIN and what it tells about its holder (R-ID-1)."""

    number: str
    birth_date: date
    sex: Sex

    def age_on(self, day: date) -> int:
        """Age in whole years on `day` (negative before the birth date)."""
        # R-ID-2 Decided: a birthday counts from its own day. Someone born on 29 Feb has
        # his birthday on 1 Mar in non-leap years: (2, 28) still sorts before (2, 29),
        # (3, 1) does not. An 18th birthday never falls in a leap year (18 is not a
        # multiple of 4), so a 29 Feb baby always becomes an adult on 1 Mar.
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    def is_adult_on(self, day: date) -> bool:
        """Whether the holder is 18 or older on `day` (R-ID-2)."""
        return self.age_on(day) >= ADULT_AGE


def parse_iin(value: str) -> IIN:
    """Parse an IIN typed by a person; raise ValidationError with a code naming the fault."""
    number = _normalise(value)
    if number and not _is_ascii_digits(number):
        raise _invalid(_IIN_MESSAGES, "digits")
    if len(number) != 12:
        raise _invalid(_IIN_MESSAGES, "length")
    century_digit = int(number[6])
    if century_digit not in _CENTURY_BY_DIGIT:  # R-ID-1: 0, 7, 8, 9 name no century
        raise _invalid(_IIN_MESSAGES, "century")
    year = _CENTURY_BY_DIGIT[century_digit] + int(number[0:2])
    try:
        # R-ID-1: the century decides leap years: 29 Feb 1900 does not exist, 29 Feb 2000 does.
        birth_date = date(year, int(number[2:4]), int(number[4:6]))
    except ValueError:
        raise _invalid(_IIN_MESSAGES, "date") from None
    if not _has_valid_check_digit(number):  # R-ID-1
        raise _invalid(_IIN_MESSAGES, "checksum")
    sex: Sex = "male" if century_digit % 2 else "female"
    return IIN(number=number, birth_date=birth_date, sex=sex)


def validate_iin(value: str) -> None:
    """Django validator: the value parses as an IIN (R-ID-1); it does not normalise it."""
    parse_iin(value)


def validate_adult_iin(value: str, *, on: date) -> IIN:
    """Parse an IIN and refuse a minor on the day `on` with code "minor" (R-ID-2)."""
    iin = parse_iin(value)
    if not iin.is_adult_on(on):
        raise ValidationError(_MINOR_MESSAGE, code="minor")
    return iin


def parse_bin(value: str) -> str:
    """Parse a BIN typed by a person into its 12 digits; raise ValidationError with a code (R-ID-3)."""
    number = _normalise(value)
    if number and not _is_ascii_digits(number):
        raise _invalid(_BIN_MESSAGES, "digits")
    if len(number) != 12:
        raise _invalid(_BIN_MESSAGES, "length")
    if not 1 <= int(number[2:4]) <= 12:
        raise _invalid(_BIN_MESSAGES, "month")
    if int(number[4]) not in _BIN_ENTITY_KINDS:
        raise _invalid(_BIN_MESSAGES, "entity")
    if not _has_valid_check_digit(number):  # R-ID-3: the check digit as for an IIN
        raise _invalid(_BIN_MESSAGES, "checksum")
    return number


def validate_bin(value: str) -> None:
    """Django validator: the value parses as a BIN (R-ID-3); it does not normalise it."""
    parse_bin(value)


def _append_check_digit(prefix: str, *, serial: int, width: int) -> str:
    # R-ID-1: some 11-digit prefixes have no check digit; the next serial is used instead.
    for candidate in range(serial, 10**width):
        first11 = prefix + str(candidate).zfill(width)
        digit = check_digit(first11)
        if digit is not None:
            return first11 + str(digit)
    raise ValueError("no serial from the one given upwards yields a valid number")


def make_iin(*, birth_date: date, sex: str, serial: int) -> str:
    """A valid IIN for tests and demo data; a serial without a check digit moves to the next one."""
    if sex not in ("male", "female"):
        raise ValueError('sex must be "male" or "female"')
    if not 0 <= serial <= 9999:
        raise ValueError("an IIN serial has four digits (0-9999)")
    century = birth_date.year // 100 * 100
    digits = [d for d, base in _CENTURY_BY_DIGIT.items() if base == century]
    if not digits:
        raise ValueError("an IIN birth year must be from 1800 to 2099")
    century_digit = digits[0] if sex == "male" else digits[1]
    prefix = f"{birth_date.year % 100:02d}{birth_date.month:02d}{birth_date.day:02d}{century_digit}"
    return _append_check_digit(prefix, serial=serial, width=4)


def make_bin(*, registered: date, entity_kind: int = 4, entity_type: int = 0, serial: int) -> str:
    """A valid BIN for tests and demo data; a serial without a check digit moves to the next one."""
    if entity_kind not in _BIN_ENTITY_KINDS:
        raise ValueError("entity_kind must be 4, 5 or 6")
    if not 0 <= entity_type <= 9:
        raise ValueError("entity_type is one digit (0-9)")
    if not 0 <= serial <= 99999:
        raise ValueError("a BIN serial has five digits (0-99999)")
    prefix = f"{registered.year % 100:02d}{registered.month:02d}{entity_kind}{entity_type}"
    return _append_check_digit(prefix, serial=serial, width=5)


class _IdentifierField(forms.CharField):
    """A 12-digit identifier typed on a phone; cleans to the normalised digits."""

    def _parse(self, value: str) -> str:
        raise NotImplementedError

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return self._parse(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if not widget.is_hidden:
            attrs.update(inputmode="numeric", autocomplete="off", maxlength=str(_INPUT_MAX_LENGTH))
        return attrs


class IINField(_IdentifierField):
    """Form field for an IIN (R-ID-1); `clean` returns its 12 digits."""

    def _parse(self, value: str) -> str:
        return parse_iin(value).number


class BINField(_IdentifierField):
    """Form field for a BIN (R-ID-3); `clean` returns its 12 digits."""

    def _parse(self, value: str) -> str:
        return parse_bin(value)
