"""The guard's look-up (R-CI-2): adults only (R-ID-2), audited (R-PR-3), the colour and
nothing else (R-PR-6), red and yellow reported (R-CI-3), and the abuse limits."""

import dataclasses
import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from ashyq.accounts.tests.factories import CitizenFactory, UserFactory
from ashyq.core.models import AuditEvent
from ashyq.identifiers import make_iin, validate_adult_iin
from statuses.persons import person_key
from statuses.tests.factories import ContactFactory, PcrResultFactory, VaccinationFactory, iin, local, synced
from venues.models import Venue
from visitors import rules
from visitors.models import DoorReport, StatusLookup, Visit, VisitWindow
from visitors.services import checkin
from visitors.services import guard as guard_services
from visitors.services.retention import retention_run
from visitors.tasks import door_report_mail
from visitors.tests.factories import GuardFactory, StatusLookupFactory, open_venue

pytestmark = pytest.mark.django_db

T0 = local(2021, 5, 3, 10)
SECOND = timedelta(seconds=1)
MINOR = make_iin(birth_date=date(2003, 5, 4), sex="female", serial=4321)  # 18 on 4 May 2021
JUST_ADULT = make_iin(birth_date=date(2003, 5, 3), sex="male", serial=4322)  # 18 on T0's day


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
    return open_venue(now=T0 - timedelta(days=20), name="Кафе «Дастархан»", address="Алматы, пр. Абая, 10")


@pytest.fixture
def guard(venue):
    return GuardFactory(venue=venue)


def lookup(guard, venue, at=T0, **key):
    return guard_services.guard_lookup(guard=guard, venue=venue, entrance=venue.entrances.first(), now=at, **key)


# --- R-CI-2 the look-up and its check-in ------------------------------------------------------------


def test_r_ci_2_a_guard_entry_shows_the_colour_and_records_the_check_in(guard, venue):
    pcr = PcrResultFactory(iin=iin(1), positive=False, sampled_at=T0 - timedelta(hours=10))

    answer = lookup(guard, venue, iin=iin(1))

    visit = Visit.objects.get()
    assert (answer.colour, answer.valid_until, answer.fresh, answer.last_sync_at) == (
        "green",
        pcr.sampled_at + timedelta(hours=72),
        True,
        T0,
    )
    assert (answer.counted, answer.instruction, answer.occupancy.inside) == (True, "", 1)
    assert (visit.method, visit.person, visit.user, visit.entrance) == (
        "guard",
        person_key(iin=iin(1)),
        None,
        venue.entrances.first(),
    )


def test_r_ci_2_a_foreigner_is_looked_up_by_passport_and_country(guard, venue):
    PcrResultFactory(
        iin=None, person=person_key(passport="C01X00T47", country="DE"), sampled_at=T0 - timedelta(hours=1)
    )

    answer = lookup(guard, venue, passport="c01x 00t47", country="de")

    assert answer.colour == "green"
    assert Visit.objects.get().person == person_key(passport="C01X00T47", country="DE")


def test_r_ci_2_stale_data_is_never_shown_as_fresh(guard, venue):
    synced(T0 - timedelta(minutes=31))

    answer = lookup(guard, venue, iin=iin(1))

    assert (answer.fresh, answer.last_sync_at) == (False, T0 - timedelta(minutes=31))


def test_r_ci_5_a_guards_double_entry_is_one_visit(guard, venue):
    first = lookup(guard, venue, iin=iin(1))
    second = lookup(guard, venue, iin=iin(1), at=T0 + timedelta(minutes=1))

    assert (first.counted, second.counted) == (True, False)
    assert Visit.objects.count() == 1
    assert StatusLookup.objects.count() == 2  # each look-up is audited all the same


def test_a_guard_of_another_venue_or_a_citizen_cannot_look_up_at_this_venue(guard, venue):
    other = open_venue(now=T0 - timedelta(days=20))
    other_guard = GuardFactory(venue=other)
    citizen = CitizenFactory(iin=iin(9))

    for user in (other_guard, citizen):
        with pytest.raises(PermissionDenied):
            lookup(user, venue, iin=iin(1))
    with pytest.raises(PermissionDenied):  # an entrance of another venue
        guard_services.guard_lookup(guard=guard, venue=venue, entrance=other.entrances.first(), iin=iin(1), now=T0)

    assert not StatusLookup.objects.exists()
    assert not Visit.objects.exists()


# --- R-ID-2 adults only, R-ID-1 valid IINs -----------------------------------------------------------


def test_r_id_2_a_minor_is_refused_and_nothing_is_stored(guard, venue):
    with pytest.raises(ValidationError) as refused:
        lookup(guard, venue, iin=MINOR)

    assert refused.value.code == "minor"
    assert not StatusLookup.objects.exists()
    assert not Visit.objects.exists()
    assert not VisitWindow.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="visitors.").exists()


def test_r_id_2_on_the_18th_birthday_the_visitor_is_an_adult(guard, venue):
    assert lookup(guard, venue, iin=JUST_ADULT).counted is True


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ({"iin": iin(1)[:11] + str((int(iin(1)[11]) + 1) % 10)}, "checksum"),
        ({"iin": "12345"}, "length"),
        ({"passport": "N1", "country": "DE"}, "passport"),
        ({"passport": "N123456", "country": "Germany"}, "country"),
        ({"passport": "N123456"}, "country"),
        ({}, "required"),
    ],
)
def test_r_ci_7_an_invalid_identifier_is_refused_with_its_reason_and_nothing_is_stored(guard, venue, key, code):
    with pytest.raises(ValidationError) as refused:
        lookup(guard, venue, **key)

    assert refused.value.code == code
    assert not StatusLookup.objects.exists()
    assert not Visit.objects.exists()


def test_r_ci_7_a_venue_with_its_codes_revoked_answers_no_colour(guard, venue):
    from venues.models import QrCode

    QrCode.objects.filter(entrance__venue=venue).update(revoked_at=T0)
    PcrResultFactory(iin=iin(1), positive=True, sampled_at=T0 - timedelta(days=1))

    with pytest.raises(checkin.VenueRefused):
        lookup(guard, venue, iin=iin(1))

    assert not StatusLookup.objects.exists()  # no status was looked up


# --- R-PR-3 / R-PR-4 audit of look-ups ------------------------------------------------------------------


def test_r_pr_3_every_look_up_records_who_when_which_venue_and_the_colour(guard, venue, clock):
    ContactFactory(iin=iin(1), contact_date=date(2021, 5, 1), registered_at=T0 - timedelta(hours=3))
    lookup(guard, venue, iin=iin(1))
    clock.move_to(T0 + timedelta(hours=1))
    lookup(guard, venue, iin=iin(1), at=T0 + timedelta(hours=1))

    rows = list(StatusLookup.objects.order_by("at").values_list("actor", "venue", "at", "colour", "person"))
    assert rows == [
        (guard.pk, venue.pk, T0, "yellow", person_key(iin=iin(1))),
        (guard.pk, venue.pk, T0 + timedelta(hours=1), "yellow", person_key(iin=iin(1))),
    ]


def test_r_pr_4_the_person_looked_up_sees_the_look_up_with_venue_time_and_colour(guard, venue):
    from visitors.selectors import lookups_of

    lookup(guard, venue, iin=iin(1))
    lookup(guard, venue, iin=iin(2))

    mine = list(lookups_of(person_key(iin=iin(1)), now=T0))
    assert [(row.venue.name, row.at, row.colour) for row in mine] == [(venue.name, T0, "blue")]


# --- R-PR-6 the colour and nothing else -----------------------------------------------------------------


def _records_for_every_colour():
    PcrResultFactory(iin=iin(1), positive=True, sampled_at=T0 - timedelta(days=2))  # red
    ContactFactory(iin=iin(2), contact_date=date(2021, 5, 1), registered_at=T0 - timedelta(hours=5))  # yellow
    VaccinationFactory(iin=iin(3), administered_on=date(2021, 3, 1))  # green
    PcrResultFactory(iin=iin(4), positive=False, sampled_at=T0 - timedelta(days=5))  # blue: an old negative PCR
    return {"red": iin(1), "yellow": iin(2), "green": iin(3), "blue": iin(4), "unknown": iin(5)}


def test_r_pr_6_every_answer_has_the_same_fields_and_none_holds_a_name_a_birth_date_or_the_iin(guard, venue):
    people = _records_for_every_colour()
    for n, number in enumerate(people.values()):  # the persons have accounts with names
        CitizenFactory(iin=number, first_name=f"Айгерим{n}", last_name=f"Сапарова{n}")

    answers = {name: lookup(guard, venue, iin=number) for name, number in people.items()}

    assert {name: a.colour for name, a in answers.items()} == {
        "red": "red",
        "yellow": "yellow",
        "green": "green",
        "blue": "blue",
        "unknown": "blue",
    }
    field_names = {tuple(f.name for f in dataclasses.fields(a)) for a in answers.values()}
    assert field_names == {
        ("colour", "valid_until", "fresh", "last_sync_at", "instruction", "counted", "occupancy", "full", "reopened")
    }
    for n, (name, answer) in enumerate(answers.items()):
        number = people[name]
        birth = validate_adult_iin(number, on=T0.date()).birth_date
        text = repr(dataclasses.replace(answer, instruction=str(answer.instruction)))
        for secret in (
            number,
            number[:6],
            number[-4:],
            birth.isoformat(),
            f"{birth:%d.%m.%Y}",
            f"datetime.date({birth.year}, {birth.month}, {birth.day})",
            f"Айгерим{n}",
            f"Сапарова{n}",
        ):
            assert secret not in text, (name, secret)


def test_r_pr_6_an_unknown_person_and_a_blue_one_get_the_same_answer_by_the_same_queries(guard, venue):
    people = _records_for_every_colour()
    # The venue's occupancy rules are kept in the cache after its first look-up (per venue
    # and day, whoever the visitor): both look-ups below find them there.
    lookup(guard, venue, iin=people["green"])

    with CaptureQueriesContext(connection) as blue_queries:
        blue = lookup(guard, venue, iin=people["blue"])
    with CaptureQueriesContext(connection) as unknown_queries:
        unknown = lookup(guard, venue, iin=people["unknown"])

    assert dataclasses.replace(blue, occupancy=None) == dataclasses.replace(unknown, occupancy=None)
    assert _shapes(blue_queries) == _shapes(unknown_queries)


def _shapes(queries) -> list[str]:
    """Each statement with its values and savepoint names blanked: the same SQL, whoever
    was looked up."""
    shapes = []
    for query in queries.captured_queries:
        sql = re.sub(r'"s\d+_x\d+"', "sp", query["sql"])
        sql = re.sub(r"'[^']*'", "?", sql)
        shapes.append(re.sub(r"\b\d+\b", "?", sql))
    return shapes


# --- R-CI-3 red or yellow at the door -----------------------------------------------------------------------


@pytest.fixture
def officers(venue):
    region = venue.region
    return {
        "officer": UserFactory(role="sanitary", region=region, email="officer@ses.kz"),
        "second": UserFactory(role="sanitary", region=region, email="second@ses.kz"),
        "inactive": UserFactory(role="sanitary", region=region, email="gone@ses.kz", is_active=False),
        "no_mail": UserFactory(role="sanitary", region=region, email=""),
        "elsewhere": UserFactory(role="sanitary", region=open_venue().region, email="other@ses.kz"),
        "akimat": UserFactory(role="akimat", region=region, email="akimat@almaty.kz"),
    }


def test_r_ci_3_red_at_the_door_tells_the_guard_and_reports_to_the_regions_officers_by_mail(
    guard, venue, officers, mailoutbox, django_capture_on_commit_callbacks
):
    PcrResultFactory(iin=iin(1), positive=True, sampled_at=T0 - timedelta(days=2))
    CitizenFactory(iin=iin(1), first_name="Ержан", last_name="Ахметов")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = lookup(guard, venue, iin=iin(1))

    report = DoorReport.objects.get()
    with translation.override("en"):  # lazy: shown in the guard's language
        assert "Do not admit" in str(answer.instruction)
    assert (report.venue, report.region, report.at, report.colour) == (venue, venue.region, T0, "red")
    assert len(queued) == 1  # the mail is queued after the commit, never inside the transaction

    sent = door_report_mail(report.pk)
    again = door_report_mail(report.pk)

    assert (sent, again) == (2, 0)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == ["officer@ses.kz", "second@ses.kz"]
    body = mail.subject + mail.body
    for shown in (venue.name, venue.address, "03.05.2021 10:00"):
        assert shown in body
    for hidden in (iin(1), iin(1)[-4:], "Ержан", "Ахметов", "1975"):
        assert hidden not in body


def test_r_ci_3_yellow_is_reported_green_and_blue_are_not_and_a_rescan_reports_nothing_more(guard, venue, clock):
    people = _records_for_every_colour()
    for name in ("yellow", "green", "blue", "unknown"):
        lookup(guard, venue, iin=people[name])
    lookup(guard, venue, iin=people["yellow"], at=T0 + timedelta(minutes=5))  # R-CI-5: the same visit

    assert list(DoorReport.objects.values_list("colour", flat=True)) == ["yellow"]


def test_r_ci_3_a_report_with_nobody_to_mail_in_its_region_sends_nothing(guard, venue, mailoutbox):
    report = DoorReport.objects.create(venue=venue, region=venue.region, at=T0, colour="red")

    assert door_report_mail(report.pk) == 0
    assert door_report_mail(10**9) == 0  # a report that is gone: nothing to do
    assert mailoutbox == []


# --- Abuse limits: per venue and per company, never per guard phone -------------------------------------


def test_the_30th_look_up_in_a_minute_is_answered_and_the_31st_refused_until_the_window_slides(guard, venue, clock):
    start = T0
    for n in range(30):
        at = start + timedelta(seconds=n)
        clock.move_to(at)
        lookup(guard, venue, iin=iin(100 + n), at=at)
    clock.move_to(start + timedelta(seconds=59))

    with pytest.raises(guard_services.RateLimited) as limited, translation.override("en"):
        lookup(guard, venue, iin=iin(200), at=start + timedelta(seconds=59))
    clock.move_to(start + timedelta(seconds=60))
    answer = lookup(guard, venue, iin=iin(200), at=start + timedelta(seconds=60))  # the first left the window

    assert (limited.value.limit, limited.value.retry_after_seconds) == ("venue_minute", 1)
    with translation.override("en"):
        assert "Wait 1 second and try again" in str(limited.value.message)
    assert answer.counted is True
    assert StatusLookup.objects.count() == 31


def test_a_new_guard_phone_keeps_the_venues_counts(guard, venue, clock):
    """The attack: swapping the guard phone gave a fresh allowance (four phones, 120
    answers in 11 seconds). The venue's minute is the venue's, whatever the phone."""
    for n in range(30):
        lookup(guard, venue, iin=iin(100 + n), at=T0 + n * SECOND / 3)
    at = T0 + timedelta(seconds=11)
    clock.move_to(at)
    Venue.objects.filter(pk=venue.pk).update(guard_phone=None, guard_consent="")
    fresh = GuardFactory(venue=venue)  # the owner names another phone, its holder accepts
    with pytest.raises(guard_services.RateLimited) as limited:
        lookup(fresh, venue, iin=iin(300), at=at)
    assert limited.value.limit == "venue_minute"
    assert StatusLookup.objects.count() == 30


def test_the_venues_day_is_bounded_by_its_capacity(guard, venue, settings, clock):
    settings.VENUE_LOOKUPS_PER_SEAT, settings.VENUE_LOOKUPS_DAY_MIN = 2, 3
    Venue.objects.filter(pk=venue.pk).update(capacity=2)
    venue.capacity = 2
    operator = UserFactory(role="operator")
    for hours in (0, 1, 2, 3):
        StatusLookupFactory(actor=operator, venue=venue, at=T0 - timedelta(hours=23 - hours))

    with pytest.raises(guard_services.RateLimited) as limited, translation.override("en"):
        lookup(guard, venue, iin=iin(1))
    clock.move_to(T0 + timedelta(hours=1))
    later = lookup(guard, venue, iin=iin(1), at=T0 + timedelta(hours=1))

    assert (limited.value.limit, limited.value.retry_after_seconds) == ("venue_day", 3600)
    assert "This venue has reached its limit of look-ups for today" in str(limited.value.message)
    assert later.counted is True


def test_the_daily_cap_follows_the_capacity_with_a_floor(settings):
    settings.VENUE_LOOKUPS_PER_SEAT, settings.VENUE_LOOKUPS_DAY_MIN = 10, 100
    assert [rules.venue_lookups_per_day(capacity) for capacity in (1, 10, 11, 500)] == [100, 100, 110, 5000]


def _sister(venue, **fields):
    """Another venue of the same company, at the same address (one notification
    approved seven of them), with a guard of its own."""
    sister = open_venue(now=T0 - timedelta(days=20), company=venue.company, **fields)
    return sister, GuardFactory(venue=sister)


def test_a_companys_venues_share_its_minute(guard, venue, settings, clock):
    """The attack: one notification approved seven venues at one address, each with its
    own guard and its own allowance. The company's minute is one for all of them."""
    settings.COMPANY_LOOKUPS_PER_MINUTE = 40
    sisters = [_sister(venue, name=f"Кафе {n}") for n in range(3)]
    answered = 0
    for n, (place, door_guard) in enumerate([(venue, guard), *sisters] * 15):
        try:
            lookup(door_guard, place, iin=iin(400 + n), at=T0 + n * SECOND / 10)
            answered += 1
        except guard_services.RateLimited as refused:
            assert refused.limit == "company_minute"
    assert answered == 40


def test_a_companys_day(guard, venue, settings):
    settings.COMPANY_LOOKUPS_PER_DAY = 2
    sister, sister_guard = _sister(venue, name="Кафе «Второе»")
    lookup(guard, venue, iin=iin(1))
    lookup(sister_guard, sister, iin=iin(2))
    with pytest.raises(guard_services.RateLimited) as limited:
        lookup(guard, venue, iin=iin(3))
    assert limited.value.limit == "company_day"


def test_a_refused_look_up_stores_nothing_about_the_person(guard, venue, settings):
    settings.VENUE_LOOKUPS_PER_MINUTE = 1
    lookup(guard, venue, iin=iin(1))

    with pytest.raises(guard_services.RateLimited):
        lookup(guard, venue, iin=iin(2))

    assert list(StatusLookup.objects.values_list("person", flat=True)) == [person_key(iin=iin(1))]
    assert Visit.objects.count() == 1


def test_the_venues_minute_limit_counts_every_look_up_at_the_venue(guard, venue, settings):
    settings.VENUE_LOOKUPS_PER_MINUTE = 3
    operator = UserFactory(role="operator")
    for seconds in (50, 40, 30):
        StatusLookupFactory(actor=operator, venue=venue, at=T0 - timedelta(seconds=seconds))

    with pytest.raises(guard_services.RateLimited) as limited:
        lookup(guard, venue, iin=iin(1))

    assert (limited.value.limit, limited.value.retry_after_seconds) == ("venue_minute", 10)


def test_hitting_the_minute_limit_twice_in_an_hour_flags_a_suspected_enumeration(guard, venue, settings, clock, caplog):
    settings.VENUE_LOOKUPS_PER_MINUTE = 2

    def burst(at, first, who):
        clock.move_to(at)
        for n in range(4):  # two answered, two refused
            try:
                lookup(who, venue, iin=iin(first + n), at=at)
            except guard_services.RateLimited:
                pass

    burst(T0, 300, guard)
    about_venue = AuditEvent.objects.filter(object_type="venues.venue", object_id=str(venue.pk))
    mine = about_venue.filter(action__startswith="visitors.").order_by("at", "id")
    once = list(mine.values_list("action", flat=True))
    # Another phone for the second burst: the alarm is the venue's, not the phone's.
    Venue.objects.filter(pk=venue.pk).update(guard_phone=None, guard_consent="")
    other = GuardFactory(venue=venue)
    burst(T0 + timedelta(minutes=30), 400, other)
    burst(T0 + timedelta(minutes=40), 500, other)

    actions = list(mine.values_list("action", flat=True))
    assert once == ["visitors.lookup_limit_venue_minute"]  # one row per minute, however many refusals
    assert actions == [
        "visitors.lookup_limit_venue_minute",
        "visitors.lookup_limit_venue_minute",
        "visitors.guard_enumeration_suspected",
        "visitors.lookup_limit_venue_minute",
    ]
    flagged = AuditEvent.objects.get(action="visitors.guard_enumeration_suspected")
    assert (flagged.actor, flagged.object_id, flagged.details) == (
        other,
        str(venue.pk),
        {"reason": "limit_twice", "venue": venue.pk},
    )
    assert "possible enumeration" in caplog.text and other.phone not in caplog.text  # masked (R-ID-5)


def born_on(day: date, serial: int) -> str:
    return make_iin(birth_date=day, sex="male", serial=serial)


def enumeration_flags():
    return AuditEvent.objects.filter(action="visitors.guard_enumeration_suspected")


def test_five_different_people_born_on_one_day_within_an_hour_flag_a_suspected_enumeration(guard, venue, clock, caplog):
    day = date(1980, 1, 1)
    for serial in range(1, 5):
        clock.move_to(T0 + timedelta(minutes=serial))
        lookup(guard, venue, iin=born_on(day, serial), at=T0 + timedelta(minutes=serial))
    assert not enumeration_flags().exists()  # four share a birthday: it happens

    clock.move_to(T0 + timedelta(minutes=5))
    lookup(guard, venue, iin=born_on(day, 5), at=T0 + timedelta(minutes=5))
    flagged = enumeration_flags().get(object_type="venues.venue")
    assert (flagged.actor, flagged.details) == (guard, {"reason": "same_birth_date", "venue": venue.pk})
    assert enumeration_flags().filter(object_type="venues.company", object_id=str(venue.company_id)).exists()
    assert "possible enumeration" in caplog.text and born_on(day, 5) not in caplog.text


def test_spreading_a_birth_date_over_guards_and_venues_still_flags_the_company(guard, venue, clock):
    """The attack: the alarm was per guard, evaded by spreading one birth date's serial
    numbers over several phones. Now the venue and its company count, whoever typed."""
    day = date(1980, 1, 1)
    sisters = [_sister(venue, name=f"Кафе {n}") for n in range(4)]
    for serial, (place, door_guard) in enumerate([(venue, guard), *sisters], start=1):
        at = T0 + timedelta(minutes=serial)
        clock.move_to(at)
        lookup(door_guard, place, iin=born_on(day, serial), at=at)
    assert enumeration_flags().filter(object_type="venues.company", object_id=str(venue.company_id)).exists()
    assert not enumeration_flags().filter(object_type="venues.venue").exists()  # one each: no venue alone


def test_the_same_person_again_or_a_birthday_an_hour_old_does_not_count(guard, venue, clock):
    day = date(1980, 1, 1)
    lookup(guard, venue, iin=born_on(day, 1), at=T0)  # exactly one hour before the last
    for minute in range(1, 5):
        clock.move_to(T0 + timedelta(minutes=minute))
        lookup(guard, venue, iin=born_on(day, 2), at=T0 + timedelta(minutes=minute))  # one person, four times
    for serial in (3, 4, 5):
        at = T0 + timedelta(minutes=57 + serial)
        clock.move_to(at)
        lookup(guard, venue, iin=born_on(day, serial), at=at)
    # At T0 + 1 h: persons 2, 3, 4, 5 within the hour; person 1 left it at this moment.
    assert not enumeration_flags().exists()


def test_the_birth_date_hash_goes_with_the_look_up(guard, venue, clock):
    lookup(guard, venue, iin=born_on(date(1980, 1, 1), 1), at=T0)
    assert StatusLookup.objects.get().birth_key
    retention_run(now=T0 + timedelta(days=28, seconds=1))
    assert not StatusLookup.objects.exists()


# The answer card's machine-readable attributes: the colour, its validity and freshness,
# the door's instruction, and the venue's own counts — nothing about the person.
ANSWER_ATTRIBUTES = {
    "data-status",
    "data-stale",
    "data-instruction",
    "data-not-counted",
    "data-error",
    "data-allowed",
    "data-inside",
}


def test_r_pr_6_the_answer_card_the_guard_receives_holds_only_allowed_fields(guard, venue):
    """What reaches the guard's phone over HTTP, for every colour and an
    unknown person: only allow-listed attributes, and no name, IIN or birth date."""
    people = _records_for_every_colour()
    for n, number in enumerate(people.values()):
        CitizenFactory(iin=number, first_name=f"Айгерим{n}", last_name=f"Сапарова{n}")
    client = Client()
    client.force_login(guard)
    for n, (name, number) in enumerate(people.items()):
        response = client.post(
            reverse("checkin:guard_lookup"),
            {"entrance": venue.entrances.first().pk, "iin": number, "consent": "on"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, name
        card = response.content.decode()
        assert set(re.findall(r"\b(data-[a-z-]+)=", card)) <= ANSWER_ATTRIBUTES, name
        birth = validate_adult_iin(number, on=T0.date()).birth_date
        for secret in (number, number[:6], f"{birth:%d.%m.%Y}", f"Айгерим{n}", f"Сапарова{n}"):
            assert secret not in card, (name, secret)
