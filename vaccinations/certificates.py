"""The vaccination certificate (R-VP-4) and its verification (R-VP-5), in the EU Digital
COVID Certificate's layers, each from a library: the DCC payload in a CBOR web token
(cbor2), signed as a COSE_Sign1 with ES256 (pycose), zlib-compressed, base45-encoded
(base45) and prefixed "HC1:". Any DCC verifier given our public key reads it.

Keys: VACCINATION_SIGNING_KEY is a P-256 private key (32 bytes, url-safe base64, as
the project's other keys); its key id is the first 8 bytes of the SHA-256 of its public
key (DER SubjectPublicKeyInfo), the DCC's own rule for a key id. Retired keys
(VACCINATION_OLD_SIGNING_KEYS) sign nothing more and keep verifying.

No database here: what is revoked comes in as an argument.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import base45
import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from pycose.algorithms import Es256
from pycose.headers import KID, Algorithm
from pycose.keys import EC2Key
from pycose.keys.curves import P256
from pycose.messages import CoseMessage, Sign1Message

PREFIX = "HC1:"
# CWT claims (RFC 8392) and the DCC's health-certificate claim.
ISSUER, EXPIRES, ISSUED, HCERT = 1, 4, 6, -260
# Bounds on what a stranger may paste: a DCC is a few hundred bytes.
MAX_TEXT = 8000
MAX_INFLATED = 64 * 1024


class KeyProblem(ValueError):
    """A signing key setting that is not a P-256 private key."""


@dataclass(frozen=True)
class Key:
    kid: bytes
    public: ec.EllipticCurvePublicKey
    private: ec.EllipticCurvePrivateKey | None = None

    def cose(self) -> EC2Key:
        numbers = self.public.public_numbers()
        values = {"crv": P256, "x": numbers.x.to_bytes(32, "big"), "y": numbers.y.to_bytes(32, "big")}
        if self.private is not None:
            values["d"] = self.private.private_numbers().private_value.to_bytes(32, "big")
        return EC2Key(**values)

    def jwk(self) -> dict:
        numbers = self.public.public_numbers()
        return {
            "kid": base64.b64encode(self.kid).decode(),
            "kty": "EC",
            "crv": "P-256",
            "x": _b64url(numbers.x.to_bytes(32, "big")),
            "y": _b64url(numbers.y.to_bytes(32, "big")),
            "alg": "ES256",
            "use": "sig",
        }


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def key_from_setting(value: str, *, setting: str = "VACCINATION_SIGNING_KEY") -> Key:
    """The Key of a private key as the settings hold it; KeyProblem when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(value.strip().encode() + b"=" * (-len(value.strip()) % 4))
    except (ValueError, TypeError) as exc:
        raise KeyProblem(f"{setting} is not url-safe base64") from exc
    if len(raw) != 32:
        raise KeyProblem(f"{setting} must be 32 bytes (a P-256 private key), url-safe base64")
    try:
        private = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError as exc:  # zero, or not below the curve's order
        raise KeyProblem(f"{setting} is not a valid P-256 private key") from exc
    public = private.public_key()
    spki = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return Key(kid=hashlib.sha256(spki).digest()[:8], public=public, private=private)


@lru_cache(maxsize=8)
def _keys(current: str, retired: str) -> tuple[Key, dict[bytes, Key]]:
    signing = key_from_setting(current)
    verifying = {}
    for value in filter(None, (part.strip() for part in (retired or "").split(","))):
        old = key_from_setting(value, setting="VACCINATION_OLD_SIGNING_KEYS")
        verifying[old.kid] = Key(kid=old.kid, public=old.public)  # never signs again
    verifying[signing.kid] = signing
    return signing, verifying


def signing_key() -> Key:
    return _keys(settings.VACCINATION_SIGNING_KEY, settings.VACCINATION_OLD_SIGNING_KEYS)[0]


def verification_keys() -> dict[bytes, Key]:
    """Every key whose certificates still verify, by key id: the current one and the retired."""
    return _keys(settings.VACCINATION_SIGNING_KEY, settings.VACCINATION_OLD_SIGNING_KEYS)[1]


def key_set() -> dict:
    """The public keys as a JSON Web Key Set (R-VP-5), current key first."""
    current = signing_key()
    others = [key for kid, key in verification_keys().items() if kid != current.kid]
    return {"keys": [key.jwk() for key in [current, *others]]}


# --- Signing -----------------------------------------------------------------------------


def certificate_sign(payload: dict, *, now: datetime, days: int | None = None) -> str:
    """The "HC1:…" text of a DCC `payload` issued `now`, valid `days` (the setting's by default)."""
    days = settings.VACCINATION_CERTIFICATE_DAYS if days is None else days
    issued = int(now.timestamp())
    claims = {
        ISSUER: "KZ",
        ISSUED: issued,
        EXPIRES: int((now + timedelta(days=days)).timestamp()),
        HCERT: {1: payload},
    }
    key = signing_key()
    message = Sign1Message(phdr={Algorithm: Es256, KID: key.kid}, payload=cbor2.dumps(claims))
    message.key = key.cose()
    return PREFIX + base45.b45encode(zlib.compress(message.encode(), 9)).decode()


# --- Verification (R-VP-5) -------------------------------------------------------------------


AUTHENTIC, REVOKED, NOT_AUTHENTIC = "authentic", "revoked", "not_authentic"


@dataclass(frozen=True)
class Verdict:
    state: str  # AUTHENTIC, REVOKED or NOT_AUTHENTIC
    problem: str = ""  # why not authentic: unreadable, unknown_key, signature, expired
    payload: dict = field(default_factory=dict)  # the DCC, once its signature held
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    revoked: tuple[str, ...] = ()


def _decoded(text: str) -> Sign1Message:
    # A pasted text may have been wrapped; spaces are base45 characters and stay.
    text = text.strip().replace("\r", "").replace("\n", "").replace("\t", "")
    if len(text) > MAX_TEXT or not text.upper().startswith(PREFIX):
        raise ValueError("not an HC1 text")
    compressed = base45.b45decode(text[len(PREFIX) :])
    inflater = zlib.decompressobj()
    raw = inflater.decompress(compressed, MAX_INFLATED)
    if inflater.unconsumed_tail:
        raise ValueError("too large")
    message = CoseMessage.decode(raw)
    if not isinstance(message, Sign1Message):
        raise ValueError("not a COSE_Sign1")
    return message


def certificate_verify(text: str, *, now: datetime, revoked: Callable[[Iterable[str]], set[str]]) -> Verdict:
    """Authentic, revoked or not authentic (with the problem), and what it says.

    `revoked(identifiers)` answers which of the certificate identifiers are revoked.
    Nothing the certificate says is kept.
    """
    try:
        message = _decoded(text)
    except Exception:  # noqa: BLE001 - a stranger's bytes: any failure to decode is "unreadable"
        return Verdict(NOT_AUTHENTIC, "unreadable")
    kid = message.phdr.get(KID) or message.uhdr.get(KID)
    key = verification_keys().get(bytes(kid)) if isinstance(kid, bytes | bytearray) else None
    if key is None:
        return Verdict(NOT_AUTHENTIC, "unknown_key")
    if message.phdr.get(Algorithm) is not Es256:
        return Verdict(NOT_AUTHENTIC, "signature")
    message.key = key.cose()
    try:
        valid = message.verify_signature()
    except Exception:  # noqa: BLE001 - a malformed signature is a wrong one
        valid = False
    if not valid:
        return Verdict(NOT_AUTHENTIC, "signature")
    try:
        claims = cbor2.loads(message.payload)
        payload = claims[HCERT][1]
        issued_at = datetime.fromtimestamp(claims[ISSUED], tz=UTC)
        expires_at = datetime.fromtimestamp(claims[EXPIRES], tz=UTC)
        identifiers = [entry["ci"] for entry in payload.get("v", [])]
    except Exception:  # noqa: BLE001 - signed by us but not a DCC: never happens, never trusted
        return Verdict(NOT_AUTHENTIC, "unreadable")
    if expires_at <= now:
        return Verdict(NOT_AUTHENTIC, "expired", payload, issued_at, expires_at)
    gone = revoked(identifiers)
    if gone:
        return Verdict(REVOKED, "", payload, issued_at, expires_at, tuple(sorted(gone)))
    return Verdict(AUTHENTIC, "", payload, issued_at, expires_at)
