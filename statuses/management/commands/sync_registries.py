"""python manage.py sync_registries: one full sync of the three health registries, now (R-RG-2)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from statuses import services


class Command(BaseCommand):
    help = "Pull the PCR, contacts and vaccinations registries to the end of their feeds, synchronously."

    def add_arguments(self, parser):
        parser.add_argument("--max-pages", type=int, default=None, help="Stop each registry after this many pages.")
        parser.add_argument(
            "--limit", type=int, default=services.PAGE_SIZE, help="Records per page (1 to 5000, default %(default)s)."
        )

    def handle(self, *args, max_pages=None, limit=services.PAGE_SIZE, **options):
        if not 1 <= limit <= 5000:
            raise CommandError("--limit must be from 1 to 5000.")
        if max_pages is not None and max_pages < 1:
            raise CommandError("--max-pages must be 1 or more.")
        reports = services.sync_all(now=timezone.now(), max_pages=max_pages, limit=limit)
        for report in reports:
            line = (
                f"{report.registry}: {report.pages} page(s), {report.applied} record(s) applied, "
                f"{report.skipped} bad record(s) skipped, cursor {report.cursor or '-'}"
            )
            if report.error:
                self.stdout.write(self.style.ERROR(f"{line}, error: {report.error}"))
            elif report.complete:
                self.stdout.write(self.style.SUCCESS(f"{line}, up to date"))
            else:
                self.stdout.write(f"{line}, more to come")
        failed = [report.registry for report in reports if report.error]
        if failed:
            raise CommandError(f"Sync failed for: {', '.join(failed)}.")
