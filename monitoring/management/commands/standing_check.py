"""manage.py standing_check: does each venue's standing history (R-VN-9) agree with the
facts it follows from — the first issue of its codes, its sanctions (returns, appeals,
withdrawals) and its leader terms? For operators after a fix made by hand.

Prints each venue that disagrees, its stored and its expected intervals, then a line
"checked N venues: M disagree"; exits with status 1 when any does. --rebuild rewrites
those venues' histories from their facts (audited)."""

from django.core.management.base import BaseCommand, CommandError

from monitoring.selectors import standing_disagreements
from venues.models import Venue
from venues.standing.services import standing_rebuild

BATCH = 2000


def _line(interval) -> str:
    end = interval.ends_at.isoformat() if interval.ends_at else "…"
    ref = f" #{interval.ref}" if interval.ref is not None else ""
    return f"    {interval.kind:<16} {interval.starts_at.isoformat()} – {end}  ({interval.cause}{ref})"


class Command(BaseCommand):
    help = "Check every venue's standing history against its sanctions and leader terms (R-VN-9)."

    def add_arguments(self, parser):
        parser.add_argument("--venue", type=int, action="append", help="check this venue only (repeatable)")
        parser.add_argument("--rebuild", action="store_true", help="rewrite the disagreeing venues' histories")

    def handle(self, *args, venue=None, rebuild=False, **options):
        ids = list(Venue.objects.filter(pk__in=venue).values_list("pk", flat=True)) if venue else None
        if venue and len(ids) != len(set(venue)):
            raise CommandError(f"No venue with the id(s) {sorted(set(venue) - set(ids))}.")
        if ids is None:
            ids = list(Venue.objects.order_by("pk").values_list("pk", flat=True))
        disagree = 0
        for start in range(0, len(ids), BATCH):
            for venue_id, (stored, expected) in sorted(standing_disagreements(ids[start : start + BATCH]).items()):
                disagree += 1
                self.stdout.write(f"venue {venue_id}: stored")
                self.stdout.writelines(_line(interval) for interval in stored)
                self.stdout.write("  expected from its facts")
                self.stdout.writelines(_line(interval) for interval in expected)
                if rebuild:
                    standing_rebuild(venue=Venue.objects.select_related("region").get(pk=venue_id), history=expected)
                    self.stdout.write("  rebuilt")
        self.stdout.write(f"checked {len(ids)} venues: {disagree} disagree")
        if disagree and not rebuild:
            raise SystemExit(1)
