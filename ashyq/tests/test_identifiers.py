"""IIN and BIN parsing, validation and generation (R-ID-1, R-ID-2, R-ID-3).

The numbers below were computed by hand from the rule, not by the code under test; the
second-pass and both-passes-10 cases re-check their own arithmetic in the test.
"""

from datetime import date

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise

from ashyq.identifiers import (
    IIN,
    BINField,
    IINField,
    check_digit,
    make_bin,
    make_iin,
    parse_bin,
    parse_iin,
    validate_adult_iin,
    validate_bin,
    validate_iin,
)

FIRST_WEIGHTS = range(1, 12)
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

IIN_CODES = {"length", "digits", "checksum", "date", "century"}
BIN_CODES = {"length", "digits", "checksum", "month", "entity"}


def fullwidth(digits: str) -> str:
    """The same digits as full-width characters, as some phone keyboards type them."""
    return "".join(chr(0xFF10 + int(d)) for d in digits)


def arabic_indic(digits: str) -> str:
    return "".join(chr(0x0660 + int(d)) for d in digits)


def weighted(first11: str, weights) -> int:
    return sum(int(d) * w for d, w in zip(first11, weights, strict=True)) % 11


def error_code(excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    errors = excinfo.value.error_list
    assert len(errors) == 1
    return errors[0].code


# --- R-ID-1: check digit -------------------------------------------------------------


@pytest.mark.parametrize(
    ("first11", "expected"),
    [
        ("90010130000", 7),  # first pass
        ("05010150000", 0),  # first pass gives 0
        ("90010130012", 6),
        ("90010130081", 1),  # first pass 10, second pass 1
        ("85070440000", 0),  # first pass 10, second pass 0
        ("15014000030", 5),  # a BIN prefix: first pass 10, second pass 5
        ("90010130080", None),  # both passes 10
        ("87051510089", None),
        ("15014000038", None),
    ],
)
def test_r_id_1_check_digit(first11, expected):
    assert check_digit(first11) == expected


@pytest.mark.parametrize("first11", ["", "9001013001", "900101300123", "9001013001a", fullwidth("90010130012")])
def test_r_id_1_check_digit_needs_eleven_ascii_digits(first11):
    with pytest.raises(ValueError, match="11 ASCII digits"):
        check_digit(first11)


# --- R-ID-1: valid IINs ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "birth_date", "sex"),
    [
        ("870515100007", date(1887, 5, 15), "male"),  # 7th digit 1
        ("991231200007", date(1899, 12, 31), "female"),  # 2
        ("900101300007", date(1990, 1, 1), "male"),  # 3
        ("850704400109", date(1985, 7, 4), "female"),  # 4
        ("050101500000", date(2005, 1, 1), "male"),  # 5
        ("040229600001", date(2004, 2, 29), "female"),  # 6
        ("900101300126", date(1990, 1, 1), "male"),
        ("900101345671", date(1990, 1, 1), "male"),
    ],
)
def test_r_id_1_valid_iin_each_century_and_sex(value, birth_date, sex):
    assert parse_iin(value) == IIN(number=value, birth_date=birth_date, sex=sex)
    assert validate_iin(value) is None


@pytest.mark.parametrize(
    ("value", "birth_date", "sex"),
    [
        ("870515100803", date(1887, 5, 15), "male"),
        ("991231200803", date(1899, 12, 31), "female"),
        ("900101300811", date(1990, 1, 1), "male"),
        ("850704400000", date(1985, 7, 4), "female"),
        ("050101500103", date(2005, 1, 1), "male"),
        ("040229600205", date(2004, 2, 29), "female"),
    ],
)
def test_r_id_1_second_pass_check_digit(value, birth_date, sex):
    # The vector really is in the second-pass branch: first pass 10, second pass = check digit.
    assert weighted(value[:11], FIRST_WEIGHTS) == 10
    assert weighted(value[:11], SECOND_WEIGHTS) == int(value[11])
    assert parse_iin(value) == IIN(number=value, birth_date=birth_date, sex=sex)


@pytest.mark.parametrize("first11", ["87051510089", "99123120089", "90010130080"])
@pytest.mark.parametrize("last", "0123456789")
def test_r_id_1_both_passes_ten_is_invalid_whatever_the_last_digit(first11, last):
    assert weighted(first11, FIRST_WEIGHTS) == 10
    assert weighted(first11, SECOND_WEIGHTS) == 10
    with pytest.raises(ValidationError) as excinfo:
        parse_iin(first11 + last)
    assert error_code(excinfo) == "checksum"


@pytest.mark.parametrize(
    "value",
    [
        "900101300008",  # valid 900101300007 with the last digit changed
        "900101300000",
        "900101300123",  # "900101 300 123": its check digit would be 6
        "900101300810",  # second-pass number 900101300811 with the last digit changed
        "850704400001",  # second-pass number 850704400000 with the last digit changed
        "900110300007",  # two digits of 900101300007 swapped
        "090101300007",
    ],
)
def test_r_id_1_wrong_check_digit(value):
    with pytest.raises(ValidationError) as excinfo:
        parse_iin(value)
    assert error_code(excinfo) == "checksum"


# --- R-ID-1: dates and centuries -------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "900231301230",  # 31 Feb 1990
        "000229301231",  # 29 Feb 1900: 1900 is not a leap year
        "000229401238",  # same, female
        "000229101239",  # 29 Feb 1800: not a leap year either
        "000229201235",
        "970229301232",  # 29 Feb 1997
        "901301301233",  # month 13
        "900001301234",  # month 00
        "900100301238",  # day 00
        "900132301232",  # 32 Jan
        "900431301238",  # 31 Apr
    ],
)
def test_r_id_1_impossible_date(value):
    # Each has a correct check digit, so only the date can be at fault.
    assert check_digit(value[:11]) == int(value[11])
    with pytest.raises(ValidationError) as excinfo:
        parse_iin(value)
    assert error_code(excinfo) == "date"


@pytest.mark.parametrize(
    ("value", "birth_date"),
    [
        ("000229501234", date(2000, 2, 29)),  # 2000 is a leap year, unlike 1900
        ("000229601230", date(2000, 2, 29)),
        ("960229301230", date(1996, 2, 29)),
    ],
)
def test_r_id_1_29_february_in_a_leap_year(value, birth_date):
    assert parse_iin(value).birth_date == birth_date


@pytest.mark.parametrize("value", ["900101001234", "900101701239", "900101801235", "900101901231"])
def test_r_id_1_century_digit_0_7_8_9_rejected(value):
    assert check_digit(value[:11]) == int(value[11])
    with pytest.raises(ValidationError) as excinfo:
        parse_iin(value)
    assert error_code(excinfo) == "century"


# --- R-ID-1: input shape --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "length"),
        ("   ", "length"),
        ("90010130000", "length"),  # 11 digits
        ("9001013000070", "length"),  # 13 digits
        ("9", "length"),
        ("90010130000a", "digits"),
        ("9001013000O7", "digits"),  # letter O for zero
        ("900101-300007", "digits"),
        ("+900101300007", "digits"),
        (arabic_indic("900101300007"), "digits"),  # they pass str.isdigit
        (fullwidth("900101300007"), "digits"),
        ("abc", "digits"),
    ],
)
def test_r_id_1_length_and_digits(value, code):
    with pytest.raises(ValidationError) as excinfo:
        parse_iin(value)
    assert error_code(excinfo) == code
    with pytest.raises(ValidationError):
        validate_iin(value)


@pytest.mark.parametrize(
    "value",
    [
        " 900101300126 ",
        "900101 300 126",
        "900101300126\n",
        "\t900 101 300 126",
        "900101\u00a0300126",  # no-break space, as some phone keyboards insert
    ],
)
def test_r_id_1_spaces_stripped(value):
    assert parse_iin(value).number == "900101300126"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("9001013000", "length"),
        ("90010130000x", "digits"),
        ("900101001234", "century"),
        ("900231301230", "date"),
        ("900101300008", "checksum"),
    ],
)
def test_r_id_1_error_codes_and_messages(value, code):
    with pytest.raises(ValidationError) as excinfo:
        parse_iin(value)
    assert error_code(excinfo) in IIN_CODES
    assert error_code(excinfo) == code
    message = excinfo.value.error_list[0].message
    assert isinstance(message, Promise)  # gettext_lazy, translated when shown
    with translation.override("en"):
        assert "IIN" in str(message)
    assert value not in str(message)  # R-ID-5: messages never repeat the number


def test_r_id_1_parse_iin_rejects_non_strings():
    with pytest.raises(TypeError):
        parse_iin(900101300126)


# --- R-ID-2: adults ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_date", "day", "age"),
    [
        (date(2003, 5, 10), date(2021, 5, 9), 17),  # the day before the 18th birthday
        (date(2003, 5, 10), date(2021, 5, 10), 18),  # the 18th birthday counts
        (date(2003, 5, 10), date(2021, 5, 11), 18),
        (date(1990, 12, 31), date(2008, 12, 30), 17),
        (date(1990, 12, 31), date(2008, 12, 31), 18),
        (date(1990, 12, 31), date(2009, 1, 1), 18),
        # Decided: born 29 Feb, the birthday is 1 Mar in non-leap years.
        (date(2000, 2, 29), date(2018, 2, 28), 17),
        (date(2000, 2, 29), date(2018, 3, 1), 18),
        (date(2000, 2, 29), date(2020, 2, 28), 19),
        (date(2000, 2, 29), date(2020, 2, 29), 20),
        (date(1950, 6, 1), date(2021, 6, 1), 71),
        (date(2021, 1, 1), date(2021, 1, 1), 0),
    ],
)
def test_r_id_2_age_on(birth_date, day, age):
    iin = IIN(number="000000000000", birth_date=birth_date, sex="male")
    assert iin.age_on(day) == age
    assert iin.is_adult_on(day) is (age >= 18)


@pytest.mark.parametrize(
    ("value", "day", "adult"),
    [
        ("030510500000", date(2021, 5, 9), False),  # born 10 May 2003
        ("030510500000", date(2021, 5, 10), True),
        ("000229601230", date(2018, 2, 28), False),  # born 29 Feb 2000
        ("000229601230", date(2018, 3, 1), True),
        ("900101300126", date(2021, 5, 10), True),
    ],
)
def test_r_id_2_validate_adult_iin(value, day, adult):
    if adult:
        assert validate_adult_iin(value, on=day).number == value
    else:
        with pytest.raises(ValidationError) as excinfo:
            validate_adult_iin(value, on=day)
        assert error_code(excinfo) == "minor"
        assert "18" in str(excinfo.value.error_list[0].message)


def test_r_id_2_invalid_iin_is_not_reported_as_minor():
    with pytest.raises(ValidationError) as excinfo:
        validate_adult_iin("030510500001", on=date(2021, 5, 10))
    assert error_code(excinfo) == "checksum"


# --- R-ID-3: BIN ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "980740012348",  # kind 4
        "050450012348",  # kind 5
        "210560012340",  # kind 6
        "150169012341",  # type 9
        "991249012343",  # December
        "000140012343",  # January 2000
        "150140000305",  # second-pass check digit
    ],
)
def test_r_id_3_valid_bin(value):
    assert parse_bin(value) == value
    assert validate_bin(value) is None


def test_r_id_3_second_pass_vector():
    assert weighted("15014000030", FIRST_WEIGHTS) == 10
    assert weighted("15014000030", SECOND_WEIGHTS) == 5


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("000040012345", "month"),  # month 00 (check digit right, so only the month is at fault)
        ("001340012343", "month"),  # month 13
        ("150130012349", "entity"),  # 5th digit 3
        ("150170012347", "entity"),  # 5th digit 7
        ("150100012345", "entity"),  # 5th digit 0
        ("150149012343", "checksum"),  # 150149012342 with the last digit changed
        ("980740012340", "checksum"),
        ("150140000380", "checksum"),  # both passes 10
        ("150140000389", "checksum"),
        ("", "length"),
        ("98074001234", "length"),
        ("9807400123480", "length"),
        ("98074001234x", "digits"),
        ("980740-012348", "digits"),
    ],
)
def test_r_id_3_invalid_bin(value, code):
    with pytest.raises(ValidationError) as excinfo:
        parse_bin(value)
    assert error_code(excinfo) in BIN_CODES
    assert error_code(excinfo) == code
    message = excinfo.value.error_list[0].message
    assert isinstance(message, Promise)
    with translation.override("en"):
        assert "BIN" in str(message)
    with pytest.raises(ValidationError):
        validate_bin(value)


@pytest.mark.parametrize("value", ["000040012345", "001340012343", "150130012349", "150170012347", "150100012345"])
def test_r_id_3_invalid_bin_vectors_have_right_check_digits(value):
    assert check_digit(value[:11]) == int(value[11])


@pytest.mark.parametrize("value", [" 980740012348", "980740 012348", "9807 4001 2348"])
def test_r_id_3_bin_spaces_stripped(value):
    assert parse_bin(value) == "980740012348"


# --- generators ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_date", "sex", "seventh"),
    [
        (date(1887, 5, 15), "male", "1"),
        (date(1899, 12, 31), "female", "2"),
        (date(1900, 2, 28), "male", "3"),
        (date(1990, 1, 1), "female", "4"),
        (date(2000, 2, 29), "male", "5"),
        (date(2005, 6, 30), "female", "6"),
    ],
)
def test_r_id_1_make_iin_every_serial_parses(birth_date, sex, seventh):
    for serial in range(10_000):
        number = make_iin(birth_date=birth_date, sex=sex, serial=serial)
        assert number[6] == seventh
        assert int(number[7:11]) >= serial
        assert parse_iin(number) == IIN(number=number, birth_date=birth_date, sex=sex)


@pytest.mark.parametrize(
    ("birth_date", "sex", "serial", "expected"),
    [
        (date(1990, 1, 1), "male", 0, "900101300007"),
        (date(1990, 1, 1), "male", 12, "900101300126"),
        (date(1990, 1, 1), "male", 80, "900101300811"),  # 9001013 0080: both passes 10, so 0081
        (date(1887, 5, 15), "male", 89, "870515100909"),  # 8705151 0089: both passes 10, so 0090
        (date(2005, 1, 1), "male", 0, "050101500000"),
    ],
)
def test_r_id_1_make_iin_known_values_and_skipping(birth_date, sex, serial, expected):
    assert make_iin(birth_date=birth_date, sex=sex, serial=serial) == expected


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"birth_date": date(1799, 12, 31), "sex": "male", "serial": 1}, "from 1800 to 2099"),
        ({"birth_date": date(2100, 1, 1), "sex": "male", "serial": 1}, "from 1800 to 2099"),
        ({"birth_date": date(1990, 1, 1), "sex": "m", "serial": 1}, "sex must be"),
        ({"birth_date": date(1990, 1, 1), "sex": "male", "serial": -1}, "four digits"),
        ({"birth_date": date(1990, 1, 1), "sex": "male", "serial": 10_000}, "four digits"),
    ],
)
def test_make_iin_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_iin(**kwargs)


@pytest.mark.parametrize(
    ("registered", "entity_kind", "entity_type", "step"),
    [
        (date(2015, 1, 1), 4, 0, 1),  # every serial
        (date(1998, 7, 20), 5, 3, 97),
        (date(2021, 12, 31), 6, 9, 97),
    ],
)
def test_r_id_3_make_bin_serials_parse(registered, entity_kind, entity_type, step):
    prefix = f"{registered:%y%m}{entity_kind}{entity_type}"
    for serial in range(0, 100_000, step):
        number = make_bin(registered=registered, entity_kind=entity_kind, entity_type=entity_type, serial=serial)
        assert number[:6] == prefix
        assert int(number[6:11]) >= serial
        assert parse_bin(number) == number


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"registered": date(2015, 1, 1), "serial": 30}, "150140000305"),
        ({"registered": date(2015, 1, 1), "serial": 38}, "150140000391"),  # 38 has no check digit: 39
        ({"registered": date(1998, 7, 1), "serial": 1234}, "980740012348"),
        ({"registered": date(2021, 5, 1), "entity_kind": 6, "serial": 1234}, "210560012340"),
    ],
)
def test_r_id_3_make_bin_known_values_and_skipping(kwargs, expected):
    assert make_bin(**kwargs) == expected


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"registered": date(2015, 1, 1), "entity_kind": 3, "serial": 1}, "entity_kind"),
        ({"registered": date(2015, 1, 1), "entity_kind": 7, "serial": 1}, "entity_kind"),
        ({"registered": date(2015, 1, 1), "entity_type": 10, "serial": 1}, "entity_type"),
        ({"registered": date(2015, 1, 1), "serial": -1}, "five digits"),
        ({"registered": date(2015, 1, 1), "serial": 100_000}, "five digits"),
    ],
)
def test_make_bin_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_bin(**kwargs)


# --- form fields ----------------------------------------------------------------------


class IdentifiersForm(forms.Form):
    iin = IINField()
    bin = BINField(required=False)


@pytest.mark.parametrize(
    ("data", "cleaned"),
    [
        ({"iin": "900101 300 126", "bin": " 9807 4001 2348 "}, {"iin": "900101300126", "bin": "980740012348"}),
        ({"iin": "900101300126", "bin": ""}, {"iin": "900101300126", "bin": ""}),
    ],
)
def test_form_fields_clean_to_twelve_digits(data, cleaned):
    form = IdentifiersForm(data=data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data == cleaned


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"iin": ""}, "iin", "required"),
        ({"iin": "90010130012"}, "iin", "length"),
        ({"iin": "900101300123"}, "iin", "checksum"),
        ({"iin": "900101300126", "bin": "001340012343"}, "bin", "month"),
        ({"iin": "900101300126", "bin": "150130012349"}, "bin", "entity"),
    ],
)
def test_form_fields_report_codes(data, field, code):
    form = IdentifiersForm(data=data)
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()[field]] == [code]


@pytest.mark.parametrize("name", ["iin", "bin"])
def test_form_fields_phone_friendly_input(name):
    html = str(IdentifiersForm()[name])
    assert 'inputmode="numeric"' in html
    assert 'autocomplete="off"' in html
    assert 'maxlength="14"' in html
