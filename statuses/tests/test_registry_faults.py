"""R-RG-4: a registry answering garbage — an HTML page, no answer in time,
500s — changes no status and applies nothing half; records breaking the schema are
quarantined while the rest of their page is applied."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ashyq.mocks import services as mocks
from ashyq.registries import RegistryUnavailable
from statuses import services
from statuses.models import PcrResult, QuarantinedRecord, SyncState
from statuses.selectors import status_for
from statuses.tests.factories import iin, local

pytestmark = pytest.mark.django_db(transaction=True)
NOW = local(2021, 6, 1, 12)
PERSON = iin(40)


class HtmlPage(BaseHTTPRequestHandler):
    """A gateway's error page where the feed should be: 200 and HTML."""

    def do_GET(self):
        body = b"<html><body><h1>Service temporarily unavailable</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def html_registry(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), HtmlPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.REGISTRY_URL = f"http://127.0.0.1:{server.server_address[1]}/mock/"
    yield
    server.shutdown()


def a_known_person(registry) -> None:
    """PERSON tested negative and synced: green before the faulty answers begin."""
    mocks.pcr_add(iin=PERSON, result="negative", sampled_at=NOW - timedelta(hours=20))
    services.registry_sync(registry="pcr", now=NOW)
    assert status_for(iin=PERSON, at=NOW).colour == "green"


def test_an_html_page_instead_of_the_feed_applies_nothing_and_is_recorded(html_registry):
    with pytest.raises(RegistryUnavailable):
        services.registry_sync(registry="pcr", now=NOW)
    state = SyncState.objects.get(registry="pcr")
    assert not PcrResult.objects.exists()
    assert state.last_error and state.last_success_at is None


def test_a_registry_too_slow_to_answer_changes_no_status(registry, settings):
    a_known_person(registry)
    mocks.pcr_add(iin=PERSON, result="positive", sampled_at=NOW - timedelta(hours=2))
    settings.REGISTRY_TIMEOUT = 0.3
    mocks.failure_set("pcr", latency_ms=1500)

    with pytest.raises(RegistryUnavailable):
        services.registry_sync(registry="pcr", now=NOW)
    assert status_for(iin=PERSON, at=NOW).colour == "green"  # the newer result is not half applied
    assert PcrResult.objects.count() == 1


def test_500s_and_truncated_json_change_no_status_until_the_registry_recovers(registry):
    a_known_person(registry)
    mocks.pcr_add(iin=PERSON, result="positive", sampled_at=NOW - timedelta(hours=2))
    for failure in ({"error_rate": 1.0}, {"malformed_rate": 1.0}):
        mocks.failure_set("pcr", **failure)
        with pytest.raises(RegistryUnavailable):
            services.registry_sync(registry="pcr", now=NOW)
        assert status_for(iin=PERSON, at=NOW).colour == "green"

    mocks.failure_set("pcr")
    services.registry_sync(registry="pcr", now=NOW)
    assert status_for(iin=PERSON, at=NOW).colour == "red"  # the positive result, once it arrives


def test_schema_breaking_records_are_quarantined_and_the_rest_of_the_page_applied(registry):
    for n in range(10):
        mocks.pcr_add(iin=iin(50 + n), result="positive", sampled_at=NOW - timedelta(hours=3))
    mocks.failure_set("pcr", bad_record_rate=0.5, seed=7)  # each record broken with probability ½

    report = services.registry_sync(registry="pcr", now=NOW)

    assert report.complete and report.applied + report.skipped == 10
    assert 0 < report.skipped < 10  # the seed gives a mix: the good ones are not held back
    assert PcrResult.objects.count() == report.applied
    quarantined = QuarantinedRecord.objects.all()
    assert quarantined.count() == report.skipped
    assert {record.registry for record in quarantined} == {"pcr"}
    applied = {int(source) for source in PcrResult.objects.values_list("source_id", flat=True)}
    assert not applied & {int(record.source_id) for record in quarantined if record.source_id}
    # Nothing is guessed from a bad record: its person has no status from it.
    colours = {n: status_for(iin=iin(50 + n), at=NOW).colour for n in range(10)}
    assert sorted(colours.values()).count("red") == report.applied
