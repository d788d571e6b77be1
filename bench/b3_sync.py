"""B3: the registry sync of scale × 1,000,000 PCR records from the mock over HTTP.

`run(scale=..., results=...)` (called by the bench runner, Django set up on the
benchmark database):

1. puts scale × 1,000,000 PCR results into the mock PCR registry in bulk, after its
   current end (4 results per person, 100 hours apart, one in 17 positive), and points
   our PCR cursor at that end, so exactly these records are synced;
2. serves the mock with gunicorn (one gthread worker, keep-alive), unless
   B3_REGISTRY_URL names a mock already served by the stack;
3. times the mock alone: every page of the feed fetched and parsed, nothing applied
   (the mock's serving rate);
4. runs the sync end to end in a subprocess (so that its peak RSS is the sync's own),
   exactly as the Celery task does (services.registry_sync, pages of 5,000), and reads
   its VmHWM after the first tenth of the pages and at the end: the memory must not
   grow with the feed;
5. removes what it added (mock rows, our copies, the history rows the sync wrote) and
   puts the cursor back, and writes results["B3"].

Run alone: `DATABASE_URL=postgres://… python -m bench.b3_sync 0.1`; with B3_PROFILE=file.txt
py-spy (on PATH) samples the sync into a raw flame graph; with B3_CPROFILE=file.prof
cProfile records every thread of the sync (the pages, the read-ahead, the history
catch-up) into one pstats file, its top functions into file.prof.txt.
"""

import cProfile
import json
import os
import pstats
import resource
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS_AT_SCALE_1 = 1_000_000
RECORDS_PER_PERSON = 4
PAGE = 5000
TARGET_RATE = 30_000  # records/s end to end
TARGET_RSS_MB = 300


def _iin(n: int) -> str:
    from ashyq.identifiers import make_iin

    # Birth dates from 1940 on, serials from 7000: a range the other data sets leave alone.
    return make_iin(birth_date=date(1940, 1, 1) + timedelta(days=n % 20_000), sex="female", serial=7000 + n // 20_000)


def _load(count: int) -> tuple[int, int]:
    """`count` PCR results after the mock's current end; returns (first seq, last seq)."""
    from django.db import connection, transaction
    from django.db.models import F

    from ashyq.mocks.models import MockCursor, PcrRecord

    persons = max(1, count // RECORDS_PER_PERSON)
    iins = [_iin(n) for n in range(persons)]
    start = datetime(2021, 4, 1, 2, tzinfo=UTC)
    now = datetime.now(UTC)
    with transaction.atomic():
        MockCursor.objects.get_or_create(registry="pcr")
        MockCursor.objects.filter(registry="pcr").update(last=F("last") + count)
        last = MockCursor.objects.values_list("last", flat=True).get(registry="pcr")
        first = last - count + 1

        def rows():
            for n in range(count):
                sampled = start + timedelta(hours=n // persons * 100, minutes=n % 600)
                positive = n % 17 == 0
                yield (first + n, now, iins[n % persons], "positive" if positive else "negative", sampled)

        if connection.vendor == "postgresql":
            table = PcrRecord._meta.db_table
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY {table} (seq, changed_at, iin, result, sampled_at) FROM STDIN") as copy,
            ):
                for row in rows():
                    copy.write_row(row)
        else:
            batch = []
            for seq, changed_at, iin, result, sampled_at in rows():
                batch.append(PcrRecord(seq=seq, changed_at=changed_at, iin=iin, result=result, sampled_at=sampled_at))
                if len(batch) == 5000:
                    PcrRecord.objects.bulk_create(batch)
                    batch = []
            PcrRecord.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {PcrRecord._meta.db_table}")
    return first, last


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(env: dict) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "ashyq.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--worker-class", "gthread", "--threads", "2", "--keep-alive", "30"]
    command += ["--timeout", "120", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server, f"http://127.0.0.1:{port}/mock/"
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def _child(env: dict, mode: str, **args) -> dict:
    """Run `_child_main(mode)` in a fresh interpreter; its last line of output is JSON."""
    code = "import sys, json; from bench.b3_sync import _child_main; _child_main(json.loads(sys.argv[1]))"
    command = [sys.executable, "-c", code, json.dumps({"mode": mode, **args})]
    profile = os.environ.get("B3_PROFILE")  # a file name: py-spy samples the sync (raw flame graph)
    if profile and mode == "sync":
        command = ["py-spy", "record", "-r", "100", "-f", "raw", "-o", profile, "--", *command]
    done = subprocess.run(  # noqa: S603
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        raise RuntimeError(f"B3 {mode} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return json.loads(lines[-1])


def _hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of another process on this machine (0 when it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _workers(master: int) -> list[int]:
    """The gunicorn worker processes of `master`."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def _profile_threads() -> list[cProfile.Profile]:
    """A cProfile of this thread and of every thread started from now on (cProfile alone
    sees only the thread that enabled it)."""
    profiles = [cProfile.Profile()]
    run = threading.Thread.run

    def profiled(thread):
        profile = cProfile.Profile()
        profiles.append(profile)
        profile.enable()
        try:
            run(thread)
        finally:
            profile.disable()

    threading.Thread.run = profiled
    profiles[0].enable()
    return profiles


def _count_helper_backends() -> list[float]:
    """The CPU seconds of the PostgreSQL backend of each thread the sync closes a
    connection of (its history catch-up beside the pages), read just before it closes."""
    from django.db import connection

    from statuses import services

    seconds: list[float] = []
    close = getattr(services, "_connection_close", None)
    if close is None:  # code from before the second connection (a B3 of an older commit)
        return seconds

    def counted() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            seconds.append(_cpu_seconds(cursor.fetchone()[0]))
        close()

    services._connection_close = counted
    return seconds


def _child_main(args: dict) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ashyq.settings")
    django.setup()
    if args["mode"] == "serve":  # the mock alone: every page fetched and parsed, nothing applied
        from ashyq.registries import RegistryClient

        client, cursor, records, pages = RegistryClient("pcr"), args["since"], 0, 0
        began = time.perf_counter()
        while True:
            page = client.feed(since=cursor, limit=PAGE)
            records += len(page.records)
            pages += 1
            cursor = page.next
            if not page.more:
                break
        print(json.dumps({"seconds": time.perf_counter() - began, "records": records, "pages": pages}))
        return
    from django.db import connection

    from statuses import services

    now = datetime.fromisoformat(args["now"])
    profiles = _profile_threads() if os.environ.get("B3_CPROFILE") else None
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # this process's PostgreSQL backend, to count its CPU too
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    db0 = _cpu_seconds(backend) if backend else 0.0
    helpers = _count_helper_backends() if backend else []
    baseline = _hwm_mb()
    cpu0, began = time.process_time(), time.perf_counter()
    first = services.registry_sync(registry="pcr", now=now, limit=PAGE, max_pages=args["early_pages"])
    early = _hwm_mb()
    rest = services.registry_sync(registry="pcr", now=now, limit=PAGE)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu0
    db_cpu = (_cpu_seconds(backend) - db0 + sum(helpers)) if backend else None
    if profiles is not None:
        for profile in profiles:
            profile.disable()
        with Path(os.environ["B3_CPROFILE"] + ".txt").open("w") as text:
            stats = pstats.Stats(*profiles, stream=text)
            stats.dump_stats(os.environ["B3_CPROFILE"])
            stats.sort_stats("tottime").print_stats(30)
            stats.sort_stats("cumulative").print_stats(40)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "db_cpu_seconds": db_cpu,
                "applied": first.applied + rest.applied,
                "skipped": first.skipped + rest.skipped,
                "pages": first.pages + rest.pages,
                "complete": rest.complete,
                "rss_mb_at_start": round(baseline, 1),
                "rss_mb_after_first_tenth": round(early, 1),
                "rss_mb_peak": round(_hwm_mb(), 1),
            }
        )
    )


def _cleanup(first_seq: int, now: datetime, cursor: str) -> None:
    from django.db import connection, transaction

    from ashyq.mocks.models import PcrRecord as MockPcr
    from statuses.models import PcrResult, StatusChange, SyncState

    with transaction.atomic():
        ids = MockPcr.objects.filter(seq__gte=first_seq).values_list("pk", flat=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor_:
                cursor_.execute(
                    f"DELETE FROM {PcrResult._meta.db_table} WHERE source_id IN "  # noqa: S608
                    f"(SELECT id::text FROM {MockPcr._meta.db_table} WHERE seq >= %s)",
                    [first_seq],
                )
        else:
            PcrResult.objects.filter(source_id__in=[str(pk) for pk in ids]).delete()
        StatusChange.objects.filter(recorded_at=now).delete()
        MockPcr.objects.filter(seq__gte=first_seq).delete()
        SyncState.objects.filter(registry="pcr").update(cursor=cursor, locked_until=None, lock_token="")


def run(*, scale: float, results: dict) -> None:
    """Measure B3 at `scale` × 1,000,000 records; writes results["B3"]."""
    from django.db import connection

    from statuses.models import SyncState

    count = max(PAGE, round(RECORDS_AT_SCALE_1 * scale))
    state, _created = SyncState.objects.get_or_create(registry="pcr")
    if state.locked_until and state.locked_until > datetime.now(UTC):
        raise RuntimeError("a sync of pcr is running (stop Celery beat during the benchmarks)")
    saved_cursor = state.cursor
    began = time.perf_counter()
    first_seq, last_seq = _load(count)
    load_seconds = time.perf_counter() - began
    SyncState.objects.filter(registry="pcr").update(cursor=str(first_seq - 1))
    connection.close()  # the children and the server open their own

    env = dict(os.environ, PYTHONPATH=str(ROOT), REGISTRY_MOCKS_ENABLED="true", DEBUG="false")
    env.setdefault("DJANGO_SETTINGS_MODULE", "ashyq.settings")
    server = None
    url = os.environ.get("B3_REGISTRY_URL")
    if not url:
        server, url = _serve(env)
    env["REGISTRY_URL"] = url
    now = datetime.now(UTC)
    load_average = os.getloadavg()[0]
    try:
        serve = _child(env, "serve", since=str(first_seq - 1))
        workers = _workers(server.pid) if server is not None else []
        mock_cpu0 = sum(_cpu_seconds(pid) for pid in workers)
        sync = _child(env, "sync", now=now.isoformat(), early_pages=max(1, count // PAGE // 10))
        mock_cpu = sum(_cpu_seconds(pid) for pid in workers) - mock_cpu0 if workers else None
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        _cleanup(first_seq, now, saved_cursor)

    rate = sync["applied"] / sync["seconds"]
    serve_rate = serve["records"] / serve["seconds"]
    results["B3"] = {
        "records": count,
        "database": connection.vendor,
        "registry_url": "B3_REGISTRY_URL" if os.environ.get("B3_REGISTRY_URL") else "gunicorn gthread 1×2, keep-alive",
        "page": PAGE,
        "load_seconds": round(load_seconds, 1),
        "sync_seconds": round(sync["seconds"], 1),
        "sync_cpu_seconds": round(sync["cpu_seconds"], 1),
        # CPU per record during the sync: the sync process, its PostgreSQL backends (the
        # pages', and the history catch-up's beside them), the mock's worker.
        "sync_cpu_us_per_record": round(sync["cpu_seconds"] / count * 1e6, 1),
        "db_cpu_us_per_record": None
        if sync["db_cpu_seconds"] is None
        else round(sync["db_cpu_seconds"] / count * 1e6, 1),
        "mock_cpu_us_per_record": None if mock_cpu is None else round(mock_cpu / count * 1e6, 1),
        "load_average_at_start": round(load_average, 2),
        "records_per_s": round(rate),
        "mock_serving_seconds": round(serve["seconds"], 1),
        "mock_records_per_s": round(serve_rate),
        "applied": sync["applied"],
        "complete": sync["complete"],
        "worker_peak_rss_mb": sync["rss_mb_peak"],
        "rss_mb_after_first_tenth": sync["rss_mb_after_first_tenth"],
        "target_records_per_s": TARGET_RATE,
        "target_rss_mb": TARGET_RSS_MB,
        "rate_met": rate >= TARGET_RATE,
        "rss_met": sync["rss_mb_peak"] <= TARGET_RSS_MB,
    }
    print(
        f"B3 sync: {count:,} PCR records in {sync['seconds']:.1f} s = {rate:,.0f} records/s "
        f"(target {TARGET_RATE:,}); CPU µs/record: sync {results['B3']['sync_cpu_us_per_record']}, "
        f"its database {results['B3']['db_cpu_us_per_record']}, mock {results['B3']['mock_cpu_us_per_record']}; "
        f"mock alone {serve_rate:,.0f} records/s; "
        f"sync peak RSS {sync['rss_mb_peak']:.0f} MB (after a tenth {sync['rss_mb_after_first_tenth']:.0f} MB, "
        f"target {TARGET_RSS_MB})"
    )


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ashyq.settings")
    django.setup()
    found: dict = {}
    run(scale=float(sys.argv[1]) if len(sys.argv) > 1 else 1.0, results=found)
    print(json.dumps(found, indent=2))
