"""The colour status (docs/rules.md §4) at every boundary, without a database.

Times are written in Almaty local time unless a case is about another zone; the
offset was +06:00 in 2021 and is +05:00 since 1 March 2024.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from statuses.rules import (
    Colour,
    ContactRecord,
    PcrRecord,
    Status,
    VaccinationRecord,
    local_midnight,
    status_at,
    timeline,
)

ALMATY = ZoneInfo("Asia/Almaty")
US = timedelta(microseconds=1)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=ALMATY)


def positive(ref: str, sampled_at: datetime) -> PcrRecord:
    return PcrRecord(ref=ref, positive=True, sampled_at=sampled_at)


def negative(ref: str, sampled_at: datetime) -> PcrRecord:
    return PcrRecord(ref=ref, positive=False, sampled_at=sampled_at)


def contact(ref: str, contact_date: date, registered_at: datetime) -> ContactRecord:
    return ContactRecord(ref=ref, contact_date=contact_date, registered_at=registered_at)


def vaccination(ref: str, dose: int, doses_in_scheme: int, administered_on: date) -> VaccinationRecord:
    return VaccinationRecord(ref=ref, dose=dose, doses_in_scheme=doses_in_scheme, administered_on=administered_on)


def split(records):
    return {
        "pcrs": [r for r in records if isinstance(r, PcrRecord)],
        "contacts": [r for r in records if isinstance(r, ContactRecord)],
        "vaccinations": [r for r in records if isinstance(r, VaccinationRecord)],
    }


def status(records, at: datetime) -> Status:
    return status_at(**split(records), at=at)


# A positive PCR sampled on 1 May 2021 10:00: red until 00:00 of 15 May (D + 14).
P1 = positive("p1", local(2021, 5, 1, 10, 0))
# A positive sampled at 23:30 local: its day is still 1 May, so red ends at 00:00 of 15
# May, half an hour short of 14 x 24 hours.
P_LATE = positive("p-late", local(2021, 5, 1, 23, 30))
# 19:00 UTC on 1 May is 01:00 on 2 May in Almaty: D is 2 May, red until 00:00 of 16 May.
P_UTC = positive("p-utc", datetime(2021, 5, 1, 19, 0, tzinfo=UTC))
# A second positive during the first red: red until 00:00 of 24 May.
P2 = positive("p2", local(2021, 5, 10, 10, 0))
# Negative PCRs: green for 72 hours from the sample.
N1 = negative("n1", local(2021, 5, 1, 10, 0))
N_DURING_RED = negative("n-red", local(2021, 5, 3, 10, 0))  # green would end 6 May 10:00
N_END_OF_RED = negative("n-end", local(2021, 5, 13, 9, 0))  # green until 16 May 09:00
# A contact on 1 May registered on 3 May 12:00: yellow until 00:00 of 15 May.
C1 = contact("c1", date(2021, 5, 1), local(2021, 5, 3, 12, 0))
C_LATE = contact("c-late", date(2021, 5, 1), local(2021, 5, 15, 9, 0))  # after its 14 days
# Completed schemes: green from 00:00 of the day after the final dose, for good.
V_FINAL = vaccination("v2", 2, 2, date(2021, 5, 3))
V_FIRST = vaccination("v1", 1, 2, date(2021, 5, 3))
V_SINGLE = vaccination("v-single", 1, 1, date(2021, 5, 3))
V_BOOSTER = vaccination("v-booster", 3, 2, date(2021, 5, 3))
V_MALFORMED = vaccination("v-bad", 1, 0, date(2021, 5, 3))
V_EARLY = vaccination("v-early", 2, 2, date(2021, 4, 1))  # green since 2 April


COLOUR_CASES = [
    # R-ST-1: nothing on record.
    pytest.param([], local(2021, 5, 1), Colour.BLUE, None, id="R-ST-1-no-records-blue"),
    # R-ST-3: red from the sample time to 00:00 local of D + 14.
    pytest.param([P1], local(2021, 5, 1, 10, 0) - US, Colour.BLUE, None, id="R-ST-3-1us-before-sample-not-red"),
    pytest.param([P1], local(2021, 5, 1, 10, 0), Colour.RED, "p1", id="R-ST-3-at-sample-time-red"),
    pytest.param([P1], local(2021, 5, 14, 23, 59, 59, 999999), Colour.RED, "p1", id="R-ST-3-last-us-of-D+13-red"),
    pytest.param([P1], local(2021, 5, 15), Colour.BLUE, None, id="R-ST-3-midnight-D+14-not-red"),
    pytest.param(
        [P_LATE], local(2021, 5, 14, 23, 59, 59, 999999), Colour.RED, "p-late", id="R-ST-3-2330-sample-red-D+13"
    ),
    pytest.param([P_LATE], local(2021, 5, 15), Colour.BLUE, None, id="R-ST-3-2330-sample-ends-at-local-midnight"),
    pytest.param([P_UTC], local(2021, 5, 15, 0, 0), Colour.RED, "p-utc", id="R-ST-3-utc-sample-local-day-counts"),
    pytest.param([P_UTC], local(2021, 5, 15, 23, 59, 59, 999999), Colour.RED, "p-utc", id="R-ST-3-utc-sample-last-us"),
    pytest.param([P_UTC], local(2021, 5, 16), Colour.BLUE, None, id="R-ST-3-utc-sample-ends-local-D+14"),
    pytest.param(
        [P1, N_DURING_RED], local(2021, 5, 3, 10, 0), Colour.RED, "p1", id="R-ST-3-negative-does-not-lift-red"
    ),
    pytest.param([P1, P2], local(2021, 5, 10, 10, 0) - US, Colour.RED, "p1", id="R-ST-3-second-positive-not-yet"),
    pytest.param([P1, P2], local(2021, 5, 10, 10, 0), Colour.RED, "p2", id="R-ST-3-longest-red-is-the-record"),
    pytest.param([P1, P2], local(2021, 5, 15), Colour.RED, "p2", id="R-ST-3-red-goes-on-after-first-ends"),
    pytest.param([P1, P2], local(2021, 5, 24), Colour.BLUE, None, id="R-ST-3-red-ends-with-last-positive"),
    # R-ST-4: yellow from the registration to 00:00 local of contact date + 14.
    pytest.param([C1], local(2021, 5, 3, 12, 0) - US, Colour.BLUE, None, id="R-ST-4-1us-before-registration"),
    pytest.param([C1], local(2021, 5, 3, 12, 0), Colour.YELLOW, "c1", id="R-ST-4-at-registration-yellow"),
    pytest.param([C1], local(2021, 5, 14, 23, 59, 59, 999999), Colour.YELLOW, "c1", id="R-ST-4-last-us-yellow"),
    pytest.param([C1], local(2021, 5, 15), Colour.BLUE, None, id="R-ST-4-midnight-contact-date+14-not-yellow"),
    pytest.param([C_LATE], local(2021, 5, 15, 9, 0), Colour.BLUE, None, id="R-ST-4-registered-after-14-days-never"),
    pytest.param(
        [C1, negative("n", local(2021, 5, 5, 9, 0))],
        local(2021, 5, 5, 9, 0),
        Colour.YELLOW,
        "c1",
        id="R-ST-4-negative-does-not-lift-yellow",
    ),
    # R-ST-5: a negative PCR is green for 72 hours from its sample, not at 72:00:00.
    pytest.param([N1], local(2021, 5, 1, 10, 0) - US, Colour.BLUE, None, id="R-ST-5-1us-before-negative-sample"),
    pytest.param([N1], local(2021, 5, 1, 10, 0), Colour.GREEN, "n1", id="R-ST-5-at-negative-sample-green"),
    pytest.param([N1], local(2021, 5, 4, 10, 0) - US, Colour.GREEN, "n1", id="R-ST-5-72h-minus-1us-green"),
    pytest.param([N1], local(2021, 5, 4, 10, 0), Colour.BLUE, None, id="R-ST-5-at-72h-not-green"),
    # R-ST-5 (Decided): vaccinated from 00:00 of the day after the final dose.
    pytest.param(
        [V_FINAL], local(2021, 5, 3, 23, 59, 59, 999999), Colour.BLUE, None, id="R-ST-5-day-of-final-dose-not-green"
    ),
    pytest.param([V_FINAL], local(2021, 5, 4), Colour.GREEN, "v2", id="R-ST-5-day-after-final-dose-green"),
    pytest.param([V_FINAL], local(2031, 5, 4), Colour.GREEN, "v2", id="R-ST-5-vaccination-green-has-no-end"),
    pytest.param([V_FIRST], local(2021, 6, 10), Colour.BLUE, None, id="R-ST-5-non-final-dose-not-green"),
    pytest.param([V_SINGLE], local(2021, 5, 4), Colour.GREEN, "v-single", id="R-ST-5-one-dose-scheme-green"),
    pytest.param([V_BOOSTER], local(2021, 5, 4), Colour.GREEN, "v-booster", id="R-ST-5-dose-beyond-scheme-green"),
    pytest.param([V_MALFORMED], local(2021, 5, 4), Colour.BLUE, None, id="R-ST-5-malformed-scheme-not-green"),
    pytest.param([V_FINAL], local(2021, 5, 1), Colour.BLUE, None, id="R-ST-5-future-vaccination-not-yet"),
    pytest.param([V_FINAL, V_FIRST], local(2021, 5, 4), Colour.GREEN, "v2", id="R-ST-5-final-dose-among-others"),
    # R-ST-2: red > yellow > green > blue.
    pytest.param([P1, C1], local(2021, 5, 3, 12, 0), Colour.RED, "p1", id="R-ST-2-red-over-yellow"),
    pytest.param([P1, N1], local(2021, 5, 1, 10, 0), Colour.RED, "p1", id="R-ST-2-red-over-green-pcr"),
    pytest.param([P1, V_EARLY], local(2021, 5, 1, 10, 0), Colour.RED, "p1", id="R-ST-2-red-over-vaccinated"),
    pytest.param([C1, V_EARLY], local(2021, 5, 3, 12, 0), Colour.YELLOW, "c1", id="R-ST-2-yellow-over-vaccinated"),
    pytest.param(
        [N1, V_EARLY], local(2021, 5, 1, 10, 0), Colour.GREEN, "v-early", id="R-ST-2-vaccination-is-the-green-record"
    ),
    # R-ST-6: when red or yellow ends, green if a negative PCR is within 72 hours.
    pytest.param(
        [P1, N_END_OF_RED], local(2021, 5, 14, 23, 59, 59, 999999), Colour.RED, "p1", id="R-ST-6-still-red-before-end"
    ),
    pytest.param(
        [P1, N_END_OF_RED], local(2021, 5, 15), Colour.GREEN, "n-end", id="R-ST-6-red-ends-green-by-recent-negative"
    ),
    pytest.param(
        [P1, N_END_OF_RED], local(2021, 5, 16, 9, 0) - US, Colour.GREEN, "n-end", id="R-ST-6-green-until-its-72h"
    ),
    pytest.param([P1, N_END_OF_RED], local(2021, 5, 16, 9, 0), Colour.BLUE, None, id="R-ST-6-then-blue"),
    pytest.param([P1, N_DURING_RED], local(2021, 5, 15), Colour.BLUE, None, id="R-ST-6-red-ends-blue-negative-too-old"),
    pytest.param([P1], local(2021, 5, 15), Colour.BLUE, None, id="R-ST-6-red-ends-blue-without-negative"),
    pytest.param([P1, V_EARLY], local(2021, 5, 15), Colour.GREEN, "v-early", id="R-ST-6-red-ends-green-vaccinated"),
    pytest.param(
        [C1, negative("n", local(2021, 5, 14, 9, 0))],
        local(2021, 5, 15),
        Colour.GREEN,
        "n",
        id="R-ST-6-yellow-ends-green-by-negative",
    ),
    pytest.param([C1], local(2021, 5, 15), Colour.BLUE, None, id="R-ST-6-yellow-ends-blue"),
]


@pytest.mark.parametrize(("records", "at", "colour", "record"), COLOUR_CASES)
def test_colour_and_record_at_each_boundary(records, at, colour, record):
    result = status(records, at)

    assert (result.colour, result.record) == (colour, record)


RULE_CASES = [
    pytest.param([], local(2021, 5, 1), "R-ST-1", None, id="R-ST-1-blue"),
    pytest.param([P1], local(2021, 5, 1, 10), "R-ST-3", "pcr", id="R-ST-3-red"),
    pytest.param([C1], local(2021, 5, 3, 12), "R-ST-4", "contacts", id="R-ST-4-yellow"),
    pytest.param([N1], local(2021, 5, 1, 10), "R-ST-5", "pcr", id="R-ST-5-green-pcr"),
    pytest.param([V_FINAL], local(2021, 5, 4), "R-ST-5", "vaccinations", id="R-ST-5-green-vaccinated"),
]


@pytest.mark.parametrize(("records", "at", "rule", "registry"), RULE_CASES)
def test_status_names_its_rule_and_registry(records, at, rule, registry):
    # R-ST-7: the rule that produced the status and where its record comes from.
    result = status(records, at)

    assert (result.rule, result.registry) == (rule, registry)


VALIDITY_CASES = [
    # (records, at, since, valid_until, changes_at)
    pytest.param([], local(2021, 5, 1), None, None, None, id="R-ST-7-blue-nothing-ahead-none"),
    pytest.param(
        [P1],
        local(2021, 4, 30),
        None,
        local(2021, 5, 1, 10),
        local(2021, 5, 1, 10),
        id="R-ST-7-blue-until-future-sample",
    ),
    pytest.param(
        [P1],
        local(2021, 5, 3),
        local(2021, 5, 1, 10),
        local(2021, 5, 15),
        local(2021, 5, 15),
        id="R-ST-7-red-until-D+14",
    ),
    pytest.param(
        [P_UTC],
        local(2021, 5, 3),
        datetime(2021, 5, 1, 19, tzinfo=UTC),
        local(2021, 5, 16),
        local(2021, 5, 16),
        id="R-ST-7-red-until-local-D+14-of-utc-sample",
    ),
    # A later positive during red: the colour holds until the later red ends, while the
    # record behind it switches at the later sample.
    pytest.param(
        [P1, P2],
        local(2021, 5, 3),
        local(2021, 5, 1, 10),
        local(2021, 5, 24),
        local(2021, 5, 10, 10),
        id="R-ST-7-red-until-end-of-last-positive",
    ),
    pytest.param(
        [P1, P2],
        local(2021, 5, 12),
        local(2021, 5, 10, 10),
        local(2021, 5, 24),
        local(2021, 5, 24),
        id="R-ST-7-red-on-second-positive",
    ),
    pytest.param(
        [P1, N_END_OF_RED],
        local(2021, 5, 13, 9),
        local(2021, 5, 1, 10),
        local(2021, 5, 15),
        local(2021, 5, 15),
        id="R-ST-7-red-until-it-turns-green",
    ),
    pytest.param(
        [P1, N_END_OF_RED],
        local(2021, 5, 15),
        local(2021, 5, 15),
        local(2021, 5, 16, 9),
        local(2021, 5, 16, 9),
        id="R-ST-6-green-since-red-ended",
    ),
    pytest.param([P1], local(2021, 5, 20), local(2021, 5, 15), None, None, id="R-ST-7-blue-after-red-none"),
    pytest.param(
        [C1],
        local(2021, 5, 5),
        local(2021, 5, 3, 12),
        local(2021, 5, 15),
        local(2021, 5, 15),
        id="R-ST-7-yellow-until-contact-date+14",
    ),
    pytest.param(
        [C1, V_EARLY],
        local(2021, 5, 5),
        local(2021, 5, 3, 12),
        local(2021, 5, 15),
        local(2021, 5, 15),
        id="R-ST-7-yellow-until-vaccinated-green",
    ),
    pytest.param(
        [C1, V_EARLY],
        local(2021, 5, 15),
        local(2021, 5, 15),
        None,
        None,
        id="R-ST-7-vaccinated-green-after-yellow-none",
    ),
    pytest.param(
        [N1],
        local(2021, 5, 2),
        local(2021, 5, 1, 10),
        local(2021, 5, 4, 10),
        local(2021, 5, 4, 10),
        id="R-ST-7-green-pcr-until-72h",
    ),
    pytest.param([V_FINAL], local(2021, 5, 4), local(2021, 5, 4), None, None, id="R-ST-7-vaccinated-green-none"),
    # A vaccination takes over a negative PCR's green: no change of colour ahead, but a
    # change of record at 00:00 after the final dose.
    pytest.param(
        [N1, vaccination("v", 2, 2, date(2021, 5, 1))],
        local(2021, 5, 1, 12),
        local(2021, 5, 1, 10),
        None,
        local(2021, 5, 2),
        id="R-ST-7-green-pcr-then-vaccinated-none",
    ),
    pytest.param(
        [V_EARLY, C1],
        local(2021, 5, 1),
        local(2021, 4, 2),
        local(2021, 5, 3, 12),
        local(2021, 5, 3, 12),
        id="R-ST-7-vaccinated-until-future-contact",
    ),
    pytest.param(
        [N1, C1],
        local(2021, 5, 1, 12),
        local(2021, 5, 1, 10),
        local(2021, 5, 3, 12),
        local(2021, 5, 3, 12),
        id="R-ST-7-green-pcr-cut-by-future-contact",
    ),
]


@pytest.mark.parametrize(("records", "at", "since", "valid_until", "changes_at"), VALIDITY_CASES)
def test_since_valid_until_and_next_change(records, at, since, valid_until, changes_at):
    result = status(records, at)

    assert (result.since, result.valid_until, result.changes_at) == (since, valid_until, changes_at)


def test_red_valid_until_in_2021_is_local_midnight_at_plus_six():
    # R-ST-3, R-ST-7: Almaty was UTC+6 in 2021.
    result = status([P1], local(2021, 5, 3))

    assert result.valid_until.astimezone(ALMATY).isoformat() == "2021-05-15T00:00:00+06:00"


def test_red_valid_until_after_march_2024_is_local_midnight_at_plus_five():
    # R-ST-3: since 1 March 2024 Almaty is UTC+5; the day still ends at local midnight.
    result = status([positive("p", local(2024, 2, 20, 10))], local(2024, 2, 21))

    assert result.valid_until.astimezone(ALMATY).isoformat() == "2024-03-05T00:00:00+05:00"


def test_negative_pcr_green_lasts_72_real_hours_across_the_2024_offset_change():
    # R-ST-5: 72 hours, not "the same wall time three days later" (which is an hour more).
    sampled = datetime(2024, 2, 28, 12, 0, tzinfo=ALMATY)
    assert sampled.utcoffset() == timedelta(hours=6)

    result = status([negative("n", sampled)], sampled)

    assert result.valid_until.astimezone(ALMATY).isoformat() == "2024-03-02T11:00:00+05:00"
    assert status([negative("n", sampled)], result.valid_until - US).colour == Colour.GREEN
    assert status([negative("n", sampled)], result.valid_until).colour == Colour.BLUE


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2021, 5, 15), "2021-05-15T00:00:00+06:00", id="2021-plus-six"),
        pytest.param(date(2024, 3, 1), "2024-03-01T00:00:00+05:00", id="first-day-at-plus-five"),
        pytest.param(date(2024, 6, 1), "2024-06-01T00:00:00+05:00", id="2024-plus-five"),
    ],
)
def test_local_midnight(day, expected):
    assert local_midnight(day).isoformat() == expected


def test_status_datetimes_compare_equal_whatever_zone_the_input_came_in():
    # Inputs in any zone: the same instant gives the same status.
    in_utc = positive("p1", local(2021, 5, 1, 10).astimezone(UTC))

    assert status([in_utc], local(2021, 5, 3)) == status([P1], local(2021, 5, 3))


# --- timeline (R-ST-10) --------------------------------------------------------------


def _summary(statuses):
    return [(s.colour, s.record, s.since) for s in statuses]


def test_timeline_red_then_green_then_blue():
    # R-ST-10 with R-ST-3 and R-ST-6: red, green from the negative PCR until its 72 h, blue.
    statuses = timeline(**split([P1, N_END_OF_RED]), start=local(2021, 4, 25), end=local(2021, 6, 1))

    assert _summary(statuses) == [
        (Colour.BLUE, None, None),
        (Colour.RED, "p1", local(2021, 5, 1, 10)),
        (Colour.GREEN, "n-end", local(2021, 5, 15)),
        (Colour.BLUE, None, local(2021, 5, 16, 9)),
    ]
    assert [s.rule for s in statuses] == ["R-ST-1", "R-ST-3", "R-ST-5", "R-ST-1"]
    assert [s.valid_until for s in statuses] == [local(2021, 5, 1, 10), local(2021, 5, 15), local(2021, 5, 16, 9), None]


def test_timeline_starts_with_the_status_at_start():
    # R-ST-10: a period starting inside a red begins with that red, since its sample.
    statuses = timeline(**split([P1, N_END_OF_RED]), start=local(2021, 5, 5), end=local(2021, 5, 16))

    assert statuses[0] == status([P1, N_END_OF_RED], local(2021, 5, 5))
    assert _summary(statuses) == [
        (Colour.RED, "p1", local(2021, 5, 1, 10)),
        (Colour.GREEN, "n-end", local(2021, 5, 15)),
    ]


def test_timeline_end_is_exclusive():
    # R-ST-10: [start, end): a change exactly at the end belongs to the next period.
    assert _summary(timeline(**split([P1]), start=local(2021, 5, 1), end=local(2021, 5, 15))) == [
        (Colour.BLUE, None, None),
        (Colour.RED, "p1", local(2021, 5, 1, 10)),
    ]
    assert _summary(timeline(**split([P1]), start=local(2021, 5, 1), end=local(2021, 5, 15) + US))[-1] == (
        Colour.BLUE,
        None,
        local(2021, 5, 15),
    )


def test_timeline_keeps_a_change_of_record_within_one_colour():
    # R-ST-10: the cause changes when a later positive outlasts the first; the colour does not.
    statuses = timeline(**split([P1, P2]), start=local(2021, 5, 2), end=local(2021, 6, 1))

    assert _summary(statuses) == [
        (Colour.RED, "p1", local(2021, 5, 1, 10)),
        (Colour.RED, "p2", local(2021, 5, 10, 10)),
        (Colour.BLUE, None, local(2021, 5, 24)),
    ]
    assert statuses[0].valid_until == statuses[1].valid_until == local(2021, 5, 24)
    assert [s.changes_at for s in statuses] == [local(2021, 5, 10, 10), local(2021, 5, 24), None]


def test_timeline_same_ref_in_two_registries_is_two_records():
    # A PCR and a vaccination may both be "7" in their own registries.
    records = [negative("7", local(2021, 5, 1, 10)), vaccination("7", 1, 1, date(2021, 5, 1))]

    statuses = timeline(**split(records), start=local(2021, 5, 1, 12), end=local(2021, 5, 3))

    assert [(s.record, s.registry, s.since) for s in statuses] == [
        ("7", "pcr", local(2021, 5, 1, 10)),
        ("7", "vaccinations", local(2021, 5, 2)),
    ]


def test_timeline_accepts_one_shot_iterables():
    statuses = timeline(
        pcrs=iter([P1]), contacts=iter([C1]), vaccinations=iter([]), start=local(2021, 4, 1), end=local(2021, 6, 1)
    )

    assert [s.colour for s in statuses] == [Colour.BLUE, Colour.RED, Colour.BLUE]


def test_timeline_rejects_an_empty_period():
    with pytest.raises(ValueError, match="end must be after start"):
        timeline(**split([P1]), start=local(2021, 5, 1), end=local(2021, 5, 1))


# --- Reasons (R-ST-7) ------------------------------------------------------------------


REASON_CASES = [
    pytest.param([P1], local(2021, 5, 3), "PCR positive, sampled 1 May 10:00", id="R-ST-3-red"),
    pytest.param([P_UTC], local(2021, 5, 3), "PCR positive, sampled 2 May 01:00", id="R-ST-3-local-time-of-utc-sample"),
    pytest.param([C1], local(2021, 5, 5), "Close contact on 1 May", id="R-ST-4-yellow"),
    pytest.param([N1], local(2021, 5, 2), "PCR negative, sampled 1 May 10:00", id="R-ST-5-green-pcr"),
    pytest.param([V_FINAL], local(2021, 5, 4), "Vaccinated, final dose on 3 May", id="R-ST-5-green-vaccinated"),
    pytest.param([], local(2021, 5, 4), "No PCR result, contact or vaccination in force", id="R-ST-1-blue"),
]


@pytest.mark.parametrize(("records", "at", "reason"), REASON_CASES)
def test_reason_in_plain_words(records, at, reason):
    with translation.override("en"):
        assert str(status(records, at).reason) == reason


def test_reason_follows_the_language_active_when_shown():
    # Computed in English, shown in Russian: the month comes out in Russian.
    with translation.override("en"):
        result = status([P1], local(2021, 5, 3))

    with translation.override("ru"):
        assert "1 мая 10:00" in str(result.reason)


# --- Bad input ---------------------------------------------------------------------------


def test_naive_moment_is_refused():
    with pytest.raises(ValueError, match="at must be timezone-aware"):
        status([P1], datetime(2021, 5, 3))  # noqa: DTZ001


def test_naive_sample_time_is_refused():
    with pytest.raises(ValueError, match="sampled_at must be timezone-aware"):
        positive("p", datetime(2021, 5, 3))  # noqa: DTZ001


def test_contact_date_must_be_a_date_not_a_datetime():
    with pytest.raises(TypeError, match="contact_date must be a date"):
        contact("c", local(2021, 5, 1), local(2021, 5, 3))
