"""registry_load and registry_fail (R-RG-4)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from ashyq.mocks.models import ContactRecord, MockFailure, PcrRecord, Registry, SubscriberRecord
from ashyq.mocks.tests.factories import iin

pytestmark = pytest.mark.django_db

PCR = {
    "iin": iin(1),
    "passport": None,
    "country": None,
    "result": "positive",
    "sampled_at": "2021-05-01T10:00:00+06:00",
    "resulted_at": "2021-05-02T09:00:00+06:00",
}
CONTACT = {"iin": iin(2), "contact_date": "2021-05-01", "registered_at": "2021-05-02T12:00:00+06:00"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


class TestRegistryLoad:
    def test_loads_a_file_and_prints_counts_per_registry(self, tmp_path):
        path = tmp_path / "registries.json"
        path.write_text(json.dumps({"pcr": [PCR, PCR | {"iin": iin(3)}], "contacts": [CONTACT]}), encoding="utf-8")
        output = run("registry_load", str(path))
        assert "pcr: 2\n" in output
        assert "contacts: 1\n" in output
        assert "vaccinations: 0\n" in output
        assert "Loaded 3 records." in output
        assert PcrRecord.objects.count() == 2
        assert ContactRecord.objects.get().iin == iin(2)

    def test_reads_standard_input_with_a_dash(self):
        stdin = io.StringIO(json.dumps({"subscribers": [{"phone": "+77011234567", "iin": iin(1)}]}))
        output = run("registry_load", "-", stdin=stdin)
        assert "subscribers: 1\n" in output
        assert SubscriberRecord.objects.get().iin == iin(1)

    def test_invalid_json_loads_nothing_and_says_so(self, tmp_path):
        path = tmp_path / "broken.json"
        path.write_text('{"pcr": [', encoding="utf-8")
        with pytest.raises(CommandError, match=r"broken\.json is not valid JSON: .*line 1.* Nothing was loaded\."):
            run("registry_load", str(path))
        assert not PcrRecord.objects.exists()

    def test_one_invalid_record_loads_nothing_and_names_it(self, tmp_path):
        path = tmp_path / "registries.json"
        bad = PCR | {"sampled_at": "yesterday"}
        path.write_text(json.dumps({"pcr": [PCR, bad], "contacts": [CONTACT]}), encoding="utf-8")
        with pytest.raises(CommandError) as exc_info:
            run("registry_load", str(path))
        message = str(exc_info.value)
        assert "1 invalid record(s) or field(s); nothing was loaded" in message
        assert "pcr[1]: sampled_at: must be an ISO-8601 date and time" in message
        assert not PcrRecord.objects.exists()
        assert not ContactRecord.objects.exists()

    def test_a_long_list_of_errors_is_cut(self):
        stdin = io.StringIO(json.dumps({"contacts": [CONTACT | {"iin": "1"}] * 60}))
        with pytest.raises(CommandError) as exc_info:
            run("registry_load", "-", stdin=stdin)
        assert "… and 10 more" in str(exc_info.value)

    def test_a_missing_file_is_a_clear_error(self, tmp_path):
        with pytest.raises(CommandError, match="Cannot read .*missing.json"):
            run("registry_load", str(tmp_path / "missing.json"))


class TestRegistryFail:
    def test_sets_the_failure_switch(self):
        output = run(
            "registry_fail",
            "pcr",
            "--errors",
            "0.3",
            "--latency-ms",
            "200",
            "--malformed",
            "0.1",
            "--bad-records",
            "0.05",
        )
        failure = MockFailure.objects.get(registry="pcr")
        assert (failure.error_rate, failure.latency_ms, failure.malformed_rate, failure.bad_record_rate) == (
            0.3,
            200,
            0.1,
            0.05,
        )
        assert output == "pcr: errors 0.3, latency 200 ms, malformed 0.1, bad records 0.05\n"

    def test_off_turns_it_off(self):
        run("registry_fail", "pcr", "--errors", "1")
        assert run("registry_fail", "pcr", "--off") == "pcr: off\n"
        assert MockFailure.objects.get(registry="pcr").is_off

    def test_all_registries_at_once(self):
        run("registry_fail", "all", "--latency-ms", "50")
        assert MockFailure.objects.filter(latency_ms=50).count() == len(Registry.values)

    def test_without_options_it_shows_the_switch(self):
        run("registry_fail", "contacts", "--errors", "0.5", "--seed", "4")
        assert run("registry_fail", "contacts") == (
            "contacts: errors 0.5, latency 0 ms, malformed 0, bad records 0, seed 4\n"
        )
        assert MockFailure.objects.get().error_rate == 0.5

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["pcr", "--errors", "2"], "error_rate must be a number from 0 to 1"),
            (["pcr", "--latency-ms", "-5"], "latency"),
            (["pcr", "--off", "--errors", "0.5"], "give it alone"),
        ],
    )
    def test_bad_options_change_nothing(self, args, message):
        with pytest.raises(CommandError, match=message):
            run("registry_fail", *args)
        assert not MockFailure.objects.exists()

    def test_unknown_registry_is_refused(self):
        with pytest.raises(CommandError, match="invalid choice"):
            run("registry_fail", "passports", "--errors", "1")
