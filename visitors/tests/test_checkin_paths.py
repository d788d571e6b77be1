"""The check-in's two write paths give the same rows (R-CI-5, R-CI-6, R-PR-3).

On PostgreSQL an admitted entry is written by one statement (visitors.services.checkin,
_ONE_STATEMENT_CHECK_IN: the door's speed, B1 and B2); red and yellow entries, and every
entry elsewhere, by the ORM in a transaction. Two paths must never drift apart: over
random sequences of entries (scanned or typed by a guard, with or without the guard's
look-up row) and exits of two people, each path run from the same state leaves the
same visits, windows and look-ups and gives the same answers."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ashyq.accounts.tests.factories import UserFactory
from visitors.models import Colour, EntryMethod, ExitMethod, StatusLookup, Visit, VisitWindow
from visitors.services import checkin
from visitors.tests.factories import open_venue

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement path is PostgreSQL's"),
]

T0 = datetime(2021, 5, 10, 12, tzinfo=ZoneInfo("Asia/Almaty"))
PEOPLE = ("person-a", "person-b")

# An event: (minutes after the previous one, person, what): "scan" / "guard" an entry,
# "exit" / "guard-exit" an exit.
EVENTS = st.lists(
    st.tuples(st.integers(0, 45), st.sampled_from(PEOPLE), st.sampled_from(["scan", "guard", "exit", "guard-exit"])),
    min_size=1,
    max_size=12,
)


class _Undo(Exception):  # noqa: N818 (not an error: carries what a rolled-back run saw)
    pass


def _snapshot(venue) -> dict:
    visits = Visit.objects.filter(venue=venue).order_by("entered_at", "person")
    return {
        "visits": list(visits.values_list("person", "method", "colour", "entered_at", "exited_at", "exit_method")),
        "windows": sorted(VisitWindow.objects.filter(venue=venue).values_list("person", "until")),
        "lookups": sorted(StatusLookup.objects.filter(venue=venue).values_list("person", "colour", "at", "birth_key")),
    }


def _run(write, venue, entrance, guard, events) -> tuple[list, dict]:
    """The answers and the rows after `events`, each entry written by `write`; rolled back."""
    try:
        with transaction.atomic():
            answers, now = [], T0
            for minutes, person, what in events:
                now += timedelta(minutes=minutes)
                if what in ("exit", "guard-exit"):
                    method = ExitMethod.SCAN if what == "exit" else ExitMethod.GUARD
                    answers.append(checkin.visit_exit(venue=venue, person=person, now=now, method=method))
                    continue
                typed = what == "guard"
                answer = write(
                    venue=venue,
                    entrance=entrance,
                    person=person,
                    colour=Colour.GREEN,
                    method=EntryMethod.GUARD if typed else EntryMethod.SCAN,
                    user=None,
                    now=now,
                    lookup={"actor": guard, "birth_key": "born", "company_id": venue.company_id} if typed else None,
                )
                # `repeats` is known to the one statement only (CheckIn's docstring).
                answers.append((answer.counted, answer.reopened, answer.inside, answer.visit is None))
            raise _Undo(answers, _snapshot(venue))
    except _Undo as undo:
        return undo.args


@pytest.fixture
def door():
    venue = open_venue(now=T0 - timedelta(days=30))
    return venue, venue.entrances.first(), UserFactory()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=EVENTS)
# R-CI-5 with R-CI-6: back within the 30 minutes after an exit (scanned, then typed).
@example(events=[(0, "person-a", "scan"), (5, "person-a", "exit"), (5, "person-a", "scan")])
@example(events=[(0, "person-a", "guard"), (1, "person-a", "guard-exit"), (1, "person-a", "guard")])
# R-CI-5: a repeat within the window, then a new window after it.
@example(events=[(0, "person-a", "scan"), (10, "person-a", "guard"), (30, "person-a", "scan")])
def test_both_write_paths_leave_the_same_rows_and_give_the_same_answers(door, events):
    venue, entrance, guard = door
    by_orm = _run(checkin._check_in_orm, venue, entrance, guard, events)  # noqa: SLF001 (the two paths compared)
    by_statement = _run(checkin._check_in_one_statement, venue, entrance, guard, events)  # noqa: SLF001
    assert by_statement == by_orm
