"""Issuing QR codes (R-VN-4, R-VN-5) and guard mode (R-VN-7): the writes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ashyq.accounts.models import Role, User
from ashyq.accounts.tests.factories import CitizenFactory
from ashyq.core.models import AuditEvent
from venues.codes.services import codes_issue, guard_consent_answer, guard_mode_disable, guard_mode_enable
from venues.models import Direction, QrCode, Venue
from venues.tests.factories import EntranceFactory, VenueFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2021, 5, 3, 10, 0, tzinfo=ZoneInfo("Asia/Almaty"))
PHONE = "+77051112233"


@pytest.fixture
def venue():
    venue = VenueFactory()
    EntranceFactory(venue=venue, name="Главный вход", position=0)
    EntranceFactory(venue=venue, name="Со двора", position=1)
    return venue


def live(venue):
    return QrCode.objects.filter(entrance__venue=venue, revoked_at__isnull=True)


def test_first_issue_gives_every_entrance_an_entry_and_an_exit_code_and_starts_test_mode(venue):
    owner = venue.company.owner
    codes = codes_issue(venue=venue, actor=owner, now=T0)
    assert sorted((c.entrance.name, c.direction) for c in codes) == [
        ("Главный вход", Direction.ENTRY),
        ("Главный вход", Direction.EXIT),
        ("Со двора", Direction.ENTRY),
        ("Со двора", Direction.EXIT),
    ]
    assert {c.issue for c in codes} == {1}
    venue.refresh_from_db()
    assert venue.codes_first_issued_at == T0  # R-VN-5
    event = AuditEvent.objects.get(action="venues.codes_issued")
    assert (event.actor, event.object_id, event.details["codes"]) == (owner, str(venue.pk), 4)


def test_reissue_revokes_the_old_codes_and_keeps_test_mode_running(venue):
    owner = venue.company.owner
    first = codes_issue(venue=venue, actor=owner, now=T0)
    later = T0 + timedelta(days=3)
    second = codes_issue(venue=venue, actor=owner, now=later)
    assert {c.issue for c in second} == {2}
    assert set(live(venue).values_list("pk", flat=True)) == {c.pk for c in second}
    assert set(QrCode.objects.filter(pk__in=[c.pk for c in first]).values_list("revoked_at", flat=True)) == {later}
    venue.refresh_from_db()
    assert venue.codes_first_issued_at == T0  # a re-issue does not restart test mode
    assert AuditEvent.objects.get(action="venues.codes_reissued").details["revoked"] == 4


def test_the_callers_venue_learns_when_codes_were_first_issued(venue):
    codes_issue(venue=venue, actor=None, now=T0)
    assert venue.codes_first_issued_at == T0


def test_a_new_entrance_gets_codes_at_the_next_issue(venue):
    codes_issue(venue=venue, actor=None, now=T0)
    EntranceFactory(venue=venue, name="Летняя терраса", position=2)
    codes = codes_issue(venue=venue, actor=None, now=T0 + timedelta(hours=1))
    assert len(codes) == 6
    assert live(venue).count() == 6


def test_issues_count_per_venue(venue):
    other = EntranceFactory().venue
    codes_issue(venue=other, actor=None, now=T0)
    codes_issue(venue=other, actor=None, now=T0)
    assert {c.issue for c in codes_issue(venue=venue, actor=None, now=T0)} == {1}


# --- Guard mode --------------------------------------------------------------------------


def test_enabling_guard_mode_names_the_phone_pending_and_makes_no_account(venue):
    named = guard_mode_enable(venue=venue, phone=PHONE, actor=venue.company.owner, now=T0)
    venue.refresh_from_db()
    assert (venue.guard_phone, venue.guard_consent, venue.guard_named_at) == (PHONE, "pending", T0)
    assert named.pk == venue.pk
    assert not User.objects.filter(phone=PHONE).exists()
    event = AuditEvent.objects.get(action="venues.guard_mode_enabled")
    assert PHONE not in str(event.details)  # masked


def test_naming_the_same_phone_again_keeps_its_answer(venue):
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0)
    guard_consent_answer(venue_id=venue.pk, phone=PHONE, accept=True, actor=None, now=T0)
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0 + timedelta(hours=1))
    venue.refresh_from_db()
    assert venue.guard_consent == "accepted"


def test_changing_the_phone_asks_the_new_holder(venue):
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0)
    guard_consent_answer(venue_id=venue.pk, phone=PHONE, accept=True, actor=None, now=T0)
    guard_mode_enable(venue=venue, phone="+77059998877", actor=None, now=T0)
    venue.refresh_from_db()
    assert (venue.guard_phone, venue.guard_consent, venue.guard_answered_at) == ("+77059998877", "pending", None)


def test_a_phone_of_any_account_may_be_named_and_nothing_of_it_changes(venue):
    account = CitizenFactory(phone=PHONE)
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0)
    guard_mode_disable(venue=venue, actor=None, now=T0)
    account.refresh_from_db()
    assert account.is_active and account.role == Role.CITIZEN


def test_two_venues_may_ask_one_phone_and_it_guards_one(venue):
    other = VenueFactory()
    guard_mode_enable(venue=other, phone=PHONE, actor=None, now=T0)
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0)
    guard_consent_answer(venue_id=other.pk, phone=PHONE, accept=True, actor=None, now=T0)
    guard_consent_answer(venue_id=venue.pk, phone=PHONE, accept=True, actor=None, now=T0)
    assert dict(Venue.objects.filter(guard_phone=PHONE).values_list("pk", "guard_consent")) == {
        other.pk: "declined",
        venue.pk: "accepted",
    }


def test_disabling_when_off_changes_nothing(venue):
    guard_mode_disable(venue=venue, actor=None, now=T0)
    assert not AuditEvent.objects.filter(action="venues.guard_mode_disabled").exists()
