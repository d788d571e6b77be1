# ruff: noqa: S311, S603, S607 — a benchmark script: fixed tools (wrk, curl, apt-get) and seeded randomness
"""The benchmark suite (BENCHMARKS.md) — one command:

    .venv/bin/python -m bench.run --scale 0.001        # CI's smoke run (< 5 minutes with the stack)
    .venv/bin/python -m bench.run                      # national scale (BENCHMARKS.md)

It (1) finds wrk, installing the Debian package when it runs as root; (2) makes the
database ashyq_bench afresh (never the database named ashyq), migrates it and fills it
with `manage.py bench_data --scale S` (--reuse-data keeps the last one: same scale);
(3) starts the production-like stack (bench/stack.sh: gunicorn, a Celery worker,
PostgreSQL and Redis); (4) runs B1 (guard check-in, and its floor), B2 (visitor scan),
B3 (bench/b3_sync.py, when present), B4 (leader computation), B5 (status look-up),
B6 (list pages) and the memory figure; (5) stops the stack and writes every figure to
bench/results/<UTC timestamp>.json, printing them beside the targets.

HTTP load comes from wrk on loopback (bench/requests.lua): a saturation run (16
connections) gives the throughput, a paced run at the target rate the latencies.
--duration sets the seconds of each wrk run (default 5 below scale 0.1, else 20);
--repeat N runs every benchmark N times and reports the median (BENCHMARKS.md uses 3).
"""

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from importlib import import_module
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DEFAULT_DB = "postgres://ashyq:ashyq@127.0.0.1:5432/ashyq_bench"
PORT = int(os.environ.get("BENCH_PORT", "8089"))
BASE = f"http://127.0.0.1:{PORT}"
PACED_RATE = 300  # requests/s of the latency runs (the target: "p99 ≤ 50 ms at 300/s")
PACED_CONNECTIONS = 30
SATURATION_CONNECTIONS = 16

# The targets: (benchmark, figure, "≥" or "≤", value, what it reads).
TARGETS = [
    ("B1", "rps", ">=", 600, "guard check-ins/s"),
    ("B1", "paced_p99_ms", "<=", 50, "p99 ms at 300/s"),
    ("B1", "floor_ratio", ">=", 0.6, "B1 / floor"),
    ("B2", "rps", ">=", 400, "scans/s"),
    ("B2", "paced_p99_ms", "<=", 60, "p99 ms at 300/s"),
    ("B3", "records_per_s", ">=", 30000, "records/s end to end"),
    ("B3", "worker_peak_rss_mb", "<=", 300, "sync worker peak RSS MB"),
    ("B4", "seconds", "<=", 20, "leaders_compute s"),
    ("B4", "ratio_to_sql", "<=", 1.3, "× hand-written SQL"),
    ("B5", "cold_p99_ms", "<=", 2, "status_for p99 ms (first look-up)"),
    ("B6", "participants_p95_ms", "<=", 150, "participants p95 ms"),
    ("B6", "candidates_p95_ms", "<=", 150, "candidates p95 ms"),
    ("B6", "risk_p95_ms", "<=", 150, "risk list p95 ms"),
    ("memory", "gunicorn_worker_peak_rss_mb", "<=", 200, "gunicorn worker peak RSS MB"),
]


# --- Setting up ----------------------------------------------------------------------------------


def ensure_wrk() -> str:
    """wrk (Debian package "wrk"): found on PATH, or installed when we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: installing the Debian package (apt-get install -y wrk)…", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-q"], check=False, stdout=subprocess.DEVNULL)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    if not found:
        sys.exit(
            "bench: wrk is needed for B1, B2 and B6 (HTTP load at C speed). Install it: "
            "`sudo apt-get install -y wrk` (Debian/Ubuntu) or build https://github.com/wg/wrk, then rerun."
        )
    return found


def keys_env() -> dict[str, str]:
    """The bench database's own keys (var/bench/keys.env, made once, mode 600)."""
    import base64
    import secrets

    from ashyq.keys import LOCAL_KEY_NAMES

    STATE.mkdir(parents=True, exist_ok=True)
    path = STATE / "keys.env"
    text = path.read_text() if path.exists() else ""
    keys = dict(line.removeprefix("export ").split("=", 1) for line in text.splitlines() if "=" in line)
    # Every key production asks for; one added since the file was made is added to it.
    missing = [name for name in LOCAL_KEY_NAMES if name not in keys]
    if missing:
        for name in missing:
            keys[name] = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        path.write_text("".join(f"export {name}={value}\n" for name, value in keys.items()))
        path.chmod(0o600)
    return keys


def bench_env(database_url: str) -> dict[str, str]:
    """What bench/stack.sh runs with; this process and its manage.py commands use it too."""
    return {
        **keys_env(),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_ENV": "production",
        "BENCH_PORT": str(PORT),
        "BENCH_DATABASE_URL": database_url,
        "DATABASE_URL": database_url,
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/5"),
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/4"),
        "PUBLIC_URL": f"https://127.0.0.1:{PORT}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(STATE / "static"),
        "ASHYQ_VAR_DIR": str(STATE),
    }


def recreate_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    if name in ("ashyq", "postgres") or not name.replace("_", "").isalnum():
        sys.exit(
            f"bench: refusing to drop the database {name!r}; name one of the benchmarks' own (BENCH_DATABASE_URL)."
        )
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        for attempt in range(10):
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except psycopg.errors.InsufficientPrivilege:
                # An autovacuum worker of the last run's inserts: not ours to end; it is brief.
                if attempt == 9:
                    raise
                time.sleep(3)
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(*args: str) -> float:
    started = time.monotonic()
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)
    return time.monotonic() - started


def stack(action: str) -> None:
    subprocess.run(["bash", str(ROOT / "bench" / "stack.sh"), action], cwd=ROOT, check=True)


def machine() -> dict:
    mem = next(
        (int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line),
        None,
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    import django
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[:1]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_mb": mem,
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
        "wrk": wrk_version[0] if wrk_version else "",
        "kernel": platform.release(),
    }


# --- Fixtures: sessions and request files ----------------------------------------------------------


def _session(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "ashyq.accounts.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _write(name: str, lines: list[str]) -> Path:
    path = STATE / f"{name}.requests"
    path.write_text("\n".join(lines) + "\n")
    return path


def prepare(size: dict) -> dict:
    """Sessions of the guards, citizens and staff the load signs in as, and the request files."""
    from django.db import connection

    from ashyq.accounts.models import Role, User
    from ashyq.core.management.commands.bench_data import iin_for
    from ashyq.reference.models import Region
    from venues.codes.selectors import code_token
    from venues.models import QrCode

    rng = random.Random(2021)
    csrf = "benchcsrf" + "x" * 23  # a 32-character CSRF secret, cookie and form field alike
    guards = list(User.objects.filter(username__startswith="bench-guard-"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT i, venue_id, entrance_id FROM bench_venue")
        venues = {i: (venue, entrance) for i, venue, entrance in cursor.fetchall()}
    people = size["people"]

    # B1: each line a guard (his venue's main entrance) and a visitor: any person of the
    # population (70 % in no registry), 10 % the previous visitor of that guard again
    # (R-CI-5: not counted), 4 % an IIN with a wrong check digit (400, nothing stored).
    guard_lines, floor_lines, last = [], [], {}
    for k in range(20_000):
        guard = guards[k % len(guards)]
        i = int(guard.phone[5:])
        venue, entrance = venues[i]
        roll = rng.random()
        if roll < 0.10:
            iin = last.get(guard.pk) or iin_for(rng.randrange(people))
            last[guard.pk] = iin
        elif roll < 0.14:
            good = iin_for(rng.randrange(people))
            iin = good[:11] + str((int(good[11]) + 1) % 10)
        else:
            iin = iin_for(rng.randrange(people))
            last[guard.pk] = iin
        body = urlencode({"csrfmiddlewaretoken": csrf, "entrance": entrance, "iin": iin, "consent": "on"})
        cookie = f"sessionid={{{guard.pk}}}; csrftoken={csrf}"
        guard_lines.append(("POST", "/guard/lookup/", cookie, body))
        floor_lines.append(("POST", "/bench/floor/", "", urlencode({"iin": iin, "venue": venue, "entrance": entrance})))
    sessions = {guard.pk: _session(guard) for guard in guards}

    # B2: citizens (pool people with a linked IIN) scanning the entry code of a venue,
    # popular ones more often; a citizen re-scanning a venue within 30 minutes is the
    # same visit (R-CI-5), as at a real door.
    citizens = list(User.objects.filter(role=Role.CITIZEN, username__startswith="bench-citizen-"))
    for citizen in citizens:
        sessions[citizen.pk] = _session(citizen)
    codes = {
        code.entrance.venue_id: code_token(code)
        for code in QrCode.objects.filter(direction="entry", entrance__position=0).select_related("entrance")
    }
    ordered = [venues[i][0] for i in sorted(venues)]
    scan_lines = []
    for _ in range(20_000):
        citizen = rng.choice(citizens)
        venue = ordered[int(len(ordered) * rng.random() ** 2.2)]
        scan_lines.append(("GET", f"/q/{codes[venue]}", f"sessionid={sessions[citizen.pk]}", ""))

    # B6: staff of the largest region.
    region = Region.objects.get(code="almaty")
    staff = {}
    for role in (Role.AKIMAT, Role.INSPECTOR):
        user, _created = User.objects.get_or_create(
            username=f"bench-{role}", defaults={"role": role, "region": region, "password": "!"}
        )
        staff[role] = _session(user)

    def lines(rows):
        out = []
        for method, path, cookie, body in rows:
            if "{" in cookie:
                pk = int(cookie[cookie.index("{") + 1 : cookie.index("}")])
                cookie = cookie.replace(f"{{{pk}}}", sessions[pk])
            out.append(f"{method}\t{path}\t{cookie}\t{body}")
        return out

    from venues.codes.selectors import PARTICIPANTS_PER_PAGE, participants

    count = participants(region=region).count()
    return {
        "last_page": max(1, -(-count // PARTICIPANTS_PER_PAGE)),
        "csrf": csrf,
        "region": region,
        "staff": staff,
        "files": {
            "guard": _write("guard", lines(guard_lines)),
            "floor": _write("floor", lines(floor_lines)),
            "scan": _write("scan", lines(scan_lines)),
        },
    }


# --- Load ----------------------------------------------------------------------------------------


_TICK = os.sysconf("SC_CLK_TCK")


def stack_cpu_seconds() -> dict[int, float]:
    """CPU seconds (user + system) of every gunicorn worker and every PostgreSQL backend
    of the bench database, by pid. The machine may be shared: CPU per request does not
    depend on what else runs, wall-clock throughput does."""
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    wanted = set(gunicorn_workers()) if (STATE / "gunicorn.pid").exists() else set()
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if int(entry.name) not in wanted and not (cmdline.startswith("postgres:") and f" {database} " in cmdline):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            out[int(entry.name)] = (int(fields[11]) + int(fields[12])) / _TICK
        except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError, ValueError):
            continue
    return out


def wrk(requests: Path, *, duration: int, connections: int, delay_ms: float = 0, htmx: bool = False) -> dict:
    before = stack_cpu_seconds()
    load = os.getloadavg()[0]
    env = {
        **os.environ,
        "BENCH_REQUESTS": str(requests),
        "BENCH_DELAY_MS": f"{delay_ms:.0f}",
        "BENCH_HTMX": "1" if htmx else "0",
        "BENCH_ORIGIN": f"https://127.0.0.1:{PORT}",
    }
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s"]
    cmd += ["-s", str(ROOT / "bench" / "requests.lua"), BASE]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    after = stack_cpu_seconds()
    used = {pid: seconds - before.get(pid, 0.0) for pid, seconds in after.items()}
    cpu = sum(used.values())
    workers = set(gunicorn_workers())
    app = sum(seconds for pid, seconds in used.items() if pid in workers)
    figures["loadavg_1m_before"] = round(load, 2)
    if figures["requests"]:
        # App + database CPU per request; on 2 dedicated cores (wrk aside) the CPU-bound
        # throughput is 2,000 ms / this. The split says where it goes.
        figures["cpu_ms_per_request"] = round(cpu * 1000 / figures["requests"], 2)
        figures["app_cpu_ms_per_request"] = round(app * 1000 / figures["requests"], 2)
        figures["db_cpu_ms_per_request"] = round((cpu - app) * 1000 / figures["requests"], 2)
        figures["cpu_bound_rps_2_cores"] = round(2000 / figures["cpu_ms_per_request"], 1) if cpu else None
    return figures


def saturate_and_pace(requests: Path, *, duration: int, htmx: bool = False) -> dict:
    """Throughput with 16 connections; then latency at ~300 requests/s."""
    top = wrk(requests, duration=duration, connections=SATURATION_CONNECTIONS, htmx=htmx)
    # Each of 30 connections waits so that 30 / (delay + service time) ≈ 300/s.
    service_ms = top["latency_ms"]["mean"] * min(1.0, top["rps"] / PACED_RATE) if top["rps"] else 0
    delay = max(1.0, PACED_CONNECTIONS * 1000 / PACED_RATE - max(service_ms, 1.0))
    paced = wrk(requests, duration=duration, connections=PACED_CONNECTIONS, delay_ms=delay, htmx=htmx)
    return {"saturation": top, "paced": paced}


def gunicorn_workers() -> list[int]:
    master = int((STATE / "gunicorn.pid").read_text())
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _load_figures(runs: dict) -> dict:
    """The figures of a saturate_and_pace run: throughput and latencies, the paced
    latencies, and the CPU per request (app and database)."""
    top = runs["saturation"]
    return {
        "rps": round(top["rps"], 1),
        "p50_ms": top["latency_ms"]["p50"],
        "p99_ms": top["latency_ms"]["p99"],
        "paced_rps": round(runs["paced"]["rps"], 1),
        "paced_p50_ms": runs["paced"]["latency_ms"]["p50"],
        "paced_p99_ms": runs["paced"]["latency_ms"]["p99"],
        "cpu_ms_per_request": top.get("cpu_ms_per_request"),
        "app_cpu_ms_per_request": top.get("app_cpu_ms_per_request"),
        "db_cpu_ms_per_request": top.get("db_cpu_ms_per_request"),
        "cpu_bound_rps_2_cores": top.get("cpu_bound_rps_2_cores"),
        "loadavg_1m": top.get("loadavg_1m_before"),
    }


def b1(fx: dict, duration: int) -> dict:
    # The guard page's form posts with htmx (HX-Request): the answer card, not the page.
    runs = saturate_and_pace(fx["files"]["guard"], duration=duration, htmx=True)
    floor = wrk(fx["files"]["floor"], duration=duration, connections=SATURATION_CONNECTIONS)
    top = runs["saturation"]
    return {
        **_load_figures(runs),
        "floor_rps": round(floor["rps"], 1),
        "floor_p99_ms": floor["latency_ms"]["p99"],
        "floor_ratio": round(top["rps"] / floor["rps"], 3) if floor["rps"] else None,
        "floor_cpu_ms_per_request": floor.get("cpu_ms_per_request"),
        "floor_app_cpu_ms_per_request": floor.get("app_cpu_ms_per_request"),
        "floor_db_cpu_ms_per_request": floor.get("db_cpu_ms_per_request"),
        "floor_cpu_bound_rps_2_cores": floor.get("cpu_bound_rps_2_cores"),
        "cpu_floor_ratio": (
            round(floor["cpu_ms_per_request"] / top["cpu_ms_per_request"], 3)
            if top.get("cpu_ms_per_request") and floor.get("cpu_ms_per_request")
            else None
        ),
        "wrk": {**runs, "floor": floor},
    }


def b2(fx: dict, duration: int) -> dict:
    runs = saturate_and_pace(fx["files"]["scan"], duration=duration)
    return {**_load_figures(runs), "wrk": runs}


def _probe(path: str, cookie: str) -> tuple[str, float]:
    """One GET through the stack: (HTTP status, seconds)."""
    out = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "--max-time", "300",
         "-H", "X-Forwarded-Proto: https", "-H", f"Cookie: {cookie}", BASE + path],
        capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    return (out[0], float(out[1])) if len(out) == 2 else ("000", 0.0)


def b6(fx: dict, duration: int, period_start) -> dict:
    """p95 of each list page under load (16 connections, every request the same page)."""
    region = fx["region"]
    pages = {
        "participants": (f"/participants/{region.code}/", ""),
        "participants_last_page": (f"/participants/{region.code}/?page={fx['last_page']}", ""),
        "candidates": (f"/leaders/review/{region.code}/{period_start.isoformat()}/", fx["staff"]["akimat"]),
        "risk": ("/monitoring/ops/risk/", fx["staff"]["inspector"]),
    }
    out = {}
    # R-MN-7: the risk page reads the list beat stores every hour; store it first, as
    # beat would have, and time that beside the page.
    from django.utils import timezone

    from monitoring.services.risk import risk_list_store

    started = time.perf_counter()
    risk_list_store(region=region, now=timezone.now())
    out["risk_refresh_seconds"] = round(time.perf_counter() - started, 2)
    for name, (path, session) in pages.items():
        cookie = f"sessionid={session}" if session else ""
        status, seconds = _probe(path, cookie)
        if status.startswith("5") or status == "000":
            out[f"{name}_p95_ms"] = None
            out[f"{name}_note"] = f"failed: HTTP {status} after {seconds:.1f} s (gunicorn kills a worker after 30 s)"
            continue
        if status != "200":  # e.g. a page still a stub (404)
            out[f"{name}_p95_ms"] = None
            out[f"{name}_note"] = f"not available (HTTP {status})"
            continue
        if seconds > 2:
            # Too slow for load: three requests one after the other, the slowest as p95.
            times = sorted([seconds] + [_probe(path, cookie)[1] for _ in range(2)])
            out[f"{name}_p95_ms"] = round(times[-1] * 1000, 1)
            out[f"{name}_note"] = f"not loaded: single requests took {', '.join(f'{t:.1f}' for t in times)} s"
            continue
        run = wrk(_write(f"b6-{name}", [f"GET\t{path}\t{cookie}\t"]), duration=duration, connections=8)
        out[f"{name}_p95_ms"] = run["latency_ms"]["p95"]
        out[f"{name}_rps"] = round(run["rps"], 1)
        out[f"{name}_cpu_ms_per_request"] = run.get("cpu_ms_per_request")
        out[f"{name}_wrk"] = run
    return out


# --- In-process benchmarks --------------------------------------------------------------------------


def b4(repeat: int) -> tuple[dict, object]:
    from django.db import connection
    from django.utils import timezone
    from psycopg.types.datetime import TimestamptzLoader

    from leaders import rules
    from leaders.services.compute import leaders_compute

    now = timezone.now()
    period_start, _end = rules.last_closed_period(now)
    start, end = rules.period_bounds_utc(period_start)
    compute, sql, hourly = [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        result = leaders_compute(period_start=period_start, now=now)
        compute.append(time.perf_counter() - started)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                HAND_WRITTEN_LEADERS,
                {"start": start, "end": end, "first": period_start, "last": period_start + timedelta(days=13)},
            )
            rows = cursor.fetchall()
        sql.append(time.perf_counter() - started)
        # Beside it, the one read of the flags (R-LD-1) the aggregate does not do.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # Read as leaders_compute reads it: psycopg's C loader, not Django's Python one.
            cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
            cursor.execute(HAND_WRITTEN_HOURLY, {"start": start, "end": end, "venues": [row[0] for row in rows]})
            cursor.fetchall()
        hourly.append(time.perf_counter() - started)
    seconds, sql_seconds = statistics.median(compute), statistics.median(sql)
    same_work = sql_seconds + statistics.median(hourly)
    return {
        "period_start": period_start.isoformat(),
        "seconds": round(seconds, 3),
        "sql_seconds": round(sql_seconds, 3),
        "ratio_to_sql": round(seconds / sql_seconds, 2) if sql_seconds else None,
        "sql_with_hourly_seconds": round(same_work, 3),
        "ratio_to_sql_with_hourly": round(seconds / same_work, 2) if same_work else None,
        "candidates": sum(result.values()),
        "sql_candidates": len(rows),
    }, period_start


# The candidates of R-LD-1/R-LD-4 in one statement: what leaders_compute cannot beat.
# The period's daily counts summed per venue (visitors_venueday, kept for good), then the
# thresholds of the few venues over the lowest one.
HAND_WRITTEN_LEADERS = """
    SELECT v.id, v.region_id, counts.n FROM (
        SELECT vd.venue_id, sum(vd.checkins) AS n
        FROM visitors_venueday vd
        JOIN venues_venue v ON v.id = vd.venue_id
        JOIN reference_category c ON c.id = v.category_id
        WHERE vd.day >= %(first)s AND vd.day <= %(last)s
          AND c.tier <> ''
          AND v.id NOT IN (SELECT venue_id FROM venues_standing
                           WHERE kind IN ('excluded', 'awaiting_return', 'volunteer') AND starts_at < %(end)s
                             AND (ends_at > %(start)s OR ends_at IS NULL))
        GROUP BY vd.venue_id HAVING sum(vd.checkins) > 500
    ) counts
    JOIN venues_venue v ON v.id = counts.venue_id
    JOIN reference_category c ON c.id = v.category_id
    JOIN reference_region r ON r.id = v.region_id
    WHERE counts.n > CASE WHEN c.tier = 'A' AND r.kind = 'city' THEN 2000
                          WHEN c.tier = 'A' OR r.kind = 'city' THEN 1000 ELSE 500 END
"""


# The flags' one read, by hand: the candidates' counted check-ins per hour (their hourly
# counts). With HAND_WRITTEN_LEADERS, the SQL that leaders_compute's work needs.
HAND_WRITTEN_HOURLY = """
    SELECT venue_id, hour, checkins FROM visitors_venuehour
    WHERE venue_id = ANY(%(venues)s) AND hour >= %(start)s AND hour < %(end)s
"""


def b5(size: dict, samples: int) -> dict:
    """status_for in this process, one statement per look-up (no status cache since
    session 3): first look-ups of distinct people (cold: their index pages may be on
    disk), then the same people again (warm: in PostgreSQL's buffers)."""
    from ashyq.core.management.commands.bench_data import iin_for
    from statuses.selectors import status_for

    rng = random.Random(5)
    iins = [iin_for(n) for n in rng.sample(range(size["people"]), min(samples, size["people"]))]
    status_for(iin=iins[0])  # connection and imports
    figures = {}
    for label in ("cold", "warm"):
        times = []
        cpu_started = time.process_time()
        for iin in iins:
            started = time.perf_counter()
            status_for(iin=iin)
            times.append((time.perf_counter() - started) * 1000)
        figures[f"{label}_python_cpu_ms_mean"] = round((time.process_time() - cpu_started) * 1000 / len(iins), 3)
        times.sort()
        figures[f"{label}_p50_ms"] = round(times[len(times) // 2], 3)
        figures[f"{label}_p99_ms"] = round(times[int(len(times) * 0.99)], 3)
    figures["samples"] = len(iins)
    figures["loadavg_1m"] = round(os.getloadavg()[0], 2)
    figures["people"] = size["people"]
    return figures


def plans(period_start) -> dict[str, str]:
    """EXPLAIN ANALYZE of the hot queries, as the application sends them."""
    from django.db import connection
    from django.utils import timezone

    from ashyq.core.management.commands.bench_data import iin_for
    from ashyq.reference.models import Region
    from leaders import rules
    from statuses.models import PcrResult, Vaccination
    from statuses.persons import person_key
    from venues.codes.selectors import PARTICIPANTS_PER_PAGE, participants
    from visitors.models import VisitWindow

    person = person_key(iin=iin_for(3))
    with connection.cursor() as cursor:
        cursor.execute("SELECT venue_id FROM bench_venue WHERE i = 0")
        venue_id = cursor.fetchone()[0]
    start, end = rules.period_bounds_utc(period_start)
    from django.db.models import Sum

    from leaders.models import Candidate
    from leaders.services.compute import counted_days, hourly_counts
    from venues.codes.selectors import _code_for_scan_query
    from venues.models import QrCode

    region = Region.objects.get(code="almaty")
    candidates = list(Candidate.objects.filter(list__period__starts_on=period_start).values_list("venue_id", flat=True))
    code = QrCode.objects.select_related("entrance").filter(direction="entry", revoked_at__isnull=True).first()
    listed = participants(region=region).values_list("pk", flat=True)
    last = (listed.count() - 1) // PARTICIPANTS_PER_PAGE * PARTICIPANTS_PER_PAGE
    queries = {
        "status: PCR records of a person": PcrResult.objects.filter(person=person).values_list("person", "sampled_at"),
        "status: vaccinations of a person": Vaccination.objects.filter(person=person).values_list("person", "dose"),
        "check-in dedupe: the visit window": VisitWindow.objects.filter(venue_id=venue_id, person=person),
        # A page's ids (the paginator then reads those rows by primary key): page 1 and the last.
        "participants page 1: ids": listed[:PARTICIPANTS_PER_PAGE],
        "participants last page: ids": listed[last : last + PARTICIPANTS_PER_PAGE],
        "leaders: counts per venue": counted_days(start=start, end=end)
        .exclude(venue__category__tier="")
        .values("venue_id")
        .annotate(checkins=Sum("checkins"))
        .filter(checkins__gt=rules.LOWEST_THRESHOLD)
        .order_by(),
        "scan: the code, its entrance, venue and exclusion": _code_for_scan_query(
            entrance=code.entrance_id,
            venue=code.entrance.venue_id,
            direction=code.direction,
            issue=code.issue,
            key_id=code.key_id,
            at=timezone.now(),
        ),
    }
    if candidates:  # none at 1/1000
        queries["leaders: the candidates' hourly counts"] = hourly_counts(venue_ids=candidates, start=start, end=end)
    out = {}
    with connection.cursor() as cursor:
        for name, queryset in queries.items():
            sql, params = queryset.query.sql_with_params()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            out[name] = "\n".join(row[0] for row in cursor.fetchall())
    return out


# --- Report -------------------------------------------------------------------------------------------


def verdicts(results: dict) -> list[tuple]:
    rows = []
    for bench, key, op, target, label in TARGETS:
        value = (results.get(bench) or {}).get(key)
        if value is None:
            met = "n/a"
        else:
            met = "met" if (value >= target if op == ">=" else value <= target) else "MISSED"
        rows.append((bench, label, value, f"{op} {target}", met))
    return rows


def report(results: dict) -> None:
    print("\n== Ashyq benchmarks, scale", results["scale"], results["sizes"])
    for bench in ("B1", "B2", "B3", "B4", "B5", "B6", "memory"):
        figures = {k: v for k, v in (results.get(bench) or {}).items() if not isinstance(v, dict)}
        print(f"{bench}: {json.dumps(figures, ensure_ascii=False)}")
    print("\n  bench   figure                              value        target      ")
    for bench, label, value, target, met in verdicts(results):
        shown = "-" if value is None else value
        print(f"  {bench:<7} {label:<35} {shown!s:<12} {target:<11} {met}")


def venues_in(database_url: str) -> int | None:
    """The venues of the bench database, None when it has none or does not exist."""
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM venues_venue").fetchone()[0]
    except psycopg.Error:
        return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--duration", type=int, help="seconds of each wrk run")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each benchmark; the median is reported")
    parser.add_argument("--reuse-data", action="store_true", help="keep the data set of the last run")
    parser.add_argument("--only", default="B1,B2,B3,B4,B5,B6", help="comma-separated benchmarks")
    args = parser.parse_args(argv)
    began = time.monotonic()
    only = set(args.only.upper().split(","))
    duration = args.duration or (5 if args.scale < 0.1 else 20)
    ensure_wrk()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    os.environ.update(bench_env(database_url))
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))

    from ashyq.core.management.commands.bench_data import (
        DEFAULT_CHECKINS,
        DEFAULT_PEOPLE,
        DEFAULT_VENUES,
        sizes,
    )

    size = sizes(people=DEFAULT_PEOPLE, venues=DEFAULT_VENUES, checkins=DEFAULT_CHECKINS, scale=args.scale)
    results = {"started_at": datetime.now(UTC).isoformat(timespec="seconds"), "scale": args.scale, "sizes": size}
    marker = STATE / "data.json"
    if (
        args.reuse_data
        and marker.exists()
        and json.loads(marker.read_text()).get("scale") == args.scale
        and venues_in(database_url) == size["venues"]  # another run (CI's smoke) may have replaced it
    ):
        results["data"] = json.loads(marker.read_text())
        manage("migrate", "-v0")  # the code may have new migrations since
    else:
        marker.unlink(missing_ok=True)
        recreate_database(database_url)
        migrate_s = manage("migrate", "-v0")
        data_s = manage("bench_data", "--scale", str(args.scale))
        results["data"] = {"scale": args.scale, "migrate_s": round(migrate_s, 1), "bench_data_s": round(data_s, 1)}
        marker.write_text(json.dumps(results["data"]))

    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.utils import timezone

    results["machine"] = machine()
    results["config"] = {"gunicorn_workers": int(os.environ.get("WEB_WORKERS", "4")), "duration_s": duration}
    with connection.cursor() as cursor:  # fresh registries (R-ST-9) and an empty status cache
        cursor.execute("UPDATE statuses_syncstate SET last_success_at = %s, version = version + 1", [timezone.now()])
        cursor.execute("TRUNCATE visitors_visitwindow")
    cache.clear()
    fx = prepare(size)
    connection.close()
    stack("start")
    try:
        results["B1"], results["B2"], results["B6"] = {}, {}, {}
        # Warm-up (discarded): every worker imports its lazy modules, compiles its
        # templates and opens its database connection before anything is measured.
        wrk(fx["files"]["guard"], duration=2, connections=8, htmx=True)
        wrk(fx["files"]["scan"], duration=2, connections=8)
        if "B1" in only:
            results["B1"] = median_of(args.repeat, lambda: b1(fx, duration))
            workers = gunicorn_workers()
            results["memory"] = {
                "gunicorn_worker_peak_rss_mb": round(max(peak_rss_mb(pid) for pid in workers), 1),
                "gunicorn_workers": len(workers),
            }
        if "B2" in only:
            results["B2"] = median_of(args.repeat, lambda: b2(fx, duration))
        if "B3" in only:
            results["B3"] = median_of(args.repeat, lambda: run_b3(args.scale, results))
        period_start = None
        if "B4" in only or "B6" in only:
            results["B4"], period_start = b4(max(1, args.repeat))
        if "B5" in only:
            results["B5"] = median_of(args.repeat, lambda: b5(size, 2000))
        if "B6" in only:
            results["B6"] = median_of(args.repeat, lambda: b6(fx, duration, period_start))
        if period_start:
            results["plans"] = plans(period_start)
    finally:
        stack("stop")
    results["wall_s"] = round(time.monotonic() - began, 1)
    results["verdicts"] = [
        dict(zip(("bench", "figure", "value", "target", "met"), v, strict=True)) for v in verdicts(results)
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    report(results)
    print(f"\nwritten {out.relative_to(ROOT)}; wall time {results['wall_s']} s")
    broken = server_errors(results)
    if broken:
        # The smoke test's point (CI): missed targets are figures, server errors are bugs.
        print(f"bench: server errors or failed runs: {', '.join(broken)} (see var/bench/gunicorn.log)", file=sys.stderr)
        return 1
    return 0


def server_errors(results: dict) -> list[str]:
    """Every wrk run that got a 5xx or a socket error, and every benchmark that failed."""
    found = []

    def walk(node, path):
        if isinstance(node, dict):
            if "status" in node and isinstance(node["status"], dict):
                if node["status"].get("5xx") or node.get("socket_errors"):
                    found.append(
                        f"{path} ({node['status'].get('5xx')} × 5xx, {node.get('socket_errors')} socket errors)"
                    )
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else key)

    walk({k: results.get(k) for k in ("B1", "B2", "B6")}, "")
    notes = [("B3", str((results.get("B3") or {}).get("note", "")))]
    notes += [("B6", str(value)) for key, value in (results.get("B6") or {}).items() if key.endswith("_note")]
    found += [f"{bench}: {note}" for bench, note in notes if note.startswith("failed")]
    return found


def run_b3(scale: float, results: dict) -> dict:
    """B3 is bench/b3_sync.py's (another engineer): `run(*, scale, results)` adds results["B3"]."""
    try:
        from bench import b3_sync
    except ImportError:
        return {"note": "not available (bench/b3_sync.py missing)"}
    # Its mock server and sync children start from this environment (production mode):
    # plain HTTP on loopback, no redirect to HTTPS. The running stack is not affected.
    saved = os.environ.get("SECURE_SSL_REDIRECT")
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    try:
        b3_sync.run(scale=scale, results=results)
    except Exception as exc:  # noqa: BLE001 — B3 failing must not lose the other figures
        print(f"B3 failed: {exc!r}", file=sys.stderr)
        return {"note": f"failed: {exc!r}"[:300]}
    finally:
        if saved is None:
            os.environ.pop("SECURE_SSL_REDIRECT", None)
        else:
            os.environ["SECURE_SSL_REDIRECT"] = saved
    return results.get("B3") or {"note": "b3_sync.run added no figures"}


def median_of(repeat: int, run) -> dict:
    """Run `run` `repeat` times; every numeric top-level figure is the median of the runs."""
    runs = [run() for _ in range(max(1, repeat))]
    if len(runs) == 1:
        return runs[0]
    merged = dict(runs[-1])
    for key, value in merged.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            merged[key] = statistics.median(r[key] for r in runs if r.get(key) is not None)
    merged["runs"] = len(runs)
    return merged


if __name__ == "__main__":
    sys.exit(main())
