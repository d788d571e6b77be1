"""Statistics (R-CI-9): figures per local day from the daily roll-up,
participants and leaders; R-PR-5 on the public page; who sees which region."""

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.reference.models import Region
from ashyq.reference.tests.factories import RegionFactory
from leaders import statistics
from leaders.charts import bar_chart, nice_step
from leaders.rules import LOCAL_TZ
from leaders.tests.factories import leader_term
from venues.tests.factories import VenueFactory
from visitors.models import DailyStats

NOW = datetime(2021, 6, 20, 12, 0, tzinfo=LOCAL_TZ)  # a Sunday; yesterday is 19 June
DAY = date(2021, 6, 14)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)


def signed_in(client, role, region=None):
    client.force_login(UserFactory(role=role, region=region) if region else UserFactory(role=role))
    return client


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


# --- Rules of the public page (R-PR-5), pure -----------------------------------------------------


def test_public_minimum_is_ten_exactly():  # R-PR-5
    assert statistics.suppress(9) is None
    assert statistics.suppress(10) == 10
    assert statistics.suppress(0) is None


def test_a_single_hidden_region_hides_the_smallest_shown_one_too():  # R-PR-5 via the national total
    assert statistics.suppress_regions({1: 9, 2: 10, 3: 500}) == {1: None, 2: None, 3: 500}
    assert statistics.suppress_regions({1: 9, 2: 3, 3: 10}) == {1: None, 2: None, 3: 10}
    assert statistics.suppress_regions({1: 10, 2: 11}) == {1: 10, 2: 11}


def test_a_hidden_value_draws_a_marker_and_does_not_set_the_scale():
    chart = bar_chart(chart_id="c", title="t", days=[DAY, DAY + timedelta(days=1)], values=[None, 40])
    assert [bar.hidden for bar in chart.bars] == [True, False]
    assert chart.bars[0].height == 5  # the same marker for 0 and for 9
    assert [tick.text for tick in chart.y_ticks] == ["0", "10", "20", "30", "40"]
    assert nice_step(0) == 1 and nice_step(4000) == 1000 and nice_step(130) == 50


# --- Figures ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_figures_per_day_from_the_rollup_participants_and_leaders():
    north, south = RegionFactory(), RegionFactory()
    first, last = DAY, DAY + timedelta(days=2)
    DailyStats.objects.create(region=north, day=first, checkins=100, red_at_door=3, yellow_at_door=4, remote_checks=1)
    DailyStats.objects.create(region=south, day=first, checkins=50, red_at_door=1)
    DailyStats.objects.create(region=None, day=first, remote_checks=7, red_remote=2)  # tied to no region
    DailyStats.objects.create(region=north, day=last, checkins=30)
    DailyStats.objects.create(region=north, day=last + timedelta(days=1), checkins=999)  # outside the range
    # R-VN-5: a participant from the local day of its first issue.
    VenueFactory(region=north, codes_first_issued_at=local(first) - timedelta(days=40))
    VenueFactory(region=north, codes_first_issued_at=local(first, 23, 59))  # 17:59 UTC: still the 14th locally
    VenueFactory(region=north, codes_first_issued_at=local(last))  # from the third day
    VenueFactory(region=north, codes_first_issued_at=None)  # never
    # R-LD-3, R-VN-9: a leader on the days its standing was (starts_on ≤ day < ends_on).
    south_leader = VenueFactory(region=south, codes_first_issued_at=local(first) - timedelta(days=40))
    leader_term(south_leader, first, last)

    figures = statistics.daily_figures(first=first, last=last, region_ids=[north.pk, south.pk])

    assert figures.days == [first, first + timedelta(days=1), last]
    assert figures.regions[north.pk]["checkins"] == [100, 0, 30]
    assert figures.regions[north.pk]["red_at_door"] == [3, 0, 0]
    assert figures.regions[north.pk]["participants"] == [2, 2, 3]
    assert figures.regions[south.pk]["participants"] == [1, 1, 1]
    assert figures.regions[south.pk]["leaders"] == [1, 1, 0]  # ends_on is exclusive
    assert figures.national["checkins"] == [150, 0, 30]
    assert figures.national["remote_checks"] == [8, 0, 0]  # the NULL-region row counts nationally
    assert figures.national["red_remote"] == [2, 0, 0]  # R-CI-9: red found remotely
    assert figures.national["participants"] == [3, 3, 4]
    assert figures.region_totals(north.pk)["checkins"] == 130
    assert figures.region_totals(north.pk)["participants"] == 3  # a stock: the last day's


# --- Access ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_page_is_open_to_anonymous(client):
    assert client.get(reverse("stats:public")).status_code == 200


@pytest.mark.django_db
def test_akimat_sees_its_own_region_only(client):
    own, other = RegionFactory(), RegionFactory()
    signed_in(client, Role.AKIMAT, own)
    assert client.get(reverse("stats:region", args=[own.code])).status_code == 200
    assert client.get(reverse("stats:region", args=[other.code])).status_code == 404
    assert client.get(reverse("stats:national")).status_code == 403
    assert client.post(reverse("stats:region", args=[own.code])).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.SANITARY, Role.OWNER, Role.CITIZEN])
def test_other_roles_get_403(client, role):
    region = RegionFactory()
    signed_in(client, role, region if role in {Role.INSPECTOR, Role.SANITARY} else None)
    assert client.get(reverse("stats:region", args=[region.code])).status_code == 403
    assert client.get(reverse("stats:national")).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in_from_staff_pages(client):
    region = RegionFactory()
    for path in (reverse("stats:national"), reverse("stats:region", args=[region.code])):
        response = client.get(path)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COMMISSION, Role.OPERATOR])
def test_national_roles_see_every_region_with_totals_and_links(en_client, role):
    north = RegionFactory(name_en="North")
    DailyStats.objects.create(region=north, day=DAY, checkins=1234, red_at_door=5)
    DailyStats.objects.create(region=north, day=DAY + timedelta(days=1), checkins=1000)
    signed_in(en_client, role)
    response = en_client.get(reverse("stats:national"), {"from": "2021-06-14", "to": "2021-06-15"})
    assert response.status_code == 200
    page = main_of(response)
    link = reverse("stats:region", args=[north.code])
    row = re.search(rf'<a href="{link}[^"]*">North</a></th>(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row) == ["2,234", "5", "0", "0", "0"]
    assert en_client.get(link).status_code == 200
    for region in Region.objects.all():
        assert reverse("stats:region", args=[region.code]) in page


# --- Public page: R-PR-5 ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_region_and_day_below_ten_is_fewer_than_10(en_client):  # R-PR-5 at 9 and 10
    nine, ten = RegionFactory(), RegionFactory()
    DailyStats.objects.create(region=nine, day=DAY, checkins=9)
    DailyStats.objects.create(region=ten, day=DAY, checkins=10)
    query = {"from": "2021-06-14", "to": "2021-06-14"}

    page = main_of(en_client.get(reverse("stats:public"), query | {"region": nine.code}))
    assert "fewer than 10" in page
    assert not re.search(r"\b9\b", page.replace("2021", "")), "the 9 leaks somewhere in the page"
    assert 'class="bar-hidden"' in page

    page = main_of(en_client.get(reverse("stats:public"), query | {"region": ten.code}))
    assert re.search(r"<td>10</td>", page)


@pytest.mark.django_db
def test_r_ci_9_the_commission_sees_the_red_found_by_remote_checks(en_client):
    DailyStats.objects.create(region=None, day=DAY, remote_checks=120, red_remote=97)
    signed_in(en_client, Role.COMMISSION)
    page = main_of(en_client.get(reverse("stats:national"), {"from": "2021-06-14", "to": "2021-06-14"}))
    assert "Red found by remote checks" in page
    cells = re.search(r"<tbody><tr><th scope=\"row\">14.06.2021</th>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r"<td>(.*?)</td>", cells)[3:5] == ["120", "97"]


@pytest.mark.django_db
def test_public_national_totals_are_shown_from_ten_and_hidden_below(en_client):
    region = RegionFactory()
    DailyStats.objects.create(region=region, day=DAY, checkins=40, red_at_door=9, yellow_at_door=10)
    DailyStats.objects.create(region=None, day=DAY, remote_checks=3)
    page = main_of(en_client.get(reverse("stats:public"), {"from": "2021-06-14", "to": "2021-06-14"}))
    cells = re.search(r"<tbody><tr><th scope=\"row\">14.06.2021</th>(.*?)</tr>", page, re.S).group(1)
    values = re.findall(r"<td>(.*?)</td>", cells)
    assert values[:4] == ["40", '<span class="suppressed">fewer than 10</span>', "10", values[1]]


# --- Range form ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_default_range_is_the_last_28_days_ending_yesterday(client):
    response = client.get(reverse("stats:public"))
    assert response.context["first"] == date(2021, 5, 23)
    assert response.context["last"] == date(2021, 6, 19)
    assert len(response.context["rows"]) == 28


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2021-06-10", "to": "2021-06-01"}, "The first day is after the last day."),
        ({"from": "2021-03-19", "to": "2021-06-19"}, "Choose at most 92 days (you chose 93)."),
        ({"from": "2021-06-01", "to": "2021-06-21"}, "The last day cannot be after today."),
        ({"from": "14/06/2021"}, "First day: Enter a valid date."),
    ],
)
def test_a_bad_range_says_why_and_shows_the_default(en_client, query, message):
    signed_in(en_client, Role.COMMISSION)
    response = en_client.get(reverse("stats:national"), query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Showing the last 28 days instead." in response.content.decode()
    assert (response.context["first"], response.context["last"]) == (date(2021, 5, 23), date(2021, 6, 19))


@pytest.mark.django_db
def test_92_days_and_a_single_day_are_accepted(en_client):
    response = en_client.get(reverse("stats:public"), {"from": "2021-03-20", "to": "2021-06-19"})
    assert len(response.context["rows"]) == 92
    response = en_client.get(reverse("stats:public"), {"to": "2021-06-20"})  # today: so far
    assert (response.context["first"], response.context["last"]) == (date(2021, 5, 24), date(2021, 6, 20))


# --- Queries do not grow with days or regions --------------------------------------------------------


def _queries(client, path, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, query).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_days_or_regions(client):
    short = {"from": "2021-06-13", "to": "2021-06-19"}
    long = {"from": "2021-03-20", "to": "2021-06-19"}
    region = RegionFactory()
    signed_in(client, Role.OPERATOR)
    pages = [
        reverse("stats:public"),
        reverse("stats:national"),
        reverse("stats:region", args=[region.code]),
    ]
    before = [_queries(client, path, short) for path in pages]
    for _n in range(5):
        extra = RegionFactory()
        DailyStats.objects.create(region=extra, day=DAY, checkins=20)
        VenueFactory(region=extra, codes_first_issued_at=local(DAY))
    after = [_queries(client, path, long) for path in pages]
    assert after == before
    assert _queries(client, pages[0], short | {"region": region.code}) == before[0] + 1  # the region's look-up


@pytest.mark.django_db
def test_charts_are_accessible_svg_that_fit_a_phone_in_any_language(client):
    DailyStats.objects.create(region=RegionFactory(), day=DAY, checkins=1234)
    page = main_of(client.get(reverse("stats:public")))  # Russian, the default: decimal commas
    assert page.count('role="img"') == len(statistics.MEASURES)
    assert 'viewBox="0 0 360 190" width="100%"' in page
    assert re.search(r'<title id="p-checkins-title">[^<]+</title>', page)
    assert re.search(r'<rect class="bar" x="\d+\.\d+"', page)
    assert not re.search(r'(x|y|width|height)="\d+,\d+"', page)  # SVG needs a decimal point
    assert "<script" not in page
