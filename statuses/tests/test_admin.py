"""The operators' page of the registry sync (R-RG-3): last success, lag, last error, cursor, counts."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from statuses.models import HistoryDue, SyncState
from statuses.tests.factories import PcrResultFactory, iin, local

pytestmark = pytest.mark.django_db

NOW = local(2021, 5, 3, 12)


@pytest.fixture
def operator_client(client):
    client.force_login(UserFactory(role=Role.OPERATOR, is_staff=True, is_superuser=True))
    return client


def test_operators_see_each_registrys_sync_with_its_lag_and_last_error(operator_client):
    SyncState.objects.update_or_create(
        registry="pcr",
        defaults={"last_success_at": NOW - timedelta(minutes=7), "cursor": "4711", "records_synced": 1234},
    )
    SyncState.objects.update_or_create(
        registry="contacts",
        defaults={
            "last_success_at": NOW - timedelta(hours=2),
            "last_error": "contacts: HTTP 503",
            "last_error_at": NOW,
        },
    )

    with time_machine.travel(NOW, tick=False):
        response = operator_client.get(reverse("admin:statuses_syncstate_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "0:07:00" in page and "2:00:00" in page  # lag
    assert "4711" in page and "1234" in page
    assert "contacts: HTTP 503" in page


def test_record_lists_show_no_person_and_cannot_be_edited(operator_client):
    record = PcrResultFactory(iin=iin(1), positive=True)

    listing = operator_client.get(reverse("admin:statuses_pcrresult_changelist"))
    detail = operator_client.get(reverse("admin:statuses_pcrresult_change", args=[record.pk]))
    edit = operator_client.post(reverse("admin:statuses_pcrresult_change", args=[record.pk]), {"positive": ""})

    assert listing.status_code == detail.status_code == 200
    assert record.person not in listing.content.decode() + detail.content.decode()
    assert edit.status_code == 403
    record.refresh_from_db()
    assert record.positive is True


def test_citizens_cannot_open_the_sync_page(client):
    client.force_login(UserFactory(role=Role.CITIZEN))

    response = client.get(reverse("admin:statuses_syncstate_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_operators_see_how_many_persons_are_due_a_history_update(operator_client):
    """R-ST-10: the history a sync still owes (HistoryDue) is a number operators
    can watch fall during a catch-up; a row itself (a blind index) is not shown."""
    HistoryDue.objects.bulk_create(HistoryDue(person=f"{n:064x}", marked_at=NOW) for n in range(3))

    response = operator_client.get(reverse("admin:statuses_historydue_changelist"))

    assert response.status_code == 200
    assert "3 истории к пересчёту" in response.content.decode()  # Russian, the default
    assert f"{0:064x}" not in response.content.decode()
    row = reverse("admin:statuses_historydue_change", args=[f"{1:064x}"])
    assert operator_client.get(row).status_code == 403
