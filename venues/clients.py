"""The business registry and the sanitary notification registry, by key (R-VN-1).

Both answer "not found" with None; RegistryUnavailable (and RegistryRejected, our bug)
propagate, and the caller tells the owner to try again later. A body that does not
have the contract's shape is treated as the registry being unavailable.
"""

import logging
from datetime import date

from ashyq.registries import RegistryClient, RegistryNotFound, RegistryUnavailable
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
        return CompanyRecord(bin=str(body["bin"]), name=str(body["name"]), oked=tuple(str(code) for code in oked))
    except (KeyError, TypeError) as exc:
        logger.warning("companies: malformed answer for a BIN look-up: %s", exc)
        raise RegistryUnavailable("companies: malformed answer") from exc


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
