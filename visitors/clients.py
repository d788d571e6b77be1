"""The mobile-subscriber registry (phone → IIN), looked up live (R-AU-2)."""

from ashyq.registries import RegistryClient, RegistryNotFound, RegistryUnavailable


def subscriber_iin(phone: str) -> str | None:
    """The IIN the phone is registered to, or None when the registry knows no such
    phone. RegistryUnavailable (and a malformed answer) propagate: try again later."""
    try:
        answer = RegistryClient("subscribers").lookup(phone=phone)
    except RegistryNotFound:
        return None
    iin = answer.get("iin")
    if not isinstance(iin, str):
        raise RegistryUnavailable("subscribers: the answer has no IIN")
    return iin
