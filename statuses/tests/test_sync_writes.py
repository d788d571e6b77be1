"""The sync's bulk writes (the benchmark B3) against what the ORM writes, and its history
marks against a history catch-up running at the same time on another connection (R-ST-10)."""

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction

from ashyq.crypto import encrypt
from ashyq.mocks import services as mocks
from ashyq.registries import FeedPage
from statuses import services
from statuses.models import HistoryDue, PcrResult, StatusChange, SyncState, Vaccination
from statuses.persons import person_key
from statuses.tests.factories import PcrResultFactory, iin, local

NOW = local(2021, 6, 1, 12)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two connections writing the same rows at once"
)


def stored(model, source_id: str) -> dict:
    row = model.objects.values().get(source_id=source_id)
    del row["id"], row["source_id"]
    return row


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model, fields",
    [
        (
            PcrResult,
            # A moment in another zone, one in UTC, and none.
            {
                "person": "a" * 64,
                "changed_at": NOW,
                "positive": True,
                "sampled_at": datetime(2021, 5, 1, 3, tzinfo=UTC),
            },
        ),
        (
            Vaccination,
            {
                "person": "b" * 64,
                "changed_at": local(2021, 5, 2, 0, 0, 0, 1),
                "vaccine": "QazVac",
                "dose": 2,
                "doses_in_scheme": 2,
                "administered_on": date(2021, 4, 20),
                "family_name": "Абаева",
                "given_name": None,
                "organisation": "Поликлиника № 1",
                "region": "",
                "certificate": "KZ-1",
            },
        ),
    ],
)
def test_the_bulk_upsert_writes_exactly_what_the_orm_writes(model, fields):
    # On PostgreSQL the binary COPY, on SQLite a prepared statement per row: the same
    # stored values as Model.objects.create, the upsert the same as an update.
    if model is PcrResult:
        fields["resulted_at"] = None

    def sent(fields: dict) -> tuple:  # as the sync has them: the name encrypted by the parser (R-ID-5)
        return ("bulk", *(encrypt(value) if name == "family_name" else value for name, value in fields.items()))

    names = ["source_id", *fields]
    update = list(fields)
    services._rows_insert(model, names, [sent(fields)], unique=["source_id"], update=update)
    model.objects.create(source_id="orm", **fields)
    assert stored(model, "bulk") == stored(model, "orm")

    later = {**fields, "changed_at": fields["changed_at"] + timedelta(hours=1), "person": "c" * 64}
    services._rows_insert(model, names, [sent(later)], unique=["source_id"], update=update)
    model.objects.filter(source_id="orm").update(**later)
    assert stored(model, "bulk") == stored(model, "orm")
    assert model.objects.count() == 2


@pytest.mark.django_db
def test_a_person_already_due_keeps_his_mark_as_it_was_written():
    services._rows_insert(
        HistoryDue, ["person", "marked_at"], [("p" * 64, NOW)], unique=["person"], update=["marked_at"]
    )
    again = [("p" * 64, NOW), ("q" * 64, NOW)]
    services._rows_insert(
        HistoryDue, ["person", "marked_at"], again, unique=["person"], update=["marked_at"], if_changed=True
    )
    later = [("p" * 64, NOW + timedelta(hours=1))]
    services._rows_insert(
        HistoryDue, ["person", "marked_at"], later, unique=["person"], update=["marked_at"], if_changed=True
    )

    assert sorted(HistoryDue.objects.values_list("person", "marked_at")) == [
        ("p" * 64, NOW + timedelta(hours=1)),
        ("q" * 64, NOW),
    ]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_mark_unchanged_is_not_a_new_row_version():
    # In a backlog every page marked persons already due again: a row version each (B3).
    def version() -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT xmin::text FROM {HistoryDue._meta.db_table}")  # noqa: S608
            return cursor.fetchone()[0]

    mark = [("p" * 64, NOW)]
    services._rows_insert(HistoryDue, ["person", "marked_at"], mark, unique=["person"], update=["marked_at"])
    first = version()
    services._rows_insert(
        HistoryDue, ["person", "marked_at"], mark, unique=["person"], update=["marked_at"], if_changed=True
    )
    assert version() == first


def pcr_page(person: str, *, source_id: int, next_cursor: str) -> FeedPage:
    record = {
        "id": source_id,
        "iin": person,
        "result": "positive",
        "sampled_at": local(2021, 5, 1, 10).isoformat(),
        "changed_at": NOW.isoformat(),
    }
    return FeedPage(records=[record], next=next_cursor, more=False)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_person_a_page_marks_while_a_catch_up_holds_him_is_due_again_after_it():
    # R-ST-10: the catch-up has read his records before the page committed; once it has
    # deleted his mark, the page's own mark must be there, or his new record never
    # reaches his history.
    person = iin(70)
    key = person_key(iin=person)
    HistoryDue.objects.create(person=key, marked_at=NOW - timedelta(hours=1))
    SyncState.objects.create(registry="pcr", cursor="", lock_token="run")
    held, release = threading.Event(), threading.Event()

    def catch_up():
        try:
            with transaction.atomic():
                assert list(HistoryDue.objects.select_for_update(skip_locked=True).values_list("person", flat=True))
                held.set()
                release.wait(10)
                HistoryDue.objects.filter(person=key).delete()
        finally:
            connection.close()

    other = threading.Thread(target=catch_up)
    other.start()
    assert held.wait(10)
    threading.Timer(0.5, release.set).start()  # the page waits for the catch-up meanwhile
    services._page_apply("pcr", pcr_page(person, source_id=1, next_cursor="1"), cursor="", token="run", now=NOW)
    other.join(10)

    assert list(HistoryDue.objects.values_list("person", "marked_at")) == [(key, NOW)]


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("registry")
def test_persons_an_earlier_run_left_due_are_caught_up_beside_the_pages(monkeypatch):
    # R-ST-10: what a killed run (or one out of time) left due is done on a second
    # connection while this run's pages are fetched and applied, not after them.
    left = [PcrResultFactory(iin=iin(300 + n), sampled_at=local(2021, 5, 2, 9)) for n in range(3)]
    HistoryDue.objects.bulk_create(HistoryDue(person=r.person, marked_at=NOW - timedelta(minutes=5)) for r in left)
    for n in range(6):
        mocks.pcr_add(iin=iin(400 + n), result="negative", sampled_at=local(2021, 5, 1, 10))
    before_last_page = []
    page_apply, pages = services._page_apply, []

    def watched(*args, **kwargs):
        pages.append(args)
        if len(pages) == 3:  # the last page: the left persons' history is done meanwhile
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and StatusChange.objects.filter(person=left[-1].person).count() < 2:
                time.sleep(0.05)
            before_last_page.append(StatusChange.objects.filter(person__in=[r.person for r in left]).count())
        return page_apply(*args, **kwargs)

    monkeypatch.setattr(services, "_page_apply", watched)
    report = services.registry_sync(registry="pcr", now=NOW, limit=2)

    assert (report.pages, report.applied, report.complete) == (3, 6, True)
    assert before_last_page == [2 * 3]  # green, then blue after 72 hours, for each of them
    assert not HistoryDue.objects.exists()
    assert StatusChange.objects.count() == 2 * 9
    assert SyncState.objects.get(registry="pcr").lock_token == ""  # released: the helper is done
