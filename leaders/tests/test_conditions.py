"""Operating conditions of a venue on a day (R-OP-1, R-OP-2) and the leader shift
(R-LD-5), with the visitors' occupancy hook and the owner's venue page that use them."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation

from ashyq.reference.models import OperatingRule, Zone
from ashyq.reference.tests.factories import CategoryFactory, RegionFactory, ZoneChangeFactory
from leaders.conditions import Terms, conditions_for, extend, leader_shift
from monitoring.models import Sanction, SanctionKind
from monitoring.tests.factories import ViolationFactory
from venues.tests.factories import CompanyFactory, VenueFactory
from visitors.selectors import allowed_percent

ALMATY = ZoneInfo("Asia/Almaty")
DAY = date(2021, 5, 10)
ISSUED = datetime(2021, 5, 1, 10, 0, tzinfo=ALMATY)  # test mode over on DAY
# zone -> (participants, others) as (may_open, opens, closes, %): the demo shape.
TABLE = {
    Zone.GREEN: ((True, time(8), time(2), 80), (True, time(8), time(0), 50)),
    Zone.YELLOW: ((True, time(8), time(0), 50), (True, time(8), time(22), 30)),
    Zone.RED: ((True, time(8), time(22), 30), (False, None, None, 0)),
}


def rules_for(category):
    OperatingRule.objects.bulk_create(
        OperatingRule(
            category=category,
            zone=zone,
            for_participants=for_participants,
            may_open=row[0],
            opens_at=row[1],
            closes_at=row[2],
            occupancy_percent=row[3],
        )
        for zone, rows in TABLE.items()
        for for_participants, row in zip((True, False), rows, strict=True)
    )
    return category


def venue_in(zone, *, category=None, issued=ISSUED, **kwargs):
    region = RegionFactory()
    ZoneChangeFactory(region=region, zone=zone, effective_from=date(2021, 5, 5))
    category = category or rules_for(CategoryFactory())
    return VenueFactory(region=region, category=category, codes_first_issued_at=issued, **kwargs)


def terms(conditions):
    return conditions.may_open, conditions.opens_at, conditions.closes_at, conditions.occupancy_percent


@pytest.mark.django_db
@pytest.mark.parametrize("zone", [Zone.GREEN, Zone.YELLOW, Zone.RED])
def test_participant_gets_the_participants_row_and_others_the_others_row(zone):
    participant = conditions_for(venue_in(zone), DAY)
    other = conditions_for(venue_in(zone, issued=None), DAY)
    assert terms(participant) == TABLE[zone][0] and participant.participant
    assert terms(other) == TABLE[zone][1] and not other.participant
    assert participant.zone == participant.effective_zone == zone
    assert not participant.leader


@pytest.mark.django_db
def test_codes_issued_after_the_day_do_not_make_a_participant_yet():
    venue = venue_in(Zone.RED, issued=datetime(2021, 5, 11, 0, 0, tzinfo=ALMATY))
    assert conditions_for(venue, DAY).may_open is False
    assert conditions_for(venue, date(2021, 5, 11)).may_open is True


@pytest.mark.django_db
def test_test_mode_counts_as_participating():
    # R-VN-5: codes issued the day before, the venue is in test mode on DAY.
    venue = venue_in(Zone.RED, issued=datetime(2021, 5, 9, 18, 0, tzinfo=ALMATY))
    assert venue.in_test_mode_on(DAY)
    conditions = conditions_for(venue, DAY)
    assert conditions.participant and terms(conditions) == TABLE[Zone.RED][0]


@pytest.mark.django_db
def test_volunteer_gets_the_others_conditions():
    venue = venue_in(Zone.YELLOW, category=rules_for(CategoryFactory(volunteer=True)))
    conditions = conditions_for(venue, DAY)
    assert not conditions.participant
    assert terms(conditions) == TABLE[Zone.YELLOW][1]


@pytest.mark.django_db
def test_excluded_venue_loses_the_participants_preferences():
    # R-MN-4: excluded at local midnight of the day → others' conditions.
    venue = venue_in(Zone.RED)
    midnight = datetime(2021, 5, 10, 0, 0, tzinfo=ALMATY)
    Sanction.objects.create(
        venue=venue,
        violation=ViolationFactory(venue=venue),
        kind=SanctionKind.EXCLUSION,
        starts_at=midnight,
        ends_at=midnight + timedelta(days=14),
    )
    assert conditions_for(venue, DAY - timedelta(days=1)).may_open is True
    excluded = conditions_for(venue, DAY)
    assert not excluded.participant and excluded.may_open is False
    assert allowed_percent(venue, DAY) == 0  # the guard page's limit follows (R-OP-2)


@pytest.mark.django_db
def test_the_zone_change_takes_effect_on_its_date():
    venue = venue_in(Zone.GREEN)
    ZoneChangeFactory(region=venue.region, zone=Zone.RED, effective_from=DAY)
    assert conditions_for(venue, DAY - timedelta(days=1)).zone == Zone.GREEN
    assert conditions_for(venue, DAY - timedelta(days=1)).occupancy_percent == 80
    on_day = conditions_for(venue, DAY)
    assert on_day.zone == Zone.RED and on_day.occupancy_percent == 30
    assert allowed_percent(venue, DAY) == 30


@pytest.mark.django_db
def test_reasons_name_the_zone_its_date_and_the_participation():
    with translation.override("en"):
        reasons = conditions_for(venue_in(Zone.YELLOW), DAY).reasons
    assert reasons[0] == "Region in the yellow zone since 5 May 2021"
    assert "Participant of Ashyq" in reasons


@pytest.mark.django_db
def test_no_rule_row_falls_back_to_the_default_and_says_so():
    venue = venue_in(Zone.GREEN, category=CategoryFactory())
    conditions = conditions_for(venue, DAY)
    assert terms(conditions) == (True, time(8), time(23), 100)
    assert len(conditions.reasons) == 3


@pytest.mark.django_db
def test_one_rule_per_category_zone_and_participation():
    category = rules_for(CategoryFactory())
    with pytest.raises(IntegrityError):
        OperatingRule.objects.create(
            category=category, zone=Zone.RED, for_participants=True, may_open=False, occupancy_percent=0
        )


@pytest.mark.django_db
def test_seeded_table_covers_every_category_zone_and_participation():
    # Migration 0004 (demo values): 3 zones × participants/others per category.
    from ashyq.reference import data

    assert OperatingRule.objects.filter(category__code__in=[c["code"] for c in data.CATEGORIES]).count() == (
        len(data.CATEGORIES) * 6
    )
    hotels = OperatingRule.objects.get(category__code="hotels", zone=Zone.RED, for_participants=False)
    assert hotels.may_open and hotels.opens_at == hotels.closes_at == time(0)


# --- R-LD-5: the leader shift, as a pure function ----------------------------------------


def table_rule_for(zone):
    return Terms(*TABLE[zone][0])


@pytest.mark.parametrize(
    ("zone", "effective", "expected"),
    [
        (Zone.RED, Zone.YELLOW, TABLE[Zone.YELLOW][0]),
        (Zone.YELLOW, Zone.GREEN, TABLE[Zone.GREEN][0]),
        # green: 08:00–02:00 at 80 % → 08:00–04:00 at 90 %
        (Zone.GREEN, Zone.GREEN, (True, time(8), time(4), 90)),
    ],
)
def test_leader_shift_in_each_zone(zone, effective, expected):
    terms_, effective_zone = leader_shift(table_rule_for, zone)
    assert effective_zone == effective
    assert (terms_.may_open, terms_.opens_at, terms_.closes_at, terms_.occupancy_percent) == expected


@pytest.mark.parametrize(
    ("opens", "closes", "percent", "expected_closes", "expected_percent"),
    [
        (time(8), time(23), 90, time(1), 100),  # past midnight; 100 % is the cap
        (time(8), time(6), 95, time(8), 100),  # 22 h → 24 h: round the clock
        (time(8), time(7), 50, time(8), 60),  # 23 h + 2 h is capped at 24 h
        (time(0), time(0), 100, time(0), 100),  # round the clock stays so
    ],
)
def test_green_leader_bonus_is_capped_at_24_hours_and_100_percent(
    opens, closes, percent, expected_closes, expected_percent
):
    extended = extend(Terms(True, opens, closes, percent))
    assert (extended.opens_at, extended.closes_at, extended.occupancy_percent) == (
        opens,
        expected_closes,
        expected_percent,
    )


def test_a_closed_row_stays_closed_for_a_leader():
    assert extend(Terms(False, None, None, 0)).may_open is False


# --- The owner's venue page ---------------------------------------------------------------


@pytest.mark.django_db
def test_venue_page_shows_the_conditions_today(en_client):
    owner = CompanyFactory().owner
    venue = venue_in(Zone.YELLOW, company=owner.companies.get())
    en_client.force_login(owner)
    with time_machine.travel(datetime(2021, 5, 10, 12, 0, tzinfo=ALMATY), tick=False):
        page = en_client.get(reverse("venues:venue_detail", args=[venue.pk])).content.decode()
    assert "Conditions today" in page
    assert "08:00–00:00" in page
    assert "50 % of capacity" in page
    assert "Region in the yellow zone since 5 May 2021" in page
