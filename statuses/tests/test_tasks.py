"""The periodic sync task (R-RG-2, R-RG-3): every test runs it twice."""

from datetime import timedelta

import pytest
import time_machine
from celery import states
from django.utils import timezone

from ashyq.mocks import services as mocks
from ashyq.mocks.models import MockFailure
from statuses import tasks
from statuses.models import PcrResult, SyncState
from statuses.services import sync_states_ensure
from statuses.tests.factories import iin, local

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("registry")]


def test_the_task_syncs_once_and_a_second_run_finds_nothing_new():
    mocks.pcr_add(iin=iin(1), result="positive", sampled_at=local(2021, 5, 1, 10))
    mocks.pcr_add(iin=iin(2), result="negative", sampled_at=local(2021, 5, 1, 10))

    first = tasks.sync_registry.apply(args=["pcr"])
    second = tasks.sync_registry.apply(args=["pcr"])

    assert first.state == second.state == states.SUCCESS
    assert first.result["applied"] == 2
    assert second.result["applied"] == 0
    assert PcrResult.objects.count() == 2
    assert SyncState.objects.get(registry="pcr").last_success_at is not None


def test_a_registry_down_is_retried_with_back_off_then_the_failure_is_recorded():
    mocks.pcr_add(iin=iin(3), result="positive", sampled_at=local(2021, 5, 1, 10))
    mocks.failure_set("pcr", error_rate=1.0, seed=1)  # a seed makes the mock count the requests

    for _run in range(2):
        result = tasks.sync_registry.apply(args=["pcr"])
        assert result.state == states.FAILURE

    # 1 run + 5 retries, each feed request tried twice by the client, in each task run.
    assert MockFailure.objects.get(registry="pcr").requests == 2 * 6 * 2
    state = SyncState.objects.get(registry="pcr")
    assert "503" in state.last_error and state.last_error_at is not None
    assert state.last_success_at is None
    assert state.locked_until is None
    assert not PcrResult.objects.exists()

    mocks.failure_set("pcr")
    assert tasks.sync_registry.apply(args=["pcr"]).result["applied"] == 1


def test_a_run_finding_the_registry_already_syncing_returns_without_touching_it():
    mocks.pcr_add(iin=iin(4), result="positive", sampled_at=local(2021, 5, 1, 10))
    sync_states_ensure()
    held_until = timezone.now() + timedelta(minutes=2)
    SyncState.objects.filter(registry="pcr").update(locked_until=held_until, lock_token="running")

    for _run in range(2):
        result = tasks.sync_registry.apply(args=["pcr"])
        assert (result.state, result.result) == (states.SUCCESS, None)
    assert not PcrResult.objects.exists()
    assert SyncState.objects.get(registry="pcr").lock_token == "running"

    with time_machine.travel(held_until, tick=False):  # the holder died: its lease ran out
        assert tasks.sync_registry.apply(args=["pcr"]).result["applied"] == 1
        assert tasks.sync_registry.apply(args=["pcr"]).result["applied"] == 0


def test_an_unknown_registry_is_refused_quietly():
    for _run in range(2):
        result = tasks.sync_registry.apply(args=["subscribers"])
        assert (result.state, result.result) == (states.SUCCESS, None)
    assert not SyncState.objects.filter(registry="subscribers").exists()
