"""How fast 100,000 PCR results come over HTTP into our copy (run with `-m benchmark`)."""

import math
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ashyq.mocks import services as mocks
from statuses import services
from statuses.models import PcrResult, StatusChange
from statuses.tests.factories import iin, local

RECORDS = 100_000
PERSONS = 20_000
PAGE = 5000


@pytest.mark.benchmark
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("registry")
def test_sync_of_100000_pcr_results(capsys):
    start = local(2021, 4, 1, 8)
    mocks.records_load(
        {
            "pcr": [
                {
                    "iin": iin(n % PERSONS),
                    "result": "positive" if n % 17 == 0 else "negative",
                    "sampled_at": (start + timedelta(hours=n // PERSONS * 100, minutes=n % 600)).isoformat(),
                }
                for n in range(RECORDS)
            ]
        }
    )

    began = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        report = services.registry_sync(registry="pcr", now=timezone.now(), limit=PAGE)
    seconds = time.perf_counter() - began

    assert (report.applied, report.complete) == (RECORDS, True)
    assert PcrResult.objects.count() == RECORDS
    statements = [query["sql"] for query in queries.captured_queries]
    inserts = sum(sql.startswith("INSERT") for sql in statements)
    others = len(statements) - inserts
    with capsys.disabled():
        print(
            f"\n{RECORDS} PCR results in {report.pages} pages of {PAGE}: {seconds:.1f} s, "
            f"{RECORDS / seconds:,.0f} records/s; {len(statements) / report.pages:.0f} queries per page "
            f"({inserts / report.pages:.0f} of them INSERT), {StatusChange.objects.count()} history rows"
        )
    # Bulk, not row by row: the queries of a page do not grow with its records
    # (bar SQLite's batches of a bulk insert), and never approach one per record.
    # Per page: the transaction, the cursor, then per services._CHUNK records or
    # persons: the records' former values, the persons' records (3), their stored
    # history, a delete (and on PostgreSQL a scratch table and a COPY per bulk write).
    assert others / report.pages <= 9 + 6 * math.ceil(PAGE / services._CHUNK)
    assert len(statements) < RECORDS / 20
