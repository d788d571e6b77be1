"""manage.py retention [--dry-run]: what the hourly retention does (R-PR-2), now.

Deletes the check-ins and status look-ups older than 28 days (the check-ins once
counted), whole days at a time on PostgreSQL, makes the next week's partitions and
forgets ended visit windows; then the registry copies that no longer act and the colour
history older than a year (statuses.services.records_retention, nightly), and the
hourly counts no Leader Ashyq computation can read (leaders.services.retention). Prints what
it dropped, deleted and kept. --dry-run changes nothing and prints what would go."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from leaders.services.retention import venue_hours_prune
from statuses.services import records_retention
from visitors.services.retention import retention_run


class Command(BaseCommand):
    help = "Delete the check-ins and look-ups older than 28 days (their counts kept) and the registry copies that no longer act (R-PR-2)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="change nothing; say what would go")

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        report = retention_run(now=now, dry_run=dry_run)
        would = "would " if dry_run else ""
        until = report.counted_until.isoformat() if report.counted_until else "-"
        kept = report.kept_from.isoformat() if report.kept_from else "-"
        self.stdout.write(f"check-ins kept from {kept} (counted until {until})")
        self.stdout.write(f"{would}drop: {', '.join(report.dropped) or 'nothing'}")
        self.stdout.write(
            f"{would}delete: {report.deleted_checkins} check-ins, {report.deleted_lookups} look-ups, "
            f"{report.deleted_windows} visit windows, {report.deleted_remote_checks} remote checks, "
            f"{report.deleted_door_reports} door reports, {report.deleted_audit_events} audit events"
        )
        if report.made:
            self.stdout.write(f"made: {', '.join(report.made)}")
        records = records_retention(now=now, dry_run=dry_run)
        self.stdout.write(
            f"{would}delete: {records.deleted_pcr} PCR results, {records.deleted_contacts} contacts, "
            f"{records.deleted_changes} colour changes, {records.deleted_quarantined} quarantined records "
            f"(colour history settled before {records.settled_before.isoformat()})"
        )
        hours = venue_hours_prune(dry_run=dry_run)
        self.stdout.write(f"{would}delete: {hours} hourly counts of venues no Leader Ashyq period can name")
