"""The commands scripts and operators use: citizen_status (its first line is a contract) and sync_registries."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from ashyq.core.models import AuditEvent
from ashyq.mocks import services as mocks
from statuses.models import PcrResult
from statuses.persons import person_key
from statuses.tests.factories import ContactFactory, PcrResultFactory, VaccinationFactory, iin, local

AT = "2021-05-03T12:00:00+06:00"


def citizen_status(*args: str) -> list[str]:
    out = StringIO()
    call_command("citizen_status", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("records", "first_line"),
    [
        # R-ST-3: red until 00:00 of the 14th day after the sample date.
        ([("pcr", {"positive": True, "sampled_at": local(2021, 5, 1, 10)})], "red 2021-05-15T00:00:00+06:00 R-ST-3"),
        # R-ST-4: yellow until 00:00 of the 14th day after the contact date.
        (
            [("contact", {"contact_date": local(2021, 5, 1).date(), "registered_at": local(2021, 5, 2, 9)})],
            "yellow 2021-05-15T00:00:00+06:00 R-ST-4",
        ),
        # R-ST-5: a negative PCR is green for 72 hours from its sample time.
        (
            [("pcr", {"positive": False, "sampled_at": local(2021, 5, 1, 10, 15, 30, 999)})],
            "green 2021-05-04T10:15:30+06:00 R-ST-5",
        ),
        # R-ST-5 (Decided): vaccinated is green with no end.
        ([("vaccination", {"administered_on": local(2021, 4, 1).date()})], "green - R-ST-5"),
        # R-ST-1: nothing on record is blue, with no end…
        ([], "blue - R-ST-1"),
        # … until a final dose takes effect, from 00:00 of the next day.
        ([("vaccination", {"administered_on": local(2021, 5, 3).date()})], "blue 2021-05-04T00:00:00+06:00 R-ST-1"),
    ],
)
def test_the_first_line_is_colour_valid_until_and_rule(records, first_line):
    factories = {"pcr": PcrResultFactory, "contact": ContactFactory, "vaccination": VaccinationFactory}
    person = iin(1)
    for kind, fields in records:
        factories[kind](iin=person, **fields)

    lines = citizen_status(person, "--at", AT)

    assert lines[0] == first_line
    assert lines[3] == "at: 2021-05-03T12:00:00+06:00"


@pytest.mark.django_db
def test_at_without_an_offset_is_almaty_time_and_the_iin_may_have_spaces():
    PcrResultFactory(iin=iin(2), positive=True, sampled_at=local(2021, 5, 1, 10))
    spaced = f"{iin(2)[:6]} {iin(2)[6:]}"

    assert citizen_status(spaced, "--at", "2021-05-14T23:59:59")[0] == "red 2021-05-15T00:00:00+06:00 R-ST-3"
    assert citizen_status(spaced, "--at", "2021-05-15T00:00:00")[0] == "blue - R-ST-1"


@pytest.mark.django_db
def test_a_foreigner_is_looked_up_by_passport_with_country():
    PcrResultFactory(
        person=person_key(passport="N1234567", country="DE"), positive=True, sampled_at=local(2021, 5, 1, 10)
    )

    assert citizen_status("n1234567", "--country", "de", "--at", AT)[0] == "red 2021-05-15T00:00:00+06:00 R-ST-3"


@pytest.mark.django_db
def test_the_following_lines_explain_and_say_when_the_data_is_stale():
    PcrResultFactory(iin=iin(3), positive=True, sampled_at=local(2021, 5, 1, 10))

    with translation.override("en"):
        lines = citizen_status(iin(3), "--at", AT)

    assert lines[1] == "reason: PCR positive, sampled 1 May 10:00"
    assert lines[2] == "since: 2021-05-01T10:00:00+06:00"
    assert lines[4] == "data: STALE (pcr, contacts, vaccinations), last sync -"  # R-ST-9: never synced


@pytest.mark.django_db
def test_a_look_up_is_audited_with_the_iin_masked():
    citizen_status(iin(4), "--at", AT)

    event = AuditEvent.objects.get(action="status.lookup")
    assert event.details["person"] == "******" + iin(4)[-4:]
    assert event.details["colour"] == "blue"
    assert iin(4) not in str(event.details)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["12345"], "An IIN has 12 digits."),
        ([iin(5)[:-1] + str((int(iin(5)[-1]) + 1) % 10)], "a digit is probably mistyped"),
        (["N1234567", "--country", "Germany"], "--country must be an ISO 3166 alpha-2 code"),
        ([iin(5), "--at", "tomorrow"], "--at must be an ISO-8601 date-time"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(args, message):
    out = StringIO()
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("citizen_status", *args, stdout=out)

    assert out.getvalue() == ""
    assert not AuditEvent.objects.exists()


def test_an_invalid_iin_exits_non_zero_with_the_message_on_stderr_only():
    manage = Path(settings.BASE_DIR) / "manage.py"
    done = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, str(manage), "citizen_status", "12345"], capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("CommandError: ")
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("registry")
def test_citizen_status_answers_from_the_synced_data_not_the_registry():
    mocks.pcr_add(iin=iin(6), result="positive", sampled_at=local(2021, 5, 1, 10))

    assert citizen_status(iin(6), "--at", AT)[0] == "blue - R-ST-1"
    call_command("sync_registries", stdout=StringIO())
    assert citizen_status(iin(6), "--at", AT)[0] == "red 2021-05-15T00:00:00+06:00 R-ST-3"


# --- sync_registries ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("registry")
def test_sync_registries_reports_each_registry():
    first = mocks.pcr_add(iin=iin(7), result="negative", sampled_at=local(2021, 5, 1, 10))
    last = mocks.pcr_add(iin=iin(8), result="negative", sampled_at=local(2021, 5, 1, 10))
    dose = mocks.vaccination_add(iin=iin(7), vaccine="QazVac", dose=1, doses_in_scheme=2, administered_on="2021-04-01")
    out = StringIO()

    call_command("sync_registries", "--limit", "1", stdout=out)

    assert first.seq < last.seq
    assert out.getvalue().splitlines() == [
        f"pcr: 2 page(s), 2 record(s) applied, 0 bad record(s) skipped, cursor {last.seq}, up to date",
        "contacts: 1 page(s), 0 record(s) applied, 0 bad record(s) skipped, cursor 0, up to date",
        f"vaccinations: 1 page(s), 1 record(s) applied, 0 bad record(s) skipped, cursor {dose.seq}, up to date",
    ]
    assert PcrResult.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("registry")
def test_sync_registries_shows_a_failing_registry_syncs_the_others_and_exits_non_zero():
    mocks.pcr_add(iin=iin(9), result="negative", sampled_at=local(2021, 5, 1, 10))
    mocks.failure_set("contacts", error_rate=1.0)
    out = StringIO()

    with pytest.raises(CommandError, match="Sync failed for: contacts"):
        call_command("sync_registries", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("pcr: 1 page(s), 1 record(s) applied") and lines[0].endswith("up to date")
    assert (
        lines[1]
        == "contacts: 0 page(s), 0 record(s) applied, 0 bad record(s) skipped, cursor -, error: contacts: HTTP 503"
    )
    assert lines[2].startswith("vaccinations: 1 page(s)")
