"""B8: the nightly work in steady state, at two sizes of history.

Ashyq keeps four weeks of check-ins and look-ups (R-PR-2) and, for good or for a year,
what the rules need beyond them: the anonymous counts per venue and day, per venue and
hour, per region and day; the colour history; the audit log. The nightly work must
cost what a night brings, not what the months before it left. This benchmark builds
the same four weeks twice, once after `--history` days of the first size and once
after the second (60 and 365 by default), and times every periodic job's run of one
night on each, over `--nights` nights (the median is reported):

1. a database of its own (ashyq_bench_nightly; BENCH_NIGHTLY_DATABASE_URL) is made,
   migrated and filled with `manage.py bench_data` at `--scale` (the four weeks);
2. the history older than the four weeks is written as the rollup and the sync would
   have left it: VenueDay, VenueHour and DailyStats rows for each earlier day, PCR
   results and contacts over the whole history (so that each night some pass their
   45 days, rules.RECORDS_KEPT), the colour history and the audit log (a year at most:
   their own retention);
3. a warm-up night clears what the fill left behind at once (not timed; then a
   VACUUM ANALYZE, as autovacuum would have kept up with nights one at a time); then each
   night moves the clock a day on, adds that day's check-ins, records and changes,
   and runs every job beat runs in a night, timed one by one: the rollups (288 a
   night: timed as one that counts the day), the retention of check-ins (a day's
   partitions dropped) and of registry copies, the Leader Ashyq computation of the
   last closed period (every other week in production: timed every night), the
   inactivity flags, the risk lists, and the purges.

    .venv/bin/python -m bench.nightly                 # 60 and 365 days, scale 0.02, 3 nights
    .venv/bin/python -m bench.nightly --history 60,730 --scale 0.05

Writes bench/results/nightly-<UTC timestamp>.json and prints the medians side by side;
"flat" is the ratio of the longer history's total to the shorter's (target: at most 1.2).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from bench.run import PYTHON, ROOT, bench_env, recreate_database

DEFAULT_DB = "postgres://ashyq:ashyq@127.0.0.1:5432/ashyq_bench_nightly"
RESULTS = ROOT / "bench" / "results"
TARGET_FLAT = 1.2
# Per day of history, at scale 1 (scaled like bench_data's sizes).
RECORDS_PER_DAY = 200_000
CHANGES_PER_DAY = 300_000
AUDIT_PER_DAY = 20_000


def _fill_history(*, days: int, scale: float, now: datetime) -> dict:
    """The days before bench_data's four weeks, as the rollups, the sync and the staff
    would have left them; sizes of what was written."""
    from django.db import connection
    from django.utils import timezone

    today = timezone.localdate(now)
    first, last = today - timedelta(days=days), today - timedelta(days=28)
    kept_days = min(days, 365)
    params = {
        "first": first,
        "last": last,
        "now": now,
        "days": days,
        "kept": kept_days,
        "records": max(1, int(RECORDS_PER_DAY * scale)) * days,
        "changes": max(1, int(CHANGES_PER_DAY * scale)) * kept_days,
        "audit": max(1, int(AUDIT_PER_DAY * scale)) * kept_days,
    }
    statements = [
        """INSERT INTO visitors_venueday (venue_id, day, checkins, refused, by_guard, lookups)
           SELECT v.id, d::date, 1 + floor(random() * 40)::int, floor(random() * 2)::int,
                  floor(random() * 10)::int, floor(random() * 12)::int
           FROM venues_venue v CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
           WHERE random() < 0.85 ON CONFLICT DO NOTHING""",
        """INSERT INTO visitors_venuehour (venue_id, hour, checkins)
           SELECT vd.venue_id, (vd.day + h * interval '1 hour') AT TIME ZONE 'Asia/Almaty',
                  1 + floor(random() * 6)::int
           FROM visitors_venueday vd CROSS JOIN generate_series(8, 21) h
           WHERE vd.day BETWEEN %(first)s AND %(last)s AND random() < 0.6 ON CONFLICT DO NOTHING""",
        """INSERT INTO visitors_dailystats (region_id, day, checkins, red_at_door, yellow_at_door,
                                            remote_checks, red_remote)
           SELECT r.id, d::date, floor(random() * 50000)::int, floor(random() * 50)::int,
                  floor(random() * 80)::int, floor(random() * 500)::int, floor(random() * 5)::int
           FROM reference_region r CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
           ON CONFLICT DO NOTHING""",
        # Registry copies over the whole history: the retention deletes a day's each night.
        """INSERT INTO statuses_pcrresult (source_id, person, changed_at, positive, sampled_at, resulted_at)
           SELECT 'hp-' || t.g, p.person, t.at, random() < 0.06, t.at, t.at + interval '10 hours'
           FROM (SELECT g, %(now)s::timestamptz - random() * %(days)s * interval '1 day' AS at
                 FROM generate_series(1, %(records)s) g) t
           JOIN bench_person p ON p.n = t.g %% (SELECT count(*) FROM bench_person)""",
        """INSERT INTO statuses_contact (source_id, person, changed_at, contact_date, registered_at)
           SELECT 'hc-' || t.g, p.person, t.at, (t.at AT TIME ZONE 'Asia/Almaty')::date, t.at + interval '1 day'
           FROM (SELECT g, %(now)s::timestamptz - random() * %(days)s * interval '1 day' AS at
                 FROM generate_series(1, %(records)s / 4) g) t
           JOIN bench_person p ON p.n = t.g %% (SELECT count(*) FROM bench_person)""",
        """INSERT INTO statuses_statuschange (person, colour, rule, registry, record, changed_at, recorded_at)
           SELECT p.person, (ARRAY['red', 'yellow', 'green', 'blue'])[1 + t.g %% 4],
                  (ARRAY['R-ST-3', 'R-ST-4', 'R-ST-5', 'R-ST-1'])[1 + t.g %% 4], '', '', t.at, t.at
           FROM (SELECT g, %(now)s::timestamptz - random() * %(kept)s * interval '1 day' AS at
                 FROM generate_series(1, %(changes)s) g) t
           JOIN bench_person p ON p.n = t.g %% (SELECT count(*) FROM bench_person)
           ON CONFLICT DO NOTHING""",
        """INSERT INTO core_auditevent (at, action, object_type, object_id, details)
           SELECT %(now)s::timestamptz - random() * %(kept)s * interval '1 day', 'bench.history', 'venue', g::text,
                  '{}'::jsonb
           FROM generate_series(1, %(audit)s) g""",
    ]
    sizes = {}
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, params)
            table = sql.split("INSERT INTO ", 1)[1].split(" ", 1)[0]
            sizes[table] = sizes.get(table, 0) + cursor.rowcount
        cursor.execute("VACUUM (ANALYZE)")
    return sizes


def _night_of_arrivals(*, day_start: datetime, scale: float, checkins: int) -> None:
    """One day's check-ins (as bench_data draws them), registry records and colour changes."""
    from django.db import connection

    from visitors.partitions import partitions_ensure

    partitions_ensure([day_start.date()])
    per_day = {"records": max(1, int(RECORDS_PER_DAY * scale)), "changes": max(1, int(CHANGES_PER_DAY * scale))}
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO visitors_visit (venue_id, entrance_id, person, user_id, method, colour, entered_at,
                                           exited_at, exit_method)
               SELECT v.venue_id, v.entrance_id, p.person, NULL, 'scan', 'green', r.at,
                      r.at + interval '40 minutes', 'scan'
               FROM (SELECT floor((SELECT count(*) FROM bench_venue) * power(random(), 2.2))::int AS vi,
                            floor(random() * (SELECT count(*) FROM bench_person))::int AS pi,
                            %(start)s::timestamptz + random() * interval '1 day' AS at
                     FROM generate_series(1, %(n)s)) r
               JOIN bench_venue v ON v.i = r.vi JOIN bench_person p ON p.n = r.pi""",
            {"start": day_start, "n": checkins},
        )
        cursor.execute(
            """INSERT INTO statuses_pcrresult (source_id, person, changed_at, positive, sampled_at, resulted_at)
               SELECT 'np-' || %(tag)s || '-' || t.g, p.person, %(start)s, random() < 0.06, t.at, t.at
               FROM (SELECT g, %(start)s::timestamptz + random() * interval '1 day' AS at
                     FROM generate_series(1, %(records)s) g) t
               JOIN bench_person p ON p.n = t.g %% (SELECT count(*) FROM bench_person)""",
            {"start": day_start, "records": per_day["records"], "tag": day_start.strftime("%Y%m%d")},
        )
        cursor.execute(
            """INSERT INTO statuses_statuschange (person, colour, rule, registry, record, changed_at, recorded_at)
               SELECT p.person, 'green', 'R-ST-5', '', '', t.at, t.at
               FROM (SELECT g, %(start)s::timestamptz + random() * interval '1 day' AS at
                     FROM generate_series(1, %(changes)s) g) t
               JOIN bench_person p ON p.n = t.g %% (SELECT count(*) FROM bench_person)
               ON CONFLICT DO NOTHING""",
            {"start": day_start, "changes": per_day["changes"]},
        )


def _jobs() -> list[tuple[str, object]]:
    """Every job beat runs in a night, as its task runs it (Celery tasks called in process)."""
    from ashyq.accounts.tasks import purge_sign_in_failures
    from ashyq.core.tasks import purge_heartbeats
    from ashyq.queue import outbox_purge
    from ashyq.sms.tasks import purge_codes
    from leaders import rules as leader_rules
    from leaders.services.compute import leaders_compute
    from leaders.tasks import prune_venue_hours
    from monitoring.ops_tasks import flag_inactive_venues, purge, risk_lists_refresh
    from statuses.tasks import records_retention
    from vaccinations.tasks import purge as vaccinations_purge
    from visitors.tasks import auto_close_visits, retention, rollup_stats

    def leaders():
        from django.utils import timezone

        now = timezone.now()
        leaders_compute(period_start=leader_rules.last_closed_period(now)[0], now=now)

    return [
        ("rollup", rollup_stats),
        ("auto_close", auto_close_visits),
        ("retention", retention),
        ("records_retention", records_retention),
        ("prune_venue_hours", prune_venue_hours),
        ("leaders_compute", leaders),
        ("flag_inactive", flag_inactive_venues),
        ("risk_lists", risk_lists_refresh),
        ("monitoring_purge", purge),
        ("vaccinations_purge", vaccinations_purge),
        ("small_purges", lambda: (purge_sign_in_failures(), purge_codes(), purge_heartbeats(), outbox_purge())),
    ]


def measure(history: int, scale: float, nights: int, checkins_per_day: int) -> dict:
    """In a process set up on the bench database: fill the history, run the nights."""
    import django

    django.setup()
    import time_machine
    from django.utils import timezone

    from statuses.rules import local_midnight

    now = timezone.now()
    began = time.monotonic()
    sizes = _fill_history(days=history, scale=scale, now=now)
    fill_seconds = time.monotonic() - began
    jobs = _jobs()
    runs: list[dict[str, float]] = []
    today = timezone.localdate(now)
    for night in range(nights + 1):  # night 0: the warm-up
        day = today + timedelta(days=night)
        if night:
            _night_of_arrivals(day_start=local_midnight(day), scale=scale, checkins=checkins_per_day)
        at = local_midnight(day + timedelta(days=1)) + timedelta(hours=1)  # 01:00 after the day
        with time_machine.travel(at, tick=True):
            times, done = {}, {}
            for name, job in jobs:
                started = time.perf_counter()
                done[name] = job()
                times[name] = round(time.perf_counter() - started, 3)
        times["total"] = round(sum(times.values()), 3)
        if night:
            runs.append(times)
        else:
            # The warm-up cleared the fill's backlog at once (months of records): vacuum
            # and analyse, as autovacuum keeps a production database that goes a night at a time.
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
        print(f"  history {history} d, night {night}: {times['total']} s", file=sys.stderr, flush=True)
    medians = {name: statistics.median(run[name] for run in runs) for name in runs[0]}
    # What the last night's retentions did: a day's partitions dropped, a day's records deleted.
    last_night = {name: done[name] for name in ("retention", "records_retention", "prune_venue_hours")}
    return {
        "history_days": history,
        "fill_seconds": round(fill_seconds, 1),
        "rows_written": sizes,
        "median": medians,
        "last_night": last_night,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", default="60,365", help="two sizes of history, in days")
    parser.add_argument("--scale", type=float, default=0.02, help="bench_data's scale (1: national)")
    parser.add_argument("--nights", type=int, default=3)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    checkins_per_day = int(30_000_000 / 28 * args.scale)
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.scale, args.nights, checkins_per_day)))
        return 0
    database_url = os.environ.get("BENCH_NIGHTLY_DATABASE_URL", DEFAULT_DB)
    env = {**os.environ, **bench_env(database_url)}
    results = []
    for history in (int(days) for days in args.history.split(",")):
        recreate_database(database_url)
        subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", "bench_data", "--scale", str(args.scale)],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        child = subprocess.run(  # noqa: S603
            [PYTHON, "-m", "bench.nightly", "--measure", str(history), "--scale", str(args.scale),
             "--nights", str(args.nights)],
            cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    short, long = results[0], results[-1]
    flat = long["median"]["total"] / short["median"]["total"] if short["median"]["total"] else None
    report = {"scale": args.scale, "nights": args.nights, "results": results, "flat": flat}
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"nightly-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    names = list(short["median"])
    print(f"{'job':<20}" + "".join(f"{r['history_days']:>10} d" for r in results))
    for name in names:
        print(f"{name:<20}" + "".join(f"{r['median'][name]:>11.3f}" for r in results))
    verdict = "met" if flat is not None and flat <= TARGET_FLAT else "missed"
    print(f"flat: {flat:.2f} (target ≤ {TARGET_FLAT}: {verdict}); {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
