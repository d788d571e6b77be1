"""The periodic tasks of check-ins, each run twice: the second run changes nothing."""

from datetime import timedelta

import pytest
import time_machine

from ashyq.accounts.tests.factories import UserFactory
from statuses.persons import person_key
from statuses.tests.factories import iin, local
from visitors import tasks
from visitors.models import CountsMark, DailyStats, DoorReport, StatusLookup, Visit, VisitWindow
from visitors.tests.factories import RemoteCheckFactory, StatusLookupFactory, VisitFactory, open_venue

pytestmark = pytest.mark.django_db

T0 = local(2021, 5, 3, 10)


@pytest.fixture
def venue():
    return open_venue(now=T0 - timedelta(days=20))


def test_r_ci_4_auto_close_closes_visits_open_for_4_hours_once(venue):
    due = VisitFactory(venue=venue, entered_at=T0 - timedelta(hours=4))
    VisitFactory(venue=venue, entered_at=T0 - timedelta(hours=3, minutes=59))

    with time_machine.travel(T0, tick=False):
        results = [tasks.auto_close_visits(), tasks.auto_close_visits()]

    due.refresh_from_db()
    assert results == [1, 0]
    assert (due.exited_at, due.exit_method) == (T0, "auto")
    assert Visit.objects.filter(exited_at__isnull=True).count() == 1


def test_r_pr_2_the_retention_task_deletes_what_is_28_days_old_once(venue):
    CountsMark.objects.update_or_create(pk=1, defaults={"counted_until": T0 - timedelta(hours=1)})
    VisitFactory(venue=venue, entered_at=T0 - timedelta(days=28, seconds=1))
    StatusLookupFactory(venue=venue, at=T0 - timedelta(days=29))
    VisitWindow.objects.create(venue=venue, person=person_key(iin=iin(1)), until=T0 - timedelta(days=28))

    with time_machine.travel(T0, tick=False):
        results = [tasks.retention(), tasks.retention()]

    assert [(r["deleted_checkins"], r["deleted_lookups"]) for r in results] == [(1, 1), (0, 0)]
    assert not Visit.objects.exists() and not StatusLookup.objects.exists()
    assert not VisitWindow.objects.exists()


def test_r_ci_9_rollup_counts_what_happened_since_its_last_run_and_a_second_run_adds_nothing(venue):
    CountsMark.objects.update_or_create(pk=1, defaults={"counted_until": local(2021, 5, 2, 23, 0)})
    VisitFactory(venue=venue, entered_at=local(2021, 5, 2, 23, 50), colour="red")
    VisitFactory(venue=venue, entered_at=local(2021, 5, 3, 0, 10))
    RemoteCheckFactory(at=local(2021, 5, 3, 9))

    with time_machine.travel(T0, tick=False):
        tasks.rollup_stats()
        first = list(DailyStats.objects.order_by("day", "region").values())
        tasks.rollup_stats()
        second = list(DailyStats.objects.order_by("day", "region").values())

    assert first == second
    counts = {(row["day"].isoformat(), row["region_id"]): (row["checkins"], row["red_at_door"]) for row in first}
    assert counts == {
        ("2021-05-02", venue.region_id): (1, 1),
        ("2021-05-03", venue.region_id): (1, 0),
        ("2021-05-03", None): (0, 0),
    }
    assert DailyStats.objects.get(region=None).remote_checks == 1


def test_r_ci_3_the_door_report_mail_is_sent_once(venue, mailoutbox):
    UserFactory(role="sanitary", region=venue.region, email="ses@example.kz")
    report = DoorReport.objects.create(venue=venue, region=venue.region, at=T0, colour="yellow")

    with time_machine.travel(T0 + timedelta(seconds=5), tick=False):
        results = [tasks.door_report_mail(report.pk), tasks.door_report_mail(report.pk)]

    report.refresh_from_db()
    assert results == [1, 0]
    assert len(mailoutbox) == 1
    assert report.mailed_at == T0 + timedelta(seconds=5)


def test_r_ci_3_a_venue_name_with_a_line_break_does_not_suppress_the_mail(venue, mailoutbox):
    """The attack: a venue named "…\r\n…" (accepted before names were checked) made every
    report's e-mail fail on its header, so the officers never heard of red visitors."""
    type(venue).objects.filter(pk=venue.pk).update(name="Кафе\r\nBcc: someone@example.kz")
    UserFactory(role="sanitary", region=venue.region, email="ses@example.kz")
    report = DoorReport.objects.create(venue=venue, region=venue.region, at=T0, colour="red")

    assert tasks.door_report_mail(report.pk) == 1
    assert len(mailoutbox) == 1
    assert "\n" not in mailoutbox[0].subject and "Bcc" in mailoutbox[0].subject
    assert mailoutbox[0].recipients() == ["ses@example.kz"]
