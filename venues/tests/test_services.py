"""Submission, override and owner sign-up against the mock registries over real HTTP
(R-ID-3, R-VN-1, R-VN-2, R-VN-3, R-REF-4)."""

import re
import uuid
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from ashyq.accounts.models import Role, User
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core.models import AuditEvent
from ashyq.mocks.services import company_set, failure_set, notification_set
from ashyq.reference.models import Zone
from ashyq.reference.tests.factories import (
    AdmissionFactory,
    CategoryFactory,
    OkedCodeFactory,
    RegionFactory,
    ZoneChangeFactory,
)
from ashyq.registries import RegistryUnavailable
from ashyq.sms.models import SmsMessage
from ashyq.sms.services import NoActiveCode, SignInError, WrongCode
from venues import rules, services
from venues.models import Application, ApplicationStatus, ClaimState, Company, Entrance, QrCode, Venue
from venues.standing import rules as standing_rules
from venues.standing.selectors import kind_at
from venues.tests.factories import ApplicationFactory, CompanyFactory

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2021, 5, 10, 12, 0, tzinfo=ALMATY)
ADDRESS = "г. Алматы, ул. Абая, 10"
OKED = "01234"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(registry):
    """A region in the yellow zone, a category admitted there since 26 Apr with its
    OKED code, a company registered with that code and a notification for ADDRESS."""
    region = RegionFactory(name_en="Almaty")
    ZoneChangeFactory(region=region, zone=Zone.YELLOW, effective_from=date(2021, 1, 1))
    category = CategoryFactory(name_en="Cinemas")
    AdmissionFactory(category=category, region=region, admitted_from=date(2021, 4, 26))
    OkedCodeFactory(code=OKED, categories=[category])
    company = CompanyFactory()
    company_set(company.bin, company.name, [OKED])
    notification_set("KZ-1", date(2021, 4, 1), company.bin, ADDRESS)
    return SimpleNamespace(region=region, category=category, company=company, owner=company.owner)


def _data(world, **changes) -> dict:
    return {
        "name": "Кинотеатр «Арман»",
        "address": "Алматы, улица Абая 10",
        "region": world.region,
        "category": world.category,
        "oked": OKED,
        "notification_number": "KZ-1",
        "notification_date": date(2021, 4, 1),
        "capacity": 120,
        "entrances": ["Главный вход", "Выход к парковке"],
        "phone": "+77011234567",
    } | changes


def _submit(world, at=NOW, **changes) -> Application:
    with time_machine.travel(at, tick=False):
        return services.application_submit(
            owner=world.owner, company=world.company, data=_data(world, **changes), now=at
        )


def _failed(application) -> list[str]:
    return [check["code"] for check in application.checks if not check["passed"]]


def _message(application, code: str) -> str:
    return next(check["message"] for check in application.checks if check["code"] == code)


# --- R-VN-3: approval ------------------------------------------------------------------


def test_application_passing_every_check_becomes_a_venue_with_entrances_and_codes(world):
    application = _submit(world)

    assert application.status == ApplicationStatus.APPROVED
    assert all(check["passed"] and check["message"] for check in application.checks)
    venue = Venue.objects.get(application=application)
    assert (venue.company, venue.name, venue.capacity, venue.phone) == (
        world.company,
        "Кинотеатр «Арман»",
        120,
        "+77011234567",
    )
    assert list(venue.entrances.values_list("name", flat=True)) == ["Главный вход", "Выход к парковке"]
    # R-VN-4: an entry and an exit code per entrance, issued at once; R-VN-5 starts.
    assert QrCode.objects.filter(entrance__venue=venue, revoked_at__isnull=True).count() == 4
    assert venue.codes_first_issued_at == NOW
    assert kind_at(venue, NOW) == standing_rules.TEST_MODE_KIND
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"venues.application_approved", "venues.venue_created", "venues.codes_issued"} <= actions


def test_one_notification_serves_one_venue_unless_an_operator_allows_more(world):
    """The attack: one sanitary notification approved seven venues at one address, each
    with a guard and a look-up allowance of its own."""
    first = _submit(world)
    second = _submit(world, name="Кинотеатр «Арман-2»")
    assert first.status == ApplicationStatus.APPROVED
    assert second.status == ApplicationStatus.REFUSED and _failed(second) == ["notification_unused"]
    assert "already serves a venue" in _message(second, "notification_unused")
    assert Venue.objects.count() == 1
    # An operator who checked that it is right allows the second venue.
    operator = UserFactory(role=Role.OPERATOR)
    services.application_override(application=second, actor=operator, reason="Два зала, одно уведомление", now=NOW)
    assert Venue.objects.count() == 2


def test_application_of_another_owners_company_is_not_accepted(world):
    stranger = UserFactory(role=Role.OWNER)
    with pytest.raises(PermissionDenied):
        services.application_submit(owner=stranger, company=world.company, data=_data(world), now=NOW)
    assert not Application.objects.exists()


# --- The same form submitted twice (the back button, a double tap) -------------------------


def test_the_same_form_submitted_again_records_nothing_and_names_the_first_application(world):
    key = uuid.uuid4()
    with time_machine.travel(NOW, tick=False):
        first = services.application_submit(
            owner=world.owner, company=world.company, data=_data(world), now=NOW, idempotency_key=key
        )
        with pytest.raises(services.ApplicationResubmitted) as again:
            services.application_submit(
                owner=world.owner, company=world.company, data=_data(world), now=NOW, idempotency_key=key
            )

    assert again.value.application == first
    assert Application.objects.count() == 1 and Venue.objects.count() == 1
    assert QrCode.objects.count() == 4  # no second set of codes


def test_another_form_of_the_same_owner_is_another_application(world):
    notification_set("KZ-2", date(2021, 4, 1), world.company.bin, ADDRESS)  # one notification, one venue
    second = {"name": "Кинотеатр «Арман-2»", "notification_number": "KZ-2", "phone": "+77011234568"}
    with time_machine.travel(NOW, tick=False):
        for changes in ({}, second):
            services.application_submit(
                owner=world.owner,
                company=world.company,
                data=_data(world, **changes),
                now=NOW,
                idempotency_key=uuid.uuid4(),
            )
    assert Venue.objects.count() == 2


def test_the_back_button_gives_a_new_key_but_the_venue_the_company_has_is_not_made_twice(world):
    """A browser that loads the form again after the back button restores what was
    typed but not the hidden key: the same name and address are the same venue."""
    with time_machine.travel(NOW, tick=False):
        first = _submit(world)
        with pytest.raises(services.ApplicationResubmitted) as again:
            services.application_submit(
                owner=world.owner,
                company=world.company,
                data=_data(world, name="  кинотеатр   «АРМАН» ", address="г. Алматы, ул. Абая, 10", capacity=90),
                now=NOW,
                idempotency_key=uuid.uuid4(),
            )
    assert again.value.application == first and not again.value.same_form
    assert Venue.objects.count() == 1 and Application.objects.count() == 1


def test_a_refused_application_sent_again_as_it_was_is_checked_again(world):
    with time_machine.travel(NOW, tick=False):
        refused = _submit(world, oked="47190")
        again = _submit(world, oked="47190")
    assert refused.status == again.status == ApplicationStatus.REFUSED and refused != again


def test_the_database_refuses_a_second_application_of_one_form(world):
    key = uuid.uuid4()
    first = ApplicationFactory(company=world.company, submitted_by=world.owner, idempotency_key=key)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(company=world.company, submitted_by=world.owner, idempotency_key=key)
    assert Application.objects.get() == first


# --- R-REF-4: admission on the day of filing ---------------------------------------------


@pytest.mark.parametrize(
    ("at", "status"),
    [
        # Admitted from 10 May: 00:05 local time on 10 May is still 9 May in UTC.
        (datetime(2021, 5, 10, 0, 5, tzinfo=ALMATY), ApplicationStatus.APPROVED),
        (datetime(2021, 5, 9, 23, 55, tzinfo=ALMATY), ApplicationStatus.REFUSED),
    ],
)
def test_admission_day_itself_is_admitted_the_day_before_is_not(world, at, status):
    karaoke = CategoryFactory(name_en="Karaoke")
    AdmissionFactory(category=karaoke, region=None, admitted_from=date(2021, 5, 10))
    OkedCodeFactory(code="09329", categories=[karaoke])
    company_set(world.company.bin, world.company.name, ["09329"])

    application = _submit(world, at=at, category=karaoke, oked="09329")

    assert application.status == status
    if status == ApplicationStatus.REFUSED:
        assert _failed(application) == [rules.ADMISSION]
        assert "only from 10 May 2021" in _message(application, rules.ADMISSION)


def test_category_admitted_only_in_another_region_is_refused(world):
    elsewhere = CategoryFactory()
    AdmissionFactory(category=elsewhere, region=RegionFactory(), admitted_from=date(2021, 4, 14))
    OkedCodeFactory(code="09999", categories=[elsewhere])
    company_set(world.company.bin, world.company.name, ["09999"])

    application = _submit(world, category=elsewhere, oked="09999")

    assert _failed(application) == [rules.ADMISSION]
    assert "is not admitted to the project in Almaty" in _message(application, rules.ADMISSION)


@pytest.mark.parametrize(("zone", "status"), [(Zone.YELLOW, "refused"), (Zone.GREEN, "approved")])
def test_banquet_hall_only_while_the_region_is_green(world, zone, status):
    banquet = CategoryFactory(name_en="Banquet halls")
    AdmissionFactory(category=banquet, region=None, admitted_from=date(2021, 5, 5), green_zone_only=True)
    OkedCodeFactory(code="05621", categories=[banquet])
    company_set(world.company.bin, world.company.name, ["05621"])
    # The zone changes on the day of filing itself: that day's zone counts (R-REF-2).
    ZoneChangeFactory(region=world.region, zone=zone, effective_from=NOW.date())

    application = _submit(world, category=banquet, oked="05621")

    assert application.status == status
    if status == "refused":
        assert _failed(application) == [rules.ADMISSION]
        message = _message(application, rules.ADMISSION)
        assert "only while the region is in the green zone" in message and "yellow zone" in message


# --- R-VN-1: the sanitary notification -------------------------------------------------------


def test_notification_of_another_bin_is_refused(world):
    notification_set("KZ-2", date(2021, 4, 1), CompanyFactory().bin, ADDRESS)
    application = _submit(world, notification_number="KZ-2")
    assert application.status == ApplicationStatus.REFUSED
    assert _failed(application) == [rules.NOTIFICATION_BIN]
    assert not Venue.objects.exists()


def test_notification_for_another_address_is_refused(world):
    application = _submit(world, address="г. Алматы, ул. Абая, 12")
    assert _failed(application) == [rules.NOTIFICATION_ADDRESS]


def test_missing_notification_is_refused(world):
    application = _submit(world, notification_number="KZ-404")
    assert _failed(application) == [rules.NOTIFICATION_FOUND]
    assert "no sanitary notification № KZ-404" in _message(application, rules.NOTIFICATION_FOUND)


def test_notification_number_with_a_slash_is_looked_up_whole(world):
    notification_set("12/345", date(2021, 4, 1), world.company.bin, ADDRESS)
    assert _submit(world, notification_number="12/345").status == ApplicationStatus.APPROVED


# --- R-VN-1, R-VN-2: company and OKED --------------------------------------------------------


def test_oked_not_among_the_companys_codes_is_refused(world):
    other = OkedCodeFactory(code="05555", categories=[world.category])
    application = _submit(world, oked=other.code)
    assert _failed(application) == [rules.OKED_REGISTERED]


def test_oked_not_matching_the_category_is_refused_with_re_register(world):
    company_set(world.company.bin, world.company.name, [OKED, "05610"])
    OkedCodeFactory(code="05610", categories=[CategoryFactory()])
    application = _submit(world, oked="05610")
    assert _failed(application) == [rules.OKED_CATEGORY]
    message = _message(application, rules.OKED_CATEGORY)
    assert "Re-register the legal entity's OKED" in message


def test_company_gone_from_the_business_registry_is_refused(world):
    company = CompanyFactory(owner=world.owner)  # never put in the mock registry
    notification_set("KZ-3", date(2021, 4, 1), company.bin, ADDRESS)
    with time_machine.travel(NOW, tick=False):
        application = services.application_submit(
            owner=world.owner, company=company, data=_data(world, notification_number="KZ-3"), now=NOW
        )
    # Without the company its codes cannot be compared: one failure, not two.
    assert _failed(application) == [rules.BIN_REGISTERED]


def test_several_failed_checks_are_listed_together(world):
    later = CategoryFactory()
    AdmissionFactory(category=later, region=None, admitted_from=date(2021, 6, 3))

    application = _submit(world, category=later, notification_number="KZ-404")

    assert application.status == ApplicationStatus.REFUSED
    assert _failed(application) == [rules.OKED_CATEGORY, rules.NOTIFICATION_FOUND, rules.ADMISSION]
    assert not Venue.objects.exists() and not Entrance.objects.exists()
    refused = AuditEvent.objects.get(action="venues.application_refused")
    assert refused.details["failed"] == _failed(application)


@pytest.mark.parametrize("name", ["companies", "notifications"])
def test_registry_down_at_submission_stores_nothing(world, name):
    failure_set(name, error_rate=1)
    with pytest.raises(RegistryUnavailable):
        _submit(world)
    assert not Application.objects.exists()
    assert not Venue.objects.exists()


# --- R-VN-3: override by an operator -----------------------------------------------------------


@pytest.fixture
def refused(db):
    return ApplicationFactory(status=ApplicationStatus.REFUSED)


@pytest.fixture
def operator(db):
    return UserFactory(role=Role.OPERATOR)


def test_operator_overrides_a_refusal_with_a_reason_and_the_venue_is_created(refused, operator):
    venue = services.application_override(application=refused, actor=operator, reason="  OKED re-registered  ", now=NOW)

    refused.refresh_from_db()
    assert refused.status == ApplicationStatus.APPROVED
    assert (refused.override_by, refused.override_reason) == (operator, "OKED re-registered")
    assert venue.application == refused and venue.entrances.count() == 2
    assert QrCode.objects.filter(entrance__venue=venue).count() == 4
    event = AuditEvent.objects.get(action="venues.application_overridden")
    assert event.actor == operator and event.details["reason"] == "OKED re-registered"
    assert event.details["failed"] == ["oked_category"]


def test_override_needs_a_reason(refused, operator):
    with pytest.raises(ValidationError):
        services.application_override(application=refused, actor=operator, reason="   ", now=NOW)
    refused.refresh_from_db()
    assert refused.status == ApplicationStatus.REFUSED and not Venue.objects.exists()


def test_an_approved_application_cannot_be_overridden_again(refused, operator):
    services.application_override(application=refused, actor=operator, reason="checked", now=NOW)
    with pytest.raises(ValidationError):
        services.application_override(application=refused, actor=operator, reason="again", now=NOW)
    assert Venue.objects.count() == 1


@pytest.mark.parametrize("role", [Role.OWNER, Role.INSPECTOR, Role.COMMISSION])
def test_only_an_operator_overrides(refused, role):
    with pytest.raises(PermissionDenied):
        services.application_override(application=refused, actor=UserFactory(role=role), reason="why not", now=NOW)
    assert not Venue.objects.exists()


# --- R-ID-3: owner sign-up ----------------------------------------------------------------------


def _sign_up(bin_, username="newowner"):
    return services.owner_sign_up(
        username=username, email="o@example.kz", password="a-long-passphrase-1", bin_=bin_, now=NOW
    )


COMPANY_PHONE = "+77015550001"


def _sent_code(phone=COMPANY_PHONE) -> str:
    return re.search(r"\b(\d{6})\b", SmsMessage.objects.filter(phone=phone).latest("pk").text).group(1)


def test_sign_up_claims_the_company_and_its_phones_code_makes_it_the_owners(registry):
    bin_ = CompanyFactory.build().bin
    company_set(bin_, "ТОО «Жаңа»", ["56101"], phone=COMPANY_PHONE)

    user, claim = _sign_up(bin_)
    assert user.role == Role.OWNER and user.check_password("a-long-passphrase-1")
    assert not Company.objects.filter(bin=bin_).exists()  # not his before the proof
    services.company_claim_code_send(claim=claim, sender="", now=NOW)
    assert (claim.state, claim.contact_phone) == (ClaimState.CODE_SENT, COMPANY_PHONE)

    with pytest.raises(WrongCode):
        services.company_claim_confirm(claim=claim, code="000000" if _sent_code() != "000000" else "111111", now=NOW)
    claim = services.company_claim_confirm(claim=claim, code=_sent_code(), now=NOW)
    company = Company.objects.get(bin=bin_)
    assert (claim.state, company.owner, company.name) == (ClaimState.CONFIRMED, user, "ТОО «Жаңа»")


def test_a_squatter_with_a_public_bin_gets_no_company(registry):
    """The attack: sign-up needed only a BIN present in the business registry (BINs are
    public); the squatter got the company, and its real owner was told it "already has
    an owner". Now the squatter, who does not hold the company's phone, gets nothing."""
    bin_ = CompanyFactory.build().bin
    company_set(bin_, "ТОО «Настоящая»", ["56101"], phone=COMPANY_PHONE)
    squatter, claim = _sign_up(bin_, username="squatter")
    services.company_claim_code_send(claim=claim, sender="", now=NOW)
    for guess in ("123456", "654321", "111111", "222222", "333333"):
        with pytest.raises(SignInError):
            services.company_claim_confirm(claim=claim, code=guess, now=NOW)
    with pytest.raises(SignInError):  # the code died after five wrong tries
        services.company_claim_confirm(claim=claim, code=_sent_code(), now=NOW)
    assert not Company.objects.filter(bin=bin_).exists()
    # The real owner, who holds the phone, signs up after him and gets the company.
    owner, real = _sign_up(bin_, username="realowner")
    services.company_claim_code_send(claim=real, sender="", now=NOW)
    services.company_claim_confirm(claim=real, code=_sent_code(), now=NOW)
    assert Company.objects.get(bin=bin_).owner == owner


def test_a_claim_whose_code_was_never_sent_is_not_proven_by_another_claims_code(registry):
    """The attack: a claim whose code could not be sent (the SMS limits, the gateway
    down) was checked against the company phone's latest code, which another claim of
    the same company had asked for: whoever learned that one code proved both."""
    bin_ = CompanyFactory.build().bin
    company_set(bin_, "ТОО «Настоящая»", ["56101"], phone=COMPANY_PHONE)
    _squatter, unsent = _sign_up(bin_, username="squatter")  # his code was never sent
    owner, real = _sign_up(bin_, username="realowner")
    services.company_claim_code_send(claim=real, sender="", now=NOW)

    with pytest.raises(NoActiveCode):
        services.company_claim_confirm(claim=unsent, code=_sent_code(), now=NOW)
    assert not Company.objects.filter(bin=bin_).exists()
    services.company_claim_confirm(claim=real, code=_sent_code(), now=NOW)
    assert Company.objects.get(bin=bin_).owner == owner


def test_an_owner_in_place_is_never_displaced_by_a_claim_a_dispute_goes_to_an_operator(registry):
    taken = CompanyFactory()
    company_set(taken.bin, taken.name, ["56101"], phone=COMPANY_PHONE)
    claimant, claim = _sign_up(taken.bin)
    services.company_claim_code_send(claim=claim, sender="", now=NOW)
    claim = services.company_claim_confirm(claim=claim, code=_sent_code(), now=NOW)
    assert claim.state == ClaimState.DISPUTED
    assert Company.objects.get(bin=taken.bin).owner == taken.owner
    # The operator decides the dispute in the admin: here, for the claimant (audited).
    operator = UserFactory(role=Role.OPERATOR)
    with pytest.raises(PermissionDenied):
        services.company_claim_decide(claim=claim, actor=claimant, give=True, now=NOW)
    services.company_claim_decide(claim=claim, actor=operator, give=True, now=NOW, note="Документы проверены")
    assert Company.objects.get(bin=taken.bin).owner == claimant
    moved = AuditEvent.objects.get(action="venues.company_transferred")
    assert (moved.details["previous_owner"], moved.details["new_owner"]) == (taken.owner_id, claimant.pk)


def test_without_a_phone_in_the_registry_an_operator_confirms_or_rejects(registry):
    bin_ = CompanyFactory.build().bin
    company_set(bin_, "ТОО «Без телефона»", ["56101"])
    user, claim = _sign_up(bin_)
    assert claim.state == ClaimState.OPERATOR
    services.company_claim_code_send(claim=claim, sender="", now=NOW)  # nothing to send
    assert not SmsMessage.objects.exists()
    operator = UserFactory(role=Role.OPERATOR)
    services.company_claim_decide(claim=claim, actor=operator, give=False, now=NOW)
    assert not Company.objects.filter(bin=bin_).exists()
    with pytest.raises(ValidationError):
        services.company_claim_decide(claim=claim, actor=operator, give=True, now=NOW)


def test_sign_up_with_a_bin_unknown_to_the_registry_is_refused(registry):
    with pytest.raises(ValidationError) as error:
        _sign_up(CompanyFactory.build().bin)
    assert "not in the business registry" in str(error.value)
    assert not User.objects.filter(username="newowner").exists() and not Company.objects.exists()


def test_sign_up_with_the_registry_down_creates_nothing(registry):
    failure_set("companies", error_rate=1)
    with pytest.raises(RegistryUnavailable):
        _sign_up(CompanyFactory.build().bin)
    assert not User.objects.filter(username="newowner").exists()


def test_r_vn_5_test_mode_lasts_exactly_7_times_24_hours_from_the_approval(world):
    venue = Venue.objects.get(application=_submit(world))
    assert kind_at(venue, NOW - timedelta(microseconds=1)) == standing_rules.APPLIED
    assert kind_at(venue, NOW) == standing_rules.TEST_MODE_KIND
    assert kind_at(venue, NOW + timedelta(days=7) - timedelta(microseconds=1)) == standing_rules.TEST_MODE_KIND
    assert kind_at(venue, NOW + timedelta(days=7)) == standing_rules.PARTICIPANT
