"""The registry sync (R-RG-2, R-RG-3) through the mock registries over real HTTP, and the history (R-ST-10)."""

import logging
import random
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ashyq.crypto import masked
from ashyq.mocks import services as mocks
from ashyq.mocks.models import MODELS as MOCK_MODELS
from ashyq.registries import RegistryUnavailable
from statuses import clients, services
from statuses.clients import HEALTH_REGISTRIES
from statuses.models import (
    RECORD_MODELS,
    Contact,
    HistoryDue,
    PcrResult,
    QuarantinedRecord,
    StatusChange,
    SyncState,
    Vaccination,
)
from statuses.persons import person_key
from statuses.selectors import status_for
from statuses.tests.factories import iin, local

pytestmark = pytest.mark.django_db(transaction=True)

NOW = local(2021, 6, 1, 12)


def seed_for(outcomes: list[bool], *, error_rate: float) -> int:
    """A failure seed under which the mock fails (True) or answers (False) its 1st, 2nd, … request.

    ashyq.mocks.failures: request n draws "503?" first from random.Random(f"{seed}:{n}").
    """
    for seed in range(100_000):
        draws = [random.Random(f"{seed}:{n}").random() < error_rate for n in range(1, len(outcomes) + 1)]  # noqa: S311
        if draws == outcomes:
            return seed
    raise AssertionError("no seed found")


def mock_ids_up_to(registry: str, cursor: str) -> set[str]:
    """The ids the mock's feed has handed out up to `cursor` (its decimal change number)."""
    last = int(cursor or 0)
    return {str(pk) for pk in MOCK_MODELS[registry].objects.filter(seq__lte=last).values_list("pk", flat=True)}


def our_ids(registry: str) -> set[str]:
    return set(RECORD_MODELS[registry].objects.values_list("source_id", flat=True))


def cursor_of(registry: str) -> str:
    return SyncState.objects.get(registry=registry).cursor


# --- One registry -------------------------------------------------------------------


@pytest.mark.usefixtures("registry")
def test_sync_copies_records_and_a_second_run_changes_nothing():
    citizen, foreigner = iin(1), ("N1234567", "DE")
    mocks.pcr_add(iin=citizen, result="positive", sampled_at=local(2021, 5, 1, 10), resulted_at=local(2021, 5, 2, 9))
    mocks.pcr_add(passport=foreigner[0], country=foreigner[1], result="negative", sampled_at=local(2021, 5, 3, 8))
    mocks.contact_add(iin=iin(2), contact_date="2021-05-01", registered_at=local(2021, 5, 2, 12))
    mocks.vaccination_add(iin=iin(3), vaccine="QazVac", dose=2, doses_in_scheme=2, administered_on="2021-04-20")

    with time_machine.travel(NOW, tick=False):
        reports = services.sync_all(now=NOW)
    assert [(r.registry, r.applied, r.skipped, r.complete, r.error) for r in reports] == [
        ("pcr", 2, 0, True, ""),
        ("contacts", 1, 0, True, ""),
        ("vaccinations", 1, 0, True, ""),
    ]
    positive = PcrResult.objects.get(positive=True)
    assert positive.person == person_key(iin=citizen)
    assert (positive.sampled_at, positive.resulted_at) == (local(2021, 5, 1, 10), local(2021, 5, 2, 9))
    assert PcrResult.objects.get(positive=False).person == person_key(passport="n123 4567", country="de")
    assert Vaccination.objects.get().doses_in_scheme == 2
    # R-ID-5: no identifier in clear anywhere in our copy.
    stored = repr(list(PcrResult.objects.values())) + repr(list(Contact.objects.values()))
    assert citizen not in stored and iin(2) not in stored and "N1234567" not in stored
    before = {r: (our_ids(r), SyncState.objects.get(registry=r).version) for r in HEALTH_REGISTRIES}
    history_before = list(StatusChange.objects.values_list("person", "colour", "changed_at").order_by("pk"))

    # R-RG-2: re-running changes nothing (not even the version, so no cache is dropped).
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        again = services.sync_all(now=timezone.now())
    assert [(r.applied, r.complete) for r in again] == [(0, True)] * 3
    assert {r: (our_ids(r), SyncState.objects.get(registry=r).version) for r in HEALTH_REGISTRIES} == before
    assert list(StatusChange.objects.values_list("person", "colour", "changed_at").order_by("pk")) == history_before
    assert PcrResult.objects.count() == 2
    state = SyncState.objects.get(registry="pcr")
    assert state.last_success_at == NOW + timedelta(minutes=5)
    assert state.records_synced == 2
    assert state.cursor == str(MOCK_MODELS["pcr"].objects.order_by("-seq").first().seq)


@pytest.mark.usefixtures("registry")
def test_an_updated_record_is_upserted_by_id():
    record = mocks.pcr_add(iin=iin(5), result="negative", sampled_at=local(2021, 5, 1, 10))
    services.registry_sync(registry="pcr", now=NOW)
    mocks.record_update("pcr", record.pk, result="positive")  # the lab corrects the result

    report = services.registry_sync(registry="pcr", now=NOW)

    assert report.applied == 1
    assert list(PcrResult.objects.values_list("source_id", "positive")) == [(str(record.pk), True)]
    assert status_for(iin=iin(5), at=local(2021, 5, 2)).colour == "red"


@pytest.mark.usefixtures("registry")
def test_a_record_moved_to_another_person_leaves_the_first_one_without_its_history():
    record = mocks.pcr_add(iin=iin(6), result="positive", sampled_at=local(2021, 5, 1, 10))
    services.registry_sync(registry="pcr", now=NOW)
    assert StatusChange.objects.filter(person=person_key(iin=iin(6))).exists()

    mocks.record_update("pcr", record.pk, iin=iin(7))  # it was someone else's sample
    services.registry_sync(registry="pcr", now=NOW)

    assert not StatusChange.objects.filter(person=person_key(iin=iin(6))).exists()
    assert StatusChange.objects.filter(person=person_key(iin=iin(7)), colour="red").exists()
    assert status_for(iin=iin(6), at=local(2021, 5, 2)).colour == "blue"


@pytest.mark.usefixtures("registry")
def test_pages_are_applied_one_by_one_and_the_cursor_follows_each_commit():
    records = [mocks.pcr_add(iin=iin(10 + n), result="negative", sampled_at=local(2021, 5, 1, 10)) for n in range(5)]

    first = services.registry_sync(registry="pcr", now=NOW, max_pages=1, limit=2)

    assert (first.pages, first.applied, first.complete) == (1, 2, False)
    assert our_ids("pcr") == {str(r.pk) for r in records[:2]}
    assert cursor_of("pcr") == str(records[1].seq)
    # Not to the end of the feed: not a successful sync for R-ST-9.
    assert SyncState.objects.get(registry="pcr").last_success_at is None

    # Out of time (the task's budget, below its time limit): stops after a whole page.
    hurried = services.registry_sync(registry="pcr", now=NOW, limit=2, time_budget=0)

    assert (hurried.pages, hurried.applied, hurried.complete) == (1, 2, False)
    assert cursor_of("pcr") == str(records[3].seq)

    rest = services.registry_sync(registry="pcr", now=NOW, limit=2)

    assert (rest.pages, rest.applied, rest.complete) == (1, 1, True)
    assert our_ids("pcr") == {str(r.pk) for r in records}
    assert PcrResult.objects.count() == 5
    assert cursor_of("pcr") == str(records[-1].seq)


@pytest.mark.usefixtures("registry")
def test_a_page_whose_cursor_was_taken_over_is_rolled_back_records_and_all():
    # R-RG-2: records and cursor commit together. A run that lost its lease (it ran past
    # it and another run took over) has its page's records upserted, then the cursor
    # check fails and the whole page is rolled back.
    mocks.pcr_add(iin=iin(20), result="positive", sampled_at=local(2021, 5, 1, 10))
    services.sync_states_ensure()
    page = clients.feed_page("pcr", since=None, limit=10)
    SyncState.objects.filter(registry="pcr").update(lock_token="another-run", cursor="")

    with pytest.raises(services.SyncBusy):
        services._page_apply("pcr", page, cursor="", token="this-run", now=NOW)

    assert not PcrResult.objects.exists()
    assert not StatusChange.objects.exists()
    assert cursor_of("pcr") == ""


@pytest.mark.usefixtures("registry")
def test_a_bad_record_is_skipped_and_logged_with_the_iin_masked(caplog):
    # R-RG-3: a structurally broken record (here: no sampled_at) is logged and skipped.
    person = iin(30)
    bad = mocks.pcr_add(iin=person, result="positive", sampled_at=local(2021, 5, 1, 10))
    mocks.failure_set("pcr", bad_record_rate=1.0)

    with caplog.at_level(logging.WARNING, logger="statuses.services"):
        report = services.registry_sync(registry="pcr", now=NOW)

    assert (report.applied, report.skipped, report.complete) == (0, 1, True)
    assert not PcrResult.objects.exists()
    assert cursor_of("pcr") == str(bad.seq)  # skipped for good, not retried forever
    assert f"pcr record {bad.pk}" in caplog.text
    assert masked(person) in caplog.text
    assert person not in caplog.text  # R-ID-5
    state = SyncState.objects.get(registry="pcr")
    assert (state.records_skipped, state.records_synced) == (1, 0)
    # R-RG-4: quarantined for the registry's operators, by its id, the person masked.
    quarantined = QuarantinedRecord.objects.get()
    assert (quarantined.registry, quarantined.source_id, quarantined.person) == ("pcr", str(bad.pk), masked(person))
    assert quarantined.problem

    mocks.failure_set("pcr")
    good = mocks.pcr_add(iin=person, result="negative", sampled_at=local(2021, 5, 2, 10))
    report = services.registry_sync(registry="pcr", now=NOW)
    assert (report.applied, report.skipped) == (1, 0)
    assert our_ids("pcr") == {str(good.pk)}


def test_a_record_with_an_invalid_iin_is_a_bad_record_whose_message_is_masked():
    wrong = iin(31)[:-1] + str((int(iin(31)[-1]) + 1) % 10)  # check digit off by one
    raw = {"id": "9", "changed_at": "2021-05-01T10:00:00+06:00", "iin": wrong, "contact_date": "2021-05-01"}
    raw["registered_at"] = "2021-05-01T12:00:00+06:00"

    with pytest.raises(clients.BadRecord) as caught:
        clients.parse_record("contacts", raw)

    assert "contacts record 9" in str(caught.value)
    assert masked(wrong) in str(caught.value)
    assert wrong not in str(caught.value)


GOOD = {
    "pcr": {"result": "negative", "sampled_at": "2021-05-01T10:00:00+06:00", "resulted_at": None},
    "contacts": {"contact_date": "2021-05-01", "registered_at": "2021-05-01T12:00:00+06:00"},
    "vaccinations": {"vaccine": "QazVac", "dose": 1, "doses_in_scheme": 2, "administered_on": "2021-05-01"},
}


@pytest.mark.parametrize(
    ("registry", "change", "problem"),
    [
        ("pcr", {"result": "maybe"}, "result"),
        ("pcr", {"sampled_at": "2021-05-01T10:00:00"}, "sampled_at has no UTC offset"),
        ("pcr", {"iin": None, "passport": "N1", "country": "Germany"}, "country"),
        ("vaccinations", {"dose": "two"}, "dose"),
        ("vaccinations", {"dose": True}, "dose"),
        ("contacts", {"contact_date": "01.05.2021"}, "contact_date"),
        ("contacts", {"changed_at": None}, "changed_at"),
        # R-RG-3: dates that parse but overflow the engine would wedge the sync forever.
        ("contacts", {"contact_date": "9999-12-25"}, "contact_date is out of range"),
        ("pcr", {"sampled_at": "0001-01-01T00:00:00+00:00"}, "sampled_at is out of range"),
    ],
)
def test_records_breaking_the_contract_are_bad_records(registry, change, problem):
    raw = {"id": "1", "changed_at": "2021-05-01T10:00:00+06:00", "iin": iin(32)} | GOOD[registry]
    clients.parse_record(registry, raw)  # the unchanged record is good

    with pytest.raises(clients.BadRecord, match=problem):
        clients.parse_record(registry, raw | change)


@pytest.mark.usefixtures("registry")
def test_a_registry_failing_on_the_second_page_keeps_the_first_page_and_says_so():
    # R-RG-3: request 1 (page 1) answers, requests 2 and 3 (page 2 and the client's own
    # retry) get 503: the run stops, page 1 stays committed with the cursor after it.
    records = [mocks.pcr_add(iin=iin(40 + n), result="negative", sampled_at=local(2021, 5, 1, 10)) for n in range(5)]
    mocks.failure_set("pcr", error_rate=0.5, seed=seed_for([False, True, True], error_rate=0.5))

    with pytest.raises(RegistryUnavailable):
        services.registry_sync(registry="pcr", now=NOW, limit=2)

    assert our_ids("pcr") == {str(r.pk) for r in records[:2]}
    state = SyncState.objects.get(registry="pcr")
    assert state.cursor == str(records[1].seq)
    assert "503" in state.last_error
    assert state.last_error_at == NOW
    assert state.last_success_at is None
    assert state.locked_until is None  # the lease is released for the retry

    mocks.failure_set("pcr")
    later = NOW + timedelta(minutes=1)
    report = services.registry_sync(registry="pcr", now=later, limit=2)
    assert (report.applied, report.complete) == (3, True)
    assert our_ids("pcr") == {str(r.pk) for r in records}
    assert SyncState.objects.get(registry="pcr").last_success_at == later


@pytest.mark.usefixtures("registry")
def test_a_sync_already_running_is_not_overlapped():
    mocks.pcr_add(iin=iin(50), result="negative", sampled_at=local(2021, 5, 1, 10))
    services.sync_states_ensure()
    SyncState.objects.filter(registry="pcr").update(
        locked_until=timezone.now() + timedelta(minutes=1), lock_token="other"
    )

    with pytest.raises(services.SyncBusy):
        services.registry_sync(registry="pcr", now=NOW)
    assert not PcrResult.objects.exists()
    assert SyncState.objects.get(registry="pcr").lock_token == "other"  # not released by the loser

    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):  # the lease ran out
        assert services.registry_sync(registry="pcr", now=NOW).applied == 1


@pytest.mark.usefixtures("registry")
def test_a_dead_runs_lease_frees_the_registry_within_a_minute():
    """The attack on availability: a sync worker killed with SIGKILL kept its lease for
    about 9 minutes (7 minutes' lease), and no registry could be synced meanwhile."""
    mocks.pcr_add(iin=iin(51), result="negative", sampled_at=local(2021, 5, 1, 10))
    services.sync_states_ensure()
    killed = timezone.now()
    with time_machine.travel(killed, tick=False):
        services._lease_acquire("pcr", now=killed)  # the run that was killed: never released
    with time_machine.travel(killed + timedelta(seconds=59), tick=False):
        with pytest.raises(services.SyncBusy):
            services.registry_sync(registry="pcr", now=NOW)
    with time_machine.travel(killed + timedelta(minutes=1), tick=False):
        assert services.registry_sync(registry="pcr", now=NOW).applied == 1


# --- Done-when: faults, kills and a fault-free sync end the same --------------------------


def load_data_set(persons: int = 24) -> list[str]:
    """A mix of PCR results, contacts and vaccinations for `persons` citizens and 3 foreigners."""
    rng = random.Random(2021)  # noqa: S311
    data = {"pcr": [], "contacts": [], "vaccinations": []}
    people = [iin(100 + n) for n in range(persons)]
    for person in people:
        for _ in range(rng.randint(0, 3)):
            sampled = local(2021, 4, 1, 8) + timedelta(hours=rng.randint(0, 24 * 50), minutes=rng.randint(0, 59))
            result = rng.choice(["positive", "negative", "negative", "negative"])
            data["pcr"].append({"iin": person, "result": result, "sampled_at": sampled.isoformat()})
        if rng.random() < 0.4:
            day = local(2021, 4, 1) + timedelta(days=rng.randint(0, 50))
            registered = day + timedelta(days=rng.randint(0, 3), hours=rng.randint(8, 20))
            data["contacts"].append(
                {"iin": person, "contact_date": day.date().isoformat(), "registered_at": registered.isoformat()}
            )
        if rng.random() < 0.4:
            first = local(2021, 3, 1) + timedelta(days=rng.randint(0, 60))
            for dose in (1, 2):
                data["vaccinations"].append(
                    {
                        "iin": person,
                        "vaccine": "Sputnik V",
                        "dose": dose,
                        "doses_in_scheme": 2,
                        "administered_on": (first + timedelta(days=21 * (dose - 1))).date().isoformat(),
                    }
                )
    for n in range(3):
        sampled = local(2021, 5, 1 + n, 9)
        data["pcr"].append(
            {
                "passport": f"P{n:07d}",
                "country": "DE",
                "result": ["positive", "negative"][n % 2],
                "sampled_at": sampled.isoformat(),
            }
        )
    mocks.records_load(data)
    return people


MOMENTS = [local(2021, 4, 15, 12), local(2021, 5, 1, 0), local(2021, 5, 10, 18), local(2021, 5, 25, 9), NOW]


def snapshot(people: list[str]) -> dict:
    """Everything a user can see of the synced data: the copies, every status asked, every history row."""
    copies = {
        "pcr": sorted(PcrResult.objects.values_list("source_id", "person", "positive", "sampled_at", "resulted_at")),
        "contacts": sorted(Contact.objects.values_list("source_id", "person", "contact_date", "registered_at")),
        "vaccinations": sorted(
            Vaccination.objects.values_list("source_id", "person", "dose", "doses_in_scheme", "administered_on")
        ),
    }
    keys = [{"iin": person} for person in people] + [{"passport": f"P{n:07d}", "country": "DE"} for n in range(3)]
    statuses = []
    for key in keys:
        for moment in MOMENTS:
            report = status_for(**key, at=moment)
            statuses.append((str(report.colour), report.valid_until, report.rule, report.record, report.since))
    history = sorted(StatusChange.objects.values_list("person", "changed_at", "colour", "rule", "registry", "record"))
    return {"copies": copies, "statuses": statuses, "history": history}


def forget_everything_synced() -> None:
    for model in (PcrResult, Contact, Vaccination, StatusChange, SyncState):
        model.objects.all().delete()
    cache.clear()


def fault_free_snapshot(people: list[str]) -> dict:
    forget_everything_synced()
    for registry in HEALTH_REGISTRIES:
        mocks.failure_set(registry)
    reports = services.sync_all(now=timezone.now())
    assert all(r.complete and not r.error for r in reports)
    return snapshot(people)


def assert_nothing_partial(registry: str) -> None:
    """Our copy holds exactly the records the feed handed out up to the stored cursor."""
    assert our_ids(registry) == mock_ids_up_to(registry, cursor_of(registry))


@pytest.mark.usefixtures("registry")
def test_syncs_against_a_failing_registry_end_exactly_like_a_fault_free_sync():
    # Done-when: with the mock failing 30% of requests and sending some malformed
    # bodies, repeated syncs end with exactly the same statuses as a fault-free sync,
    # and nothing partial is visible in between.
    people = load_data_set()
    for registry in HEALTH_REGISTRIES:
        mocks.failure_set(registry, error_rate=0.3, malformed_rate=0.15, seed=7)
    failures = 0
    for registry in HEALTH_REGISTRIES:
        for _attempt in range(100):  # what Celery's retries do, without waiting
            try:
                report = services.registry_sync(registry=registry, now=timezone.now(), limit=6)
            except RegistryUnavailable:
                failures += 1
                assert_nothing_partial(registry)
                continue
            assert report.complete
            break
        assert_nothing_partial(registry)
    assert failures >= 3  # the faults really happened
    faulty = snapshot(people)

    assert fault_free_snapshot(people) == faulty
    assert {status[0] for status in faulty["statuses"]} == {"red", "yellow", "green", "blue"}


@pytest.mark.usefixtures("registry")
def test_a_sync_killed_half_way_and_run_again_loses_and_duplicates_nothing():
    people = load_data_set()
    for registry in HEALTH_REGISTRIES:
        # Killed after its first page (the next page's transaction never committed).
        services.registry_sync(registry=registry, now=timezone.now(), max_pages=1, limit=5)
        assert_nothing_partial(registry)
        # Run again, and again: the second run finds nothing new.
        assert services.registry_sync(registry=registry, now=timezone.now(), limit=5).complete
        assert services.registry_sync(registry=registry, now=timezone.now(), limit=5).applied == 0
    resumed = snapshot(people)

    assert fault_free_snapshot(people) == resumed


def test_a_history_catch_up_out_of_time_leaves_the_rest_due_for_the_next_run():
    """R-ST-10 (the benchmark B3): the persons due are done a chunk per transaction; past its
    deadline a catch-up stops after one chunk and says some are still due (the task
    then goes on in a fresh one), and the next catch-up does the rest."""
    HistoryDue.objects.bulk_create(HistoryDue(person=f"{n:064x}", marked_at=NOW) for n in range(services._CHUNK + 1))

    assert services.history_catch_up(now=NOW, deadline=0) is True
    assert HistoryDue.objects.count() == 1
    assert services.history_catch_up(now=NOW) is False
    assert not HistoryDue.objects.exists()


@pytest.mark.usefixtures("registry")
def test_a_page_takes_the_same_few_queries_whatever_its_size():
    # Scale: bulk writes, no query per record. Only the number of INSERT statements
    # grows, because Django splits a bulk insert to fit SQLite's parameter limit
    # (~140 rows per statement here; PostgreSQL takes a page in one).
    for n in range(600):
        mocks.pcr_add(iin=iin(1000 + n), result="negative", sampled_at=local(2021, 5, 1, 10))
    services.sync_states_ensure()

    inserts, others = {}, {}
    for size in (50, 500):
        cursor = cursor_of("pcr")
        page = clients.feed_page("pcr", since=cursor or None, limit=size)
        with CaptureQueriesContext(connection) as queries:
            services._page_apply("pcr", page, cursor=cursor, token="", now=NOW)
        statements = [query["sql"] for query in queries.captured_queries]
        inserts[size] = sum(sql.startswith("INSERT") for sql in statements)
        others[size] = len(statements) - inserts[size]
    assert PcrResult.objects.count() == 550
    assert HistoryDue.objects.count() == 550  # R-ST-10: marked in the pages' transactions
    assert others[500] == others[50] <= 15
    # 500 records and 500 persons due written: 100 rows or more per statement.
    assert inserts[500] <= 1000 // 100

    # The history of all of them, once each, in a few statements (not one per record: B3).
    with CaptureQueriesContext(connection) as queries:
        assert services.history_catch_up(now=NOW) is False
    assert StatusChange.objects.count() == 2 * 550  # green, then blue after 72 hours
    assert not HistoryDue.objects.exists()
    assert len(queries) <= 15


# --- History (R-ST-10) ----------------------------------------------------------------


@pytest.mark.usefixtures("registry")
def test_a_late_pcr_result_rewrites_the_history_it_changes():
    person = iin(60)
    mocks.pcr_add(iin=person, result="negative", sampled_at=local(2021, 5, 10, 9))
    services.registry_sync(registry="pcr", now=NOW)
    assert list(StatusChange.objects.values_list("colour", flat=True).order_by("changed_at")) == ["green", "blue"]

    # A positive sample taken the day before arrives late: red from 9 May to 00:00 of 23 May.
    late = mocks.pcr_add(iin=person, result="positive", sampled_at=local(2021, 5, 9, 9))
    services.registry_sync(registry="pcr", now=NOW)

    rows = StatusChange.objects.order_by("changed_at")
    assert [(r.colour, r.changed_at, r.record) for r in rows] == [
        ("red", local(2021, 5, 9, 9), str(late.pk)),
        ("blue", local(2021, 5, 23), ""),
    ]
