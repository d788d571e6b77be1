"""R-VP-4, R-VP-5: the certificate decoded with the COSE/CBOR libraries alone and
verified with the key that /verify/keys.json publishes; every field checked against
the records (birth date from the IIN, dose n of m)."""

import base64
import io
import zlib
from datetime import date, timedelta

import base45
import cbor2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from pycose.keys import EC2Key
from pycose.keys.curves import P256
from pycose.messages import CoseMessage

from ashyq.identifiers import make_iin
from statuses.tests.factories import VaccinationFactory
from vaccinations import certificates
from vaccinations.selectors import registry_certificate
from vaccinations.services import Person, vaccination_record
from vaccinations.tests.factories import MedicFactory, VaccineFactory

IIN = make_iin(birth_date=date(1984, 7, 19), sex="female", serial=4242)


def _command(iin: str) -> str:
    out = io.StringIO()
    call_command("vaccination_certificate", iin, stdout=out)
    return out.getvalue().splitlines()[0]


def _decode_with_published_key(client, text: str) -> dict:
    assert text.startswith("HC1:")
    message = CoseMessage.decode(zlib.decompress(base45.b45decode(text[4:])))
    keys = client.get(reverse("verify:keys")).json()["keys"]
    kid = message.phdr[next(h for h in message.phdr if h.identifier == 4)]
    (jwk,) = [key for key in keys if base64.b64decode(key["kid"]) == kid]
    assert (jwk["kty"], jwk["crv"]) == ("EC", "P-256")

    def unb64(value):
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))

    message.key = EC2Key(crv=P256, x=unb64(jwk["x"]), y=unb64(jwk["y"]))
    assert message.verify_signature()
    return cbor2.loads(message.payload)


@pytest.mark.django_db
def test_the_commands_certificate_verifies_with_the_published_key_and_says_what_the_records_say(client):
    vaccine = VaccineFactory(code="qazvac", product="QazVac", manufacturer="RIBSP")
    medic = MedicFactory()
    now = timezone.now()
    person = Person(iin=IIN)
    first = vaccination_record(
        medic=medic, person=person, vaccine=vaccine, dose=1, administered_on=date(2021, 4, 1),
        family_name="Сәрсенова", given_name="Әйгерім", now=now,
    )  # fmt: skip
    second = vaccination_record(
        medic=medic, person=person, vaccine=vaccine, dose=2, administered_on=date(2021, 4, 22),
        family_name="Сәрсенова", given_name="Әйгерім", now=now,
    )  # fmt: skip

    claims = _decode_with_published_key(client, _command(IIN))

    assert claims[1] == "KZ"
    assert claims[6] <= claims[4] - 364 * 86400  # issued, and valid a year
    dcc = claims[-260][1]
    assert dcc["ver"] == "1.3.0"
    assert dcc["dob"] == "1984-07-19"  # from the IIN (R-ID-1)
    assert dcc["nam"] == {"fn": "Сәрсенова", "fnt": "SARSENOVA", "gn": "Әйгерім", "gnt": "AYGERIM"}
    assert [(v["dn"], v["sd"], v["dt"]) for v in dcc["v"]] == [(1, 2, "2021-04-01"), (2, 2, "2021-04-22")]
    assert [v["ci"] for v in dcc["v"]] == [first.certificate, second.certificate]
    for entry in dcc["v"]:
        assert entry["tg"] == "840539006"
        assert (entry["mp"], entry["ma"], entry["vp"]) == ("QazVac", "RIBSP", "J07BX03")
        assert (entry["co"], entry["is"]) == ("KZ", "Ministry of Healthcare of the Republic of Kazakhstan")
        assert entry["ci"].startswith("URN:UVCI:01:KZ:")


@pytest.mark.django_db
def test_a_registry_dose_gets_a_stable_identifier_and_the_registrys_name_maps_to_the_reference():
    VaccineFactory(registry_names="Спутник V")
    VaccinationFactory(
        iin=IIN, vaccine="Спутник V", dose=1, doses_in_scheme=2, source_id="77", administered_on=date(2021, 5, 3)
    )
    dcc = certificates_payload(_command(IIN))
    assert dcc["v"][0]["mp"] == "Sputnik-V"
    assert dcc["v"][0]["ci"] == registry_certificate("77") == registry_certificate("77")
    assert dcc["nam"] == {"fnt": ""}  # the registry sent no name


def certificates_payload(text: str) -> dict:
    verdict = certificates.certificate_verify(text, now=timezone.now(), revoked=lambda ids: set())
    assert verdict.state == certificates.AUTHENTIC
    return verdict.payload


@pytest.mark.django_db
def test_the_command_fails_without_a_confirmed_vaccination_or_with_a_bad_iin():
    with pytest.raises(CommandError, match="no confirmed vaccination"):
        _command(IIN)
    with pytest.raises(CommandError, match="Not a valid IIN"):
        _command("123")


@pytest.mark.django_db
def test_one_changed_byte_is_not_authentic_and_an_expired_one_neither():
    VaccinationFactory(iin=IIN)
    text = _command(IIN)
    now = timezone.now()
    raw = bytearray(zlib.decompress(base45.b45decode(text[4:])))
    raw[-70] ^= 0x01  # inside the payload: the signature no longer matches
    forged = "HC1:" + base45.b45encode(zlib.compress(bytes(raw))).decode()
    assert certificates.certificate_verify(forged, now=now, revoked=lambda ids: set()).state == "not_authentic"
    later = now + timedelta(days=366)
    assert certificates.certificate_verify(text, now=later, revoked=lambda ids: set()).problem == "expired"
    assert certificates.certificate_verify("HC1:%%%", now=now, revoked=lambda ids: set()).problem == "unreadable"


def test_a_rotated_key_keeps_verifying_what_it_signed(settings):
    old_key = base64.urlsafe_b64encode(bytes(range(1, 33))).decode()
    new_key = base64.urlsafe_b64encode(bytes(range(2, 34))).decode()
    settings.VACCINATION_SIGNING_KEY, settings.VACCINATION_OLD_SIGNING_KEYS = old_key, ""
    now = timezone.now()
    text = certificates.certificate_sign({"ver": "1.3.0", "v": []}, now=now)
    settings.VACCINATION_SIGNING_KEY, settings.VACCINATION_OLD_SIGNING_KEYS = new_key, old_key
    assert certificates.certificate_verify(text, now=now, revoked=lambda ids: set()).state == "authentic"
    assert len(certificates.key_set()["keys"]) == 2
    settings.VACCINATION_OLD_SIGNING_KEYS = ""  # retired for good: no longer trusted
    assert certificates.certificate_verify(text, now=now, revoked=lambda ids: set()).problem == "unknown_key"


def test_a_signing_key_that_is_not_a_p256_key_is_refused():
    with pytest.raises(certificates.KeyProblem):
        certificates.key_from_setting(base64.urlsafe_b64encode(b"short").decode())
    with pytest.raises(certificates.KeyProblem):
        certificates.key_from_setting(base64.urlsafe_b64encode(b"\xff" * 32).decode())  # above the curve's order


def test_the_system_check_names_a_bad_signing_key(settings):
    from vaccinations.checks import signing_key_checks

    assert signing_key_checks(None) == []
    settings.VACCINATION_SIGNING_KEY = "not-a-key"
    [error] = signing_key_checks(None)
    assert error.id == "ashyq.E101" and "VACCINATION_SIGNING_KEY" in error.msg
