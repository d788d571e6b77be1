"""What confirming a violation would bring, shown to the confirming inspector before he
decides (R-MN-3, R-MN-6): decided by the same rule as the confirmation itself."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from monitoring.models import Sanction, SanctionKind, ViolationKind
from monitoring.selectors import sanction_previews
from monitoring.services import violations
from monitoring.tests.factories import InspectorFactory, OutageFactory, ViolationFactory, exclusion
from statuses.tests.factories import local
from visitors.tests.factories import open_venue

pytestmark = pytest.mark.django_db

T0 = local(2021, 6, 1, 12)
LIST = reverse("monitoring:violation_list")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False):
        yield


def as_user(user) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def filed(venue, *, hours_ago: float = 1, kind=ViolationKind.OVER_OCCUPANCY):
    return ViolationFactory(venue=venue, kind=kind, occurred_at=T0 - timedelta(hours=hours_ago))


def previewed_and_confirmed(violation) -> tuple[str, Sanction | None]:
    """The preview's kind, then what the confirmation made: they must agree."""
    preview = sanction_previews([violation], now=T0)[violation.pk]
    kind = "outage" if preview.outage else preview.outcome.kind
    sanction = violations.violation_decide(
        inspector=InspectorFactory(region=violation.venue.region), violation=violation, confirm=True, note="", now=T0
    )
    return kind, sanction


def test_r_mn_3_the_first_exclusion():
    venue = open_venue(now=T0 - timedelta(days=30))
    kind, sanction = previewed_and_confirmed(filed(venue))
    assert (kind, sanction.kind, sanction.ends_at) == ("exclusion", SanctionKind.EXCLUSION, T0 + timedelta(days=14))


def test_r_mn_3_a_warning_for_what_happened_in_test_mode():
    venue = open_venue(now=T0 - timedelta(days=7, hours=2))  # test mode ended 2 hours ago (R-VN-5)
    kind, sanction = previewed_and_confirmed(filed(venue, hours_ago=3))  # during test mode
    assert (kind, sanction.kind) == ("warning", SanctionKind.WARNING)


def test_r_mn_3_a_later_exclusion_is_two_months():
    venue = open_venue(now=T0 - timedelta(days=90))
    exclusion(
        venue, starts_at=T0 - timedelta(days=60), ends_at=T0 - timedelta(days=46), returned_at=T0 - timedelta(days=45)
    )
    violation = filed(venue)
    preview = sanction_previews([violation], now=T0)[violation.pk]
    assert preview.outcome.later
    kind, sanction = previewed_and_confirmed(violation)
    assert (kind, sanction.kind, sanction.ends_at) == ("exclusion", SanctionKind.EXCLUSION, local(2021, 8, 1, 12))


def test_r_mn_3_nothing_new_for_what_happened_before_the_current_sanction():
    venue = open_venue(now=T0 - timedelta(days=90))
    violation = filed(venue, hours_ago=5)
    exclusion(venue, starts_at=T0 - timedelta(hours=2), ends_at=T0 + timedelta(days=14))
    kind, sanction = previewed_and_confirmed(violation)
    assert (kind, sanction) == ("none", None)


def test_r_mn_6_an_outage_spares_a_violation_of_not_checking_statuses():
    venue = open_venue(now=T0 - timedelta(days=90))
    OutageFactory(starts_at=T0 - timedelta(hours=3), ends_at=T0 - timedelta(hours=1))
    kind, sanction = previewed_and_confirmed(filed(venue, hours_ago=2, kind=ViolationKind.NO_STATUS_CHECK))
    assert (kind, sanction) == ("outage", None)
    other = filed(venue, hours_ago=2, kind=ViolationKind.OVER_OCCUPANCY)  # not spared: not about statuses
    assert sanction_previews([other], now=T0)[other.pk].outage is None


def test_the_confirmation_page_says_what_each_confirmation_brings():
    venue = open_venue(now=T0 - timedelta(days=90), name="Кафе «Достық»")
    filed(venue, hours_ago=1)
    OutageFactory(starts_at=T0 - timedelta(hours=3), ends_at=T0 - timedelta(hours=1))
    filed(venue, hours_ago=2, kind=ViolationKind.NO_STATUS_CHECK)
    page = as_user(InspectorFactory(region=venue.region)).get(LIST).content.decode()
    assert page.count('data-preview="exclusion"') == 1 and page.count('data-preview="outage"') == 1
    assert "excludes the venue from Ashyq for 2 weeks" in page
    assert "an outage of the SMS gateway was recorded at that time" in page


def test_the_previews_take_the_same_queries_for_2_or_12_violations(django_assert_max_num_queries):
    venue = open_venue(now=T0 - timedelta(days=90))
    inspector = InspectorFactory(region=venue.region)
    client = as_user(inspector)
    for n in range(2):
        filed(open_venue(now=T0 - timedelta(days=90), region=venue.region), hours_ago=n + 1)
    with django_assert_max_num_queries(20) as few:
        client.get(LIST)
    for n in range(10):
        filed(open_venue(now=T0 - timedelta(days=9 if n % 2 else 90), region=venue.region), hours_ago=n + 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).content.decode().count("data-preview=") == 12
