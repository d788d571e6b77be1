"""Sign-in by phone and one-time code (R-AU-1): limits and phone numbers, no database."""

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# R-AU-1 Decided limits. The five codes an hour are per phone *and sender* (the
# client's address): a stranger asking codes for someone's number spends his own
# allowance, not the holder's. A sender gets CODES_PER_ADDRESS codes an hour for all
# numbers together (nobody makes Ashyq text strangers at will), and a number gets
# CODES_PER_NUMBER an hour from all senders together, except on a device that signed
# in with it before (sms.views: a signed cookie), which its holder keeps.
CODE_DIGITS = 6
CODE_VALIDITY = timedelta(minutes=5)
MAX_WRONG_TRIES = 5
MAX_CODES_PER_WINDOW = 5
CODES_WINDOW = timedelta(hours=1)


def codes_per_address() -> int:
    return int(getattr(settings, "SMS_CODES_PER_ADDRESS", 10))


def codes_per_number() -> int:
    return int(getattr(settings, "SMS_CODES_PER_NUMBER", 10))


# Separators people type inside a number: spaces, dashes, dots, brackets.
_SEPARATORS = re.compile(r"[\s\-().]")
# A Kazakhstan mobile number after the country code: 10 digits, 7xx … (+7 with 3, 4,
# 8 or 9 after it is Russia), except 71x and 72x, the landline area codes (727 Almaty,
# 7172 Astana…), which receive no SMS.
_NATIONAL_MOBILE = re.compile(r"7[03-9][0-9]{8}")


def normalize_phone(value: str) -> str:
    """ "+7 701 123 45 67", "87011234567", "7011234567" → "+77011234567".

    Anything that is not a mobile number of Kazakhstan raises ValidationError.
    """
    digits = _SEPARATORS.sub("", value or "")
    if digits.startswith("+7"):
        national = digits[2:]
    elif len(digits) == 11 and digits[0] in "78":
        national = digits[1:]
    else:
        national = digits
    if not _NATIONAL_MOBILE.fullmatch(national):
        raise ValidationError(
            _("Enter a mobile number of Kazakhstan: +7 7xx xxx xx xx, for example +7 701 123 45 67."),
            code="invalid_phone",
        )
    return "+7" + national


def mask_phone(phone: str) -> str:
    """ "+77011234567" → "+7701***4567", how logs show a phone."""
    if len(phone) < 9:
        return "***"
    return phone[:5] + "*" * (len(phone) - 9) + phone[-4:]


def generate_code() -> str:
    """A uniformly random code of CODE_DIGITS digits, leading zeros kept."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def is_code_format(value: str) -> bool:
    return len(value) == CODE_DIGITS and value.isascii() and value.isdigit()


def code_expires_at(created_at: datetime) -> datetime:
    return created_at + CODE_VALIDITY


def is_expired(expires_at: datetime, *, at: datetime) -> bool:
    """R-AU-1: a code made at 12:00:00 works up to 12:04:59.999 and not at 12:05:00."""
    return at >= expires_at


def next_code_allowed_at(
    created: Iterable[datetime], *, at: datetime, limit: int = MAX_CODES_PER_WINDOW
) -> datetime | None:
    """When another code may be asked for, or None if it may now (R-AU-1).

    `created` are the creation times of the codes that count (a phone's from a sender,
    a sender's, a number's); a rolling hour counts those made after `at` − 1 h, so a
    code made at 12:00 stops counting at 13:00 exactly.
    """
    window_start = at - CODES_WINDOW
    recent = sorted(moment for moment in created if moment > window_start)
    if len(recent) < limit:
        return None
    # The oldest code that must leave the window for the count to drop below the limit.
    return recent[len(recent) - limit] + CODES_WINDOW
