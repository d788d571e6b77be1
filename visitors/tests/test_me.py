"""The citizen's own status page (R-ST-7, R-ST-9, R-ST-10, R-CI-8)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.tests.factories import CitizenFactory
from statuses.models import SyncState
from statuses.tests.factories import PcrResultFactory

pytestmark = pytest.mark.django_db

ME = reverse("visitors:me")
IIN = "900101300125"
NOW = timezone.make_aware(timezone.datetime(2021, 5, 10, 12, 0))


def _synced(at):
    SyncState.objects.update(last_success_at=at)


@pytest.fixture
def citizen():
    return CitizenFactory(iin=IIN)


def test_shows_own_colour_until_when_and_why(en_client, citizen):
    PcrResultFactory(iin=IIN, positive=False, sampled_at=NOW - timedelta(hours=10))
    _synced(NOW - timedelta(minutes=3))
    en_client.force_login(citizen)
    with time_machine.travel(NOW, tick=False):
        response = en_client.get(ME)
    text = response.text
    assert 'data-status="green"' in text
    assert "until 13 May 02:00" in text  # R-ST-5: 72 h after the sample, local time
    assert "PCR negative" in text
    assert 'data-stale="true"' not in text


def test_r_st_9_stale_registry_data_says_so(en_client, citizen):
    _synced(NOW - timedelta(minutes=31))
    en_client.force_login(citizen)
    with time_machine.travel(NOW, tick=False):
        response = en_client.get(ME)
    assert 'data-stale="true"' in response.text
    assert "may be out of date" in response.text


def test_r_st_10_history_lists_the_changes(en_client, citizen):
    PcrResultFactory(iin=IIN, positive=True, sampled_at=NOW - timedelta(days=20))
    en_client.force_login(citizen)
    with time_machine.travel(NOW, tick=False):
        history = en_client.get(ME).context["history"]
    assert [change.colour for change in history][:2] == ["blue", "red"]


def test_without_a_linked_iin_the_citizen_links_it_first(client):
    client.force_login(CitizenFactory())
    assert client.get(ME)["Location"] == reverse("visitors:link_iin")


def test_r_ci_8_the_page_has_no_way_to_ask_for_someone_else(client, citizen):
    client.force_login(citizen)
    other = "850515400128"
    PcrResultFactory(iin=other, positive=True, sampled_at=timezone.now() - timedelta(hours=1))
    response = client.get(ME, {"iin": other})
    assert response.context["report"].colour != "red"


@pytest.mark.parametrize("role", ["owner", "guard", "operator"])
def test_only_citizens_have_a_status_page(client, role):
    from ashyq.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(role=role))
    assert client.get(ME).status_code == 403


def test_post_is_not_allowed(client, citizen):
    client.force_login(citizen)
    assert client.post(ME).status_code == 405
