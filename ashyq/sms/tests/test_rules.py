import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from ashyq.sms import rules

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("Asia/Almaty"))


@pytest.mark.parametrize(
    "value",
    [
        "+7 701 123 45 67",
        "+77011234567",
        "87011234567",
        "8 701 123 45 67",
        "77011234567",
        "7011234567",
        "+7 (701) 123-45-67",
        "  +7 701 123 4567 ",
    ],
)
def test_normalize_phone_accepts_kazakhstan_mobile_numbers(value):
    assert rules.normalize_phone(value) == "+77011234567"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "+7 912 345 67 89",  # Russia
        "+7 727 123 45 67",  # an Almaty landline
        "87271234567",
        "701123456",  # 9 digits
        "+770112345678",  # 11 digits after +7
        "97011234567",
        "+1 701 123 4567",
        "+7 701 123 45 6x",
        "+7701١٢٣٤٥٦٧",  # non-ASCII digits
    ],
)
def test_normalize_phone_rejects_other_numbers(value):
    with pytest.raises(ValidationError) as info:
        rules.normalize_phone(value)
    assert info.value.code == "invalid_phone"


def test_mask_phone_hides_the_middle_digits():
    assert rules.mask_phone("+77011234567") == "+7701***4567"


def test_r_au_1_code_has_six_digits_leading_zeros_kept():
    codes = [rules.generate_code() for _ in range(3000)]
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    # One code in ten starts with 0: in 3000 draws, never seeing one means zeros are lost.
    assert any(code.startswith("0") for code in codes)


@pytest.mark.parametrize(
    ("value", "ok"), [("012345", True), ("12345", False), ("1234567", False), ("12345a", False), ("١٢٣٤٥٦", False)]
)
def test_is_code_format(value, ok):
    assert rules.is_code_format(value) is ok


def test_r_au_1_code_valid_at_4_59_and_expired_at_5_00():
    expires_at = rules.code_expires_at(T0)
    assert expires_at == T0 + timedelta(minutes=5)
    assert not rules.is_expired(expires_at, at=T0 + timedelta(minutes=4, seconds=59))
    assert not rules.is_expired(expires_at, at=expires_at - timedelta(microseconds=1))
    assert rules.is_expired(expires_at, at=T0 + timedelta(minutes=5))


def test_r_au_1_four_codes_in_the_hour_allow_a_fifth():
    created = [T0 + timedelta(minutes=m) for m in range(4)]
    assert rules.next_code_allowed_at(created, at=T0 + timedelta(minutes=5)) is None


def test_r_au_1_five_codes_in_the_hour_refuse_a_sixth_until_the_first_leaves_the_hour():
    created = [T0 + timedelta(minutes=m) for m in (0, 10, 20, 30, 40)]
    assert rules.next_code_allowed_at(created, at=T0 + timedelta(minutes=59, seconds=59)) == T0 + timedelta(hours=1)
    assert rules.next_code_allowed_at(created, at=T0 + timedelta(hours=1)) is None


def test_r_au_1_with_more_than_five_codes_the_wait_is_for_the_count_to_fall_below_five():
    # Seven codes in the hour (e.g. a limit lowered later): four must leave, not one.
    created = [T0 + timedelta(minutes=m) for m in (0, 1, 2, 3, 4, 5, 6)]
    assert rules.next_code_allowed_at(created, at=T0 + timedelta(minutes=30)) == T0 + timedelta(hours=1, minutes=2)


def test_r_au_1_codes_older_than_the_hour_do_not_count():
    created = [T0 - timedelta(hours=2)] * 10 + [T0 + timedelta(minutes=m) for m in range(4)]
    assert rules.next_code_allowed_at(created, at=T0 + timedelta(minutes=10)) is None


def test_deploy_check_warns_about_the_mock_gateway(settings):
    from ashyq.sms.checks import mock_gateway_check

    settings.SMS_MOCK_OUTBOX = True
    settings.SMS_BACKEND = "ashyq.sms.backends.ConsoleBackend"
    assert {w.id for w in mock_gateway_check(None)} == {"sms.W001", "sms.W002"}
    settings.SMS_MOCK_OUTBOX = False
    settings.SMS_BACKEND = "somewhere.RealBackend"
    assert mock_gateway_check(None) == []


def test_deploy_check_wants_a_url_for_the_http_gateway(settings):
    from ashyq.sms.checks import mock_gateway_check

    settings.SMS_MOCK_OUTBOX = False
    settings.SMS_BACKEND = "ashyq.sms.backends.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = ""
    assert {w.id for w in mock_gateway_check(None)} == {"sms.W003"}
    settings.SMS_GATEWAY_URL = "https://sms.example.kz/send"
    assert mock_gateway_check(None) == []
