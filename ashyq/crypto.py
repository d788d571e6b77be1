"""Personal identifiers at rest (R-ID-5): AES-256-GCM encryption and a blind index.

An IIN or passport number is stored encrypted (random nonce, so equal values give
different bytes) and found through its blind index, an HMAC-SHA256 under a separate
key: equal identifiers give equal indexes, and without the key the index reveals
nothing, not even by trying all 10^11 valid IINs.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

# The first byte of every ciphertext names the key (IIN_ENCRYPTION_KEY_ID), so that
# keys can rotate: a new key gets a new id, the old one moves to
# IIN_OLD_ENCRYPTION_KEYS ("1:<key>"), old rows stay readable and
# `manage.py reencrypt_identifiers` rewrites them under the new key (SECURITY.md).
_NONCE_BYTES = 12


def parse_key_list(value: str, *, setting: str) -> dict[int, str]:
    """ "2:key,3:key" (the environment's form of retired keys) → {2: "key", 3: "key"}."""
    keys = {}
    for item in filter(None, (part.strip() for part in (value or "").split(","))):
        key_id, sep, key = item.partition(":")
        if not sep or not key_id.strip().isdigit():
            raise ValueError(f"{setting} must look like '2:<key>,3:<key>'")
        keys[int(key_id)] = key.strip()
    return keys


def current_key_id() -> int:
    key_id = int(getattr(settings, "IIN_ENCRYPTION_KEY_ID", 1))
    if not 0 < key_id < 256:
        raise ValueError("IIN_ENCRYPTION_KEY_ID must be 1 to 255")
    return key_id


def _encryption_keys() -> dict[int, str]:
    """Every key that decrypts, by id: the retired ones, then the current one over them."""
    old = getattr(settings, "IIN_OLD_ENCRYPTION_KEYS", "") or {}
    keys = parse_key_list(old, setting="IIN_OLD_ENCRYPTION_KEYS") if isinstance(old, str) else dict(old)
    keys[current_key_id()] = settings.IIN_ENCRYPTION_KEY
    return keys


def _decode_key(value: str) -> bytes:
    key = base64.urlsafe_b64decode(value.encode() + b"=" * (-len(value) % 4))
    if len(key) != 32:
        raise ValueError("IIN_ENCRYPTION_KEY and IIN_INDEX_KEY must be 32 bytes, url-safe base64")
    return key


@lru_cache(maxsize=4)
def _aead(key: str) -> AESGCM:
    return AESGCM(_decode_key(key))


def encrypt(plaintext: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    header = bytes([current_key_id()])
    return header + nonce + _aead(settings.IIN_ENCRYPTION_KEY).encrypt(nonce, plaintext.encode(), header)


def key_id_of(token: bytes) -> int:
    """The id of the key that encrypted `token` (its first byte)."""
    return bytes(token)[0]


def decrypt(token: bytes) -> str:
    token = bytes(token)
    key = _encryption_keys().get(token[0]) if token else None
    if key is None:
        raise ValueError("Unknown encryption key id")
    nonce, ciphertext = token[1 : 1 + _NONCE_BYTES], token[1 + _NONCE_BYTES :]
    try:
        return _aead(key).decrypt(nonce, ciphertext, token[:1]).decode()
    except InvalidTag as exc:
        raise ValueError("The stored identifier does not decrypt with its key") from exc


@lru_cache(maxsize=4)
def _index_mac(key: str) -> hmac.HMAC:
    # The HMAC keyed once per process and key: a sync computes a blind index per record
    # (BENCHMARKS.md, B3), and decoding the key and keying the HMAC cost more than the hash.
    # Cached by the setting's value, so a new key (settings, tests) gets a new HMAC.
    return hmac.new(_decode_key(key), digestmod=hashlib.sha256)


def blind_index(value: str) -> str:
    """The keyed hash by which an identifier is looked up (64 hex characters)."""
    mac = _index_mac(settings.IIN_INDEX_KEY).copy()  # never updated itself: safe across threads
    mac.update(value.strip().upper().encode())
    return mac.hexdigest()


def masked(value: str) -> str:
    """`******1234`: how logs and exports show an identifier (R-ID-5)."""
    return "******" + value[-4:] if value else ""


class EncryptedCharField(models.BinaryField):
    """A text value stored AES-GCM-encrypted; Python code sees the plain string.

    It cannot be filtered on (the same value encrypts differently every time): look
    rows up by a BlindIndexField instead.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        if value is None or value == "":
            return None
        return encrypt(str(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        return connection.Database.Binary(value) if value is not None else None

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None  # encrypted values cannot be compared; use the blind index
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj):
        return ""  # never serialise the identifier (dumpdata, admin history)


class BlindIndexField(models.CharField):
    """The blind index of another field of the same model, kept in step on save.

    bulk_create keeps it too (Django calls pre_save for every inserted row); code that
    changes the source with queryset.update() must set the index itself.
    """

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("editable", None)
        if kwargs.get("max_length") == 64:
            kwargs.pop("max_length")
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        plain = getattr(model_instance, self.source)
        value = blind_index(plain) if plain else None
        setattr(model_instance, self.attname, value)
        return value
