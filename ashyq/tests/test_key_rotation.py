"""Rotating the IIN encryption key leaves old rows readable, and
`reencrypt_identifiers` moves them to the new key (SECURITY.md, "Rotating keys")."""

import base64
import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import BinaryField, ExpressionWrapper, F

from ashyq import crypto
from ashyq.accounts.models import User
from ashyq.accounts.tests.factories import CitizenFactory

IIN = "900101300125"


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def stored_key_id(user) -> int:
    raw = User.objects.filter(pk=user.pk).values_list(
        ExpressionWrapper(F("iin"), output_field=BinaryField()), flat=True
    )
    return crypto.key_id_of(raw.get())


@pytest.fixture
def rotated(settings):
    """A citizen stored under key 1, then the key rotated to id 2 with key 1 retired."""
    old_key = settings.IIN_ENCRYPTION_KEY
    settings.IIN_ENCRYPTION_KEY_ID = 1
    user = CitizenFactory(iin=IIN)
    settings.IIN_ENCRYPTION_KEY, settings.IIN_ENCRYPTION_KEY_ID = new_key(), 2
    settings.IIN_OLD_ENCRYPTION_KEYS = f"1:{old_key}"
    return user


@pytest.mark.django_db
def test_after_a_rotation_old_rows_stay_readable_and_new_ones_use_the_new_key(rotated):
    assert User.objects.get(pk=rotated.pk).iin == IIN
    assert stored_key_id(rotated) == 1
    newer = CitizenFactory(iin="850515400128")
    assert stored_key_id(newer) == 2
    # The blind index has its own key: look-ups go on working through the rotation.
    assert User.objects.get(iin_index=crypto.blind_index(IIN)) == rotated


@pytest.mark.django_db
def test_without_the_retired_key_old_rows_do_not_decrypt(rotated, settings):
    settings.IIN_OLD_ENCRYPTION_KEYS = ""
    with pytest.raises(ValueError, match="Unknown encryption key id"):
        User.objects.get(pk=rotated.pk)


@pytest.mark.django_db
def test_reencrypt_moves_every_row_to_the_new_key_and_can_run_twice(rotated, settings):
    out = StringIO()
    call_command("reencrypt_identifiers", stdout=out)
    assert "accounts.User.iin: 1 re-encrypted" in out.getvalue()
    assert stored_key_id(rotated) == 2

    settings.IIN_OLD_ENCRYPTION_KEYS = ""  # the retired key can now be destroyed
    assert User.objects.get(pk=rotated.pk).iin == IIN
    out = StringIO()
    call_command("reencrypt_identifiers", stdout=out)
    assert "accounts.User.iin: 0 re-encrypted" in out.getvalue()


def test_a_malformed_list_of_retired_keys_is_refused(settings):
    settings.IIN_OLD_ENCRYPTION_KEYS = "one:abc"
    with pytest.raises(ValueError, match="IIN_OLD_ENCRYPTION_KEYS must look like"):
        crypto.decrypt(crypto.encrypt(IIN))
