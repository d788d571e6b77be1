"""Region scoping (§1): regional staff see their own region only, by URL guessing too."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core.models import AuditEvent
from ashyq.reference.models import Region, RegionKind, ZoneChange


def _region(code, kind=RegionKind.CITY):
    return Region.objects.get_or_create(code=code, defaults={"name_ru": code, "kind": kind})[0]


@pytest.fixture
def almaty(db):
    return _region("almaty")


@pytest.fixture
def shymkent(db):
    return _region("shymkent")


@pytest.fixture
def akimat_almaty(almaty):
    return UserFactory(role=Role.AKIMAT, region=almaty)


@pytest.fixture(autouse=True)
def may_2021():
    """The zone changes below take effect on 10 May 2021, days ahead of "today"."""
    with time_machine.travel(timezone.make_aware(timezone.datetime(2021, 5, 1, 12, 0)), tick=False):
        yield


def _zone_post(code):
    return reverse("reference:region_zone_set", args=[code]), {"zone": "green", "effective_from": "2021-05-10"}


def test_akimat_sees_and_changes_own_region(client, akimat_almaty, almaty):
    client.force_login(akimat_almaty)
    assert client.get(reverse("reference:region_detail", args=["almaty"])).status_code == 200
    url, data = _zone_post("almaty")
    response = client.post(url, data)
    assert response.status_code == 302
    change = ZoneChange.objects.get(region=almaty, effective_from="2021-05-10")
    assert change.zone == "green" and change.set_by == akimat_almaty
    assert AuditEvent.objects.filter(action="zone.set", region=almaty, actor=akimat_almaty).exists()


def test_akimat_of_almaty_cannot_see_shymkent_by_url(client, akimat_almaty, shymkent):
    client.force_login(akimat_almaty)
    assert client.get(reverse("reference:region_detail", args=["shymkent"])).status_code == 404


def test_akimat_of_almaty_cannot_change_shymkent_by_url(client, akimat_almaty, shymkent):
    client.force_login(akimat_almaty)
    before = ZoneChange.objects.filter(region=shymkent).count()
    url, data = _zone_post("shymkent")
    assert client.post(url, data).status_code == 404
    assert ZoneChange.objects.filter(region=shymkent).count() == before


def test_unknown_region_and_foreign_region_answer_alike(client, akimat_almaty, shymkent):
    """Existence does not leak: a guessed region is as absent as a missing one."""
    client.force_login(akimat_almaty)
    foreign = client.get(reverse("reference:region_detail", args=["shymkent"]))
    missing = client.get(reverse("reference:region_detail", args=["no-such-region"]))
    assert foreign.status_code == missing.status_code == 404


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.SANITARY])
def test_read_only_regional_roles_see_but_cannot_change(client, almaty, role):
    client.force_login(UserFactory(role=role, region=almaty))
    assert client.get(reverse("reference:region_detail", args=["almaty"])).status_code == 200
    url, data = _zone_post("almaty")
    assert client.post(url, data).status_code == 403
    assert not ZoneChange.objects.filter(region=almaty, effective_from="2021-05-10").exists()


def test_commission_reads_every_region_but_changes_none(client, almaty, shymkent):
    client.force_login(UserFactory(role=Role.COMMISSION))
    assert client.get(reverse("reference:region_detail", args=["shymkent"])).status_code == 200
    url, data = _zone_post("shymkent")
    assert client.post(url, data).status_code == 403


@pytest.mark.parametrize("role", [Role.OWNER, Role.CITIZEN])
def test_roles_without_a_region_get_403(client, almaty, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("reference:region_detail", args=["almaty"])).status_code == 403
    assert client.get(reverse("reference:region_list")).status_code == 403


def test_region_list_is_for_national_roles_only(client, akimat_almaty):
    client.force_login(akimat_almaty)
    assert client.get(reverse("reference:region_list")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, almaty):
    response = client.get(reverse("reference:region_detail", args=["almaty"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_wrong_method_is_405(client, akimat_almaty, almaty):
    client.force_login(akimat_almaty)
    assert client.get(reverse("reference:region_zone_set", args=["almaty"])).status_code == 405
    assert client.post(reverse("reference:region_detail", args=["almaty"])).status_code == 405


def test_invalid_zone_form_changes_nothing(client, akimat_almaty, almaty):
    client.force_login(akimat_almaty)
    before = ZoneChange.objects.count()
    url, _ = _zone_post("almaty")
    response = client.post(url, {"zone": "purple", "effective_from": "not a date"})
    assert response.status_code == 400
    assert ZoneChange.objects.count() == before


def test_regional_role_requires_a_region_in_the_database(db):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        UserFactory(role=Role.AKIMAT, region=None)


def test_r_ref_2_an_akimat_cannot_set_a_zone_for_past_days(client, akimat_almaty, almaty):
    client.force_login(akimat_almaty)
    url, _ = _zone_post("almaty")
    response = client.post(url, {"zone": "green", "effective_from": "2021-04-30"})  # yesterday
    assert response.status_code == 400
    assert not ZoneChange.objects.filter(region=almaty, effective_from="2021-04-30").exists()
    assert client.post(url, {"zone": "green", "effective_from": "2021-05-01"}).status_code == 302  # today


def test_r_ref_2_an_operator_may_correct_a_past_zone(client, almaty):
    client.force_login(UserFactory(role=Role.OPERATOR, is_staff=True))
    url, _ = _zone_post("almaty")
    assert client.post(url, {"zone": "yellow", "effective_from": "2021-04-01"}).status_code == 302
    assert ZoneChange.objects.filter(region=almaty, effective_from="2021-04-01", zone="yellow").exists()
