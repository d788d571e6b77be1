"""The mock registries over HTTP (R-RG-1): feeds, look-ups, token, failure switch (R-RG-4)."""

import json
import random
import time
import urllib.error
import urllib.request
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from ashyq.mocks.records import clean_record
from ashyq.mocks.services import failure_set, record_update, records_load
from ashyq.mocks.tests.factories import (
    CompanyRecordFactory,
    ContactRecordFactory,
    NotificationRecordFactory,
    PcrRecordFactory,
    SubscriberRecordFactory,
    VaccinationRecordFactory,
    iin,
)
from ashyq.registries import RegistryClient, RegistryNotFound, RegistryRejected, RegistryUnavailable

ALMATY = ZoneInfo("Asia/Almaty")
T0 = datetime(2021, 5, 10, 12, 0, tzinfo=ALMATY)

FACTORIES = {
    "pcr": PcrRecordFactory,
    "contacts": ContactRecordFactory,
    "vaccinations": VaccinationRecordFactory,
    "subscribers": SubscriberRecordFactory,
    "companies": CompanyRecordFactory,
    "notifications": NotificationRecordFactory,
}

# The contract's record fields, besides "id" and "changed_at".
SHAPES = {
    "pcr": {"iin", "passport", "country", "result", "sampled_at", "resulted_at"},
    "contacts": {"iin", "contact_date", "registered_at"},
    "vaccinations": {
        "iin",
        "vaccine",
        "dose",
        "doses_in_scheme",
        "administered_on",
        "family_name",
        "given_name",
        "organisation",
        "region",
        "certificate",  # optional (R-VP-1)
    },  # fmt: skip
    "subscribers": {"phone", "iin"},
    "companies": {"bin", "name", "oked", "phone"},
    "notifications": {"number", "date", "bin", "address"},
}


def feed_url(name: str, **query) -> str:
    url = reverse("mocks:feed", kwargs={"name": name})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def post_json(client, url: str, body, **extra):
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def lookup_url(name: str) -> str:
    return reverse("mocks:person-lookup", kwargs={"name": name})


def read_all(client, name: str, *, limit: int = 2, since: str | None = None) -> tuple[list[dict], str]:
    """Follows the feed page by page as a client would; returns every record and the last cursor."""
    records, cursor = [], since
    while True:
        query = {"limit": limit} | ({"since": cursor} if cursor else {})
        body = client.get(feed_url(name, **query)).json()
        records += body["records"]
        cursor = body["next"]
        if not body["more"]:
            return records, cursor


# --- feeds -------------------------------------------------------------------------


@pytest.mark.django_db
class TestFeed:
    def test_pages_give_every_record_once_in_change_order(self, client):
        made = PcrRecordFactory.create_batch(5)
        first = client.get(feed_url("pcr", limit=2)).json()
        assert [r["id"] for r in first["records"]] == [str(made[0].pk), str(made[1].pk)]
        assert first["more"] is True
        assert first["next"] == str(made[1].seq)
        records, _cursor = read_all(client, "pcr", limit=2)
        assert [r["id"] for r in records] == [str(r.pk) for r in made]

    @pytest.mark.parametrize("name", list(FACTORIES))
    def test_records_have_exactly_the_contract_shape(self, client, name):
        FACTORIES[name].create()
        (record,) = client.get(feed_url(name)).json()["records"]
        assert set(record) == {"id", "changed_at"} | SHAPES[name]
        assert isinstance(record["id"], str)
        assert parse_datetime(record["changed_at"]).tzinfo is not None
        # What the feed sends is a valid record of the load file format: the two agree.
        clean_record(name, {k: v for k, v in record.items() if k not in ("id", "changed_at")})

    def test_each_registry_has_its_own_feed(self, client):
        PcrRecordFactory.create()
        ContactRecordFactory.create_batch(2)
        assert len(client.get(feed_url("pcr")).json()["records"]) == 1
        assert len(client.get(feed_url("contacts")).json()["records"]) == 2
        assert client.get(feed_url("vaccinations")).json() == {"records": [], "next": "0", "more": False}

    def test_an_update_reappears_later_with_the_same_id_and_its_new_values(self, client):
        with time_machine.travel(T0, tick=False):
            record = PcrRecordFactory.create(result="negative")
            PcrRecordFactory.create()
        _seen, cursor = read_all(client, "pcr")
        with time_machine.travel(T0.replace(hour=15), tick=False):
            record_update("pcr", record.pk, result="positive")
        body = client.get(feed_url("pcr", since=cursor)).json()
        (again,) = body["records"]
        assert again["id"] == str(record.pk)
        assert again["result"] == "positive"
        assert parse_datetime(again["changed_at"]) == T0.replace(hour=15)
        assert int(body["next"]) > int(cursor)

    def test_an_updated_record_read_from_the_start_comes_once_with_its_new_values(self, client):
        record, other = PcrRecordFactory.create_batch(2)
        record_update("pcr", record.pk, result="positive")
        records, _cursor = read_all(client, "pcr")
        assert [(r["id"], r["result"]) for r in records] == [(str(other.pk), "negative"), (str(record.pk), "positive")]

    def test_no_new_records_gives_next_equal_to_since(self, client):
        PcrRecordFactory.create_batch(2)
        _records, cursor = read_all(client, "pcr")
        body = client.get(feed_url("pcr", since=cursor)).json()
        assert body == {"records": [], "next": cursor, "more": False}

    def test_a_page_costs_two_queries_whatever_its_size(self, client, django_assert_num_queries):
        ContactRecordFactory.create_batch(30)
        with django_assert_num_queries(2):  # the failure switch, the page
            assert len(client.get(feed_url("contacts")).json()["records"]) == 30

    def test_limit_defaults_to_500(self, client):
        registered = "2021-05-02T12:00:00+06:00"
        records_load(
            {
                "contacts": [
                    {"iin": iin(n), "contact_date": "2021-05-01", "registered_at": registered} for n in range(501)
                ]
            }
        )
        body = client.get(feed_url("contacts")).json()
        assert len(body["records"]) == 500
        assert body["more"] is True

    def test_limit_5000_is_accepted(self, client):
        ContactRecordFactory.create()
        assert client.get(feed_url("contacts", limit=5000)).status_code == 200

    @pytest.mark.parametrize(
        "query",
        [{"limit": 5001}, {"limit": 0}, {"limit": -1}, {"limit": "ten"}, {"since": "abc"}, {"since": -1}],
    )
    def test_bad_since_or_limit_is_a_400_with_a_json_error(self, client, query):
        response = client.get(feed_url("pcr", **query))
        assert response.status_code == 400
        assert response.json()["error"] == "bad_request"
        assert response.json()["detail"]

    def test_feed_is_get_only(self, client):
        response = post_json(client, feed_url("pcr"), {})
        assert response.status_code == 405
        assert response["Allow"] == "GET"
        assert response.json() == {"error": "method_not_allowed", "detail": "use GET"}

    def test_unknown_registry_is_404(self, client):
        assert client.get("/mock/passports/").status_code == 404


# --- look-ups ------------------------------------------------------------------------


@pytest.mark.django_db
class TestLookups:
    def test_subscriber_by_phone(self, client):
        subscriber = SubscriberRecordFactory.create(phone="+77051234567")
        response = post_json(client, reverse("mocks:subscriber-lookup"), {"phone": "+77051234567"})
        assert response.status_code == 200
        assert response.json() == {"phone": "+77051234567", "iin": subscriber.iin}

    def test_unknown_phone_is_404_not_found(self, client):
        SubscriberRecordFactory.create(phone="+77051234567")
        response = post_json(client, reverse("mocks:subscriber-lookup"), {"phone": "+77051234568"})
        assert response.status_code == 404
        assert response.json() == {"error": "not_found"}

    def test_company_by_bin(self, client):
        company = CompanyRecordFactory.create(oked=["56101", "93290"], phone="+77015550001")
        response = client.get(reverse("mocks:company", kwargs={"bin": company.bin}))
        assert response.json() == {
            "bin": company.bin, "name": company.name, "oked": ["56101", "93290"], "phone": "+77015550001",
        }  # fmt: skip
        assert client.get(reverse("mocks:company", kwargs={"bin": "000000000000"})).status_code == 404

    def test_notification_by_number_even_with_a_slash_or_space_in_it(self, client):
        notification = NotificationRecordFactory.create(number="KZ 12/345")
        response = client.get("/mock/notifications/KZ%2012/345/")
        assert response.status_code == 200
        assert response.json() == {
            "number": "KZ 12/345",
            "date": "2021-04-01",
            "bin": notification.bin,
            "address": notification.address,
        }
        assert client.get("/mock/notifications/KZ%2012/346/").json() == {"error": "not_found"}

    @pytest.mark.parametrize("name", ["pcr", "contacts", "vaccinations"])
    def test_person_records_by_iin(self, client, name):
        mine = FACTORIES[name].create_batch(2, iin=iin(7))
        FACTORIES[name].create(iin=iin(8))
        response = post_json(client, lookup_url(name), {"iin": iin(7)})
        assert response.status_code == 200
        assert [r["id"] for r in response.json()["records"]] == [str(r.pk) for r in mine]

    def test_a_person_with_no_records_gets_an_empty_list(self, client):
        PcrRecordFactory.create(iin=iin(8))
        assert post_json(client, lookup_url("pcr"), {"iin": iin(7)}).json() == {"records": []}

    def test_foreigner_pcr_by_passport_and_country(self, client):
        record = PcrRecordFactory.create(foreigner=True, passport="N1234567", country="DE")
        PcrRecordFactory.create(foreigner=True, passport="N1234567", country="FR")
        response = post_json(client, lookup_url("pcr"), {"passport": "N1234567", "country": "DE"})
        (found,) = response.json()["records"]
        assert found["id"] == str(record.pk)
        assert found["iin"] is None

    @pytest.mark.parametrize(
        "body",
        [
            {"iin": None},  # would match every foreigner's result
            {"iin": "123"},
            {"passport": "N1234567"},  # a passport means nothing without its country (R-ID-4)
            {"iin": "x", "passport": "N1234567", "country": "DE"},
            ["not", "an", "object"],
        ],
    )
    def test_bad_person_key_is_a_400(self, client, body):
        PcrRecordFactory.create(foreigner=True)
        response = post_json(client, lookup_url("pcr"), body)
        assert response.status_code == 400
        assert "records" not in response.json()

    def test_contacts_look_up_by_passport_is_refused(self, client):
        assert post_json(client, lookup_url("contacts"), {"passport": "N1", "country": "DE"}).status_code == 400

    def test_body_that_is_not_json_is_a_400(self, client):
        response = client.post(lookup_url("pcr"), "iin=1", content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400

    @pytest.mark.parametrize(
        "url", [lookup_url("pcr"), lookup_url("contacts"), lookup_url("vaccinations"), "/mock/subscribers/lookup/"]
    )
    def test_look_ups_are_post_only(self, client, url):
        response = client.get(url)
        assert response.status_code == 405
        assert response["Allow"] == "POST"

    def test_detail_look_ups_are_get_only(self, client):
        company = CompanyRecordFactory.create()
        assert client.post(reverse("mocks:company", kwargs={"bin": company.bin})).status_code == 405

    def test_an_iin_in_the_query_string_is_refused_even_with_a_body(self, client):
        # R-ID-5: an IIN in a URL ends up in access logs; the registry will not take it.
        record = PcrRecordFactory.create()
        response = post_json(client, f"{lookup_url('pcr')}?iin={record.iin}", {"iin": record.iin})
        assert response.status_code == 400
        assert record.iin not in response.content.decode()

    def test_a_phone_in_the_query_string_is_refused(self, client):
        SubscriberRecordFactory.create(phone="+77051234567")
        response = client.post("/mock/subscribers/lookup/?phone=%2B77051234567")
        assert response.status_code == 400


# --- token ---------------------------------------------------------------------------


@pytest.mark.django_db
class TestToken:
    @pytest.fixture(autouse=True)
    def token(self, settings):
        settings.REGISTRY_TOKEN = "s3cret"

    def test_no_token_is_401(self, client):
        response = client.get(feed_url("pcr"))
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"
        assert response["WWW-Authenticate"] == "Bearer"

    def test_wrong_token_is_401(self, client):
        response = client.get(feed_url("pcr"), headers={"Authorization": "Bearer guess"})
        assert response.status_code == 401

    def test_a_look_up_without_the_token_is_401(self, client):
        assert post_json(client, lookup_url("pcr"), {"iin": iin(1)}).status_code == 401

    def test_right_token_is_served(self, client):
        response = client.get(feed_url("pcr"), headers={"Authorization": "Bearer s3cret"})
        assert response.status_code == 200

    def test_without_a_token_setting_no_header_is_needed(self, client, settings):
        settings.REGISTRY_TOKEN = ""
        assert client.get(feed_url("pcr")).status_code == 200


# --- failure switch (R-RG-4) -----------------------------------------------------------


def is_json(content: bytes) -> bool:
    try:
        json.loads(content)
    except ValueError:
        return False
    return True


def is_broken(name: str, record: dict) -> bool:
    try:
        clean_record(name, {k: v for k, v in record.items() if k not in ("id", "changed_at")})
    except ValidationError:
        return True
    return False


@pytest.mark.django_db
class TestFailures:
    def test_error_rate_1_answers_every_request_503(self, client):
        failure_set("pcr", error_rate=1)
        responses = [client.get(feed_url("pcr")) for _ in range(5)]
        responses.append(post_json(client, lookup_url("pcr"), {"iin": iin(1)}))
        assert {r.status_code for r in responses} == {503}
        assert responses[0].json()["error"] == "unavailable"

    def test_error_rate_fails_about_that_share_and_a_seed_repeats_it(self, client):
        failure_set("pcr", error_rate=0.3, seed=7)
        first = [client.get(feed_url("pcr")).status_code for _ in range(200)]
        assert set(first) == {200, 503}
        assert 0.2 <= first.count(503) / 200 <= 0.4
        failure_set("pcr", error_rate=0.3, seed=7)
        assert [client.get(feed_url("pcr")).status_code for _ in range(200)] == first

    def test_a_failing_registry_leaves_the_others_alone(self, client):
        failure_set("pcr", error_rate=1)
        assert client.get(feed_url("contacts")).status_code == 200

    def test_off_again_serves_every_request(self, client):
        failure_set("pcr", error_rate=1)
        failure_set("pcr")
        assert {client.get(feed_url("pcr")).status_code for _ in range(10)} == {200}

    def test_malformed_is_a_200_whose_body_is_cut_json(self, client):
        PcrRecordFactory.create_batch(3)
        good = client.get(feed_url("pcr")).content
        failure_set("pcr", malformed_rate=1)
        response = client.get(feed_url("pcr"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert not is_json(response.content)
        assert good.startswith(response.content) and len(response.content) < len(good)

    def test_malformed_applies_to_look_ups_too(self, client):
        company = CompanyRecordFactory.create()
        failure_set("companies", malformed_rate=1)
        response = client.get(reverse("mocks:company", kwargs={"bin": company.bin}))
        assert response.status_code == 200
        assert not is_json(response.content)

    @pytest.mark.parametrize("name", list(FACTORIES))
    def test_bad_records_are_broken_inside_an_otherwise_valid_page(self, client, name):
        made = FACTORIES[name].create_batch(40)
        failure_set(name, bad_record_rate=0.25, seed=3)
        body = client.get(feed_url(name)).json()  # the page itself is valid JSON
        assert set(body) == {"records", "next", "more"}
        assert [r["id"] for r in body["records"]] == [str(r.pk) for r in made]  # ids stay, for the log
        broken = [r for r in body["records"] if is_broken(name, r)]
        assert 0 < len(broken) < 40
        assert body["next"] == str(made[-1].seq)

    def test_latency_delays_every_request(self, client):
        failure_set("pcr", latency_ms=150)
        started = time.monotonic()
        client.get(feed_url("pcr"))
        assert time.monotonic() - started >= 0.15


# --- the real client against the live server (R-RG-1, R-RG-3) ------------------------


@pytest.mark.django_db(transaction=True)
class TestThroughTheRegistryClient:
    def test_feed_and_look_ups_round_trip(self, registry):
        pcr = PcrRecordFactory.create()
        company = CompanyRecordFactory.create()
        SubscriberRecordFactory.create(phone="+77051234567", iin=pcr.iin)
        page = RegistryClient("pcr").feed(since=None)
        assert [r["id"] for r in page.records] == [str(pcr.pk)]
        assert page.more is False
        assert RegistryClient("pcr").feed(since=page.next).records == []
        assert RegistryClient("pcr").lookup(iin=pcr.iin)["records"][0]["id"] == str(pcr.pk)
        assert RegistryClient("companies").get(company.bin + "/")["name"] == company.name
        assert RegistryClient("subscribers").lookup(phone="+77051234567")["iin"] == pcr.iin
        with pytest.raises(RegistryNotFound):
            RegistryClient("subscribers").lookup(phone="+77059999999")

    def test_the_token_is_sent_and_required(self, registry, settings):
        settings.REGISTRY_TOKEN = "s3cret"
        assert RegistryClient("pcr").feed(since=None).records == []  # the client sends it
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{registry.url}/mock/pcr/", timeout=5)  # noqa: S310 (the live test server)
        assert refused.value.code == 401

    def test_503_raises_registry_unavailable(self, registry):
        failure_set("pcr", error_rate=1)
        with pytest.raises(RegistryUnavailable, match="503"):
            RegistryClient("pcr").feed(since=None)

    def test_malformed_body_raises_registry_unavailable(self, registry):
        PcrRecordFactory.create_batch(2)
        failure_set("pcr", malformed_rate=1)
        with pytest.raises(RegistryUnavailable, match="not JSON"):
            RegistryClient("pcr").feed(since=None)

    def test_malformed_look_up_raises_registry_unavailable(self, registry):
        company = CompanyRecordFactory.create()
        failure_set("companies", malformed_rate=1)
        with pytest.raises(RegistryUnavailable):
            RegistryClient("companies").get(company.bin + "/")

    def test_bad_records_arrive_among_good_ones_in_a_page(self, registry):
        made = PcrRecordFactory.create_batch(20)
        failure_set("pcr", bad_record_rate=0.3, seed=5)
        page = RegistryClient("pcr").feed(since=None)
        broken = [r for r in page.records if is_broken("pcr", r)]
        assert 0 < len(broken) < 20
        assert all("sampled_at" not in r for r in broken)
        assert page.next == str(made[-1].seq)

    def test_latency_beyond_the_timeout_raises_registry_unavailable(self, registry):
        failure_set("pcr", latency_ms=600)
        with pytest.raises(RegistryUnavailable):
            RegistryClient("pcr", timeout=0.2, attempts=1).feed(since=None)

    def test_the_clients_retry_gets_through_a_single_503(self, registry):
        # With a seed, request n of the registry fails when Random(f"{seed}:{n}")'s first
        # draw is below the error rate: pick a seed whose first request fails and second does not.
        seed = next(s for s in range(1000) if failing(s, 1, 0.5) and not failing(s, 2, 0.5))
        PcrRecordFactory.create()
        failure_set("pcr", error_rate=0.5, seed=seed)
        assert len(RegistryClient("pcr", attempts=2).feed(since=None).records) == 1

    def test_a_wrong_request_raises_registry_rejected(self, registry):
        with pytest.raises(RegistryRejected):
            RegistryClient("pcr").lookup(iin="not an iin")


def failing(seed: int, request: int, rate: float) -> bool:
    return random.Random(f"{seed}:{request}").random() < rate
