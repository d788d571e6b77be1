"""Signed tokens of venue QR codes (R-VN-4): pure, no database.

A token is 24 bytes, written as 32 characters of base64url without padding:

    version (1) | key id (1) | venue id (4) | entrance id (4) | direction + issue (3) | MAC (11)

The direction is the top bit of the last payload field (0 entry, 1 exit), the issue
number its other 23 bits. The MAC is HMAC-SHA256 over a domain label and the payload,
cut to 88 bits: a forger must be accepted online, one request per guess, so 2^88
guesses are out of reach. 24 bytes are a multiple of 3, so every base64 character
carries only token bits and changing any one of them changes the bytes (no "free"
padding bits that decode to the same token).

Keys come from settings: QR_SIGNING_KEY (url-safe base64, at least 32 bytes) under the
id QR_SIGNING_KEY_ID signs new codes; QR_OLD_SIGNING_KEYS ({id: key}, or the string
"2:key,3:key" as in the environment) still verifies codes printed under a retired key.
A code is refused once its key is removed from that list.
"""

import base64
import binascii
import hmac as std_hmac
import re
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings

from ashyq.crypto import parse_key_list

VERSION = 1
MAC_BYTES = 11
_PAYLOAD = struct.Struct(">BBII3s")
TOKEN_BYTES = _PAYLOAD.size + MAC_BYTES  # 24
TOKEN_LENGTH = TOKEN_BYTES * 4 // 3  # 32 characters
_DOMAIN = b"ashyq.venues.qr\x00"
_MAX_ID = 2**32 - 1
_MAX_ISSUE = 2**23 - 1
_EXIT_BIT = 1 << 23
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")

ENTRY = "entry"
EXIT = "exit"


class BadToken(ValueError):
    """The token is malformed, truncated, forged or signed by a key we do not hold."""


class UnknownKey(BadToken):
    """The key id is not among the configured keys (retired, or never ours)."""


@dataclass(frozen=True)
class TokenData:
    venue_id: int
    entrance_id: int
    direction: str  # "entry" or "exit", the values of venues.models.Direction
    issue: int
    key_id: int


def sign(*, venue_id: int, entrance_id: int, direction: str, issue: int, key_id: int | None = None) -> str:
    """The token of one code; `key_id` defaults to the current signing key."""
    if key_id is None:
        key_id = current_key_id()
    key = _key(key_id)
    if direction not in (ENTRY, EXIT):
        raise ValueError(f"unknown direction {direction!r}")
    if not (0 < venue_id <= _MAX_ID and 0 < entrance_id <= _MAX_ID and 0 < issue <= _MAX_ISSUE):
        raise ValueError("venue, entrance or issue out of range")
    tail = (issue | (_EXIT_BIT if direction == EXIT else 0)).to_bytes(3, "big")
    payload = _PAYLOAD.pack(VERSION, key_id, venue_id, entrance_id, tail)
    return base64.urlsafe_b64encode(payload + _mac(key, payload)).decode("ascii")


def verify(token: str) -> TokenData:
    """The data of a token we signed; BadToken for anything else."""
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH or not _ALPHABET.fullmatch(token):
        raise BadToken("malformed")
    try:
        raw = base64.urlsafe_b64decode(token)
    except (binascii.Error, ValueError) as exc:
        raise BadToken("malformed") from exc
    payload, mac = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
    version, key_id, venue_id, entrance_id, tail = _PAYLOAD.unpack(payload)
    if version != VERSION:
        raise BadToken("unknown version")
    key = _key(key_id)
    if not std_hmac.compare_digest(mac, _mac(key, payload)):
        raise BadToken("bad signature")
    field = int.from_bytes(tail, "big")
    issue = field & _MAX_ISSUE
    if not (venue_id and entrance_id and issue):
        raise BadToken("zero id")  # never signed: sign() refuses them
    direction = EXIT if field & _EXIT_BIT else ENTRY
    return TokenData(venue_id=venue_id, entrance_id=entrance_id, direction=direction, issue=issue, key_id=key_id)


def short(token: str) -> str:
    """What logs may show of a token: the characters of its version, key and ids (to
    tell which code was tried), never its signature, so a log line cannot be used."""
    return str(token or "")[:16] + "…"


def current_key_id() -> int:
    key_id = int(settings.QR_SIGNING_KEY_ID)
    if not 0 < key_id < 256:
        raise ValueError("QR_SIGNING_KEY_ID must be between 1 and 255")
    return key_id


def signing_keys() -> dict[int, bytes]:
    """Every key that verifies, by id: the old ones, then the current one over them."""
    keys = {key_id: _decode_key(value) for key_id, value in _old_keys().items()}
    keys[current_key_id()] = _decode_key(settings.QR_SIGNING_KEY)
    return keys


def parse_old_keys(value: str) -> dict[int, str]:
    """ "2:key,3:key" (the environment's form) → {2: "key", 3: "key"}."""
    return parse_key_list(value, setting="QR_OLD_SIGNING_KEYS")


def _old_keys() -> dict[int, str]:
    value = getattr(settings, "QR_OLD_SIGNING_KEYS", {}) or {}
    if isinstance(value, str):
        value = parse_old_keys(value)
    return {int(key_id): key for key_id, key in value.items()}


def _key(key_id: int) -> bytes:
    key = signing_keys().get(key_id)
    if key is None:
        raise UnknownKey(f"unknown key id {key_id}")
    return key


def _decode_key(value: str) -> bytes:
    if not value:
        raise ValueError("a QR signing key is empty")
    key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    if len(key) < 32:
        raise ValueError("a QR signing key must hold at least 32 bytes")
    return key


def _mac(key: bytes, payload: bytes) -> bytes:
    h = crypto_hmac.HMAC(key, hashes.SHA256())
    h.update(_DOMAIN + payload)
    return h.finalize()[:MAC_BYTES]
