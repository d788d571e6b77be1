"""python manage.py citizen_status ID [--at ISO-8601] [--country CC]: a person's colour from the synced data.

The first line of output is for scripts and never changes shape:

    <colour> <valid_until in Asia/Almaty, ISO-8601 with offset, or -> <rule>
    green 2021-05-04T10:00:00+06:00 R-ST-5

The lines after it explain (reason, since, freshness of the data, R-ST-9). The look-up
is an operator's, so it is audited with the identifier masked (R-PR-3, R-ID-5).
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ashyq.core.services import audit_record
from ashyq.crypto import masked
from ashyq.identifiers import parse_iin
from statuses.selectors import status_for


def local_iso(moment: datetime | None) -> str:
    """Seconds precision, Asia/Almaty offset: 2021-05-04T10:00:00+06:00; "-" for no end."""
    if moment is None:
        return "-"
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--at must be an ISO-8601 date-time, such as 2021-05-01T10:00:00+06:00: {value!r}"
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # local time, Asia/Almaty
    return moment


class Command(BaseCommand):
    help = "Print the colour status of an IIN (or a passport with --country) at a moment, from the synced registries."

    def add_arguments(self, parser):
        parser.add_argument("id", help="A 12-digit IIN, or a passport number together with --country.")
        parser.add_argument("--at", help="ISO-8601 moment (default now); without an offset it is Asia/Almaty time.")
        parser.add_argument("--country", help="ISO 3166 alpha-2 country of the passport (for foreigners).")

    def handle(self, *args, id, at=None, country=None, **options):
        key = self._key(id, country)
        moment = _moment(at) if at else None
        report = status_for(**key, at=moment)
        self.stdout.write(f"{report.colour} {local_iso(report.valid_until)} {report.rule}")
        self.stdout.write(f"reason: {report.reason}")
        self.stdout.write(f"since: {local_iso(report.since)}")
        self.stdout.write(f"at: {local_iso(report.at)}")
        if report.fresh:
            self.stdout.write(f"data: fresh, last sync {local_iso(report.last_sync_at)}")
        else:
            stale = ", ".join(report.stale_registries)
            self.stdout.write(f"data: STALE ({stale}), last sync {local_iso(report.last_sync_at)}")
        person = masked(key.get("iin") or key["passport"])
        audit_record(
            actor=None,
            action="status.lookup",
            channel="citizen_status",
            person=person,
            colour=str(report.colour),
            at=local_iso(report.at),
        )

    def _key(self, value: str, country: str | None) -> dict:
        if country is not None:
            country = country.strip().upper()
            passport = "".join(value.split()).upper()
            if len(country) != 2 or not (country.isascii() and country.isalpha()):
                raise CommandError("--country must be an ISO 3166 alpha-2 code, such as DE.", returncode=2)
            if not passport or not (passport.isascii() and passport.isalnum()):
                raise CommandError("A passport number is made of letters and digits.", returncode=2)
            return {"passport": passport, "country": country}
        try:
            return {"iin": parse_iin(value).number}
        except ValidationError as exc:
            raise CommandError(exc.messages[0], returncode=2) from None
