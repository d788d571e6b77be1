"""R-ID-5: a dump of every table of ours — history, audit, sessions and logs
of look-ups included — holds no IIN in clear. Only the mock registries (other
agencies' databases, served for tests and the demo) may."""

import importlib
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import User
from ashyq.mocks import services as mocks
from ashyq.mocks.models import ContactRecord, PcrRecord, SubscriberRecord, VaccinationRecord
from ashyq.reference.models import Region
from statuses.tests.factories import iin
from venues.models import Venue
from venues.standing import rules as standing_rules
from venues.standing.selectors import venue_ids_in
from visitors.tests.factories import GuardFactory

TWELVE_DIGITS = re.compile(rb"(?<!\d)\d{12}(?!\d)")


def known_iins() -> set[bytes]:
    """Every IIN that entered the system: the registries' people and our citizens."""
    iins = set()
    for model in (PcrRecord, ContactRecord, VaccinationRecord, SubscriberRecord):
        iins.update(model.objects.exclude(iin=None).exclude(iin="").values_list("iin", flat=True))
    iins.update(iin for iin in (user.iin for user in User.objects.filter(iin__isnull=False)) if iin)
    return {iin.encode() for iin in iins}


def dump() -> dict[str, bytes]:
    """Each table's rows as bytes, the way a database dump would show them."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith("mocks_"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names from the schema)
            tables[table] = b"\n".join(
                b"|".join(
                    bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode() for value in row
                )
                for row in cursor.fetchall()
            )
    return tables


def reference_data() -> None:
    """The regions, categories and rules the data migrations load: a transactional test
    run before this one (on PostgreSQL) may have flushed them."""
    if Region.objects.exists():
        return
    editor = SimpleNamespace(connection=connection)
    for name, function in (
        ("0002_reference_data", "load_reference_data"),
        ("0004_operating_rules_data", "seed_operating_rules"),
    ):
        getattr(importlib.import_module(f"ashyq.reference.migrations.{name}"), function)(django_apps, editor)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("registry")
def test_no_table_outside_the_mock_registries_holds_an_iin_in_clear(client):
    reference_data()
    call_command("seed_demo", quiet=True)
    now = timezone.now()
    mocks.records_load(
        {
            "pcr": [
                {
                    "iin": iin(n),
                    "result": "positive" if n % 3 else "negative",
                    "sampled_at": (now - timedelta(hours=n)).isoformat(),
                }
                for n in range(40)
            ],
            "contacts": [
                {"iin": iin(100 + n), "contact_date": now.date().isoformat(), "registered_at": now.isoformat()}
                for n in range(10)
            ],
        }
    )
    call_command("sync_registries")
    iins = known_iins()
    assert len(iins) >= 50  # the people reached us: the search below means something
    # A guard looks people up at the door through the page, as at work.
    venue = Venue.objects.filter(pk__in=venue_ids_in(standing_rules.WORKING, now)).order_by("pk").first()
    client.force_login(GuardFactory(venue=venue))
    for person in sorted(iins)[:5]:
        response = client.post(
            reverse("checkin:guard_lookup"),
            {"entrance": venue.entrances.first().pk, "iin": person.decode(), "consent": "on"},
        )
        assert response.status_code == 200

    found = {
        table: sorted(hit for hit in TWELVE_DIGITS.findall(content) if hit in iins) for table, content in dump().items()
    }
    assert {table: hits for table, hits in found.items() if hits} == {}
