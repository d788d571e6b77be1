"""The application checks and test mode as pure functions: no database, no HTTP."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from venues import rules
from venues.standing import rules as standing_rules

ALMATY = ZoneInfo("Asia/Almaty")
BIN = "150340012345"
OTHER_BIN = "150340054321"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _notification(**changes) -> rules.NotificationRecord:
    values = {"number": "KZ-1", "date": date(2021, 4, 1), "bin": BIN, "address": "г. Алматы, ул. Абая, 10"}
    return rules.NotificationRecord(**(values | changes))


def _by_code(checks) -> dict[str, rules.Check]:
    return {check.code: check for check in checks}


# --- R-VN-1: addresses compared forgivingly ---------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("г. Алматы, ул. Абая, 10", "Алматы улица Абая 10"),
        ("Алматы, пр. Абая, 10", "алматы,  проспект  АБАЯ, 10"),
        ("Алматы, пр-т Абая, 10", "Алматы, проспект Абая, 10"),
        ("Караганда, пр. Бухар-Жырау, 66", "Караганда, проспект Бухар Жырау, 66"),
        ("Алматы, мкр. Самал-2, д. 5", "Алматы, микрорайон Самал 2, дом 5"),
        ("Алматы, ул. Жёлтая, 1", "Алматы, ул. Желтая, 1"),
    ],
)
def test_same_address_spelt_differently_matches(first, second):
    assert rules.addresses_match(first, second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Алматы, ул. Абая, 10", "Алматы, ул. Абая, 12"),
        ("Алматы, ул. Абая, 10", "Алматы, пр. Абая, 10"),
        ("Алматы, ул. Абая, 10", "Шымкент, ул. Абая, 10"),
    ],
)
def test_another_address_does_not_match(first, second):
    assert not rules.addresses_match(first, second)


# --- R-VN-1: the sanitary notification ----------------------------------------------------


def test_notification_of_this_bin_date_and_address_passes_every_check():
    checks = rules.check_notification(
        number="KZ-1", on_date=date(2021, 4, 1), bin_=BIN, address="Алматы, улица Абая, 10", record=_notification()
    )
    assert [c.code for c in checks] == [
        rules.NOTIFICATION_FOUND,
        rules.NOTIFICATION_DATE,
        rules.NOTIFICATION_BIN,
        rules.NOTIFICATION_ADDRESS,
    ]
    assert all(c.passed for c in checks)


def test_missing_notification_is_one_failed_check_that_says_what_to_do():
    checks = rules.check_notification(number="KZ-9", on_date=date(2021, 4, 1), bin_=BIN, address="x", record=None)
    assert len(checks) == 1 and not checks[0].passed
    assert "no sanitary notification № KZ-9" in checks[0].message
    assert "file the notification" in checks[0].message


def test_notification_of_another_bin_fails_and_reveals_nothing_of_it():
    record = _notification(bin=OTHER_BIN, address="г. Шымкент, ул. Тайная, 7", date=date(2020, 11, 17))
    checks = _by_code(
        rules.check_notification(
            number="KZ-1", on_date=date(2021, 4, 1), bin_=BIN, address="г. Алматы, ул. Абая, 10", record=record
        )
    )
    assert not checks[rules.NOTIFICATION_BIN].passed
    assert "another legal entity" in checks[rules.NOTIFICATION_BIN].message
    # Another company's notification: its date and address stay that company's business.
    assert set(checks) == {rules.NOTIFICATION_FOUND, rules.NOTIFICATION_BIN}
    every_message = " ".join(check.message for check in checks.values())
    assert "Тайная" not in every_message and "2020" not in every_message


def test_notification_for_another_address_fails_and_names_both_addresses():
    checks = _by_code(
        rules.check_notification(
            number="KZ-1", on_date=date(2021, 4, 1), bin_=BIN, address="г. Алматы, ул. Абая, 12", record=_notification()
        )
    )
    failed = checks[rules.NOTIFICATION_ADDRESS]
    assert not failed.passed
    assert "ул. Абая, 10" in failed.message and "ул. Абая, 12" in failed.message
    assert checks[rules.NOTIFICATION_BIN].passed


def test_notification_with_another_date_fails_the_date_check():
    checks = _by_code(
        rules.check_notification(
            number="KZ-1", on_date=date(2021, 4, 2), bin_=BIN, address="г. Алматы, ул. Абая, 10", record=_notification()
        )
    )
    assert not checks[rules.NOTIFICATION_DATE].passed
    assert "1 April 2021" in checks[rules.NOTIFICATION_DATE].message


# --- R-VN-1, R-VN-2: company and OKED -------------------------------------------------------


def test_bin_not_in_the_business_registry_fails():
    check = rules.check_company(bin_=BIN, company=None)
    assert not check.passed and BIN in check.message


def test_oked_not_among_the_companys_codes_fails_with_the_codes_it_has():
    company = rules.CompanyRecord(bin=BIN, name="ТОО", oked=("56101", "56290"))
    check = rules.check_oked_registered(oked="93290", company=company)
    assert not check.passed
    assert "56101, 56290" in check.message and "Re-register the legal entity's OKED" in check.message
    assert rules.check_oked_registered(oked="56290", company=company).passed


KARAOKE = {"category": {"karaoke": "Karaoke"}, "region": {"almaty": "Almaty", "shymkent": "Shymkent"}}


def _message(check) -> str:
    return check.as_json(KARAOKE)["message"]


def test_oked_that_does_not_match_the_category_fails_and_tells_to_re_register():
    check = rules.check_oked_category(oked="56101", category_code="karaoke", matching_codes={"93290"})
    assert not check.passed
    assert "does not match the category «Karaoke»" in _message(check)
    assert "Re-register the legal entity's OKED" in check.message
    assert rules.check_oked_category(oked="93290", category_code="karaoke", matching_codes={"93290"}).passed


def test_category_without_any_oked_code_fails_with_its_own_message():
    check = rules.check_oked_category(oked="56101", category_code="saunas", matching_codes=set())
    assert not check.passed and check.reason == "no_codes"


# --- R-REF-4: admission ---------------------------------------------------------------------


def test_admitted_category_passes():
    facts = rules.AdmissionFacts(admitted=True, zone="red")
    check = rules.check_admission(category_code="cinemas", region_code="almaty", on=date(2021, 4, 26), facts=facts)
    assert check.passed


def test_category_admitted_later_names_the_date_from_which_it_is():
    facts = rules.AdmissionFacts(admitted=False, next_from=date(2021, 5, 5))
    check = rules.check_admission(category_code="karaoke", region_code="almaty", on=date(2021, 5, 4), facts=facts)
    assert not check.passed
    assert "only from 5 May 2021" in check.message


def test_green_zone_only_category_in_a_yellow_zone_says_why():
    facts = rules.AdmissionFacts(admitted=False, zone="yellow", green_zone_only=True)
    check = rules.check_admission(
        category_code="banquet-halls", region_code="shymkent", on=date(2021, 5, 10), facts=facts
    )
    assert not check.passed
    assert "only while the region is in the green zone" in check.message
    assert "yellow zone" in check.message and "Shymkent is" in _message(check)


def test_category_never_admitted_in_the_region_says_so():
    check = rules.check_admission(
        category_code="saunas", region_code="almaty", on=date(2021, 6, 1), facts=rules.AdmissionFacts(admitted=False)
    )
    assert not check.passed and "is not admitted to the project in Almaty" in _message(check)


# --- R-VN-3: the decision -----------------------------------------------------------------


def test_one_failed_check_refuses_and_no_failure_approves():
    passed = rules.check_exclusion(excluded=False)
    failed = rules.check_exclusion(excluded=True)
    assert rules.all_passed([passed, passed])
    assert not rules.all_passed([passed, failed])
    assert "excluded from the project" in failed.message


def test_stored_check_is_shown_in_the_readers_language():
    stored = rules.check_oked_category(oked="56101", category_code="karaoke", matching_codes={"93290"}).as_json()
    assert stored["passed"] is False and stored["message"].startswith("The OKED code 56101")
    assert stored["params"]["category_code"] == "karaoke" and "category" not in stored["params"]
    with translation.override("ru"):
        # Rendered again in the reader's language, the category named in it too.
        message = rules.check_message(stored, {"category": {"karaoke": "Караоке"}})
    assert message.startswith("Код ОКЭД 56101") and "«Караоке»" in message
    unknown = {"code": "retired_check", "reason": "x", "params": {}, "message": "As written then."}
    assert rules.check_message(unknown) == "As written then."


def test_a_check_stored_with_names_before_codes_is_still_read():
    """Checks stored before the codes carried the name as the submitter read it."""
    old = {
        "code": rules.ADMISSION,
        "passed": False,
        "reason": "not_admitted",
        "params": {"category": "Сауны", "region": "Алматы", "on": "2021-06-01"},
        "message": "…",
    }
    assert "«Сауны» is not admitted to the project in Алматы" in rules.check_message(old, KARAOKE)


def test_named_codes_collects_what_stored_checks_name():
    checks = [
        rules.check_oked_category(oked="1", category_code="karaoke", matching_codes=set()).as_json(),
        rules.check_admission(
            category_code="saunas", region_code="almaty", on=date(2021, 6, 1), facts=rules.AdmissionFacts(admitted=True)
        ).as_json(),
        {"code": "x", "params": {"category": "Сауны"}},
    ]
    assert rules.named_codes(checks) == {"category": {"karaoke", "saunas"}, "region": {"almaty"}}


# --- R-VN-1: entrances ------------------------------------------------------------------------


def test_entrances_one_per_line_blank_lines_ignored():
    assert rules.parse_entrances("Главный вход\r\n\n   Двор  \nСлужебный   вход\n") == [
        "Главный вход",
        "Двор",
        "Служебный вход",
    ]


def test_an_entrance_named_twice_is_found_whatever_the_case():
    assert rules.duplicate_names(["Главный вход", "Двор", "главный вход"]) == ["главный вход"]
    assert rules.duplicate_names(["Главный вход", "Двор"]) == []


# --- R-VN-5: test mode ---------------------------------------------------------------------


def test_r_vn_5_test_mode_lasts_exactly_7_times_24_hours_from_the_first_issue():
    # Decided: codes issued at 23:30 on 1 June → test mode until 23:30 on 8 June, not to
    # a day's end (23:30 in Almaty is 17:30 UTC: the moment counts, not the day).
    issued = datetime(2021, 6, 1, 23, 30, tzinfo=ALMATY)
    history = standing_rules.issued([], issued, volunteer=False)
    assert standing_rules.kind_at(history, issued - timedelta(microseconds=1)) == standing_rules.APPLIED
    assert standing_rules.kind_at(history, issued) == standing_rules.TEST_MODE_KIND
    ends = datetime(2021, 6, 8, 23, 30, tzinfo=ALMATY)
    assert standing_rules.kind_at(history, ends - timedelta(microseconds=1)) == standing_rules.TEST_MODE_KIND
    assert standing_rules.kind_at(history, ends) == standing_rules.PARTICIPANT


def test_days_left_count_a_part_of_a_day_as_one_and_reach_zero_at_the_end():
    ends = datetime(2021, 5, 12, 10, 0, tzinfo=ALMATY)
    assert rules.test_mode_days_left(ends_at=ends, now=ends - timedelta(days=7)) == 7
    assert rules.test_mode_days_left(ends_at=ends, now=ends - timedelta(days=6, hours=23)) == 7
    assert rules.test_mode_days_left(ends_at=ends, now=ends - timedelta(minutes=1)) == 1
    assert rules.test_mode_days_left(ends_at=ends, now=ends) == 0
    assert rules.test_mode_days_left(ends_at=ends, now=ends + timedelta(days=3)) == 0


def test_test_mode_label_names_the_moment_it_ends_and_the_days_left():
    ends = datetime(2021, 5, 12, 10, 0, tzinfo=ALMATY)
    with translation.override("en"):
        label = rules.describe_test_mode(ends_at=ends, now=datetime(2021, 5, 9, 12, 0, tzinfo=ALMATY))
        assert label == "Test mode until 12 May 10:00 (3 days left)"
        assert "(1 day left)" in rules.describe_test_mode(ends_at=ends, now=ends - timedelta(hours=1))


def test_same_venue_is_the_same_name_and_address_whatever_the_case_and_spelling():
    assert rules.same_venue(("Кафе  «Арман»", "г. Алматы, ул. Абая, 10"), ("кафе «арман»", "Алматы улица Абая 10"))
    assert not rules.same_venue(("Кафе «Арман»", "Алматы, ул. Абая, 10"), ("Кафе «Арман»", "Алматы, ул. Абая, 12"))
    assert not rules.same_venue(("Кафе «Арман»", "Алматы, ул. Абая, 10"), ("Кафе «Арман-2»", "Алматы, ул. Абая, 10"))
