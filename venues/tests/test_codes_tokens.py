"""R-VN-4: QR tokens are signed, compact, and refused when anything about them is off.

Pure tests: no database; keys set through the settings fixture."""

import base64
import secrets
import string

import pytest

from venues.codes import tokens
from venues.codes.rendering import qr_version

KEY_1 = base64.urlsafe_b64encode(b"\x01" * 32).decode()
KEY_2 = base64.urlsafe_b64encode(b"\x02" * 32).decode()
KEY_3 = base64.urlsafe_b64encode(b"\x03" * 32).decode()
ALPHABET = string.ascii_letters + string.digits + "-_"


@pytest.fixture(autouse=True)
def keys(settings):
    settings.QR_SIGNING_KEY = KEY_1
    settings.QR_SIGNING_KEY_ID = 1
    settings.QR_OLD_SIGNING_KEYS = {}
    return settings


def a_token(**overrides) -> str:
    values = {"venue_id": 123, "entrance_id": 4567, "direction": "entry", "issue": 3} | overrides
    return tokens.sign(**values)


def test_a_token_round_trips_every_field():
    token = a_token(venue_id=2**32 - 1, entrance_id=9, direction="exit", issue=2**23 - 1)
    assert tokens.verify(token) == tokens.TokenData(
        venue_id=2**32 - 1, entrance_id=9, direction="exit", issue=2**23 - 1, key_id=1
    )


def test_entry_and_exit_of_one_entrance_are_different_tokens():
    assert a_token(direction="entry") != a_token(direction="exit")
    assert tokens.verify(a_token(direction="entry")).direction == "entry"


def test_a_token_is_32_url_safe_characters_and_the_url_fits_a_version_4_qr():
    token = a_token()
    assert len(token) == 32
    assert set(token) <= set(ALPHABET)
    url = f"https://ashyq.kz/q/{token}"
    assert len(url) == 51
    # 33 × 33 modules at error correction M: small, quick to scan from a poster.
    assert qr_version(url) == 4


def test_every_flipped_bit_of_every_byte_is_refused():
    raw = bytearray(base64.urlsafe_b64decode(a_token()))
    for index in range(len(raw)):
        for bit in range(8):
            forged = bytearray(raw)
            forged[index] ^= 1 << bit
            token = base64.urlsafe_b64encode(bytes(forged)).decode()
            with pytest.raises(tokens.BadToken):
                tokens.verify(token)


def test_every_character_changed_to_any_other_is_refused():
    token = a_token()
    for index, original in enumerate(token):
        for replacement in ALPHABET.replace(original, "") + "=+/. ":
            forged = token[:index] + replacement + token[index + 1 :]
            with pytest.raises(tokens.BadToken):
                tokens.verify(forged)


@pytest.mark.parametrize("cut", range(1, 32))
def test_a_truncated_token_is_refused(cut):
    with pytest.raises(tokens.BadToken):
        tokens.verify(a_token()[:cut])


@pytest.mark.parametrize("value", ["", "A", a_token() + "A", a_token() + "==", " " + a_token()[1:], None, 123])
def test_malformed_values_are_refused(value):
    with pytest.raises(tokens.BadToken):
        tokens.verify(value)


def test_a_token_signed_with_a_key_we_do_not_hold_is_refused(keys):
    keys.QR_SIGNING_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    stranger = a_token()
    keys.QR_SIGNING_KEY = KEY_1
    with pytest.raises(tokens.BadToken):
        tokens.verify(stranger)


def test_an_unknown_key_id_is_refused(keys):
    keys.QR_SIGNING_KEY_ID = 7
    token = a_token()
    keys.QR_SIGNING_KEY_ID = 1
    with pytest.raises(tokens.UnknownKey):
        tokens.verify(token)


def test_changing_the_key_id_byte_alone_is_refused(keys):
    keys.QR_OLD_SIGNING_KEYS = {2: KEY_2}
    raw = bytearray(base64.urlsafe_b64decode(a_token()))
    raw[1] = 2  # a key we hold, but the MAC was made with key 1
    with pytest.raises(tokens.BadToken):
        tokens.verify(base64.urlsafe_b64encode(bytes(raw)).decode())


def test_rotation_old_key_verifies_while_listed_then_is_refused(keys):
    printed = a_token()  # signed with key 1
    keys.QR_SIGNING_KEY, keys.QR_SIGNING_KEY_ID = KEY_2, 2
    keys.QR_OLD_SIGNING_KEYS = {1: KEY_1}
    assert tokens.verify(printed).key_id == 1
    assert tokens.verify(a_token()).key_id == 2  # new codes use the new key
    keys.QR_OLD_SIGNING_KEYS = {}
    with pytest.raises(tokens.UnknownKey):
        tokens.verify(printed)


def test_old_keys_in_the_environment_form(keys):
    keys.QR_SIGNING_KEY, keys.QR_SIGNING_KEY_ID = KEY_3, 3
    keys.QR_OLD_SIGNING_KEYS = f"1:{KEY_1}, 2:{KEY_2}"
    assert tokens.verify(a_token(key_id=1)).key_id == 1
    assert tokens.verify(a_token(key_id=2)).key_id == 2
    assert tokens.parse_old_keys("") == {}
    with pytest.raises(ValueError):
        tokens.parse_old_keys("two:abc")


def test_sign_refuses_values_that_do_not_fit():
    for bad in ({"venue_id": 0}, {"entrance_id": 2**32}, {"issue": 0}, {"issue": 2**23}, {"direction": "up"}):
        with pytest.raises(ValueError):
            a_token(**bad)
    with pytest.raises(tokens.UnknownKey):
        a_token(key_id=9)


def test_a_short_key_is_refused(keys):
    keys.QR_SIGNING_KEY = base64.urlsafe_b64encode(b"short").decode()
    with pytest.raises(ValueError):
        a_token()


def test_logs_see_the_ids_but_not_the_signature():
    token = a_token()
    assert tokens.short(token) == token[:16] + "…"
    # 16 characters are 96 bits, inside the 13-byte payload: no bit of the MAC shown.
    assert 16 * 6 <= (tokens.TOKEN_BYTES - tokens.MAC_BYTES) * 8
