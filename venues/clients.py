"""The business registry and the sanitary notification registry, by key (R-VN-1).

Both answer "not found" with None; RegistryUnavailable (and RegistryRejected, our bug)
propagate, and the caller tells the owner to try again later. A body that does not
have the contract's shape is treated as the registry being unavailable.
"""

import logging
from datetime import date

from django.core.exceptions import ValidationError

from ashyq.registries import RegistryClient, RegistryNotFound, RegistryUnavailable
from ashyq.sms.rules import normalize_phone
from venues.rules import CompanyRecord, NotificationRecord

logger = logging.getLogger(__name__)


def company_lookup(bin_: str) -> CompanyRecord | None:
    """The company with BIN `bin_` in the business registry, or None."""
    try:
        body = RegistryClient("companies").get(f"{bin_}/")
    except RegistryNotFound:
        return None
    try:
        oked = body["oked"]
        if not isinstance(oked, list):
            raise TypeError("oked is not a list")
        return CompanyRecord(
            bin=str(body["bin"]),
            name=str(body["name"]),
            oked=tuple(str(code) for code in oked),
            phone=_contact_phone(body.get("phone")),
        )
    except (KeyError, TypeError) as exc:
        logger.warning("companies: malformed answer for a BIN look-up: %s", exc)
        raise RegistryUnavailable("companies: malformed answer") from exc


def _contact_phone(value) -> str:
    """The company's contact phone, normalised; "" when the registry has none, or none
    that takes an SMS (a claim of the company then waits for an operator)."""
    try:
        return normalize_phone(str(value)) if value else ""
    except ValidationError:
        return ""


def notification_lookup(number: str) -> NotificationRecord | None:
    """The sanitary notification `number` in the notification registry, or None."""
    try:
        body = RegistryClient("notifications").get(f"{number}/")
    except RegistryNotFound:
        return None
    try:
        return NotificationRecord(
            number=str(body["number"]),
            date=date.fromisoformat(body["date"]),
            bin=str(body["bin"]),
            address=str(body["address"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        logger.warning("notifications: malformed answer for a number look-up: %s", exc)
        raise RegistryUnavailable("notifications: malformed answer") from exc
