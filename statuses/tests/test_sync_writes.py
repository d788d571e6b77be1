"""The sync's bulk writes (the benchmark B3) against what the ORM writes, and its history
marks against a history catch-up running at the same time on another connection (R-ST-10)."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction

from ashyq.crypto import encrypt
from ashyq.registries import FeedPage
from statuses import services
from statuses.models import HistoryDue, PcrResult, SyncState, Vaccination
from statuses.persons import person_key
from statuses.tests.factories import iin, local

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
