"""manage.py compute_leaders and the beat task (R-LD-2)."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from ashyq.reference.tests.factories import RegionFactory
from leaders.models import Candidate, CandidateList
from leaders.tasks import compute_closed_periods
from leaders.tests.factories import PERIOD, add_visits, tier_venue

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2021, 6, 1, 12, tzinfo=ALMATY)


@time_machine.travel(NOW, tick=False)
def test_command_prints_the_candidates_of_each_region():
    region = RegionFactory(code="test-almaty")
    add_visits(tier_venue(region=region), 1001)
    out, err = StringIO(), StringIO()

    call_command("compute_leaders", "--period-start", "2021-05-10", stdout=out, stderr=err)

    assert "test-almaty: 1" in out.getvalue().splitlines()
    assert all(": " in line and line.split(": ")[1].isdigit() for line in out.getvalue().splitlines())
    assert Candidate.objects.filter(list__region=region).count() == 1
    # The progress goes to stderr, ending at 100 %.
    assert err.getvalue().splitlines()[-1].startswith("100%")


@time_machine.travel(NOW, tick=False)
def test_command_is_quiet_on_stderr_at_verbosity_0():
    err = StringIO()
    call_command("compute_leaders", "--period-start", "2021-05-10", "-v", "0", stdout=StringIO(), stderr=err)
    assert err.getvalue() == ""


@time_machine.travel(NOW, tick=False)
def test_command_refuses_a_day_that_starts_no_period():
    with pytest.raises(CommandError, match="2021-05-10"):
        call_command("compute_leaders", "--period-start", "2021-05-17")
    assert not CandidateList.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_command_refuses_a_malformed_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("compute_leaders", "--period-start", "10.05.2021")


@time_machine.travel(datetime(2021, 5, 20, tzinfo=ALMATY), tick=False)
def test_command_refuses_a_period_not_yet_closed():
    with pytest.raises(CommandError, match="not closed"), translation.override("en"):
        call_command("compute_leaders", "--period-start", "2021-05-10")
    assert not CandidateList.objects.exists()


@time_machine.travel(datetime(2021, 5, 24, 0, 5, tzinfo=ALMATY), tick=False)
def test_task_computes_the_period_just_closed_once():  # R-LD-2: beat, daily
    region = RegionFactory()
    venue = tier_venue(region=region)
    add_visits(venue, 1001)

    assert compute_closed_periods() is True
    assert compute_closed_periods() is False

    assert list(CandidateList.objects.order_by().values_list("period__starts_on", flat=True).distinct()) == [PERIOD]
    assert list(Candidate.objects.values_list("venue_id", flat=True)) == [venue.pk]
