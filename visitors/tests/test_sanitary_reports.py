"""The sanitary officers' reports page (R-CI-3): filters by days, venue and colour, and
the export of what it shows as CSV or XLSX."""

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core.models import AuditEvent
from ashyq.reference.tests.factories import RegionFactory
from statuses.tests.factories import local
from visitors.tests.factories import DoorReportFactory, open_venue

pytestmark = pytest.mark.django_db

T0 = local(2021, 5, 10, 12)
PAGE = reverse("checkin:sanitary")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def reports():
    cafe = open_venue(now=T0 - timedelta(days=30), name="Кафе «Дастархан»", address="Алматы, пр. Абая, 10")
    sauna = open_venue(now=T0 - timedelta(days=30), region=cafe.region, name="Баня «Жар»", address="Алматы, Сатпаева 3")
    elsewhere = open_venue(now=T0 - timedelta(days=30), region=RegionFactory(), name="Кафе «Далеко»")
    rows = {
        "cafe_red_8th": DoorReportFactory(venue=cafe, colour="red", at=local(2021, 5, 8, 23, 59)),
        "cafe_yellow_9th": DoorReportFactory(venue=cafe, colour="yellow", at=local(2021, 5, 9, 0, 0)),
        "sauna_red_9th": DoorReportFactory(venue=sauna, colour="red", at=local(2021, 5, 9, 18)),
        "sauna_red_10th": DoorReportFactory(venue=sauna, colour="red", at=local(2021, 5, 10, 9)),
        "elsewhere": DoorReportFactory(venue=elsewhere, colour="red", at=local(2021, 5, 9, 12)),
    }
    return cafe.region, rows


def client_of(user, language="en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def shown(response) -> set[int]:
    body = response.content.decode()
    return {int(pk) for pk in re.findall(r'data-report="(\d+)"', body)}


def ids(rows, *names) -> set[int]:
    return {rows[name].pk for name in names}


def test_r_ci_3_days_are_local_and_inclusive(reports):
    region, rows = reports
    officer = client_of(UserFactory(role=Role.SANITARY, region=region))
    response = officer.get(PAGE, {"start": "2021-05-09", "end": "2021-05-09"})
    assert shown(response) == ids(rows, "cafe_yellow_9th", "sauna_red_9th")  # 23:59 on the 8th is not the 9th
    assert 'value="2021-05-09"' in response.content.decode()


def test_r_ci_3_by_venue_name_or_address_and_by_colour(reports):
    region, rows = reports
    officer = client_of(UserFactory(role=Role.SANITARY, region=region))
    assert shown(officer.get(PAGE, {"venue": "баня"})) == ids(rows, "sauna_red_9th", "sauna_red_10th")
    assert shown(officer.get(PAGE, {"venue": "Абая"})) == ids(rows, "cafe_red_8th", "cafe_yellow_9th")
    assert shown(officer.get(PAGE, {"colour": "yellow"})) == ids(rows, "cafe_yellow_9th")
    none = officer.get(PAGE, {"venue": "нет такого"})
    assert shown(none) == set() and "No report matches the filters." in none.content.decode()


def test_r_ci_3_a_bad_range_says_why_and_changes_nothing(reports):
    region, rows = reports
    officer = client_of(UserFactory(role=Role.SANITARY, region=region))
    response = officer.get(PAGE, {"start": "2021-05-10", "end": "2021-05-01"})
    assert response.status_code == 400
    assert "The first day is after the last day." in response.content.decode()
    response = officer.get(
        reverse("checkin:sanitary_export", args=["csv"]), {"start": "2021-05-10", "end": "2021-05-01"}
    )
    assert response.status_code == 400 and not AuditEvent.objects.filter(action="visitors.door_reports_export").exists()


def test_r_ci_3_a_regional_officer_cannot_filter_his_way_into_another_region(reports):
    region, rows = reports
    other = rows["elsewhere"].region
    officer = client_of(UserFactory(role=Role.SANITARY, region=region))
    assert rows["elsewhere"].pk not in shown(officer.get(PAGE, {"region": other.code}))


def test_r_ci_3_a_national_role_filters_by_region(reports):
    region, rows = reports
    commission = client_of(UserFactory(role=Role.COMMISSION))
    assert shown(commission.get(PAGE)) == ids(rows, *rows)
    assert shown(commission.get(PAGE, {"region": rows["elsewhere"].region.code})) == ids(rows, "elsewhere")


def test_r_ci_3_the_pages_keep_the_filters(reports):
    region, rows = reports
    sauna = rows["sauna_red_9th"].venue
    for n in range(55):
        DoorReportFactory(venue=sauna, colour="red", at=local(2021, 5, 7, 12) - timedelta(minutes=n))
    officer = client_of(UserFactory(role=Role.SANITARY, region=region))
    first = officer.get(PAGE, {"venue": "Баня", "colour": "red"}).content.decode()
    assert "?venue=%D0%91%D0%B0%D0%BD%D1%8F&amp;colour=red&amp;page=2" in first
    second = officer.get(PAGE, {"venue": "Баня", "colour": "red", "page": 2})
    assert len(shown(second)) == 57 - 50


def test_r_ci_3_the_export_holds_what_the_page_shows_and_is_audited(reports):
    region, rows = reports
    user = UserFactory(role=Role.SANITARY, region=region)
    officer = client_of(user, language="ru")
    response = officer.get(reverse("checkin:sanitary_export", args=["csv"]), {"start": "2021-05-09", "colour": "red"})
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0] == ["Время", "Объект", "Адрес", "Регион", "Статус"]
    assert [line[:2] for line in lines[1:]] == [["2021-05-10 09:00", "Баня «Жар»"], ["2021-05-09 18:00", "Баня «Жар»"]]
    assert lines[1][4] == "красная"
    event = AuditEvent.objects.get(action="visitors.door_reports_export")
    assert (event.actor, event.region, event.details["format"]) == (user, region, "csv")

    xlsx = officer.get(reverse("checkin:sanitary_export", args=["xlsx"]), {"venue": "Кафе"})
    with zipfile.ZipFile(io.BytesIO(b"".join(xlsx.streaming_content))) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == 3 and sheet.count("Кафе «Дастархан»") == 2
    assert officer.get(reverse("checkin:sanitary_export", args=["pdf"])).status_code == 404
