"""python manage.py registry_fail NAME [--errors R] [--latency-ms MS] [--malformed R] [--bad-records R] [--seed N]
python manage.py registry_fail NAME --off

Make a mock registry misbehave (R-RG-4) for a demo of R-RG-3 (retries, stale status
warnings, skipped records). NAME is a registry or "all". Takes effect at the next
request: the switch is a row in the database, read on every request. Without options
it shows the current switch.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ashyq.mocks.models import MockFailure, Registry
from ashyq.mocks.services import failure_set

ALL = "all"


class Command(BaseCommand):
    help = "Make a mock registry fail: a share of 503s, latency, malformed bodies, broken records (or --off)."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=[*Registry.values, ALL], help="The registry, or all of them.")
        parser.add_argument("--errors", type=float, default=0.0, help="Share of requests answered 503 (0-1).")
        parser.add_argument("--latency-ms", type=int, default=0, help="Milliseconds added to every request.")
        parser.add_argument("--malformed", type=float, default=0.0, help="Share answered 200 with a cut JSON body.")
        parser.add_argument("--bad-records", type=float, default=0.0, help="Share of feed records broken (0-1).")
        parser.add_argument("--seed", type=int, default=None, help="Make the failures repeatable.")
        parser.add_argument("--off", action="store_true", help="Behave normally again.")

    def handle(self, *args, name, off, **options):
        names = Registry.values if name == ALL else [name]
        settings = {
            "error_rate": options["errors"],
            "latency_ms": options["latency_ms"],
            "malformed_rate": options["malformed"],
            "bad_record_rate": options["bad_records"],
            "seed": options["seed"],
        }
        given = any(value for value in settings.values()) or options["seed"] is not None
        if off and given:
            raise CommandError("--off turns every failure off; give it alone.")
        if off or given:
            try:
                for registry in names:
                    failure_set(registry, **({} if off else settings))
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        self._show(names)

    def _show(self, names):
        failures = {f.registry: f for f in MockFailure.objects.filter(registry__in=names)}
        for registry in names:
            failure = failures.get(registry)
            if failure is None or failure.is_off:
                self.stdout.write(f"{registry}: off")
                continue
            seed = f", seed {failure.seed}" if failure.seed is not None else ""
            self.stdout.write(
                f"{registry}: errors {failure.error_rate:g}, latency {failure.latency_ms} ms, "
                f"malformed {failure.malformed_rate:g}, bad records {failure.bad_record_rate:g}{seed}"
            )
