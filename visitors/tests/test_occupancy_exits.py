"""A full venue and the exits a guard records (R-CI-6 Decided), and a re-entry after an
exit within the 30 minutes (R-CI-5): at or over the allowed occupancy an admissible
visitor waits (never "may enter", not counted); the guard records an exit by IIN or as
one anonymous exit; a visitor back within 30 minutes of his check-in is inside again
without a second check-in."""

from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ashyq.identifiers import make_iin
from statuses.models import SyncState
from statuses.persons import person_key
from statuses.tests.factories import PcrResultFactory, iin, local
from visitors import rules, selectors
from visitors.models import DoorReport, StatusLookup, Visit
from visitors.services import checkin
from visitors.services.guard import guard_exit, guard_lookup
from visitors.tests.factories import GuardFactory, VisitFactory, open_venue

pytestmark = pytest.mark.django_db

T0 = local(2021, 5, 3, 10)
SECOND = timedelta(seconds=1)
GREEN = make_iin(birth_date=date(1978, 1, 30), sex="male", serial=3456)
RED = make_iin(birth_date=date(1990, 5, 1), sex="male", serial=1234)
BLUE = make_iin(birth_date=date(1995, 7, 7), sex="female", serial=4567)
GUARD_PAGE = reverse("checkin:guard")
LOOKUP = reverse("checkin:guard_lookup")
EXIT = reverse("checkin:guard_exit")
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def clock():
    cache.clear()
    with time_machine.travel(T0, tick=False) as traveller:
        SyncState.objects.update(last_success_at=T0 - timedelta(minutes=3))
        yield traveller
    cache.clear()


@pytest.fixture
def venue():
    # Capacity 3 at 100 % (no operating rule: R-OP-1's default): 3 people fill it.
    return open_venue(now=T0 - timedelta(days=20), capacity=3, name="Кафе «Дастархан»")


@pytest.fixture
def door_guard(venue):
    return GuardFactory(venue=venue)


@pytest.fixture
def statuses():
    PcrResultFactory(iin=GREEN, positive=False, sampled_at=T0 - timedelta(hours=10))
    PcrResultFactory(iin=RED, positive=True, sampled_at=T0 - timedelta(days=1))


def fill(venue, people: int, *, method="guard"):
    for n in range(people):
        VisitFactory(venue=venue, iin=iin(900 + n), method=method, entered_at=T0 - timedelta(minutes=40 - n))


def lookup(door_guard, venue, person=GREEN, at=None):
    return guard_lookup(guard=door_guard, venue=venue, entrance=venue.entrances.first(), iin=person, now=at or T0)


def scan_in(venue, person, at, colour="green"):
    return checkin.visit_check_in(
        venue=venue, entrance=venue.entrances.first(), person=person, colour=colour, method="scan", now=at
    )


# --- R-CI-6 Decided: a full venue ------------------------------------------------------------------


def test_r_ci_6_full_means_at_the_limit_not_only_over_it():
    assert (rules.is_full(inside=2, allowed=3), rules.is_full(inside=3, allowed=3)) == (False, True)
    assert rules.is_full(inside=4, allowed=3)
    assert rules.is_full(inside=0, allowed=0)  # a venue that may not open admits nobody


def test_r_ci_6_the_last_place_is_taken_then_the_next_visitor_waits_and_is_not_counted(venue, door_guard, statuses):
    fill(venue, 2)
    last = lookup(door_guard, venue)
    waits = lookup(door_guard, venue, person=BLUE)

    assert (last.full, last.instruction, last.counted) == (False, "", True)
    assert (last.occupancy.inside, last.occupancy.full) == (3, True)
    assert waits.full and not waits.counted
    assert waits.colour == "blue" and waits.instruction == rules.FULL_INSTRUCTION
    assert waits.occupancy.inside == 3
    # R-PR-3: the look-up is logged; no check-in, no visit window: checked again later, he counts.
    assert StatusLookup.objects.filter(person=person_key(iin=BLUE)).count() == 1
    assert not Visit.objects.filter(person=person_key(iin=BLUE)).exists()


def test_r_ci_6_a_red_visitor_at_a_full_venue_still_gets_the_red_instruction_and_a_report(venue, door_guard, statuses):
    fill(venue, 3)
    answer = lookup(door_guard, venue, person=RED)

    assert answer.full and answer.instruction == rules.door_instruction("red")
    assert DoorReport.objects.get().colour == "red"  # R-CI-3: reported as at any door


def test_r_ci_6_the_waiting_visitor_checked_again_after_an_exit_goes_in_and_counts(venue, door_guard, statuses):
    fill(venue, 3)
    assert lookup(door_guard, venue).full
    after_exit = guard_exit(guard=door_guard, venue=venue, entrance=None, iin=None, now=T0 + SECOND)
    again = lookup(door_guard, venue, at=T0 + 2 * SECOND)

    assert after_exit.inside == 2
    assert (again.full, again.counted, again.instruction) == (False, True, "")
    assert again.occupancy.inside == 3
    assert Visit.objects.filter(person=person_key(iin=GREEN), exited_at__isnull=True).count() == 1


# --- R-CI-6 Decided: the guard records an exit ---------------------------------------------------------


def test_r_ci_6_an_exit_by_iin_closes_that_visitors_open_visit(venue, door_guard, statuses):
    fill(venue, 1)
    lookup(door_guard, venue)
    occupancy = guard_exit(guard=door_guard, venue=venue, entrance=None, iin=GREEN, now=T0 + SECOND)

    visit = Visit.objects.get(person=person_key(iin=GREEN))
    assert (visit.exited_at, visit.exit_method) == (T0 + SECOND, "guard")
    assert occupancy.inside == 1
    assert Visit.objects.filter(exited_at__isnull=True).count() == 1  # the other visitor is still inside


def test_r_ci_6_an_exit_by_iin_of_nobody_inside_or_a_mistyped_iin_records_nothing(venue, door_guard):
    fill(venue, 1)
    with pytest.raises(ValidationError) as nobody:
        guard_exit(guard=door_guard, venue=venue, entrance=None, iin=GREEN, now=T0)
    with pytest.raises(ValidationError) as mistyped:
        guard_exit(guard=door_guard, venue=venue, entrance=None, iin=GREEN[:-1] + "0", now=T0)

    assert nobody.value.code == "no_visit"
    assert mistyped.value.code == "checksum"
    assert Visit.objects.filter(exited_at__isnull=True).count() == 1


def test_r_ci_6_an_anonymous_exit_closes_the_oldest_open_visit_the_guard_entered(venue, door_guard):
    VisitFactory(venue=venue, iin=iin(1), method="scan", entered_at=T0 - timedelta(hours=2))  # has a phone
    guarded = VisitFactory(venue=venue, iin=iin(2), method="guard", entered_at=T0 - timedelta(hours=1))
    VisitFactory(venue=venue, iin=iin(3), method="guard", entered_at=T0 - timedelta(minutes=10))
    VisitFactory(venue=venue, iin=iin(4), method="guard", entered_at=T0 - timedelta(hours=4))  # closed by R-CI-4

    occupancy = guard_exit(guard=door_guard, venue=venue, entrance=None, iin="", now=T0)

    guarded.refresh_from_db()
    assert (guarded.exited_at, guarded.exit_method) == (T0, "guard")
    assert occupancy.inside == 2


def test_r_ci_6_an_anonymous_exit_with_nobody_inside_records_nothing(venue, door_guard):
    with pytest.raises(ValidationError) as nobody:
        guard_exit(guard=door_guard, venue=venue, entrance=None, iin=None, now=T0)
    assert nobody.value.code == "nobody_inside"


def test_r_vn_7_only_the_venues_own_guard_records_its_exits(venue):
    other = GuardFactory(venue=open_venue(now=T0 - timedelta(days=20)))
    fill(venue, 1)
    with pytest.raises(PermissionDenied):
        guard_exit(guard=other, venue=venue, entrance=None, iin=None, now=T0)
    assert Visit.objects.filter(venue=venue, exited_at__isnull=True).count() == 1


# --- R-CI-5 with an exit: back within the 30 minutes ---------------------------------------------------


def test_r_ci_5_back_29_59_after_the_check_in_and_after_an_exit_he_is_inside_again_not_counted_again(venue):
    person = person_key(iin=GREEN)
    scan_in(venue, person, T0)
    checkin.visit_exit(venue=venue, person=person, now=T0 + timedelta(minutes=10))
    back = scan_in(venue, person, T0 + timedelta(minutes=30) - SECOND)

    assert (back.counted, back.reopened, back.inside) == (False, True, True)
    assert Visit.objects.count() == 1  # one check-in (R-CI-5)
    assert selectors.occupancy(venue, now=T0 + timedelta(minutes=30)).inside == 1


def test_r_ci_5_back_at_30_00_is_a_new_check_in(venue):
    person = person_key(iin=GREEN)
    scan_in(venue, person, T0)
    checkin.visit_exit(venue=venue, person=person, now=T0 + timedelta(minutes=10))
    back = scan_in(venue, person, T0 + timedelta(minutes=30))

    assert (back.counted, back.reopened) == (True, False)
    assert Visit.objects.count() == 2
    assert selectors.occupancy(venue, now=T0 + timedelta(minutes=30)).inside == 1


def test_r_ci_5_a_visitor_refused_at_the_door_is_never_reopened(venue):
    person = person_key(iin=RED)
    scan_in(venue, person, T0, colour="red")
    again = scan_in(venue, person, T0 + timedelta(minutes=5), colour="green")

    assert (again.counted, again.reopened) == (False, False)
    assert selectors.occupancy(venue, now=T0 + timedelta(minutes=5)).inside == 0


def test_r_ci_5_a_guards_re_entry_after_his_recorded_exit_counts_him_inside_again(venue, door_guard, statuses):
    lookup(door_guard, venue)
    guard_exit(guard=door_guard, venue=venue, entrance=None, iin=GREEN, now=T0 + timedelta(minutes=5))
    back = lookup(door_guard, venue, at=T0 + timedelta(minutes=20))

    assert (back.counted, back.reopened, back.occupancy.inside) == (False, True, 1)
    assert Visit.objects.count() == 1


# A sequence of events at one door, against a model of who is inside.
EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["scan", "guard", "exit", "anonymous_exit"]),
        st.integers(min_value=0, max_value=2),  # which of three people
        st.integers(min_value=1, max_value=25),  # minutes after the previous event
    ),
    max_size=14,
)


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=EVENTS)
def test_r_ci_5_and_r_ci_6_inside_follows_every_sequence_of_entries_and_exits(venue, events):
    """Property: after any sequence of entries, exits and anonymous exits within four
    hours, the visits open are exactly a model's — a counted entry opens a visit; an
    entry within 30 minutes of the person's counted one opens none, but reopens that
    visit if an exit closed it; an exit closes the person's latest open visit; an
    anonymous exit the oldest the guard entered, else the oldest — and every visit is
    one check-in (R-CI-5)."""
    Visit.objects.all().delete()
    checkin.VisitWindow.objects.all().delete()
    people = [person_key(iin=iin(700 + n)) for n in range(3)]
    visits: list[dict] = []  # the model, in order of entry
    counted_at: dict[int, object] = {}
    at = T0
    for kind, who, minutes in events:
        at += timedelta(minutes=minutes)
        if at - T0 >= rules.AUTO_CLOSE_AFTER:
            break
        if kind in ("scan", "guard"):
            result = checkin.visit_check_in(
                venue=venue, entrance=None, person=people[who], colour="green", method=kind, now=at
            )
            new = who not in counted_at or at - counted_at[who] >= rules.VISIT_WINDOW
            assert result.counted == new
            if new:
                counted_at[who] = at
                visits.append({"who": who, "at": at, "method": kind, "open": True, "left": False})
            else:
                window_visit = next(v for v in visits if v["who"] == who and v["at"] == counted_at[who])
                assert result.reopened == window_visit["left"]
                if window_visit["left"]:
                    window_visit.update(open=True, left=False)
        elif kind == "exit":
            mine = [v for v in visits if v["who"] == who and v["open"]]
            assert checkin.visit_exit(venue=venue, person=people[who], now=at) == bool(mine)
            if mine:
                mine[-1].update(open=False, left=True)
        else:
            still = [v for v in visits if v["open"]]
            assert checkin.visit_exit_anonymous(venue=venue, now=at) == bool(still)
            if still:
                (([v for v in still if v["method"] == "guard"] or still)[0]).update(open=False, left=True)
        assert selectors.occupancy(venue, now=at).inside == sum(v["open"] for v in visits)
    assert Visit.objects.count() == len(visits)


def test_r_ci_5_a_re_entry_within_the_window_after_an_exit_always_reopens(venue):
    """The property's one-liner: leaving and coming back within 30 minutes of the
    check-in is the same check-in, and inside again."""
    person = person_key(iin=iin(5))
    scan_in(venue, person, T0)
    for minute in (5, 15, 25):
        assert checkin.visit_exit(venue=venue, person=person, now=T0 + timedelta(minutes=minute))
        assert scan_in(venue, person, T0 + timedelta(minutes=minute + 1)).reopened
    assert Visit.objects.count() == 1 and selectors.occupancy(venue, now=T0 + timedelta(minutes=29)).inside == 1


# --- The guard page (views) ------------------------------------------------------------------------------


def _guard_client(door_guard, language="en"):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(door_guard)
    return client


def _post_lookup(client, venue, person, headers=None):
    entrance = venue.entrances.first()
    return client.post(LOOKUP, {"entrance": entrance.pk, "iin": person, "consent": "on"}, headers=headers or {})


@pytest.mark.parametrize(
    ("language", "admit"), [("en", "May enter."), ("ru", "Можно входить"), ("kk", "Кіруге болады")]
)
def test_r_ci_6_at_a_full_venue_the_answer_card_says_wait_and_shows_the_occupancy(
    venue, door_guard, statuses, language, admit
):
    fill(venue, 3)
    client = _guard_client(door_guard, language)
    for headers in (HTMX, {}):
        text = _post_lookup(client, venue, GREEN, headers).content.decode()
        card = text[text.index('<section class="answer-card') : text.index("</section>", text.index("answer-card"))]
        assert 'data-occupancy="full"' in card and 'data-status="green"' in card
        assert admit not in text
        assert 'data-inside="3"' in text  # the occupancy stays beside the answer
    assert not Visit.objects.filter(person=person_key(iin=GREEN)).exists()


def test_r_ci_6_a_venue_not_full_gives_no_full_card(venue, door_guard, statuses):
    text = _post_lookup(_guard_client(door_guard), venue, GREEN, HTMX).content.decode()
    assert "May enter." in text and 'data-occupancy="full"' not in text


def test_r_ci_6_the_guard_page_has_an_exit_form_posting_iin_and_entrance(venue, door_guard):
    text = _guard_client(door_guard).get(GUARD_PAGE).content.decode()
    form = text[text.index(f'action="{EXIT}"') :]
    form = form[: form.index("</form>")]
    assert 'name="iin"' in form and 'name="entrance"' in form and 'id="id_exit_iin"' in form


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_r_ci_6_an_exit_posted_from_the_guard_page_makes_inside_one_lower(venue, door_guard, statuses, headers):
    fill(venue, 3)
    client = _guard_client(door_guard)
    assert 'data-inside="3"' in client.get(GUARD_PAGE).content.decode()

    response = client.post(EXIT, {"iin": "", "entrance": venue.entrances.first().pk}, headers=headers)

    if headers:
        assert response.status_code == 200
        assert 'data-exit="recorded"' in response.content.decode()
        assert 'data-inside="2"' in response.content.decode() and 'hx-swap-oob="true"' in response.content.decode()
    else:
        assert response.status_code == 302 and response["Location"] == GUARD_PAGE
    page = client.get(GUARD_PAGE).content.decode()
    assert 'data-inside="2"' in page


def test_r_ci_6_an_exit_by_iin_is_refused_with_a_message_and_the_iin_is_not_echoed(venue, door_guard):
    client = _guard_client(door_guard)
    for headers in (HTMX, {}):
        response = client.post(EXIT, {"iin": GREEN, "entrance": venue.entrances.first().pk}, headers=headers)
        text = response.content.decode()
        assert response.status_code == 400
        assert "This visitor has no open visit at this venue: nothing was recorded." in text
        assert GREEN not in text and GREEN not in response.get("Location", "")


def test_r_ci_6_an_exit_at_another_venues_entrance_is_refused(venue, door_guard):
    other = open_venue(now=T0 - timedelta(days=20))
    VisitFactory(venue=other, method="guard", entered_at=T0 - timedelta(minutes=5))
    response = _guard_client(door_guard).post(EXIT, {"iin": "", "entrance": other.entrances.first().pk}, headers=HTMX)
    assert response.status_code == 400
    assert Visit.objects.filter(venue=other, exited_at__isnull=True).count() == 1


def test_r_ci_6_the_exit_takes_post_only_and_a_guard_only(venue, door_guard, client):
    assert _guard_client(door_guard).get(EXIT).status_code == 405
    response = client.post(EXIT, {"iin": ""})
    assert response.status_code == 302 and "/auth/phone/" in response["Location"]


def test_r_ci_2_a_refused_lookup_keeps_nothing_typed_in_the_server_answer(venue, door_guard):
    """The htmx answer to a mistyped IIN is the error alone: the form (and what was typed
    in it) stays in the browser (static/visitors/guard.js), never echoed by the server."""
    mistyped = GREEN[:-1] + str((int(GREEN[-1]) + 1) % 10)
    response = _post_lookup(_guard_client(door_guard), venue, mistyped, HTMX)
    assert response.status_code == 400
    assert "digit is probably mistyped" in response.content.decode()
    assert mistyped not in response.content.decode() and "<form" not in response.content.decode()
