"""Outages (R-MN-6): the moment look-up, the days they touch, recording them."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core.models import AuditEvent
from monitoring.models import Outage, OutageKind
from monitoring.selectors import outage_at, outage_days
from monitoring.services.outages import outage_record

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2021, 5, 10, 12, 0, tzinfo=ALMATY)

pytestmark = pytest.mark.django_db


def make_outage(starts_at, ends_at, kind=OutageKind.SYSTEM):
    return Outage.objects.create(
        starts_at=starts_at, ends_at=ends_at, kind=kind, recorded_by=UserFactory(role=Role.OPERATOR)
    )


def test_outage_at_includes_its_start_and_excludes_its_end():
    # R-MN-6: starts_at ≤ moment < ends_at.
    start, end = datetime(2021, 5, 3, 10, 0, tzinfo=ALMATY), datetime(2021, 5, 3, 14, 0, tzinfo=ALMATY)
    outage = make_outage(start, end)
    assert outage_at(start - timedelta(microseconds=1)) is None
    assert outage_at(start) == outage
    assert outage_at(end - timedelta(microseconds=1)) == outage
    assert outage_at(end) is None


def test_outage_days_are_local_days_touched_even_briefly():
    # 23:30 on the 3rd to 00:30 on the 4th (local) touches both days (R-MN-2).
    make_outage(datetime(2021, 5, 3, 23, 30, tzinfo=ALMATY), datetime(2021, 5, 4, 0, 30, tzinfo=ALMATY))
    assert outage_days(start=date(2021, 5, 1), end=date(2021, 5, 9)) == {date(2021, 5, 3), date(2021, 5, 4)}


def test_an_outage_ending_at_midnight_does_not_touch_the_next_day():
    make_outage(datetime(2021, 5, 3, 20, 0, tzinfo=ALMATY), datetime(2021, 5, 4, 0, 0, tzinfo=ALMATY))
    assert outage_days(start=date(2021, 5, 1), end=date(2021, 5, 9)) == {date(2021, 5, 3)}


def test_outage_days_are_clipped_to_the_window():
    make_outage(datetime(2021, 4, 28, 8, 0, tzinfo=ALMATY), datetime(2021, 5, 2, 8, 0, tzinfo=ALMATY))
    assert outage_days(start=date(2021, 5, 1), end=date(2021, 5, 9)) == {date(2021, 5, 1), date(2021, 5, 2)}
    assert outage_days(start=date(2021, 5, 3), end=date(2021, 5, 9)) == set()


def test_an_operator_records_an_outage_and_it_is_audited():
    operator = UserFactory(role=Role.OPERATOR)
    outage = outage_record(
        operator=operator,
        starts_at=NOW - timedelta(hours=3),
        ends_at=NOW - timedelta(hours=1),
        kind=OutageKind.SMS,
        note="  gateway down  ",
        now=NOW,
    )
    assert (outage.kind, outage.note, outage.recorded_by) == (OutageKind.SMS, "gateway down", operator)
    event = AuditEvent.objects.get(action="monitoring.outage_recorded")
    assert (event.actor, event.object_id) == (operator, str(outage.pk))


def test_an_ongoing_outage_may_end_at_most_one_day_ahead():
    operator = UserFactory(role=Role.OPERATOR)
    kwargs = {"operator": operator, "starts_at": NOW - timedelta(hours=1), "kind": OutageKind.SYSTEM, "note": ""}
    assert outage_record(ends_at=NOW + timedelta(days=1), now=NOW, **kwargs).pk
    with pytest.raises(ValidationError) as error:
        outage_record(ends_at=NOW + timedelta(days=1, seconds=1), now=NOW, **kwargs)
    assert "ends_at" in error.value.message_dict
    assert Outage.objects.count() == 1


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        (NOW + timedelta(seconds=1), NOW + timedelta(hours=1), "starts_at"),
        (NOW - timedelta(hours=1), NOW - timedelta(hours=1), "ends_at"),
        (NOW - timedelta(hours=1), NOW - timedelta(hours=2), "ends_at"),
    ],
)
def test_a_bad_period_is_refused_and_nothing_is_saved(starts_at, ends_at, field):
    with pytest.raises(ValidationError) as error:
        outage_record(
            operator=UserFactory(role=Role.OPERATOR),
            starts_at=starts_at,
            ends_at=ends_at,
            kind=OutageKind.SYSTEM,
            note="",
            now=NOW,
        )
    assert field in error.value.message_dict
    assert not Outage.objects.exists()


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.AKIMAT, Role.OWNER, Role.COMMISSION])
def test_only_an_operator_records_outages(role):
    with pytest.raises(PermissionDenied):
        outage_record(
            operator=UserFactory(role=role),
            starts_at=NOW - timedelta(hours=2),
            ends_at=NOW - timedelta(hours=1),
            kind=OutageKind.SYSTEM,
            note="",
            now=NOW,
        )
    assert not Outage.objects.exists()


# The operators' page (R-MN-6).

PAGE = "/monitoring/ops/outages/"


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.AKIMAT, Role.COMMISSION, Role.OWNER])
def test_the_outage_page_is_for_operators_only(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(PAGE).status_code == 403
    response = client.post(
        PAGE, {"kind": "system", "starts_at": "2021-05-10T08:00", "ends_at": "2021-05-10T09:00", "note": ""}
    )
    assert response.status_code == 403
    assert not Outage.objects.exists()


def test_the_outage_page_sends_anonymous_visitors_to_sign_in(client):
    assert client.get(PAGE).status_code == 302


def test_an_operator_records_an_outage_in_local_time(en_client):
    en_client.force_login(UserFactory(role=Role.OPERATOR))
    with time_machine.travel(NOW, tick=False):
        response = en_client.post(
            PAGE, {"kind": "sms", "starts_at": "2021-05-10T08:00", "ends_at": "2021-05-10T09:30", "note": "SMS down"}
        )
    assert response.status_code == 302
    outage = Outage.objects.get()
    assert (outage.starts_at, outage.ends_at) == (
        datetime(2021, 5, 10, 8, 0, tzinfo=ALMATY),
        datetime(2021, 5, 10, 9, 30, tzinfo=ALMATY),
    )
    assert "SMS down" in en_client.get(PAGE).content.decode()


def test_a_bad_period_is_shown_on_the_form_and_nothing_is_saved(en_client):
    en_client.force_login(UserFactory(role=Role.OPERATOR))
    with time_machine.travel(NOW, tick=False):
        response = en_client.post(
            PAGE, {"kind": "system", "starts_at": "2021-05-10T09:00", "ends_at": "2021-05-10T08:00", "note": ""}
        )
    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()
    assert not Outage.objects.exists()


def test_the_outage_list_is_paginated_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(UserFactory(role=Role.OPERATOR))
    for hour in range(30):
        make_outage(NOW - timedelta(days=2, hours=hour + 1), NOW - timedelta(days=2, hours=hour))
    with django_assert_max_num_queries(8):
        response = client.get(PAGE)
    assert response.content.decode().count("data-outage=") == 25
    assert client.get(PAGE + "?page=2").content.decode().count("data-outage=") == 5
