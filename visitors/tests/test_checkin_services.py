"""Check-ins at the door (docs/rules.md §7): one visit per 30 minutes (R-CI-5), refusals
(R-CI-7), exits and auto-close (R-CI-4), occupancy (R-CI-6), the visitor's own scan
(R-CI-1) and remote check (R-CI-8), erasure (R-PR-2) and the daily counts (R-CI-9)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone, translation

from ashyq.accounts.tests.factories import CitizenFactory, UserFactory
from statuses.persons import person_key
from statuses.tests.factories import PcrResultFactory, iin, local, synced
from venues.codes.services import codes_issue
from venues.models import Direction, QrCode
from venues.tests.factories import EntranceFactory, VenueFactory
from visitors import selectors
from visitors.models import CountsMark, DailyStats, DoorReport, RemoteCheck, StatusLookup, Visit, VisitWindow
from visitors.services import checkin, periodic
from visitors.services.counts import counts_rebuild
from visitors.services.retention import retention_run
from visitors.tests.factories import RemoteCheckFactory, StatusLookupFactory, VisitFactory, open_venue

pytestmark = pytest.mark.django_db

T0 = local(2021, 5, 3, 10)
SECOND = timedelta(seconds=1)
PERSON = person_key(iin=iin(1))


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        synced(T0)
        yield traveller


@pytest.fixture
def venue(clock):
    return open_venue(now=T0 - timedelta(days=20), capacity=3, entrances=2)


def check_in(venue, at, *, person=PERSON, colour="green", method="scan"):
    return checkin.visit_check_in(
        venue=venue, entrance=venue.entrances.first(), person=person, colour=colour, method=method, now=at
    )


# --- R-CI-5 one visit per person and venue within 30 minutes ----------------------------------


def test_r_ci_5_a_second_entry_29_59_after_the_counted_one_is_the_same_visit_at_30_00_a_new_one(venue):
    first = check_in(venue, T0)
    again = check_in(venue, T0 + timedelta(minutes=30) - SECOND)
    new = check_in(venue, T0 + timedelta(minutes=30))

    assert (first.counted, again.counted, new.counted) == (True, False, True)
    assert again.visit is None
    assert list(Visit.objects.order_by("entered_at").values_list("entered_at", flat=True)) == [
        T0,
        T0 + timedelta(minutes=30),
    ]


def test_r_ci_5_the_30_minutes_run_from_the_counted_entry_not_from_a_repeated_one(venue):
    check_in(venue, T0)
    check_in(venue, T0 + timedelta(minutes=20))  # not counted: does not extend the window
    later = check_in(venue, T0 + timedelta(minutes=30))
    within = check_in(venue, T0 + timedelta(minutes=59))

    assert (later.counted, within.counted) == (True, False)
    assert Visit.objects.count() == 2
    assert VisitWindow.objects.get().until == T0 + timedelta(minutes=60)


def test_r_ci_5_other_people_and_other_venues_are_other_visits(venue, clock):
    other_venue = open_venue(now=T0 - timedelta(days=20))
    results = [
        check_in(venue, T0).counted,
        check_in(venue, T0, person=person_key(iin=iin(2))).counted,
        check_in(other_venue, T0).counted,
        check_in(venue, T0, method="guard").counted,  # a guard's double entry of the same person
    ]
    assert results == [True, True, True, False]
    assert Visit.objects.count() == 3


# --- R-CI-7 refusals -------------------------------------------------------------------------


def test_r_ci_7_a_venue_never_approved_takes_no_check_in_and_nothing_is_stored(clock):
    venue = VenueFactory()  # no codes were ever issued: no approved application
    entrance = EntranceFactory(venue=venue)

    with pytest.raises(checkin.VenueRefused) as refused, translation.override("en"):
        checkin.visit_check_in(venue=venue, entrance=entrance, person=PERSON, colour="green", method="scan", now=T0)

    assert refused.value.reason == "not_approved"
    assert "not approved" in str(refused.value)
    assert not Visit.objects.exists()
    assert not VisitWindow.objects.exists()


def test_r_ci_7_a_venue_whose_codes_are_all_revoked_takes_no_check_in(venue):
    QrCode.objects.filter(entrance__venue=venue).update(revoked_at=T0 - timedelta(hours=1))

    with pytest.raises(checkin.VenueRefused) as refused:
        check_in(venue, T0)

    assert refused.value.reason == "revoked"
    assert not Visit.objects.exists()


def test_r_ci_7_a_revoked_print_is_refused_while_the_new_code_works(venue):
    citizen = CitizenFactory(iin=iin(1))
    old = QrCode.objects.get(entrance=venue.entrances.first(), direction=Direction.ENTRY)
    codes_issue(venue=venue, actor=None, now=T0 - timedelta(days=1))
    old.refresh_from_db()
    new = QrCode.objects.get(entrance=venue.entrances.first(), direction=Direction.ENTRY, revoked_at__isnull=True)

    with pytest.raises(checkin.VenueRefused) as refused:
        checkin.citizen_scan(user=citizen, code=old, now=T0)
    answer = checkin.citizen_scan(user=citizen, code=new, now=T0)

    assert refused.value.reason == "revoked"
    assert answer.counted is True
    assert Visit.objects.count() == 1


# --- R-CI-4 exits and the automatic close ------------------------------------------------------


def test_r_ci_4_an_exit_closes_the_latest_open_visit_once(venue):
    check_in(venue, T0)

    closed = checkin.visit_exit(venue=venue, person=PERSON, now=T0 + timedelta(hours=1))
    again = checkin.visit_exit(venue=venue, person=PERSON, now=T0 + timedelta(hours=1, minutes=5))

    visit = Visit.objects.get()
    assert (closed, again) == (True, False)
    assert (visit.exited_at, visit.exit_method) == (T0 + timedelta(hours=1), "scan")


def test_r_ci_4_an_exit_without_an_entry_changes_nothing(venue):
    VisitFactory(venue=venue, person=person_key(iin=iin(2)), entered_at=T0)

    assert checkin.visit_exit(venue=venue, person=PERSON, now=T0) is False
    assert Visit.objects.filter(exited_at__isnull=True).count() == 1


def test_r_ci_4_a_visit_without_exit_is_closed_at_exactly_4_hours(venue):
    check_in(venue, T0)

    before = periodic.visits_auto_close(now=T0 + timedelta(hours=4) - SECOND)
    at_four = periodic.visits_auto_close(now=T0 + timedelta(hours=4))
    again = periodic.visits_auto_close(now=T0 + timedelta(hours=5))

    visit = Visit.objects.get()
    assert (before, at_four, again) == (0, 1, 0)
    assert (visit.exited_at, visit.exit_method) == (T0 + timedelta(hours=4), "auto")


def test_r_ci_4_auto_close_dates_the_exit_4_hours_after_entry_even_when_it_runs_late(venue):
    check_in(venue, T0)

    periodic.visits_auto_close(now=T0 + timedelta(days=2))

    assert Visit.objects.get().exited_at == T0 + timedelta(hours=4)


# --- R-CI-6 occupancy ------------------------------------------------------------------------------


def test_r_ci_6_inside_is_entries_minus_exits_and_automatic_closes(venue):
    people = [person_key(iin=iin(n)) for n in range(10, 14)]
    check_in(venue, T0 - timedelta(hours=4), person=people[0])  # auto-closed
    check_in(venue, T0 - timedelta(hours=1), person=people[1])  # left by the exit
    check_in(venue, T0 - timedelta(minutes=30), person=people[2])
    check_in(venue, T0 - timedelta(minutes=5), person=people[3])
    checkin.visit_exit(venue=venue, person=people[1], now=T0 - timedelta(minutes=10))
    periodic.visits_auto_close(now=T0)

    assert selectors.occupancy(venue, now=T0) == selectors.Occupancy(inside=2, allowed=3, percent=66, over=False)


def test_r_ci_6_a_visit_4_hours_old_no_longer_counts_even_before_the_task_closes_it(venue):
    check_in(venue, T0)

    assert selectors.occupancy(venue, now=T0 + timedelta(hours=4) - SECOND).inside == 1
    assert selectors.occupancy(venue, now=T0 + timedelta(hours=4)).inside == 0


def test_r_ci_6_over_the_allowed_occupancy_the_venue_is_over_the_limit(venue):
    for n in range(3):
        check_in(venue, T0, person=person_key(iin=iin(20 + n)))
    at_limit = selectors.occupancy(venue, now=T0)
    check_in(venue, T0, person=person_key(iin=iin(30)))
    over = selectors.occupancy(venue, now=T0)

    assert (at_limit.inside, at_limit.over, at_limit.percent) == (3, False, 100)
    assert (over.inside, over.allowed, over.over, over.percent) == (4, 3, True, 133)


def test_r_ci_3_a_red_or_yellow_visitor_is_counted_at_the_door_but_never_inside(venue):
    red = check_in(venue, T0, person=person_key(iin=iin(40)), colour="red")
    yellow = check_in(venue, T0, person=person_key(iin=iin(41)), colour="yellow")

    assert red.counted and yellow.counted
    assert (red.visit.exited_at, red.visit.exit_method) == (T0, "refused")
    assert selectors.occupancy(venue, now=T0).inside == 0
    assert DoorReport.objects.count() == 2


# --- R-CI-1 the visitor's scan, R-CI-4 his exit scan ---------------------------------------------


def entry_code(venue):
    return QrCode.objects.select_related("entrance__venue").get(
        entrance=venue.entrances.first(), direction=Direction.ENTRY, revoked_at__isnull=True
    )


def exit_code(venue):
    return QrCode.objects.select_related("entrance__venue").get(
        entrance=venue.entrances.first(), direction=Direction.EXIT, revoked_at__isnull=True
    )


def test_r_ci_1_a_citizen_scanning_the_entry_code_is_checked_in_with_his_own_colour(venue):
    citizen = CitizenFactory(iin=iin(1))
    pcr = PcrResultFactory(iin=iin(1), positive=False, sampled_at=T0 - timedelta(hours=10))

    answer = checkin.citizen_scan(user=citizen, code=entry_code(venue), now=T0)

    visit = Visit.objects.get()
    assert (answer.direction, answer.colour, answer.counted, answer.fresh) == ("entry", "green", True, True)
    assert answer.valid_until == pcr.sampled_at + timedelta(hours=72)
    assert (answer.venue_name, answer.entrance_name) == (venue.name, venue.entrances.first().name)
    assert (visit.person, visit.user, visit.method, visit.colour) == (PERSON, citizen, "scan", "green")
    assert not RemoteCheck.objects.exists()  # a scan at a venue is not a remote check (R-CI-8)
    assert not StatusLookup.objects.exists()  # nor a look-up by someone else (R-PR-3)


def test_r_ci_1_a_second_scan_within_30_minutes_adds_no_visit_and_the_exit_scan_lowers_occupancy(venue):
    citizen = CitizenFactory(iin=iin(1))

    first = checkin.citizen_scan(user=citizen, code=entry_code(venue), now=T0)
    second = checkin.citizen_scan(user=citizen, code=entry_code(venue), now=T0 + timedelta(minutes=10))
    inside = selectors.occupancy(venue, now=T0 + timedelta(minutes=10)).inside
    leaving = checkin.citizen_scan(user=citizen, code=exit_code(venue), now=T0 + timedelta(minutes=40))

    assert (first.counted, second.counted) == (True, False)
    assert second.colour == "blue"  # he still sees his card
    assert inside == 1
    assert (leaving.direction, leaving.closed, leaving.colour) == ("exit", True, None)
    assert selectors.occupancy(venue, now=T0 + timedelta(minutes=40)).inside == 0
    assert Visit.objects.count() == 1


def test_a_citizen_without_a_linked_iin_is_sent_to_link_it_and_nothing_is_stored(venue):
    citizen = CitizenFactory()

    with pytest.raises(checkin.IinNotLinked):
        checkin.citizen_scan(user=citizen, code=entry_code(venue), now=T0)
    with pytest.raises(checkin.IinNotLinked):
        checkin.remote_check(user=citizen, now=T0)

    assert not Visit.objects.exists()
    assert not RemoteCheck.objects.exists()


# --- R-CI-8 remote check -----------------------------------------------------------------------------


def test_r_ci_8_a_remote_check_shows_the_citizens_own_status_and_counts_it_without_identifier(clock):
    citizen = CitizenFactory(iin=iin(1))
    PcrResultFactory(iin=iin(1), positive=True, sampled_at=T0 - timedelta(days=2))

    report = checkin.remote_check(user=citizen, now=T0)

    check = RemoteCheck.objects.get()
    assert report.colour == "red"
    assert (check.at, check.colour, check.region) == (T0, "red", None)
    assert {f.name for f in RemoteCheck._meta.get_fields()} == {"id", "at", "colour", "region"}


# --- R-PR-2: after 28 days the rows go, the counts stay (visitors/tests/test_retention.py) ---


def test_r_pr_2_the_rows_28_days_old_go_with_who_came_and_the_counts_stay(venue):
    citizen = CitizenFactory(iin=iin(1))
    old_day = T0 - timedelta(days=28)
    VisitFactory(venue=venue, person=PERSON, user=citizen, entered_at=old_day - SECOND, colour="red")
    kept = VisitFactory(venue=venue, person=PERSON, user=citizen, entered_at=old_day + SECOND)
    StatusLookupFactory(venue=venue, person=PERSON, at=old_day - SECOND)
    kept_lookup = StatusLookupFactory(venue=venue, person=PERSON, at=old_day + SECOND)
    CountsMark.objects.update_or_create(pk=1, defaults={"counted_until": T0 - timedelta(hours=1)})
    counts_rebuild(day=timezone.localdate(old_day))
    before = list(DailyStats.objects.values("region", "day", "checkins", "red_at_door"))

    retention_run(now=T0)

    # Who came and who was looked up 28 days ago is gone with the rows; how many is not.
    assert list(Visit.objects.values_list("pk", "person", "user")) == [(kept.pk, PERSON, citizen.pk)]
    assert list(StatusLookup.objects.values_list("pk", flat=True)) == [kept_lookup.pk]
    assert list(DailyStats.objects.values("region", "day", "checkins", "red_at_door")) == before
    assert before[0]["checkins"] == 2 and before[0]["red_at_door"] == 1


def test_r_pr_2_retention_deletes_expired_visit_windows_only(venue):
    check_in(venue, T0 - timedelta(minutes=30), person=person_key(iin=iin(50)))
    check_in(venue, T0 - timedelta(minutes=29), person=person_key(iin=iin(51)))

    retention_run(now=T0)

    assert list(VisitWindow.objects.values_list("until", flat=True)) == [T0 + timedelta(minutes=1)]
    # The window was expired anyway: the next entry is counted as before.
    assert check_in(venue, T0, person=person_key(iin=iin(50))).counted is True


# --- R-PR-4 the citizen's own lists -----------------------------------------------------------------


def test_r_pr_4_the_citizen_sees_his_look_ups_and_check_ins_of_the_last_28_days_only(venue):
    mine_new = StatusLookupFactory(venue=venue, person=PERSON, at=T0 - timedelta(hours=1))
    mine_old = StatusLookupFactory(venue=venue, person=PERSON, at=T0 - timedelta(days=10))
    StatusLookupFactory(venue=venue, person=PERSON, at=T0 - timedelta(days=28))
    StatusLookupFactory(venue=venue, person=person_key(iin=iin(2)), at=T0)
    visit = VisitFactory(venue=venue, person=PERSON, entered_at=T0 - timedelta(days=27, hours=23))
    VisitFactory(venue=venue, person=PERSON, entered_at=T0 - timedelta(days=28))
    VisitFactory(venue=venue, person=person_key(iin=iin(2)), entered_at=T0)

    assert list(selectors.lookups_of(PERSON, now=T0)) == [mine_new, mine_old]
    assert list(selectors.visits_of(PERSON, now=T0)) == [visit]


def test_r_pr_4_the_look_ups_list_loads_its_venues_in_one_query(venue, django_assert_num_queries):
    for hours in range(5):
        StatusLookupFactory(venue=venue, person=PERSON, at=T0 - timedelta(hours=hours))

    with django_assert_num_queries(1):
        names = [lookup.venue.name for lookup in selectors.lookups_of(PERSON, now=T0)]

    assert names == [venue.name] * 5


# --- R-CI-3 the sanitary officers' reports --------------------------------------------------------------


def test_r_ci_3_a_sanitary_officer_sees_the_reports_of_his_region_and_national_staff_all(venue, clock):
    other = open_venue(now=T0 - timedelta(days=20))
    mine = DoorReport.objects.create(venue=venue, region=venue.region, at=T0, colour="red")
    theirs = DoorReport.objects.create(venue=other, region=other.region, at=T0, colour="yellow")
    officer = UserFactory(role="sanitary", region=venue.region)
    operator = UserFactory(role="operator")
    citizen = CitizenFactory()

    assert list(selectors.door_reports_for(officer)) == [mine]
    assert set(selectors.door_reports_for(operator)) == {mine, theirs}
    assert list(selectors.door_reports_for(citizen)) == []


# --- R-CI-9 the daily counts --------------------------------------------------------------------------------


def test_r_ci_9_the_roll_up_counts_each_region_and_local_day_and_is_idempotent(venue, clock):
    other = open_venue(now=T0 - timedelta(days=20))
    day = T0.date()
    midnight = local(2021, 5, 4)
    VisitFactory(venue=venue, entered_at=local(2021, 5, 3, 0, 0))
    VisitFactory(venue=venue, entered_at=midnight - SECOND, colour="red")
    VisitFactory(venue=venue, entered_at=T0, colour="yellow")
    VisitFactory(venue=venue, entered_at=midnight)  # the next local day
    VisitFactory(venue=venue, entered_at=local(2021, 5, 3) - SECOND)  # the day before
    VisitFactory(venue=other, entered_at=T0, colour="red")
    RemoteCheckFactory(at=T0, colour="red")
    RemoteCheckFactory(at=T0, colour="green")
    RemoteCheckFactory(at=T0, colour="red", region=other.region)

    counts_rebuild(day=day)
    first = sorted(DailyStats.objects.filter(day=day).values_list(
        "region", "checkins", "red_at_door", "yellow_at_door", "remote_checks", "red_remote"
    ), key=str)  # fmt: skip
    counts_rebuild(day=day)
    second = sorted(DailyStats.objects.filter(day=day).values_list(
        "region", "checkins", "red_at_door", "yellow_at_door", "remote_checks", "red_remote"
    ), key=str)  # fmt: skip

    assert first == second
    assert sorted(first, key=str) == sorted(
        [
            (venue.region_id, 3, 1, 1, 0, 0),
            (other.region_id, 1, 1, 0, 1, 1),
            (None, 0, 0, 0, 2, 1),  # remote checks tied to no region
        ],
        key=str,
    )
    assert DailyStats.objects.count() == 3


def test_r_ci_9_a_recomputed_day_drops_counts_that_no_row_supports(venue):
    day = T0.date()
    stale = DailyStats.objects.create(region=venue.region, day=day, checkins=7, red_at_door=2)

    counts_rebuild(day=day)

    assert not DailyStats.objects.filter(pk=stale.pk).exists()
