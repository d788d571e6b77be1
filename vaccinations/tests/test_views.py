"""The passport's pages without a browser: the verification form's server verdict
(R-VP-5), the published keys and revocations, the planning figures with their scope and
suppression (R-VP-6, R-PR-5), and no identifier echoed back (R-ID-5)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import CitizenFactory, UserFactory
from ashyq.identifiers import make_iin
from ashyq.reference.tests.factories import RegionFactory
from statuses.tests.factories import VaccinationFactory
from vaccinations.models import Revocation
from vaccinations.rules import suppress_row, week_of
from vaccinations.selectors import certificate_for, registry_certificate
from vaccinations.tests.factories import MedicFactory, VaccineFactory

IIN = make_iin(birth_date=date(1975, 12, 1), sex="male", serial=5555)


@pytest.mark.django_db
def test_the_form_without_javascript_gets_the_servers_verdict_and_nothing_is_echoed(en_client):
    VaccinationFactory(iin=IIN, source_id="900")
    text = certificate_for(iin=IIN, now=timezone.now())
    response = en_client.post(reverse("verify:verify"), {"certificate": text})  # no CSRF token: a public check
    assert response.status_code == 200
    assert b'data-verdict="authentic"' in response.content
    assert text.encode() not in response.content  # the form comes back empty
    assert response["Cache-Control"].startswith("max-age=0")
    Revocation.objects.create(certificate=registry_certificate("900"), revoked_at=timezone.now(), reason="corrected")
    assert b'data-verdict="revoked"' in en_client.post(reverse("verify:verify"), {"certificate": text}).content
    response = en_client.post(reverse("verify:verify"), {"certificate": "HC1:NOT A CERTIFICATE"})
    assert b'data-verdict="not_authentic"' in response.content and b"not a readable certificate" in response.content


@pytest.mark.django_db
def test_keys_and_revocations_are_published_for_offline_verifiers(client):
    keys = client.get(reverse("verify:keys")).json()["keys"]
    assert [set(key) >= {"kid", "kty", "crv", "x", "y"} for key in keys] == [True]
    Revocation.objects.create(certificate="URN:UVCI:01:KZ:X1", revoked_at=timezone.now(), reason="corrected")
    assert client.get(reverse("verify:revoked")).json()["revoked"] == ["URN:UVCI:01:KZ:X1"]
    worker = client.get(reverse("verify:service_worker"))
    assert worker["Content-Type"].startswith("text/javascript") and b"/verify/keys.json" in worker.content


def _doses(region_code: str, n: int, day: date, dose: int = 1):
    for k in range(n):
        VaccinationFactory(
            region=region_code, vaccine="Sputnik V", dose=dose, doses_in_scheme=2, administered_on=day,
            iin=make_iin(birth_date=date(1970, 1, 1) + timedelta(days=k), sex="male", serial=7000 + k + 100 * dose),
        )  # fmt: skip


@pytest.mark.django_db
def test_the_public_figures_show_counts_below_10_as_fewer_than_10(en_client):
    VaccineFactory()
    region = RegionFactory(code="almaty-test")
    monday = week_of(timezone.localdate())
    _doses(region.code, 12, monday, dose=1)
    _doses(region.code, 3, monday, dose=2)
    response = en_client.get(reverse("vaccination_stats:public"))
    content = response.content.decode()
    assert response.status_code == 200
    assert ">15<" in content  # the week's doses
    # 3 second doses, the 3 people who completed, and the 12 first doses with them: the
    # total less 12 would tell the 3.
    assert content.count(">fewer than 10<") == 3
    assert ">3<" not in content and ">12<" not in content


def test_a_lone_hidden_cell_of_a_row_with_a_public_total_hides_another():
    """R-PR-5: 25 − 12 would give away the hidden 3 otherwise."""
    assert suppress_row({"a": 12, "b": 3, "c": 10}, total_shown=True) == {"a": 12, "b": None, "c": None}
    assert suppress_row({"a": 12, "b": 3, "c": 4}, total_shown=True) == {"a": 12, "b": None, "c": None}
    assert suppress_row({"a": 12, "b": 3}, total_shown=False) == {"a": 12, "b": None}


@pytest.mark.django_db
def test_a_regional_health_worker_sees_his_region_only_and_the_commission_exports_all(client):
    VaccineFactory()
    mine, other = RegionFactory(code="r-mine"), RegionFactory(code="r-other")
    monday = week_of(timezone.localdate())
    _doses(mine.code, 2, monday)
    _doses(other.code, 5, monday, dose=2)
    client.force_login(MedicFactory(region=mine))
    page = client.get(reverse("vaccinations:figures"), {"region": other.code}).content.decode()
    assert str(mine) in page and str(other) not in page  # his own, whatever was asked
    client.force_login(UserFactory(role=Role.COMMISSION))
    response = client.get(reverse("vaccinations:figures_export", args=["csv"]))
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert any(str(mine) in row and "Sputnik V" in row for row in rows)
    assert any(str(other) in row and row.endswith(",5,5") for row in rows)  # 5 doses, 5 completed
    assert client.get(reverse("vaccinations:figures_export", args=["pdf"])).status_code == 404


@pytest.mark.django_db
def test_a_refused_identifier_is_not_printed_back_and_the_person_page_masks_it(client):
    client.force_login(MedicFactory())
    response = client.post(reverse("vaccinations:medic_person"), {"iin": IIN[:-1] + "0", "action": "find"})
    assert response.status_code == 400 and (IIN[:-1] + "0").encode() not in response.content
    response = client.post(reverse("vaccinations:medic_person"), {"iin": IIN, "action": "find"})
    assert b"******" + IIN[-4:].encode() in response.content


@pytest.mark.django_db
def test_the_passport_lists_and_the_medics_list_cost_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    medic, vaccine = MedicFactory(), VaccineFactory()
    for n in range(5):
        VaccinationFactory(iin=IIN, dose=n + 1, doses_in_scheme=2, vaccine="Sputnik V", source_id=f"q{n}")
    citizen = CitizenFactory(iin=IIN)
    client.force_login(citizen)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("vaccinations_me:passport")).status_code == 200
    from vaccinations.services import Person, vaccination_record

    for n in range(3):
        vaccination_record(
            medic=medic, person=Person(iin=make_iin(birth_date=date(1980, 1, 1), sex="male", serial=8000 + n)),
            vaccine=vaccine, dose=1, administered_on=date(2021, 5, 1), family_name="А", given_name="", now=timezone.now(),
        )  # fmt: skip
    client.force_login(medic)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("vaccinations:medic_home")).status_code == 200
