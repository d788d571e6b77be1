"""On-demand computations with progress (R-LD-2): the compute page, the
run's page, and the task that performs a run."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django.utils import timezone, translation

from ashyq import celery_app
from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core.models import AuditEvent
from ashyq.reference.models import Region
from ashyq.reference.tests.factories import RegionFactory
from leaders.models import Candidate, CandidateList, ComputeRun, ListStatus, RunStatus
from leaders.services import compute as services
from leaders.tasks import compute_run
from leaders.tests.factories import PERIOD, add_visits, tier_venue

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2021, 6, 1, 12, tzinfo=ALMATY)
COMPUTE = reverse("leaders:compute")


def run_url(run, **query):
    url = reverse("leaders:run", args=[run.pk])
    return url + ("?format=json" if query.get("json") else "")


@pytest.fixture
def commission():
    return UserFactory(role=Role.COMMISSION)


@pytest.fixture
def region_with_a_candidate():
    region = RegionFactory(code="test-run-region")
    add_visits(tier_venue(region=region), 1001)
    return region


# --- The task, run in-process ----------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_task_marks_the_run_done_with_the_counts_and_100_percent(commission, region_with_a_candidate):
    run = ComputeRun.objects.create(period_start=PERIOD, requested_by=commission)

    assert compute_run(run.pk, "en") == RunStatus.DONE

    run.refresh_from_db()
    assert (run.status, run.progress) == (RunStatus.DONE, 100)
    assert run.result[region_with_a_candidate.code] == 1
    assert run.started_at == run.finished_at == timezone.now()
    assert run.message == "Done. Candidates found: 1."
    assert Candidate.objects.filter(list__region=region_with_a_candidate).count() == 1
    assert AuditEvent.objects.filter(action="leaders.compute", actor=commission).count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_run_already_done_is_not_redone(commission, region_with_a_candidate):
    run = ComputeRun.objects.create(period_start=PERIOD, requested_by=commission)
    compute_run(run.pk, "en")
    done = ComputeRun.objects.get(pk=run.pk)
    add_visits(tier_venue(region=region_with_a_candidate), 1001)  # would change the result

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert compute_run(run.pk, "en") is None  # a redelivered message (acks_late)

    again = ComputeRun.objects.get(pk=run.pk)
    assert (again.finished_at, again.result) == (done.finished_at, done.result)
    assert Candidate.objects.filter(list__region=region_with_a_candidate).count() == 1
    assert compute_run(10**9, "en") is None  # gone: nothing to do


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_run_left_running_by_a_dead_worker_is_taken_again(commission, region_with_a_candidate):
    run = ComputeRun.objects.create(period_start=PERIOD, requested_by=commission, status=RunStatus.RUNNING, progress=40)
    assert compute_run(run.pk, "en") == RunStatus.DONE
    assert ComputeRun.objects.get(pk=run.pk).progress == 100


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_refused_computation_fails_the_run_with_its_message(commission, region_with_a_candidate):
    services.leaders_compute(period_start=PERIOD, now=NOW)
    CandidateList.objects.update(status=ListStatus.SUBMITTED, submitted_at=NOW)  # every region's
    run = ComputeRun.objects.create(period_start=PERIOD, requested_by=commission)

    assert compute_run(run.pk, "en") == RunStatus.FAILED

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.finished_at == timezone.now()
    assert "already submitted or fixed" in run.message
    assert run.result == {}


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_run_keeps_a_submitted_list_and_says_so(commission, region_with_a_candidate):  # R-LD-3
    services.leaders_compute(period_start=PERIOD, now=NOW)
    CandidateList.objects.filter(region=region_with_a_candidate).update(status=ListStatus.SUBMITTED, submitted_at=NOW)
    run = ComputeRun.objects.create(period_start=PERIOD, requested_by=commission)

    assert compute_run(run.pk, "en") == RunStatus.DONE

    run.refresh_from_db()
    assert region_with_a_candidate.code not in run.result and len(run.result) == Region.objects.count() - 1
    with translation.override("en"):
        name = str(region_with_a_candidate)
    assert run.message == f"Done. Candidates found: 0. Already submitted, kept as they were: {name}."


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_run_s_message_is_in_the_requester_s_language(commission):
    run = ComputeRun.objects.create(period_start=PERIOD + timedelta(days=7), requested_by=commission)
    compute_run(run.pk, "ru")
    assert "не первый день" in ComputeRun.objects.get(pk=run.pk).message


# --- The compute page ---------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_form_queues_a_run_and_goes_to_its_page(client, commission, django_capture_on_commit_callbacks):
    client.force_login(commission)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(COMPUTE, {"period_start": "2021-05-10"})

    run = ComputeRun.objects.get()
    assert response.status_code == 302
    assert response.url == run_url(run)
    assert (run.period_start, run.requested_by, run.status, run.requested_at) == (
        PERIOD,
        commission,
        RunStatus.QUEUED,
        timezone.now(),
    )
    assert len(queued) == 1  # the task, sent once the run is committed
    assert AuditEvent.objects.filter(action="leaders.compute_run.request", actor=commission).exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2021-05-17", "is not the first day of a period; the period holding it starts on 2021-05-10"),
        ("2021-05-24", "has not closed yet"),  # 24 May – 7 Jun is still open on 1 June
        ("10.05.2021", "Enter a valid date."),
        ("", "This field is required."),
        ("2020-12-28", "no check-ins before 2021-02-15"),
    ],
)
def test_the_form_refuses_with_a_clear_message_and_queues_nothing(
    en_client, commission, value, message, django_capture_on_commit_callbacks
):
    en_client.force_login(commission)
    with django_capture_on_commit_callbacks() as queued:
        response = en_client.post(COMPUTE, {"period_start": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ComputeRun.objects.exists()
    assert queued == []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_form_refuses_a_period_whose_lists_are_all_submitted(
    en_client, commission, region_with_a_candidate, django_capture_on_commit_callbacks
):
    services.leaders_compute(period_start=PERIOD, now=NOW)
    CandidateList.objects.update(status=ListStatus.SUBMITTED, submitted_at=NOW)
    en_client.force_login(commission)
    with django_capture_on_commit_callbacks() as queued:
        response = en_client.post(COMPUTE, {"period_start": "2021-05-10"})
    assert response.status_code == 400
    assert "already submitted or fixed" in response.content.decode()
    assert not ComputeRun.objects.exists() and queued == []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_page_offers_the_last_closed_period_and_lists_recent_runs_paginated(
    client, commission, django_assert_max_num_queries
):
    others = UserFactory(role=Role.OPERATOR)
    ComputeRun.objects.bulk_create(
        ComputeRun(period_start=PERIOD, requested_by=others, requested_at=NOW - timedelta(minutes=n)) for n in range(25)
    )
    client.force_login(commission)
    with django_assert_max_num_queries(8):
        body = client.get(COMPUTE).content.decode()
    assert 'value="2021-05-10"' in body  # 10 – 24 May closed last
    assert body.count("data-run=") == 20
    assert client.get(COMPUTE + "?page=2").content.decode().count("data-run=") == 5


# --- The run's page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_running_run_shows_its_progress_and_polls_it_as_a_fragment(client, commission):
    """The page stays put (a full reload every 2 s would throw a screen reader back to
    the top): its state is polled with htmx, and only without scripts does it reload."""
    run = ComputeRun.objects.create(
        period_start=PERIOD, requested_by=commission, status=RunStatus.RUNNING, progress=40, message="Almaty"
    )
    client.force_login(commission)
    body = client.get(run_url(run)).content.decode()
    assert 'hx-trigger="every 2s"' in body and f'hx-get="{run_url(run)}"' in body
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in body
    assert body.count('http-equiv="refresh"') == 1
    assert '<progress max="100" value="40"' in body
    assert "40 %" in body and "Almaty" in body
    assert client.get(run_url(run, json=True)).json() == {"status": "running", "progress": 40, "message": "Almaty"}

    fragment = client.get(run_url(run), {"was": "running"}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('\n<div id="run-state"') and "<html" not in fragment
    assert 'hx-trigger="every 2s"' in fragment and "40 %" in fragment
    assert 'id="run-announce"' not in fragment  # nothing new to read out
    fragment = client.get(run_url(run), {"was": "queued"}, headers={"HX-Request": "true"}).content.decode()
    assert '<p id="run-announce" hx-swap-oob="innerHTML">' in fragment  # queued → running: read out once


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_done_run_links_each_region_to_its_review_and_stops_refreshing(client, commission, region_with_a_candidate):
    run = ComputeRun.objects.create(period_start=PERIOD, requested_by=commission)
    compute_run(run.pk, "en")
    client.force_login(commission)
    body = client.get(run_url(run)).content.decode()
    assert 'http-equiv="refresh"' not in body and "hx-trigger" not in body
    assert '<progress max="100" value="100"' in body
    review = reverse("leaders:review", args=[region_with_a_candidate.code, PERIOD])
    assert f'<tr data-region="{region_with_a_candidate.code}">' in body
    assert f'href="{review}"' in body
    # The last poll of a page that saw it running: the result, the end of the polling, the news.
    fragment = client.get(run_url(run), {"was": "running"}, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and f'href="{review}"' in fragment
    announced = fragment.split('<p id="run-announce" hx-swap-oob="innerHTML">', 1)[1]
    assert announced.endswith(": Done. Candidates found: 1.</p>\n")  # status (in Russian), then the message


@pytest.mark.django_db
def test_a_failed_run_shows_its_message(client, commission):
    run = ComputeRun.objects.create(
        period_start=PERIOD, requested_by=commission, status=RunStatus.FAILED, message="Not closed."
    )
    client.force_login(commission)
    body = client.get(run_url(run)).content.decode()
    assert "Not closed." in body and 'http-equiv="refresh"' not in body
    assert client.get(reverse("leaders:run", args=[run.pk + 1])).status_code == 404


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COMMISSION, Role.OPERATOR])
def test_the_commission_and_operators_may_compute_and_see_runs(client, role, commission):
    run = ComputeRun.objects.create(period_start=PERIOD, requested_by=commission)
    client.force_login(UserFactory(role=role))
    assert client.get(COMPUTE).status_code == 200
    assert client.get(run_url(run)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AKIMAT, Role.INSPECTOR, Role.SANITARY, Role.OWNER, Role.CITIZEN])
def test_other_roles_get_403(client, role, commission):
    run = ComputeRun.objects.create(period_start=PERIOD, requested_by=commission)
    client.force_login(UserFactory(role=role))
    assert client.get(COMPUTE).status_code == 403
    assert client.post(COMPUTE, {"period_start": "2021-05-10"}).status_code == 403
    assert client.get(run_url(run)).status_code == 403
    assert client.get(run_url(run, json=True)).status_code == 403
    assert ComputeRun.objects.count() == 1


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, commission):
    run = ComputeRun.objects.create(period_start=PERIOD, requested_by=commission)
    for url in (COMPUTE, run_url(run)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_wrong_methods_get_405(client, commission):
    run = ComputeRun.objects.create(period_start=PERIOD, requested_by=commission)
    client.force_login(commission)
    assert client.put(COMPUTE).status_code == 405
    assert client.post(run_url(run)).status_code == 405


# --- A real worker ------------------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_takes_a_queued_run_to_done(finished_tasks):
    region = RegionFactory(code="worker-region")
    add_visits(tier_venue(region=region), 1001)
    requester = UserFactory(role=Role.OPERATOR)
    # Other tests queue tasks that no worker ran: start from an empty queue.
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        run = services.compute_run_request(period_start=PERIOD, requested_by=requester, now=timezone.now())
        finished_tasks.wait(compute_run.name)
    run.refresh_from_db()
    assert (run.status, run.progress) == (RunStatus.DONE, 100)
    assert run.result["worker-region"] == 1
    assert Candidate.objects.filter(list__region=region).count() == 1
