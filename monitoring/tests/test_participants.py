"""The akimat's participant list (docs/rules.md §1: the akimat reviews participant lists; the
guide hands participants to the akimats after test mode): the region's venues that
joined, with their standing (R-VN-9) and figures, filtered and exported."""

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core.models import AuditEvent
from ashyq.reference.tests.factories import RegionFactory
from monitoring.models import Inspection, ViolationState
from monitoring.tests.factories import AkimatFactory, InspectorFactory, ViolationFactory, exclusion
from statuses.tests.factories import local
from venues.tests.factories import VenueFactory
from visitors.tests.factories import VisitFactory, open_venue

pytestmark = pytest.mark.django_db

T0 = local(2021, 6, 1, 12)
PAGE = reverse("monitoring_ops:participants")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def region():
    return RegionFactory()


def as_user(user, language="en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def listed(response) -> dict[int, str]:
    body = response.content.decode()
    return {int(pk): kind for pk, kind in re.findall(r'data-venue="(\d+)">.*?data-standing="(\w+)"', body, re.S)}


def test_the_akimat_sees_its_region_s_venues_that_joined_with_their_standing_and_figures(region):
    participant = open_venue(now=T0 - timedelta(days=30), region=region, name="Кафе «А»")
    in_test_mode = open_venue(now=T0 - timedelta(days=2), region=region, name="Кафе «Б»")
    excluded = open_venue(now=T0 - timedelta(days=40), region=region, name="Кафе «В»")
    exclusion(excluded, starts_at=T0 - timedelta(days=1), ends_at=T0 + timedelta(days=13))
    VenueFactory(region=region, name="Кафе «Не выдан»")  # approved, no codes yet: not on the list
    open_venue(now=T0 - timedelta(days=30), name="Кафе «Чужое»")  # another region
    for n in range(7):
        VisitFactory(venue=participant, entered_at=T0 - timedelta(days=n * 2, hours=1))  # 7 in 14 days
    VisitFactory(venue=participant, entered_at=T0 - timedelta(days=15))  # older
    ViolationFactory(venue=participant, state=ViolationState.CONFIRMED, decided_by=InspectorFactory(region=region),
                     decided_at=T0)  # fmt: skip
    ViolationFactory(venue=participant)  # filed, not confirmed
    Inspection.objects.create(venue=participant, inspected_by=InspectorFactory(region=region), day=T0.date(), at=T0)

    response = as_user(AkimatFactory(region=region)).get(PAGE)
    assert listed(response) == {participant.pk: "participant", in_test_mode.pk: "test_mode", excluded.pk: "excluded"}
    body = response.content.decode()
    card = body[body.index(f'data-venue="{participant.pk}"') :]
    assert 'data-checkins="7"' in card[:2000]
    assert "1 June 2021" in card[:2000]  # the inspection


def test_the_list_filters_by_standing_and_keeps_the_filter_from_page_to_page(region):
    for n in range(52):
        open_venue(now=T0 - timedelta(days=30), region=region, name=f"Объект {n:02d}")
    fresh = open_venue(now=T0 - timedelta(days=1), region=region)
    client = as_user(AkimatFactory(region=region))
    assert listed(client.get(PAGE, {"standing": "test_mode"})) == {fresh.pk: "test_mode"}
    first = client.get(PAGE, {"standing": "participant"}).content.decode()
    assert "52 venues" in first and "standing=participant&amp;page=2" in first
    assert len(listed(client.get(PAGE, {"standing": "participant", "page": 2}))) == 2


def test_another_region_is_404_and_a_national_role_chooses(region):
    venue = open_venue(now=T0 - timedelta(days=30), region=region)
    assert as_user(AkimatFactory()).get(PAGE, {"region": region.code}).status_code == 404
    commission = as_user(UserFactory(role=Role.COMMISSION))
    assert f"?region={region.code}" in commission.get(PAGE).content.decode()
    assert venue.pk in listed(commission.get(PAGE, {"region": region.code}))


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.SANITARY, Role.OWNER])
def test_other_roles_are_refused(region, role):
    assert as_user(UserFactory(role=role, region=region)).get(PAGE).status_code == 403


def test_the_page_takes_the_same_queries_for_3_or_30_venues(region, django_assert_max_num_queries):
    client = as_user(AkimatFactory(region=region))

    def queries():
        with django_assert_max_num_queries(12) as captured:
            assert client.get(PAGE).status_code == 200
        return len(captured.captured_queries)

    for _n in range(3):
        VisitFactory(venue=open_venue(now=T0 - timedelta(days=30), region=region), entered_at=T0 - timedelta(hours=1))
    few = queries()
    for _n in range(27):
        VisitFactory(venue=open_venue(now=T0 - timedelta(days=30), region=region), entered_at=T0 - timedelta(hours=1))
    assert queries() == few


def test_the_export_holds_the_list_in_the_reader_s_language_and_is_audited(region):
    venue = open_venue(now=T0 - timedelta(days=30), region=region, name="=HYPERLINK(1)")
    akimat = AkimatFactory(region=region)
    response = as_user(akimat, language="ru").get(reverse("monitoring_ops:participants_export", args=["csv"]))
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0][:3] == ["ID объекта", "Объект", "Адрес"]
    assert lines[1][0] == str(venue.pk) and lines[1][1] == "'=HYPERLINK(1)" and lines[1][5] == "участник"
    assert AuditEvent.objects.filter(action="monitoring.participants_export", actor=akimat, region=region).exists()
    xlsx = as_user(akimat).get(reverse("monitoring_ops:participants_export", args=["xlsx"]))
    assert xlsx.status_code == 200
    assert as_user(akimat).get(reverse("monitoring_ops:participants_export", args=["pdf"])).status_code == 404
