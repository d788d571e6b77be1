"""manage.py compute_leaders --period-start YYYY-MM-DD: (re)compute a period's lists (R-LD-2).

Prints "code: n" per region recomputed on stdout; the progress, and the regions whose
submitted list was kept, go to stderr (-v 0 silences it)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from leaders.services import compute as services


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--period-start: {value!r} is not a date YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = "Compute the Leader Ashyq candidate lists of the period starting on a date (R-LD-2)."

    def add_arguments(self, parser):
        parser.add_argument("--period-start", required=True, help="first day of the period, YYYY-MM-DD (a Monday)")

    def handle(self, *args, period_start: str, **options):
        def progress(percent: int, message: str) -> None:
            if options["verbosity"] >= 1:
                self.stderr.write(f"{percent:3d}% {message}")

        try:
            counts = services.leaders_compute(period_start=_day(period_start), now=timezone.now(), progress=progress)
        except services.LeadersError as error:
            raise CommandError(str(error)) from error
        for code, number in counts.items():
            self.stdout.write(f"{code}: {number}")
        kept = services.kept_lists(_day(period_start))
        if kept and options["verbosity"] >= 1:  # R-LD-3: never recomputed
            self.stderr.write("kept as submitted: " + ", ".join(kept))
