"""The mock registries in the admin: lists render, a save is a feed change, the switch is editable."""

import pytest
from django.conf import settings
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.mocks.models import MockFailure, PcrRecord
from ashyq.mocks.tests.factories import (
    CompanyRecordFactory,
    ContactRecordFactory,
    NotificationRecordFactory,
    PcrRecordFactory,
    SubscriberRecordFactory,
    VaccinationRecordFactory,
    iin,
)

pytestmark = pytest.mark.django_db

MODELS = ["pcrrecord", "contactrecord", "vaccinationrecord", "subscriberrecord", "companyrecord", "notificationrecord"]


@pytest.fixture
def operator(client):
    client.force_login(UserFactory(role=Role.OPERATOR, is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", [*MODELS, "mockfailure", "mockcursor"])
def test_every_list_renders(operator, model):
    for factory in (PcrRecordFactory, ContactRecordFactory, VaccinationRecordFactory):
        factory.create()
    SubscriberRecordFactory.create()
    CompanyRecordFactory.create()
    NotificationRecordFactory.create()
    response = operator.get(reverse(f"admin:mocks_{model}_changelist"), {"q": "1"})
    assert response.status_code == 200


def pcr_form(**changes) -> dict:
    return {
        "iin": iin(1),
        "passport": "",
        "country": "",
        "result": "positive",
        "sampled_at_0": "2021-05-01",
        "sampled_at_1": "10:00:00",
        "resulted_at_0": "",
        "resulted_at_1": "",
    } | changes


def test_a_record_changed_in_the_admin_reappears_in_the_feed(operator):
    record, later = PcrRecordFactory.create_batch(2)
    url = reverse("admin:mocks_pcrrecord_change", args=[record.pk])
    response = operator.post(url, pcr_form(iin=record.iin))
    assert response.status_code == 302
    stored = PcrRecord.objects.get(pk=record.pk)
    assert (stored.result, stored.iin) == ("positive", record.iin)
    assert stored.seq > later.seq


def test_the_admin_refuses_a_record_the_load_file_would_refuse(operator):
    operator.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the message is read in English
    response = operator.post(reverse("admin:mocks_pcrrecord_add"), pcr_form(iin="", passport="N1234567"))
    assert response.status_code == 200
    assert "give either iin, or passport and country" in response.content.decode()
    assert not PcrRecord.objects.exists()


def test_records_cannot_be_deleted_in_the_admin(operator):
    record = PcrRecordFactory.create()
    response = operator.post(reverse("admin:mocks_pcrrecord_delete", args=[record.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert PcrRecord.objects.filter(pk=record.pk).exists()


def test_the_failure_switch_is_editable(operator):
    response = operator.post(
        reverse("admin:mocks_mockfailure_add"),
        {"registry": "pcr", "error_rate": "0.5", "latency_ms": "0", "malformed_rate": "0", "bad_record_rate": "0"},
    )
    assert response.status_code == 302
    assert MockFailure.objects.get(registry="pcr").error_rate == 0.5
