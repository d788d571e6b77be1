"""Outages (R-MN-6): the moment look-up, the days they touch, recording them."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core.models import AuditEvent
from ashyq.reference.tests.factories import RegionFactory
from monitoring.models import Outage, OutageKind, Sanction, SanctionState, ViolationKind
from monitoring.selectors import outage_at, outage_days
from monitoring.services.outages import outage_change, outage_record
from monitoring.services.violations import violation_decide
from monitoring.tests.factories import InspectorFactory, ViolationFactory
from visitors.tests.factories import open_venue

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


def test_an_ongoing_outage_lasts_from_its_start_up_to_now():  # R-MN-6
    outage = make_outage(datetime(2021, 5, 3, 10, 0, tzinfo=ALMATY), None)
    assert outage_at(datetime(2021, 5, 3, 9, 59, tzinfo=ALMATY)) is None
    assert outage_at(datetime(2021, 5, 3, 10, 0, tzinfo=ALMATY)) == outage
    assert outage_at(NOW) == outage
    assert outage_days(start=date(2021, 5, 1), end=date(2021, 5, 9), now=datetime(2021, 5, 5, 8, tzinfo=ALMATY)) == {
        date(2021, 5, 3),
        date(2021, 5, 4),
        date(2021, 5, 5),
    }
    assert str(outage).endswith("03.05.2021 10:00 – …")


def test_an_operator_records_an_ongoing_outage_then_its_end():
    operator = UserFactory(role=Role.OPERATOR)
    outage = outage_record(operator=operator, starts_at=NOW - timedelta(hours=3), ends_at=None,
                           kind=OutageKind.SMS, note="", now=NOW)  # fmt: skip
    assert outage.ongoing
    later = NOW + timedelta(hours=5)
    outage_change(operator=operator, outage=outage, starts_at=outage.starts_at, ends_at=NOW + timedelta(hours=4),
                  kind=OutageKind.SMS, note="restored", now=later)  # fmt: skip
    outage.refresh_from_db()
    assert (outage.ends_at, outage.note, outage.ongoing) == (NOW + timedelta(hours=4), "restored", False)
    event = AuditEvent.objects.get(action="monitoring.outage_changed")
    assert event.details["before"]["ends_at"] is None and event.actor == operator


def test_r_mn_6_an_outage_changed_to_cover_a_violation_withdraws_its_sanction():
    venue = open_venue(now=NOW - timedelta(days=30))
    operator = UserFactory(role=Role.OPERATOR)
    outage = outage_record(operator=operator, starts_at=NOW - timedelta(hours=6), ends_at=NOW - timedelta(hours=5),
                           kind=OutageKind.SMS, note="", now=NOW - timedelta(hours=4))  # fmt: skip
    violation = ViolationFactory(venue=venue, kind=ViolationKind.NO_STATUS_CHECK, occurred_at=NOW - timedelta(hours=4))
    sanction = violation_decide(inspector=InspectorFactory(region=venue.region), violation=violation, confirm=True,
                                note="", now=NOW - timedelta(hours=1))  # fmt: skip
    assert sanction.state == SanctionState.ACTIVE
    outage_change(operator=operator, outage=outage, starts_at=outage.starts_at, ends_at=NOW - timedelta(hours=3),
                  kind=OutageKind.SMS, note="", now=NOW)  # fmt: skip
    assert Sanction.objects.get().state == SanctionState.WITHDRAWN


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.AKIMAT, Role.COMMISSION])
def test_only_an_operator_changes_outages(role):
    outage = make_outage(NOW - timedelta(hours=2), None)
    with pytest.raises(PermissionDenied):
        outage_change(operator=UserFactory(role=role), outage=outage, starts_at=outage.starts_at,
                      ends_at=NOW, kind=OutageKind.SYSTEM, note="", now=NOW)  # fmt: skip
    outage.refresh_from_db()
    assert outage.ongoing


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


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.AKIMAT, Role.COMMISSION])
def test_akimats_inspectors_and_the_commission_read_the_outages_and_record_none(en_client, role):
    # Seed Q27: the failure procedure goes to participants and akimats.
    outage = make_outage(NOW - timedelta(hours=2), None, kind=OutageKind.SMS)
    en_client.force_login(UserFactory(role=role, region=RegionFactory()))
    page = en_client.get(PAGE).content.decode()
    assert f'data-outage="{outage.pk}" data-ongoing="true"' in page and "still lasts" in page
    assert "Record an outage" not in page and f"/outages/{outage.pk}/" not in page
    response = en_client.post(
        PAGE, {"kind": "system", "starts_at": "2021-05-10T08:00", "ends_at": "2021-05-10T09:00", "note": ""}
    )
    assert response.status_code == 403
    assert en_client.get(f"{PAGE}{outage.pk}/").status_code == 403
    assert Outage.objects.count() == 1


@pytest.mark.parametrize("role", [Role.OWNER, Role.SANITARY, Role.CITIZEN])
def test_other_roles_do_not_open_the_outage_page(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(PAGE).status_code == 403


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


def test_an_operator_records_an_ongoing_outage_and_later_its_end_on_the_page(en_client):
    en_client.force_login(UserFactory(role=Role.OPERATOR))
    with time_machine.travel(NOW, tick=False):
        assert (
            en_client.post(
                PAGE, {"kind": "sms", "starts_at": "2021-05-10T08:00", "ends_at": "", "note": ""}
            ).status_code
            == 302
        )
        outage = Outage.objects.get()
        assert outage.ongoing
        form = en_client.get(f"{PAGE}{outage.pk}/").content.decode()
        assert 'value="2021-05-10T08:00"' in form  # in local time
        response = en_client.post(
            f"{PAGE}{outage.pk}/",
            {"kind": "sms", "starts_at": "2021-05-10T08:00", "ends_at": "2021-05-10T11:15", "note": "back"},
        )
    assert response.status_code == 302
    outage.refresh_from_db()
    assert outage.ends_at == datetime(2021, 5, 10, 11, 15, tzinfo=ALMATY)


def test_a_bad_change_is_shown_on_the_form_and_changes_nothing(en_client):
    outage = make_outage(NOW - timedelta(hours=2), None)
    en_client.force_login(UserFactory(role=Role.OPERATOR))
    with time_machine.travel(NOW, tick=False):
        response = en_client.post(
            f"{PAGE}{outage.pk}/", {"kind": "system", "starts_at": "2021-05-10T10:00", "ends_at": "2021-05-10T09:00"}
        )
    assert response.status_code == 400 and "The end must be after the start." in response.content.decode()
    outage.refresh_from_db()
    assert outage.ongoing


def test_the_owner_sees_the_outages_on_his_venue_page(en_client):
    venue = open_venue(now=NOW - timedelta(days=30))
    ongoing = make_outage(NOW - timedelta(hours=2), None, kind=OutageKind.SMS)
    recent = make_outage(NOW - timedelta(days=3), NOW - timedelta(days=3) + timedelta(hours=1))
    old = make_outage(NOW - timedelta(days=40), NOW - timedelta(days=40) + timedelta(hours=1))
    en_client.force_login(venue.company.owner)
    with time_machine.travel(NOW, tick=False):
        page = en_client.get(f"/venues/{venue.pk}/").content.decode()
    assert "Recorded outages" in page
    assert f'data-outage="{ongoing.pk}"' in page and f'data-outage="{recent.pk}"' in page
    assert f'data-outage="{old.pk}"' not in page


def test_the_outage_list_is_paginated_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(UserFactory(role=Role.OPERATOR))
    for hour in range(30):
        make_outage(NOW - timedelta(days=2, hours=hour + 1), NOW - timedelta(days=2, hours=hour))
    with django_assert_max_num_queries(8):
        response = client.get(PAGE)
    assert response.content.decode().count("data-outage=") == 25
    assert client.get(PAGE + "?page=2").content.decode().count("data-outage=") == 5
