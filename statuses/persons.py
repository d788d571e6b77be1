"""How a person is found in our copy of the registries (R-ID-5): by a blind index only."""

from ashyq.crypto import blind_index


def person_key(*, iin: str | None = None, passport: str | None = None, country: str | None = None) -> str:
    """The blind index of an IIN, or of "COUNTRY:PASSPORT" for a foreigner (R-ID-4).

    Spaces are dropped and letters upper-cased, so "kz" / "n 123" and "KZ" / "N123" are
    the same person. Raises ValueError when neither key is complete.
    """
    if iin:
        return blind_index(_squeeze(iin))
    if passport and country:
        return blind_index(f"{_squeeze(country)}:{_squeeze(passport)}".upper())
    raise ValueError("person_key needs an IIN, or a passport number and a country")


def _squeeze(value: str) -> str:
    # Spaces and dashes are typing, not identity: "N-123 4567" is "N1234567" (R-ID-4),
    # whether it comes from the registry's feed or from a guard's keyboard.
    return "".join(value.split()).replace("-", "")
