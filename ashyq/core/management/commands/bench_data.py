"""A national-scale data set for the benchmarks (BENCHMARKS.md) — PostgreSQL only.

    python manage.py bench_data --scale 0.001      # CI's smoke size: 20,000 people, 100 venues, 30,000 check-ins
    python manage.py bench_data                    # 20,000,000 people, 100,000 venues, 30,000,000 check-ins

Every size is the parameter times --scale. Run it on an empty, migrated database of its
own (bench/run.py makes one, ashyq_bench): it refuses a database that already holds
venues or check-ins.

People are numbered 0…N-1; person n's IIN is `iin_for(n)` (valid, R-ID-1; an adult born
1950–1999, R-ID-2), so the benchmarks can type the IIN of any person without it being
stored anywhere: only its blind index is (R-ID-5), in our copy of the registries (what
statuses.selectors.status_for reads) and in the check-ins. The first 30 % ("the pool")
have records or visit venues; the other 70 % are in no registry at all, i.e. blue. Within
the pool the colour follows `colour_of(n)`: vaccinated and recently tested negative
(green), old negative tests and a lapsed contact (blue with records), contacts (yellow)
and positives (red).

Venues cover every region and category (Almaty city holds a fifth of them, so its public
list is the long one of B6), each with a company and an owner, one or two entrances
and their entry and exit codes issued (participants; 3 % still in test mode). The
check-ins cover the 28 days up to now (the last hours still open), with a daily rhythm (few at night,
a lunch and an evening peak) and a skewed popularity, so that some venues are leader
candidates. The first `--guards` venues have guard mode on, and `--citizens` people of
the pool have an account with a linked IIN: the benchmarks sign them in.

Bulk work is SQL (generate_series) and COPY FROM STDIN; the check-ins table is loaded
with its secondary indexes and foreign keys dropped and rebuilt afterwards (same names).
The unlogged tables bench_person(n, person, colour) and bench_venue(i, venue_id,
entrance_id) stay behind for the benchmarks.
"""

import math
import time
from datetime import date, datetime, timedelta
from multiprocessing import get_context
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from ashyq.identifiers import make_bin, make_iin
from visitors.partitions import partitions_ensure

DEFAULT_PEOPLE = 20_000_000
DEFAULT_VENUES = 100_000
DEFAULT_CHECKINS = 30_000_000
POOL_SHARE = 0.30  # people with records or check-ins; the rest are blue with no record
DAYS = 28
LOCAL_TZ = ZoneInfo("Asia/Almaty")

# The pool's mix, by n % 100 (R-ST-1…R-ST-6). Of all people: ~14 % vaccinated, ~8 % a
# negative PCR within 72 h, ~4 % an old negative PCR only, ~2 % yellow, ~1 % red, ~1 %
# a contact whose 14 days are over; 70 % have no record.
MIX = [
    (47, "vaccinated", "green"),
    (73, "pcr_negative", "green"),
    (87, "pcr_old", "blue"),
    (94, "contact", "yellow"),
    (97, "pcr_positive", "red"),
    (100, "contact_old", "blue"),
]

# Check-ins per local hour (relative weights): night, morning, lunch, evening peak.
HOUR_WEIGHTS = [1, 1, 0, 0, 0, 0, 1, 2, 3, 4, 4, 5, 7, 7, 5, 4, 5, 7, 9, 10, 9, 7, 4, 2]

# Where the venues are: Almaty city the largest (B6's long public list).
REGION_WEIGHTS = {"almaty": 20, "nur-sultan": 10, "shymkent": 7}
OTHER_REGION_WEIGHT = 63 / 14

_EPOCH = date(1950, 1, 1)
_BIRTH_DAYS = 18_250  # 1950-01-01 … 1999-12-18: adults in any year from 2018


def iin_for(n: int) -> str:
    """The IIN of bench person n: unique for n < 18,250 × 2 × 2,400 (87 million)."""
    day, rest = n % _BIRTH_DAYS, n // _BIRTH_DAYS
    sex = "female" if rest % 2 else "male"
    # Serials 4 apart: make_iin moves an invalid serial to the next one, never onto another n's.
    return make_iin(birth_date=_EPOCH + timedelta(days=day), sex=sex, serial=(rest // 2) * 4)


def kind_of(n: int) -> tuple[str, str]:
    """(record kind, colour) of a person of the pool."""
    bucket = n % 100
    for upper, kind, colour in MIX:
        if bucket < upper:
            return kind, colour
    raise AssertionError(bucket)


def colour_of(n: int, *, pool: int) -> str:
    return kind_of(n)[1] if n < pool else "blue"


def sizes(*, people: int, venues: int, checkins: int, scale: float) -> dict[str, int]:
    people, venues = max(100, round(people * scale)), max(20, round(venues * scale))
    return {
        "people": people,
        "pool": max(50, math.ceil(people * POOL_SHARE)),
        "venues": venues,
        "checkins": max(100, round(checkins * scale)),
    }


def _keys_chunk(bounds: tuple[int, int, str]) -> list[tuple[int, str, str, str]]:
    """Rows (n, person, kind, colour) for n in [start, stop); runs in a worker process."""
    import hashlib
    import hmac

    from ashyq.crypto import _decode_key

    start, stop, index_key = bounds
    key = _decode_key(index_key)
    rows = []
    for n in range(start, stop):
        # statuses.persons.person_key(iin=...) == blind_index(iin): an HMAC-SHA256 (R-ID-5).
        person = hmac.new(key, iin_for(n).encode(), hashlib.sha256).hexdigest()
        kind, colour = kind_of(n)
        rows.append((n, person, kind, colour))
    return rows


class Command(BaseCommand):
    help = "Fill an empty PostgreSQL database with the national-scale benchmark data set."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE)
        parser.add_argument("--venues", type=int, default=DEFAULT_VENUES)
        parser.add_argument("--checkins", type=int, default=DEFAULT_CHECKINS)
        parser.add_argument("--scale", type=float, default=1.0, help="multiplies every size (0.001 in CI)")
        parser.add_argument("--guards", type=int, default=500, help="venues with guard mode (at most all)")
        parser.add_argument("--citizens", type=int, default=2000, help="pool people with an account")
        parser.add_argument("--processes", type=int, default=2, help="processes computing blind indexes")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_data needs PostgreSQL (COPY, generate_series): set DATABASE_URL=postgres://… "
                "to a database of its own, e.g. the one bench/run.py makes (ashyq_bench)."
            )
        if not 0 < options["scale"] <= 1:
            raise CommandError("--scale must be in (0, 1].")
        self._refuse_filled()
        size = sizes(
            people=options["people"], venues=options["venues"], checkins=options["checkins"], scale=options["scale"]
        )
        size["guards"] = min(options["guards"], size["venues"])
        size["citizens"] = min(options["citizens"], size["pool"])
        now = timezone.now()
        self.stdout.write(f"bench_data: {size}")
        timings = {}
        for step in ("people", "records", "venues", "checkins", "counts", "accounts", "finish"):
            started = time.monotonic()
            getattr(self, f"_{step}")(size=size, now=now, options=options)
            timings[step] = round(time.monotonic() - started, 2)
            self.stdout.write(f"  {step}: {timings[step]} s")
        self.stdout.write(f"bench_data: done in {sum(timings.values()):.1f} s")
        return None

    def _refuse_filled(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_person') IS NOT NULL")
            if cursor.fetchone()[0]:
                raise CommandError("This database already holds a bench data set: use a fresh one.")
            cursor.execute("SELECT EXISTS (SELECT 1 FROM venues_venue) OR EXISTS (SELECT 1 FROM visitors_visit)")
            if cursor.fetchone()[0]:
                raise CommandError("This database already holds venues or check-ins: use a fresh one.")

    # --- People and their registry records -----------------------------------------------------

    def _people(self, *, size, now, options):
        from django.conf import settings

        pool = size["pool"]
        chunk = 50_000
        bounds = [(start, min(start + chunk, pool), settings.IIN_INDEX_KEY) for start in range(0, pool, chunk)]
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE UNLOGGED TABLE bench_person (n integer NOT NULL, person varchar(64) NOT NULL,"
                " kind varchar(20) NOT NULL, colour varchar(6) NOT NULL)"
            )
            with get_context("fork").Pool(max(1, options["processes"])) as workers:
                with cursor.copy("COPY bench_person (n, person, kind, colour) FROM STDIN") as copy:
                    for rows in workers.imap(_keys_chunk, bounds):
                        for row in rows:
                            copy.write_row(row)
            cursor.execute("ALTER TABLE bench_person ADD PRIMARY KEY (n)")
            cursor.execute("ANALYZE bench_person")

    def _records(self, *, size, now, options):
        """Our copy of the three health registries, keyed by blind index (statuses.models)."""
        today = timezone.localdate(now)
        params = {"now": now, "today": today}
        statements = [
            # Vaccinated: both doses of a two-dose scheme, the second 20-200 days ago (R-ST-5).
            """INSERT INTO statuses_vaccination (source_id, person, changed_at, vaccine, dose, doses_in_scheme,
                                                  administered_on)
               SELECT 'bv-' || p.n || '-' || d, p.person, %(now)s, 'Sputnik V', d, 2,
                      %(today)s::date - (20 + p.n %% 180) - (2 - d) * 21
               FROM bench_person p CROSS JOIN generate_series(1, 2) d WHERE p.kind = 'vaccinated'""",
            # A negative PCR sampled 1-70 hours ago (green, R-ST-5) or 4-30 days ago (no longer).
            """INSERT INTO statuses_pcrresult (source_id, person, changed_at, positive, sampled_at, resulted_at)
               SELECT 'bp-' || p.n, p.person, %(now)s, false, s.at, s.at + interval '10 hours'
               FROM bench_person p,
                    LATERAL (SELECT %(now)s::timestamptz - CASE WHEN p.kind = 'pcr_negative'
                             THEN (1 + p.n %% 70) * interval '1 hour'
                             ELSE (4 + p.n %% 27) * interval '1 day' END AS at) s
               WHERE p.kind IN ('pcr_negative', 'pcr_old')""",
            # A positive PCR sampled 1-12 days ago: red (R-ST-3).
            """INSERT INTO statuses_pcrresult (source_id, person, changed_at, positive, sampled_at, resulted_at)
               SELECT 'bp-' || p.n, p.person, %(now)s, true, s.at, s.at + interval '12 hours'
               FROM bench_person p,
                    LATERAL (SELECT %(now)s::timestamptz - (1 + p.n %% 12) * interval '1 day' AS at) s
               WHERE p.kind = 'pcr_positive'""",
            # A close contact 0-12 days ago (yellow, R-ST-4) or 15-40 days ago (over).
            """INSERT INTO statuses_contact (source_id, person, changed_at, contact_date, registered_at)
               SELECT 'bc-' || p.n, p.person, %(now)s, c.day,
                      LEAST(%(now)s::timestamptz, c.day::timestamp AT TIME ZONE 'Asia/Almaty' + interval '30 hours')
               FROM bench_person p,
                    LATERAL (SELECT %(today)s::date - CASE WHEN p.kind = 'contact' THEN p.n %% 13
                             ELSE 15 + p.n %% 26 END AS day) c
               WHERE p.kind IN ('contact', 'contact_old')""",
            # Every registry synced just now, its version moved (R-ST-9; a cached status is dropped).
            """UPDATE statuses_syncstate SET last_success_at = %(now)s, last_attempt_at = %(now)s,
                      version = version + 1, epoch = md5(random()::text)::uuid""",
        ]
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, params)
            cursor.execute("SELECT count(*) FROM statuses_syncstate")
            if cursor.fetchone()[0] < 3:
                raise CommandError("statuses_syncstate has no row per registry: is the database migrated?")

    # --- Venues ------------------------------------------------------------------------------

    def _venues(self, *, size, now, options):
        from ashyq.reference.models import Category, Region
        from venues.codes.tokens import current_key_id

        venues = size["venues"]
        regions = list(Region.objects.order_by("code").values_list("id", "code", "name_ru"))
        categories = list(Category.objects.order_by("code").values_list("id", "name_ru"))
        if not regions or not categories:
            raise CommandError("No regions or categories: is the database migrated?")
        # Region of venue i: the first ones cover every region, the rest follow the weights.
        weights = [REGION_WEIGHTS.get(code, OTHER_REGION_WEIGHT) for _id, code, _name in regions]
        slots = []
        for index, weight in enumerate(weights):
            slots += [index] * round(weight * 10)
        region_of = [i if i < len(regions) else slots[(i * 7919) % len(slots)] for i in range(venues)]
        # Category: every one among the first venues, then public catering (the most common) half the time.
        catering = next((k for k, (_id, name) in enumerate(categories) if "питан" in name.lower()), 0)
        category_of = [
            k if k < len(categories) else (catering if k % 2 else (k * 31) % len(categories)) for k in range(venues)
        ]
        companies = math.ceil(venues / 5)
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
                                              is_staff, is_active, date_joined, role, phone)
                   SELECT '!', false, 'bench-owner-' || c, '', '', '', false, true, %(now)s, 'owner',
                          '+7703' || lpad(c::text, 7, '0')
                   FROM generate_series(0, %(n)s - 1) c""",
                {"now": now, "n": companies},
            )
            cursor.execute(
                "SELECT id, substr(username, 13)::int FROM accounts_user WHERE username LIKE 'bench-owner-%'"
            )
            owners = {c: pk for pk, c in cursor.fetchall()}
            with cursor.copy("COPY venues_company (bin, name, owner_id, created_at) FROM STDIN") as copy:
                for c in range(companies):
                    registered = date(2000 + (c % 240) // 12, c % 12 + 1, 1)
                    bin_ = make_bin(registered=registered, serial=(c // 240) * 4)
                    copy.write_row((bin_, f"ТОО «Бенч {c}»", owners[c], now))
            cursor.execute("SELECT id FROM venues_company ORDER BY owner_id")
            company_ids = [row[0] for row in cursor.fetchall()]
            with cursor.copy(
                "COPY venues_venue (company_id, name, address, region_id, category_id, oked, capacity, phone,"
                " created_at, codes_first_issued_at, guard_phone, guard_consent) FROM STDIN"
            ) as copy:
                for i in range(venues):
                    region_id, _code, region_name = regions[region_of[i]]
                    category_id, category_name = categories[category_of[i]]
                    # 3 % are in test mode (issued in the last 6 days, R-VN-5); the rest left it long ago.
                    issued = now - timedelta(days=i % 6 if i % 33 == 7 else 40 + i % 300, minutes=i % 1440)
                    copy.write_row((
                        company_ids[i // 5],
                        f"{category_name} «Бенч {i}»",
                        f"{region_name}, ул. Абая, {i}",
                        region_id,
                        category_id,
                        "",
                        20 + (i * 37) % 300,
                        f"+7701{i:07d}",
                        issued,
                        issued,
                        f"+7702{i:07d}" if i < size["guards"] else None,
                        "accepted" if i < size["guards"] else "",  # R-VN-7: the guards said yes
                    ))  # fmt: skip
            cursor.execute(
                """INSERT INTO venues_entrance (venue_id, name, position)
                   SELECT v.id, e.name, e.position FROM venues_venue v
                   CROSS JOIN (VALUES ('Главный вход', 0), ('Вход со двора', 1)) e(name, position)
                   WHERE e.position = 0 OR substr(v.phone, 6)::int % 10 = 3"""
            )
            cursor.execute(
                """INSERT INTO venues_qrcode (entrance_id, direction, issue, key_id, issued_at)
                   SELECT e.id, d, 1, %(key_id)s, v.codes_first_issued_at
                   FROM venues_entrance e JOIN venues_venue v ON v.id = e.venue_id
                   CROSS JOIN (VALUES ('entry'), ('exit')) x(d)""",
                {"key_id": current_key_id()},
            )
            # R-VN-9: each venue's standing, as venues.standing.services.standing_issue
            # writes it: test mode for 7 × 24 hours from the first issue, then a
            # participant (or a volunteer).
            cursor.execute(
                """INSERT INTO venues_standing (venue_id, kind, starts_at, ends_at, cause)
                   SELECT v.id, s.kind, v.codes_first_issued_at + s.since, v.codes_first_issued_at + s.until, s.cause
                   FROM venues_venue v JOIN reference_category c ON c.id = v.category_id
                   CROSS JOIN LATERAL (VALUES
                       ('test_mode', interval '0', interval '7 days', 'issue'),
                       (CASE WHEN c.is_volunteer THEN 'volunteer' ELSE 'participant' END,
                        interval '7 days', NULL, 'test_mode_end')
                   ) s(kind, since, until, cause)"""
            )
            cursor.execute(
                """CREATE UNLOGGED TABLE bench_venue AS
                   SELECT substr(v.phone, 6)::int AS i, v.id AS venue_id, e.id AS entrance_id
                   FROM venues_venue v JOIN venues_entrance e ON e.venue_id = v.id AND e.position = 0"""
            )
            cursor.execute("ALTER TABLE bench_venue ADD PRIMARY KEY (i)")
            cursor.execute("ANALYZE bench_venue")

    # --- Check-ins ---------------------------------------------------------------------------

    def _checkins(self, *, size, now, options):
        """The 28 days up to now, the hours by HOUR_WEIGHTS, venues by a skewed popularity.

        Days today-27 … today are drawn; an entry drawn after now moves 28 days back (the
        same hour of today-28), so the window ends now: the visits of the last hours
        are still open, as at any moment of a real day (R-CI-6)."""
        first_day = timezone.localdate(now) - timedelta(days=DAYS - 1)
        start = datetime.combine(first_day, datetime.min.time(), tzinfo=LOCAL_TZ)
        hours = [hour for hour, weight in enumerate(HOUR_WEIGHTS) for _ in range(weight)]
        # Every day of the data set in its own partition (visitors.partitions), not the default one.
        partitions_ensure(first_day + timedelta(days=n) for n in range(-1, DAYS + 1))
        with connection.cursor() as cursor:
            saved = self._drop_visit_indexes(cursor)
            cursor.execute(
                """INSERT INTO visitors_visit (venue_id, entrance_id, person, user_id, method, colour, entered_at,
                                               exited_at, exit_method)
                   SELECT v.venue_id, v.entrance_id, p.person, NULL,
                          CASE WHEN r.m < 0.7 THEN 'scan' ELSE 'guard' END, p.colour, r.at,
                          CASE WHEN p.colour IN ('red', 'yellow') THEN r.at
                               WHEN r.at + r.stay <= %(now)s THEN r.at + r.stay END,
                          CASE WHEN p.colour IN ('red', 'yellow') THEN 'refused'
                               WHEN r.at + r.stay <= %(now)s THEN
                                    CASE WHEN r.stay = interval '4 hours' THEN 'auto' ELSE 'scan' END END
                   FROM (
                       SELECT vi, pi, CASE WHEN drawn >= %(now)s THEN drawn - %(days)s * interval '1 day'
                                           ELSE drawn END AS at, stay, m
                       FROM (
                           SELECT floor(%(venues)s * power(random(), 2.2))::int AS vi,
                                  floor(random() * %(pool)s)::int AS pi,
                                  %(start)s::timestamptz + floor(random() * %(days)s) * interval '1 day'
                                      + (%(hours)s::int[])[1 + floor(random() * %(nhours)s)::int] * interval '1 hour'
                                      + random() * interval '1 hour' AS drawn,
                                  CASE WHEN random() < 0.6 THEN interval '4 hours'
                                       ELSE (20 + floor(random() * 160)) * interval '1 minute' END AS stay,
                                  random() AS m
                           FROM generate_series(1, %(checkins)s)
                       ) d
                   ) r
                   JOIN bench_venue v ON v.i = r.vi
                   JOIN bench_person p ON p.n = r.pi""",
                {
                    "now": now,
                    "venues": size["venues"],
                    "pool": size["pool"],
                    "start": start,
                    "days": DAYS,
                    "hours": hours,
                    "nhours": len(hours),
                    "checkins": size["checkins"],
                },
            )
            self._restore_visit_indexes(cursor, saved)

    def _counts(self, *, size, now, options):
        """The check-ins' anonymous counts as the rollup leaves them (visitors.services.
        counts): each venue's local days and UTC hours, counted up to now."""
        with connection.cursor() as cursor:
            cursor.execute(
                # The data set has no guard look-ups (StatusLookup): none to count.
                """INSERT INTO visitors_venueday (venue_id, day, checkins, refused, by_guard, lookups)
                   SELECT venue_id, (entered_at AT TIME ZONE 'Asia/Almaty')::date,
                          count(*) FILTER (WHERE exit_method IS DISTINCT FROM 'refused'),
                          count(*) FILTER (WHERE exit_method = 'refused'),
                          count(*) FILTER (WHERE method = 'guard' AND exit_method IS DISTINCT FROM 'refused'),
                          0
                   FROM visitors_visit WHERE entered_at < %(now)s GROUP BY 1, 2""",
                {"now": now},
            )
            cursor.execute(
                """INSERT INTO visitors_venuehour (venue_id, hour, checkins)
                   SELECT venue_id, date_bin('1 hour', entered_at, TIMESTAMPTZ '2000-01-01 00:00+00'), count(*)
                   FROM visitors_visit WHERE entered_at < %(now)s AND exit_method IS DISTINCT FROM 'refused'
                   GROUP BY 1, 2""",
                {"now": now},
            )
            cursor.execute(
                """INSERT INTO visitors_countsmark (id, counted_until) VALUES (1, %(now)s)
                   ON CONFLICT (id) DO UPDATE SET counted_until = excluded.counted_until""",
                {"now": now},
            )

    def _drop_visit_indexes(self, cursor) -> dict[str, list[str]]:
        """Drop visitors_visit's secondary indexes and foreign keys; their definitions to restore."""
        # Django's foreign keys are deferred: inside a transaction (a test) the rows
        # inserted above leave trigger events that forbid ALTER TABLE until checked.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'visitors_visit'
               AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'visitors_visit'::regclass)"""
        )
        indexes = cursor.fetchall()
        cursor.execute(
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = 'visitors_visit'::regclass AND contype = 'f'"""
        )
        foreign = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for name, _definition in foreign:
            cursor.execute(f'ALTER TABLE visitors_visit DROP CONSTRAINT "{name}"')
        return {"indexes": [d for _n, d in indexes], "foreign": [(n, d) for n, d in foreign]}

    def _restore_visit_indexes(self, cursor, saved) -> None:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for definition in saved["indexes"]:
            # The table is partitioned by day (visitors.partitions): an index made on the
            # parent ONLY would cover none of its partitions.
            cursor.execute(definition.replace(" ON ONLY ", " ON "))
        for name, definition in saved["foreign"]:
            cursor.execute(f'ALTER TABLE visitors_visit ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    # --- Accounts the benchmarks sign in with ---------------------------------------------------

    @transaction.atomic
    def _accounts(self, *, size, now, options):
        from django.contrib.auth.hashers import make_password

        from ashyq.accounts.models import Role, User

        unusable = make_password(None)

        guards = [
            User(
                username=f"bench-guard-{i}",
                role=Role.CITIZEN,
                phone=f"+7702{i:07d}",
                password=unusable,
                date_joined=now,
            )
            for i in range(size["guards"])
        ]
        # Citizens: pool people spread over the mix (n = 7k), each with a linked IIN (R-AU-2).
        step = max(1, size["pool"] // size["citizens"])
        citizens = [
            User(
                username=f"bench-citizen-{n}",
                role=Role.CITIZEN,
                phone=f"+7704{n:07d}",
                iin=iin_for(n),
                password=unusable,
                date_joined=now,
            )
            for n in range(0, step * size["citizens"], step)
        ]
        User.objects.bulk_create(guards + citizens, batch_size=1000)

    def _finish(self, *, size, now, options):
        with connection.cursor() as cursor:
            # VACUUM as well as ANALYZE: PostgreSQL (13+) vacuums a table after many
            # inserts, and left to autovacuum that pass over 30 M check-ins would run
            # during the first benchmarks. A production database is vacuumed as it goes.
            # (VACUUM cannot run inside a transaction: a caller's, e.g. a test's, gets
            # ANALYZE only.)
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
