"""Exports of a region's period: who may download them, what they
hold, and that nothing in them runs as a formula."""

import csv
import io
import zipfile
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core.models import AuditEvent
from ashyq.reference.tests.factories import RegionFactory
from ashyq.tests.test_exports import SEPARATOR_ATTACKS, formula_cells
from leaders import rules
from leaders.export_views import describe_flag
from leaders.models import Candidate, CandidateList, Period
from leaders.tests.factories import PERIOD, add_visits, tier_venue
from venues.tests.factories import VenueFactory

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil","x")'


def period_start_utc() -> datetime:
    return rules.period_bounds_utc(PERIOD)[0]


@pytest.fixture
def region():
    return RegionFactory(code="north")


@pytest.fixture
def candidate_list(region):
    period = Period.objects.create(starts_on=PERIOD, ends_on=PERIOD + timedelta(days=14))
    return CandidateList.objects.create(period=period, region=region, computed_at=period_start_utc())


def signed_in(client, role, region=None):
    user = UserFactory(role=role, region=region) if region else UserFactory(role=role)
    client.force_login(user)
    return user


def url(name, region, fmt="csv", start=PERIOD):
    return reverse(f"leaders:export_{name}", args=[region.code, start, fmt])


def rows_of(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["candidates", "checkins"])
def test_the_akimat_downloads_its_own_region(client, region, candidate_list, name):
    user = signed_in(client, Role.AKIMAT, region)
    response = client.get(url(name, region))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="ashyq-{name}-north-2021-05-10.csv"'
    event = AuditEvent.objects.get(action="leaders.export")
    assert (event.actor, event.region, event.details["kind"], event.details["period"]) == (
        user,
        region,
        name,
        "2021-05-10",
    )


@pytest.mark.parametrize("name", ["candidates", "checkins"])
def test_another_regions_akimat_gets_404(client, region, candidate_list, name):
    signed_in(client, Role.AKIMAT, RegionFactory())
    assert client.get(url(name, region)).status_code == 404
    assert not AuditEvent.objects.filter(action="leaders.export").exists()


@pytest.mark.parametrize("role", [Role.COMMISSION, Role.OPERATOR])
@pytest.mark.parametrize("name", ["candidates", "checkins"])
def test_national_roles_download_any_region(client, region, candidate_list, role, name):
    signed_in(client, role)
    assert client.get(url(name, region, "xlsx")).status_code == 200


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.SANITARY])
@pytest.mark.parametrize("name", ["candidates", "checkins"])
def test_regional_roles_other_than_the_akimat_get_403(client, region, candidate_list, role, name):
    signed_in(client, role, region)
    assert client.get(url(name, region)).status_code == 403


@pytest.mark.parametrize("name", ["candidates", "checkins"])
def test_an_owner_gets_403_and_anonymous_goes_to_sign_in(client, region, candidate_list, name):
    response = client.get(url(name, region))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    signed_in(client, Role.OWNER)
    assert client.get(url(name, region)).status_code == 403


@pytest.mark.parametrize("name", ["candidates", "checkins"])
def test_unknown_format_not_a_period_start_and_post_are_refused(client, region, candidate_list, name):
    signed_in(client, Role.COMMISSION)
    assert client.get(url(name, region, "pdf")).status_code == 404
    assert client.get(url(name, region, start=PERIOD + timedelta(days=1))).status_code == 404  # R-LD-2
    assert client.post(url(name, region)).status_code == 405


def test_candidates_of_a_list_not_computed_yet_are_404(client, region):
    signed_in(client, Role.COMMISSION)
    assert client.get(url("candidates", region)).status_code == 404


# --- Contents -----------------------------------------------------------------------------------


def test_candidate_list_rows_with_strike_and_flags_in_words(en_client, region, candidate_list):
    venue = tier_venue(region=region, name="Кафе «Арман»", address="ул. Абая, 1")
    struck = tier_venue(region=region, name=EVIL)
    Candidate.objects.create(
        list=candidate_list,
        venue=venue,
        checkins=1500,
        threshold=1000,
        flags=[{"kind": "burst", "day": "2021-05-12", "checkins": 900, "median_day": 40, "factor": 5}],
    )
    Candidate.objects.create(
        list=candidate_list, venue=struck, checkins=1200, threshold=1000, struck=True, strike_reason="-fake counts"
    )
    signed_in(en_client, Role.AKIMAT, region)
    rows = rows_of(en_client.get(url("candidates", region)))
    assert rows[0][:3] == ["Venue ID", "Venue", "Address"]
    assert rows[1][:8] == [
        str(venue.pk),
        "Кафе «Арман»",
        "ул. Абая, 1",
        venue.company.bin,
        venue.category.name_en,
        "1500",
        "1000",
        "no",
    ]
    assert rows[1][9] == "burst: 900 check-ins on 2021-05-12, more than 5 × the median day (40)"
    # A name typed as a formula is text, and so is a reason starting with "-".
    assert rows[2][1] == "'" + EVIL
    assert rows[2][7:9] == ["yes", "'-fake counts"]
    assert len(rows) == 3


@pytest.mark.parametrize("attack", SEPARATOR_ATTACKS)
def test_no_cell_opens_a_formula_in_russian_or_kazakh_excel(en_client, region, candidate_list, attack):
    """The attack: a venue named `Кафе;=1+1` or a strike reason `x;@SUM(1+1)` opened a
    formula in Excel with ";" as its list separator (the ru and kk default)."""
    named = tier_venue(region=region, name="Кафе" + attack, address="ул. Абая" + attack)
    Candidate.objects.create(
        list=candidate_list, venue=named, checkins=1200, threshold=1000, struck=True, strike_reason="x" + attack
    )
    add_visits(named, 3)
    signed_in(en_client, Role.AKIMAT, region)
    for name in ("candidates", "checkins"):
        body = b"".join(en_client.get(url(name, region)).streaming_content).decode("utf-8")
        assert f"\n{named.pk},Кафе" in body or f'\n{named.pk},"Кафе' in body
        assert formula_cells(body) == []


def test_flags_in_words_keep_their_figures():
    over = {"kind": "over_capacity", "checkins": 5000, "capacity": 10, "days": 14, "turnovers_per_day": 3, "limit": 420}
    assert describe_flag(over) == "over capacity: 5000 check-ins, more than 10 persons × 14 days × 3 turnovers = 420"
    hours = {"kind": "out_of_hours", "checkins": 300, "total": 1000, "percent": 30}
    assert describe_flag(hours) == "out of hours: 300 of 1000 check-ins (30%) outside the allowed hours"
    assert describe_flag({"kind": "new", "x": 1}) == "kind: new, x: 1"


def test_checkins_counts_each_venue_of_the_region_without_refusals(en_client, region, candidate_list):
    start = period_start_utc()
    busy = VenueFactory(region=region, name="Б-кафе", codes_first_issued_at=start - timedelta(days=30))
    idle = VenueFactory(region=region, name="А-кафе", codes_first_issued_at=start - timedelta(days=30))
    late = VenueFactory(region=region, name="В-кафе", codes_first_issued_at=None)
    VenueFactory(region=region, name="Г-не участник")  # no codes, no check-ins: not listed
    VenueFactory(name="Чужой", codes_first_issued_at=start)  # another region
    add_visits(busy, 7)
    add_visits(busy, 4, refused=True)  # red/yellow turned away at the door: not counted
    add_visits(busy, 5, start=start - timedelta(days=14))  # the previous period
    add_visits(late, 2)
    signed_in(en_client, Role.AKIMAT, region)
    rows = rows_of(en_client.get(url("checkins", region)))
    assert rows[0] == [
        "Venue ID",
        "Venue",
        "Address",
        "Company BIN",
        "Category",
        "QR codes first issued",
        "Check-ins",
    ]
    assert [(row[1], row[6]) for row in rows[1:]] == [("А-кафе", "0"), ("Б-кафе", "7"), ("В-кафе", "2")]
    assert rows[1][5] == (PERIOD - timedelta(days=30)).isoformat()
    assert rows[3][5] == ""
    assert idle.pk == int(rows[1][0])


def test_checkins_of_a_period_with_nothing_yet_is_a_header_only_file(client, region):
    signed_in(client, Role.COMMISSION)
    start = PERIOD + timedelta(days=14 * 50)  # far in the future: counts so far are none
    assert len(rows_of(client.get(url("checkins", region, start=start)))) == 1


def test_checkins_xlsx_opens_with_the_rows_and_no_formula(client, region):
    start = period_start_utc()
    venue = VenueFactory(region=region, name=EVIL, codes_first_issued_at=start)
    add_visits(venue, 3)
    signed_in(client, Role.OPERATOR)
    response = client.get(url("checkins", region, "xlsx"))
    assert response["Content-Disposition"] == 'attachment; filename="ashyq-checkins-north-2021-05-10.xlsx"'
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert archive.testzip() is None
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    assert "<t>&apos;=HYPERLINK(" in sheet or "<t>'=HYPERLINK(" in sheet
    assert "<v>3</v>" in sheet  # the count is a number cell
    assert sheet.count("<row ") == 2


def test_checkins_export_reads_its_keys_then_its_rows_by_the_thousand(client, region, django_assert_max_num_queries):
    start = period_start_utc()
    for n in range(12):
        add_visits(VenueFactory(region=region, codes_first_issued_at=start, name=f"Объект {n:02d}"), 2)
    signed_in(client, Role.COMMISSION)
    response = client.get(url("checkins", region))
    with django_assert_max_num_queries(2):  # the keys, then one chunk (ashyq.exports.in_chunks)
        rows = rows_of(response)
    assert len(rows) == 13


def test_the_guard_typed_flags_in_words_for_the_akimat():
    from leaders.templatetags.leaders_review import describe_flag as on_the_page

    typed = {"kind": "mostly_guard", "by_guard": 1500, "checkins": 2100, "percent": 71}
    looked_up = {"kind": "guard_over_capacity", "lookups": 1681, "capacity": 40, "days": 14, "limit": 1680}
    with translation.override("en"):
        assert describe_flag(typed) == "typed by the guard: 1500 of 2100 check-ins (71%)"
        assert (
            describe_flag(looked_up) == "guard look-ups over capacity: 1681, more than 40 persons × 14 days × 3 = 1680"
        )
        assert "typed on the guard page" in on_the_page(typed) and "1,500" in on_the_page(typed)
        assert "1,681 guard look-ups" in on_the_page(looked_up)
