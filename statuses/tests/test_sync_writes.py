"""The sync's bulk writes (the benchmark B3) against what the ORM writes, and its history
marks against a history catch-up running at the same time on another connection (R-ST-10)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from ashyq.crypto import encrypt
from statuses import services
from statuses.models import PcrResult, Vaccination
from statuses.tests.factories import local

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
