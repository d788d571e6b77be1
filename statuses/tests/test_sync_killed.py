"""R-RG-2: a sync killed with SIGKILL in the middle of its run loses and
duplicates nothing: once its lease lapses, the next run (the redelivered task, or
beat's next one) goes on from the cursor, and the final state equals a clean run's."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from ashyq.mocks import services as mocks
from statuses import services
from statuses.models import PcrResult, StatusChange, SyncState
from statuses.tests.factories import iin, local

RECORDS = 6000
PAGE = 200


def state() -> tuple[list, list]:
    """Our copy and the history, without our own bookkeeping (ids, when we learned)."""
    records = list(
        PcrResult.objects.order_by("source_id").values_list(
            "source_id", "person", "changed_at", "positive", "sampled_at", "resulted_at"
        )
    )
    history = list(
        StatusChange.objects.order_by("person", "changed_at", "colour").values_list(
            "person", "colour", "rule", "registry", "record", "changed_at"
        )
    )
    return records, history


def sync_process(registry_url: str) -> subprocess.Popen:
    """`manage.py sync_registries` in a process of its own, on the test database."""
    db = settings.DATABASES["default"]
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REGISTRY_URL=registry_url,
    )
    manage = Path(settings.BASE_DIR) / "manage.py"
    return subprocess.Popen(  # noqa: S603 (our own manage.py)
        [sys.executable, str(manage), "sync_registries", "--limit", str(PAGE)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the killed process must share the test database")
@pytest.mark.django_db(transaction=True)
def test_a_sync_killed_mid_run_ends_like_a_clean_run(registry, settings):
    start = local(2021, 4, 1, 8)
    mocks.records_load(
        {
            "pcr": [
                {
                    "iin": iin(n % 1500),
                    "result": "positive" if n % 13 == 0 else "negative",
                    "sampled_at": (start + timedelta(hours=n // 1500 * 80, minutes=n % 600)).isoformat(),
                }
                for n in range(RECORDS)
            ]
        }
    )
    services.sync_states_ensure()

    worker = sync_process(settings.REGISTRY_URL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not SyncState.objects.filter(registry="pcr", records_synced__gt=0).exists():
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)  # mid-run: some pages applied, the rest not
    worker.wait(10)
    killed_at = SyncState.objects.get(registry="pcr")
    assert 0 < killed_at.records_synced < RECORDS, "the kill must land in the middle of the run"
    assert killed_at.locked_until is not None  # the dead run still holds its lease

    with pytest.raises(services.SyncBusy):  # nobody runs over a lease that has not lapsed…
        services.registry_sync(registry="pcr", now=timezone.now(), limit=PAGE)
    # …and once it has, within a minute of the kill, the next run goes on from the cursor.
    with time_machine.travel(timezone.now() + timedelta(minutes=1, seconds=1), tick=True):
        report = services.registry_sync(registry="pcr", now=timezone.now(), limit=PAGE)
    assert report.complete
    recovered = state()

    # A clean run from an empty copy, for comparison.
    PcrResult.objects.all().delete()
    StatusChange.objects.all().delete()
    SyncState.objects.filter(registry="pcr").update(cursor="", records_synced=0, locked_until=None, lock_token="")
    services.registry_sync(registry="pcr", now=timezone.now(), limit=PAGE)
    clean = state()

    assert len(recovered[0]) == RECORDS
    assert recovered == clean
