"""Writes of the sign-in by phone and one-time code (R-AU-1)."""

import hmac
import secrets
from collections.abc import Callable
from datetime import datetime

from django.contrib.auth import login
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ashyq.accounts.models import PHONE_ROLES, Role, User
from ashyq.sms.backends import SmsGatewayError, get_backend
from ashyq.sms.models import OneTimeCode, Purpose
from ashyq.sms.rules import (
    CODE_VALIDITY,
    CODES_WINDOW,
    MAX_WRONG_TRIES,
    code_expires_at,
    codes_per_address,
    codes_per_number,
    generate_code,
    is_expired,
    next_code_allowed_at,
)
from ashyq.sms.selectors import code_latest

__all__ = [
    "AccountDisabled",
    "Expired",
    "NoActiveCode",
    "PasswordAccount",
    "SignInError",
    "SmsGatewayError",
    "TooManyAttempts",
    "TooManyCodes",
    "TooManyCodesFromAddress",
    "WrongCode",
    "code_digest",
    "code_send",
    "code_verify",
    "phone_sign_in",
]

# Phone users have no password: the session is ModelBackend's, not axes' (which
# guards the staff password form only).
SESSION_BACKEND = "ashyq.accounts.backends.ModelBackend"
_DIGEST_SALT = "ashyq.sms.OneTimeCode"


class SignInError(Exception):
    """A refusal the person can act on; `message` says what to do, in his language
    (`text`, or what a subclass makes of its details)."""

    text = _("The code could not be checked. Ask for a new one.")

    @property
    def message(self) -> str:
        return str(self.text)


class TooManyCodes(SignInError):
    """R-AU-1: five codes per phone and sender, or CODES_PER_NUMBER per number from
    senders it does not know, per rolling hour."""

    def __init__(self, retry_at: datetime):
        super().__init__(retry_at)
        self.retry_at = retry_at

    @property
    def message(self) -> str:
        at = formats.time_format(timezone.localtime(self.retry_at), "H:i")
        return gettext("Too many codes were asked for this number. You can ask for a new one at %(time)s.") % {
            "time": at
        }


class TooManyCodesFromAddress(TooManyCodes):
    """R-AU-1: CODES_PER_ADDRESS codes per sender per rolling hour, all numbers together."""

    @property
    def message(self) -> str:
        at = formats.time_format(timezone.localtime(self.retry_at), "H:i")
        return gettext(
            "Too many codes were asked from your network for different numbers. You can ask again at %(time)s."
        ) % {"time": at}


class NoActiveCode(SignInError):
    text = _("There is no valid code for this number: it was already used or never sent. Ask for a new one.")


class Expired(SignInError):
    text = _("The code has expired: it is valid for 5 minutes. Ask for a new one.")


class TooManyAttempts(SignInError):
    text = _("The code was entered wrong 5 times and no longer works. Ask for a new one.")


class WrongCode(SignInError):
    def __init__(self, tries_left: int):
        super().__init__(tries_left)
        self.tries_left = tries_left

    @property
    def message(self) -> str:
        if self.tries_left <= 0:
            return str(TooManyAttempts.text)
        return ngettext(
            "The code is wrong. Check the SMS and try again: %(count)d try left.",
            "The code is wrong. Check the SMS and try again: %(count)d tries left.",
            self.tries_left,
        ) % {"count": self.tries_left}


class PasswordAccount(SignInError):
    text = _("This number belongs to a staff account. Staff sign in with a username and password.")


class AccountDisabled(SignInError):
    text = _("This account is disabled.")


def code_digest(*, phone: str, code: str) -> str:
    """The keyed hash stored instead of the code, bound to the phone (SECRET_KEY)."""
    return salted_hmac(_DIGEST_SALT, f"{phone}:{code}", algorithm="sha256").hexdigest()


def code_send(
    *,
    phone: str,
    now: datetime,
    purpose: str = Purpose.SIGN_IN,
    sender: str = "",
    known_device: bool = False,
    text: Callable[[str], str] | None = None,
) -> OneTimeCode:
    """Make a code for `phone` (normalised) and send it by SMS, synchronously.

    `sender`: the keyed hash of the client's address (ashyq.accounts.lockout.address_key);
    `known_device`: the request comes from a device that signed in with this phone
    before (it is not held to the number's limit); `text`: the message for a code
    (the sign-in text by default). Raises TooManyCodes (the phone's limit from this
    sender, or the number's from unknown devices) or TooManyCodesFromAddress (the
    sender's limit) (R-AU-1), and SmsGatewayError when the gateway refuses: the code
    is then deleted in the same transaction, so no usable code is left, while the mock
    outbox keeps its "failed" row for the demo.
    """
    code = generate_code()
    failure = None
    with transaction.atomic():
        _serialise(phone)
        _serialise(f"sender:{sender}")
        since = now - CODES_WINDOW
        number = list(
            OneTimeCode.objects.filter(phone=phone, purpose=purpose, created_at__gt=since).values_list(
                "created_at", "sender"
            )
        )
        retry_at = next_code_allowed_at([at for at, by in number if by == sender], at=now)
        if retry_at is None and not known_device:
            retry_at = next_code_allowed_at([at for at, _by in number], at=now, limit=codes_per_number())
        if retry_at is not None:
            raise TooManyCodes(retry_at)
        mine = OneTimeCode.objects.filter(sender=sender, created_at__gt=since).values_list("created_at", flat=True)
        retry_at = next_code_allowed_at(mine, at=now, limit=codes_per_address())
        if retry_at is not None:
            raise TooManyCodesFromAddress(retry_at)
        otc = OneTimeCode.objects.create(
            phone=phone,
            purpose=purpose,
            sender=sender,
            code_hash=code_digest(phone=phone, code=code),
            created_at=now,
            expires_at=code_expires_at(now),
        )
        try:
            get_backend().send(phone, (text or _sms_text)(code))
        except SmsGatewayError as exc:
            otc.delete()
            failure = exc
    # Raised after the commit, or the rollback would also drop the outbox's failed row.
    if failure is not None:
        raise failure
    return otc


@transaction.atomic
def code_verify(
    *, phone: str, code: str, now: datetime, purpose: str = Purpose.SIGN_IN, code_id: int | None = None
) -> bool:
    """True, once, for the right code; False for a wrong one. The code checked is
    `code_id`, the one this person's session asked for (a code someone else asked
    for the same number since does not replace it), else the phone's latest.

    Raises NoActiveCode, Expired or TooManyAttempts, always before writing. A wrong
    try is counted by a conditional UPDATE, so concurrent guesses cannot pass 5; a
    caller must not roll back after False, or the wrong try would be forgotten.
    """
    return code_check(otc=_code_of(phone=phone, purpose=purpose, code_id=code_id), phone=phone, code=code, now=now)


def _code_of(*, phone: str, purpose: str, code_id: int | None) -> OneTimeCode | None:
    if code_id is None:
        return code_latest(phone=phone, purpose=purpose)
    return OneTimeCode.objects.filter(pk=code_id, phone=phone, purpose=purpose).first()


@transaction.atomic
def code_check(*, otc: OneTimeCode | None, phone: str, code: str, now: datetime) -> bool:
    """code_verify on a code already read: `otc` may be stale by the time it is
    written, when another request used it or spent its last try meanwhile."""
    if otc is None or otc.used_at is not None:
        raise NoActiveCode
    if is_expired(otc.expires_at, at=now):
        raise Expired
    if otc.attempts >= MAX_WRONG_TRIES:
        raise TooManyAttempts
    live = OneTimeCode.objects.filter(pk=otc.pk, used_at__isnull=True, attempts__lt=MAX_WRONG_TRIES, expires_at__gt=now)
    if hmac.compare_digest(code_digest(phone=phone, code=code), otc.code_hash):
        # Single use: of two requests with the right code, one updates the row.
        if live.update(used_at=now) == 1:
            return True
    elif live.update(attempts=F("attempts") + 1) == 1:
        return False
    # Another request used the code or spent its last try since we read it.
    otc.refresh_from_db(fields=["attempts", "used_at"])
    if otc.used_at is None and otc.attempts >= MAX_WRONG_TRIES:
        raise TooManyAttempts
    raise NoActiveCode


def phone_sign_in(*, request, phone: str, code: str, now: datetime, code_id: int | None = None) -> User:
    """Check the code (`code_id`: the one the session asked for), then sign in the
    phone's user; a new phone becomes a citizen.

    Raises the SignInError subclasses above: WrongCode (with the tries left),
    PasswordAccount for staff (they use passwords, R-AU-3), AccountDisabled. Not one
    transaction, so that a wrong try stays counted when WrongCode is raised.
    """
    if not code_verify(phone=phone, code=code, now=now, code_id=code_id):
        # There is one: code_verify raised NoActiveCode otherwise.
        latest = _code_of(phone=phone, purpose=Purpose.SIGN_IN, code_id=code_id)
        raise WrongCode(tries_left=MAX_WRONG_TRIES - latest.attempts if latest is not None else 0)
    user = _phone_user_get_or_create(phone=phone)
    if user.iin_index:
        # R-AU-2 at every sign-in, not only at linking: a number the operator gave to
        # someone else must not open the previous owner's status and history.
        from visitors.services.linking import citizen_link_recheck

        citizen_link_recheck(user=user, now=now)
    login(request, user, backend=SESSION_BACKEND)
    return user


@transaction.atomic
def _phone_user_get_or_create(*, phone: str) -> User:
    username = "phone" + phone  # "phone+77011234567": valid for Django's username validator.
    if User.objects.filter(username=username).exclude(phone=phone).exists():
        # The phone was taken off an older account that kept the name.
        username = f"{username}-{secrets.token_hex(3)}"
    user, _created = User.objects.get_or_create(
        phone=phone,
        defaults={"username": username, "role": Role.CITIZEN, "password": make_password(None)},
    )
    if user.role not in PHONE_ROLES or user.is_staff or user.is_superuser:
        raise PasswordAccount
    if not user.is_active:
        raise AccountDisabled
    return user


def _serialise(key: str) -> None:
    """Queue concurrent code requests of one phone (or one sender), so two cannot both
    see 4 codes and make 6 (R-AU-1). SQLite needs nothing: its transactions take the
    write lock at BEGIN."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_DIGEST_SALT + key])


def _sms_text(code: str) -> str:
    minutes = int(CODE_VALIDITY.total_seconds() // 60)
    return gettext("Ashyq sign-in code: %(code)s. Valid for %(minutes)d minutes. Do not tell it to anyone.") % {
        "code": code,
        "minutes": minutes,
    }
