"""R-ID-5: identifiers are encrypted at rest and found by a keyed blind index."""

import hashlib
import hmac

import pytest
from django.db import connection

from ashyq import crypto
from ashyq.accounts.models import User
from ashyq.accounts.tests.factories import CitizenFactory

IIN = "900101300125"


def test_encrypt_round_trip_and_random_nonce():
    first, second = crypto.encrypt(IIN), crypto.encrypt(IIN)
    assert first != second  # equal IINs must not give equal bytes
    assert crypto.decrypt(first) == crypto.decrypt(second) == IIN


def test_tampered_ciphertext_is_refused():
    token = bytearray(crypto.encrypt(IIN))
    token[-1] ^= 1
    with pytest.raises(ValueError):
        crypto.decrypt(bytes(token))


def test_blind_index_is_keyed(settings):
    before = crypto.blind_index(IIN)
    assert before == crypto.blind_index(f" {IIN} ")
    settings.IIN_INDEX_KEY = "A" * 43 + "="
    assert crypto.blind_index(IIN) != before


def test_blind_index_is_the_hmac_sha256_of_the_upper_cased_value(settings):
    # Every stored index depends on this exact formula; the keyed HMAC is cached per key.
    settings.IIN_INDEX_KEY = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
    key = bytes(range(1, 33))
    assert crypto.blind_index(" ab12 ") == hmac.new(key, b"AB12", hashlib.sha256).hexdigest()
    assert crypto.blind_index("ab12") == crypto.blind_index("AB12")


def test_masked():
    assert crypto.masked(IIN) == "******0125"


@pytest.mark.django_db
def test_raw_column_never_holds_the_iin():
    user = CitizenFactory(iin=IIN)
    with connection.cursor() as cursor:
        cursor.execute("SELECT iin, iin_index FROM accounts_user WHERE id = %s", [user.pk])
        raw_iin, raw_index = cursor.fetchone()
    raw = bytes(raw_iin)
    assert IIN.encode() not in raw
    assert IIN not in raw.hex()
    assert IIN not in raw_index
    assert User.objects.get(pk=user.pk).iin == IIN


@pytest.mark.django_db
def test_found_by_blind_index_not_by_value():
    user = CitizenFactory(iin=IIN)
    CitizenFactory(iin="850515400128")
    assert User.objects.get(iin_index=crypto.blind_index(IIN)) == user
    with pytest.raises(Exception):  # noqa: B017 (any lookup on ciphertext must fail loudly)
        User.objects.filter(iin=IIN).count()


@pytest.mark.django_db
def test_bulk_create_fills_the_blind_index():
    User.objects.bulk_create([User(username="bulk1", iin=IIN)])
    assert User.objects.get(iin_index=crypto.blind_index(IIN)).username == "bulk1"


@pytest.mark.django_db
def test_clearing_the_iin_clears_the_index():
    user = CitizenFactory(iin=IIN)
    user.iin = None
    user.save()
    user.refresh_from_db()
    assert user.iin is None and user.iin_index is None
