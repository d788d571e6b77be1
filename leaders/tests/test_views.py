"""The pages of the review (R-LD-3) for each role, the public leader pages, and their
query counts."""

from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.reference.tests.factories import RegionFactory
from leaders.models import Candidate, CandidateList, Decision, Leader, ListStatus
from leaders.services import review
from leaders.tests.factories import PERIOD
from leaders.tests.test_review import NOW, PERIOD_END, computed_list, period_row
from venues.tests.factories import VenueFactory

pytestmark = pytest.mark.django_db

BURST = {"kind": "burst", "day": "2021-05-15", "checkins": 1270, "median_day": 60, "factor": 5}
OVER = {"kind": "over_capacity", "checkins": 2100, "capacity": 40, "days": 14, "turnovers_per_day": 3, "limit": 1680}
HOURS = {"kind": "out_of_hours", "checkins": 700, "total": 2100, "percent": 33}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def region():
    return RegionFactory(city=True, code="almaty-test", name_en="Almaty")


@pytest.fixture
def other_region():
    return RegionFactory(city=True, code="shymkent-test", name_en="Shymkent")


@pytest.fixture
def the_list(region):
    candidate_list = computed_list(region, candidates=2)
    Candidate.objects.filter(pk=candidate_list.candidates.order_by("pk").first().pk).update(flags=[BURST, OVER])
    return candidate_list


def as_user(user=None, *, role=None, region=None) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user or UserFactory(role=role, region=region))
    return client


def review_url(candidate_list) -> str:
    return reverse("leaders:review", args=[candidate_list.region.code, candidate_list.period.starts_on])


def strike_url(candidate) -> str:
    cl = candidate.list
    return reverse("leaders:strike", args=[cl.region.code, cl.period.starts_on, candidate.pk])


def submit_url(candidate_list) -> str:
    return reverse("leaders:submit", args=[candidate_list.region.code, candidate_list.period.starts_on])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Index -------------------------------------------------------------------------------------


def test_the_akimat_index_lists_its_regions_lists(the_list, other_region):
    computed_list(other_region)
    response = as_user(role=Role.AKIMAT, region=the_list.region).get(reverse("leaders:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert review_url(the_list) in body
    assert "shymkent-test" not in body
    assert "2 candidates" in body


def test_the_commission_index_counts_each_periods_lists(the_list, other_region):
    review.submit(computed_list(other_region), actor=None, now=NOW)
    response = as_user(role=Role.COMMISSION).get(reverse("leaders:index"))
    assert response.status_code == 200
    period = response.context["page"].object_list[0]
    assert (period.computed, period.submitted, period.fixed) == (1, 1, 0)
    assert reverse("leaders:period", args=[PERIOD]) in response.content.decode()


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.SANITARY, Role.OWNER, Role.CITIZEN])
def test_other_roles_get_403(the_list, role):
    client = as_user(role=role, region=the_list.region)
    assert client.get(reverse("leaders:index")).status_code == 403
    assert client.get(review_url(the_list)).status_code == 403
    assert client.get(reverse("leaders:period", args=[PERIOD])).status_code == 403


def test_anonymous_staff_pages_go_to_sign_in(the_list, client):
    for url in (reverse("leaders:index"), review_url(the_list), reverse("leaders:period", args=[PERIOD])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    response = client.post(strike_url(the_list.candidates.first()), {"action": "strike", "reason": "x"})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not Candidate.objects.filter(struck=True).exists()


# --- Review --------------------------------------------------------------------------------------


def test_the_akimat_reviews_its_list_with_the_flags_in_words(the_list):
    response = as_user(role=Role.AKIMAT, region=the_list.region).get(review_url(the_list))
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["can_review"]
    assert body.count('data-flag="burst"') == 1 and body.count('data-flag="over_capacity"') == 1
    assert "A burst on 15 May 2021: 1,270 check-ins in one day, more than 5 times the usual day (60)." in body
    assert "40 places × 14 days × 3 turnovers a day make at most 1,680" in body
    assert body.count('class="leaders-strike"') == 2
    assert submit_url(the_list) in body
    for fmt in ("csv", "xlsx"):
        assert reverse("leaders:export_candidates", args=[the_list.region.code, PERIOD, fmt]) in body
        assert reverse("leaders:export_checkins", args=[the_list.region.code, PERIOD, fmt]) in body


def test_out_of_hours_flag_in_words(the_list):
    Candidate.objects.filter(list=the_list).update(flags=[HOURS])
    body = as_user(role=Role.COMMISSION).get(review_url(the_list)).content.decode()
    assert "700 of 2,100 check-ins (33 %) were outside the permitted working hours." in body


def test_another_regions_akimat_gets_404(the_list, other_region):
    client = as_user(role=Role.AKIMAT, region=other_region)
    assert client.get(review_url(the_list)).status_code == 404
    candidate = the_list.candidates.first()
    assert client.post(strike_url(candidate), {"action": "strike", "reason": "чужой"}).status_code == 404
    assert client.post(submit_url(the_list), {"confirm": "on"}).status_code == 404
    candidate.refresh_from_db()
    the_list.refresh_from_db()
    assert not candidate.struck and the_list.status == ListStatus.COMPUTED


@pytest.mark.parametrize("role", [Role.COMMISSION, Role.OPERATOR])
def test_the_commission_and_operators_read_any_list_without_forms(the_list, role):
    response = as_user(role=role).get(review_url(the_list))
    assert response.status_code == 200
    assert not response.context["can_review"]
    body = response.content.decode()
    assert "leaders-strike" not in body and submit_url(the_list) not in body


def test_unknown_period_is_404(the_list):
    url = reverse("leaders:review", args=[the_list.region.code, PERIOD + timedelta(days=14)])
    assert as_user(role=Role.COMMISSION).get(url).status_code == 404


# --- Strike and submit -----------------------------------------------------------------------------


def test_the_akimat_strikes_with_a_reason_and_restores(the_list):
    client = as_user(role=Role.AKIMAT, region=the_list.region)
    candidate = the_list.candidates.order_by("pk").first()

    response = client.post(strike_url(candidate), {"action": "strike", "reason": "Накрутка", "page": "1"}, follow=True)
    assert response.redirect_chain == [(f"{review_url(the_list)}#candidate-{candidate.pk}", 302)]
    assert f"{candidate.venue.name} is struck off the list." in messages_of(response)
    candidate.refresh_from_db()
    assert (candidate.struck, candidate.strike_reason) == (True, "Накрутка")
    assert 'data-struck="true"' in response.content.decode()

    client.post(strike_url(candidate), {"action": "unstrike"})
    candidate.refresh_from_db()
    assert not candidate.struck


def test_striking_without_a_reason_says_so_and_changes_nothing(the_list):
    client = as_user(role=Role.AKIMAT, region=the_list.region)
    candidate = the_list.candidates.first()
    response = client.post(strike_url(candidate), {"action": "strike", "reason": "  "}, follow=True)
    assert messages_of(response) == ["Give the reason for striking this venue off the list."]
    candidate.refresh_from_db()
    assert not candidate.struck


@pytest.mark.parametrize("role", [Role.COMMISSION, Role.OPERATOR])
def test_the_commission_and_operators_cannot_strike_or_submit(the_list, role):
    client = as_user(UserFactory(role=role, is_superuser=role == Role.OPERATOR))
    candidate = the_list.candidates.first()
    assert client.post(strike_url(candidate), {"action": "strike", "reason": "нет"}).status_code == 403
    assert client.post(submit_url(the_list), {"confirm": "on"}).status_code == 403
    the_list.refresh_from_db()
    assert the_list.status == ListStatus.COMPUTED and not Candidate.objects.filter(struck=True).exists()


def test_strike_and_submit_are_post_only(the_list):
    client = as_user(role=Role.AKIMAT, region=the_list.region)
    assert client.get(strike_url(the_list.candidates.first())).status_code == 405
    assert client.get(submit_url(the_list)).status_code == 405


def test_submitting_needs_the_confirmation_then_locks_the_list(the_list):
    client = as_user(role=Role.AKIMAT, region=the_list.region)

    response = client.post(submit_url(the_list), {}, follow=True)
    assert messages_of(response) == ["Tick the box to confirm that the list is reviewed."]
    the_list.refresh_from_db()
    assert the_list.status == ListStatus.COMPUTED

    response = client.post(submit_url(the_list), {"confirm": "on"}, follow=True)
    assert messages_of(response) == ["The list is submitted to the commission."]
    the_list.refresh_from_db()
    assert the_list.status == ListStatus.SUBMITTED
    assert not response.context["can_review"] and "leaders-strike" not in response.content.decode()

    candidate = the_list.candidates.first()
    response = client.post(strike_url(candidate), {"action": "strike", "reason": "поздно"}, follow=True)
    assert "already submitted" in messages_of(response)[0]
    candidate.refresh_from_db()
    assert not candidate.struck


# --- Period and decision ---------------------------------------------------------------------------


def decide_url() -> str:
    return reverse("leaders:decide", args=[PERIOD])


def test_the_commission_sees_the_period_and_records_the_decision(the_list, other_region):
    review.submit(the_list, actor=None, now=NOW)
    pending = computed_list(other_region)
    client = as_user(role=Role.COMMISSION)

    page = client.get(reverse("leaders:period", args=[PERIOD]))
    assert page.status_code == 200 and page.context["form"] is not None
    assert page.context["form"]["date"].value() == date(2021, 6, 1)

    response = client.post(decide_url(), {"number": "12-Л", "date": "2021-05-31"}, follow=True)
    assert response.redirect_chain == [(reverse("leaders:period", args=[PERIOD]), 302)]
    assert messages_of(response) == ["Decision № 12-Л is recorded: the submitted lists are fixed."]
    decision = Decision.objects.get()
    the_list.refresh_from_db()
    pending.refresh_from_db()
    assert (the_list.status, pending.status) == (ListStatus.FIXED, ListStatus.COMPUTED)
    assert Leader.objects.filter(decision=decision).count() == 2
    assert "№ 12-Л of 31 May 2021" in response.content.decode()


def test_a_number_typed_with_its_sign_reads_once_on_every_page(the_list):  # R-LD-3
    review.submit(the_list, actor=None, now=NOW)
    client = as_user(role=Role.COMMISSION)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.post(decide_url(), {"number": "№ 47", "date": "2021-05-31"}, follow=True)
    assert Decision.objects.get().number == "47"
    page = response.content.decode()
    assert "№ 47" in page and "№ №" not in page
    public = client.get(reverse("leaders:public_region", args=[the_list.region.code])).content.decode()
    assert "№ №" not in public


def test_a_refused_decision_shows_why_and_writes_nothing(the_list):
    review.submit(the_list, actor=None, now=NOW)
    response = as_user(role=Role.COMMISSION).post(decide_url(), {"number": "1", "date": "2021-06-02"})
    assert response.status_code == 400
    assert "The decision cannot be dated in the future." in response.content.decode()
    assert not Decision.objects.exists()
    the_list.refresh_from_db()
    assert the_list.status == ListStatus.SUBMITTED


def test_the_operator_reads_the_period_but_does_not_decide(the_list):
    review.submit(the_list, actor=None, now=NOW)
    client = as_user(UserFactory(role=Role.OPERATOR, is_superuser=True))
    page = client.get(reverse("leaders:period", args=[PERIOD]))
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(decide_url(), {"number": "1", "date": "2021-05-31"}).status_code == 403
    assert not Decision.objects.exists()


def test_the_akimat_cannot_decide(the_list):
    review.submit(the_list, actor=None, now=NOW)
    client = as_user(role=Role.AKIMAT, region=the_list.region)
    assert client.get(reverse("leaders:period", args=[PERIOD])).status_code == 403
    assert client.post(decide_url(), {"number": "1", "date": "2021-05-31"}).status_code == 403
    assert not Decision.objects.exists()


def test_decide_is_post_only():
    period_row()
    assert as_user(role=Role.COMMISSION).get(decide_url()).status_code == 405


# --- Public pages ----------------------------------------------------------------------------------


def leader(venue, decision, starts_on):
    return Leader.objects.create(
        venue=venue, decision=decision, starts_on=starts_on, ends_on=starts_on + timedelta(days=14)
    )


@pytest.fixture
def decision():
    return Decision.objects.create(
        period=period_row(), number="7", date=PERIOD_END, recorded_by=UserFactory(role=Role.COMMISSION)
    )


def test_the_public_region_page_shows_only_todays_leaders(region, decision, client):
    today = date(2021, 6, 1)
    current = leader(VenueFactory(region=region, name="Кафе «Сейчас»"), decision, today - timedelta(days=13))
    leader(VenueFactory(region=region, name="Кафе «Было»"), decision, today - timedelta(days=14))  # ended
    leader(VenueFactory(region=region, name="Кафе «Будет»"), decision, today + timedelta(days=1))
    leader(VenueFactory(name="Кафе «Чужое»"), decision, today)  # another region

    response = client.get(reverse("leaders:public_region", args=[region.code]))

    assert response.status_code == 200
    assert [row.pk for row in response.context["page"]] == [current.pk]
    body = response.content.decode()
    assert "Кафе «Сейчас»" in body and current.venue.address in body
    assert "Было" not in body and "Будет" not in body and "Чужое" not in body


def test_a_venue_led_by_two_overlapping_decisions_is_listed_once(region, decision, client):
    venue = VenueFactory(region=region)
    leader(venue, decision, date(2021, 5, 24))
    later = Decision.objects.create(
        period=period_row(PERIOD + timedelta(days=14)),
        number="8",
        date=date(2021, 6, 1),
        recorded_by=decision.recorded_by,
    )
    leader(venue, later, date(2021, 6, 1))
    page = client.get(reverse("leaders:public_region", args=[region.code])).context["page"]
    assert [(row.venue_id, row.ends_on) for row in page] == [(venue.pk, date(2021, 6, 15))]


def test_the_public_index_counts_current_leaders(region, other_region, decision, client):
    for _ in range(2):
        leader(VenueFactory(region=region), decision, date(2021, 5, 24))
    leader(VenueFactory(region=other_region), decision, date(2021, 5, 10))  # ended on 24 May

    response = client.get(reverse("leaders:public_index"))

    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-region="{region.code}" data-leaders="2"' in body
    assert f'data-region="{other_region.code}" data-leaders="0"' in body


def test_the_public_decision_flow_end_to_end(region):
    """Struck venues never reach the public page (R-LD-3)."""
    candidate_list = computed_list(region, candidates=3)
    struck = candidate_list.candidates.order_by("pk").first()
    review.strike(struck, reason="Накрутка", actor=None, now=NOW)
    review.submit(candidate_list, actor=None, now=NOW)
    commission = UserFactory(role=Role.COMMISSION)
    review.record_decision(period=candidate_list.period, number="1", date=PERIOD_END, actor=commission, now=NOW)
    page = Client().get(reverse("leaders:public_region", args=[region.code])).context["page"]
    shown = {row.venue_id for row in page}
    assert len(shown) == 2 and struck.venue_id not in shown


# --- Query counts ---------------------------------------------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.AKIMAT, Role.COMMISSION])
def test_the_review_page_does_not_query_per_candidate(role):
    small, large = RegionFactory(city=True), RegionFactory(city=True)
    small_list, large_list = computed_list(small, candidates=2), computed_list(large, candidates=20)
    Candidate.objects.update(flags=[BURST])
    counts = []
    for candidate_list in (small_list, large_list):
        client = as_user(role=role, region=candidate_list.region if role == Role.AKIMAT else None)
        counts.append(_count_queries(client, review_url(candidate_list)))
    assert counts[0] == counts[1]


def test_the_public_pages_do_not_query_per_leader(decision):
    small, large = RegionFactory(), RegionFactory()
    for region, count in ((small, 2), (large, 20)):
        for _ in range(count):
            leader(VenueFactory(region=region), decision, date(2021, 5, 24))
    client = Client()
    assert _count_queries(client, reverse("leaders:public_region", args=[small.code])) == _count_queries(
        client, reverse("leaders:public_region", args=[large.code])
    )


def test_the_index_and_period_pages_do_not_query_per_row():
    client = as_user(role=Role.COMMISSION)
    computed_list(RegionFactory())
    counts = [
        _count_queries(client, reverse("leaders:index")),
        _count_queries(client, reverse("leaders:period", args=[PERIOD])),
    ]
    for _ in range(5):
        computed_list(RegionFactory())
        computed_list(RegionFactory(), start=PERIOD + timedelta(days=14 * (_ + 1)))
    assert counts == [
        _count_queries(client, reverse("leaders:index")),
        _count_queries(client, reverse("leaders:period", args=[PERIOD])),
    ]
    assert CandidateList.objects.count() == 11


def test_the_review_is_paginated_and_a_strike_comes_back_to_its_page(region):
    candidate_list = computed_list(region, candidates=51)
    client = as_user(role=Role.AKIMAT, region=region)
    page_two = client.get(review_url(candidate_list) + "?page=2")
    [last] = page_two.context["page"].object_list
    assert page_two.context["page"].paginator.num_pages == 2

    response = client.post(strike_url(last), {"action": "strike", "reason": "Дубли", "page": "2"})

    assert response["Location"] == f"{review_url(candidate_list)}?page=2#candidate-{last.pk}"


def test_read_pages_refuse_other_methods(the_list, client):
    staff = as_user(role=Role.COMMISSION)
    assert staff.post(reverse("leaders:index")).status_code == 405
    assert staff.post(review_url(the_list)).status_code == 405
    assert staff.post(reverse("leaders:period", args=[PERIOD])).status_code == 405
    assert client.post(reverse("leaders:public_index")).status_code == 405
    assert client.post(reverse("leaders:public_region", args=[the_list.region.code])).status_code == 405


def test_a_flag_with_missing_figures_or_an_unknown_kind_still_renders(the_list):
    Candidate.objects.filter(list=the_list).update(flags=[{"kind": "burst", "checkins": 900}, {"kind": "new_kind"}])
    response = as_user(role=Role.COMMISSION).get(review_url(the_list))
    body = response.content.decode()
    assert response.status_code == 200
    assert "A burst on ?: 900 check-ins in one day, more than ? times the usual day (?)." in body
    assert "Unusual count: new_kind" in body


def test_the_public_region_of_an_unknown_code_is_404(client):
    assert client.get(reverse("leaders:public_region", args=["atlantis"])).status_code == 404
