"""Reads of the vaccination passport: a person's doses and certificate (R-VP-4), the
medical worker's own records and his region's queue (R-VP-2, R-VP-3), and the planning
figures (R-VP-6). Every person is found by his blind index only (R-ID-5)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import TruncWeek
from django.http import Http404

from ashyq.crypto import blind_index
from ashyq.identifiers import parse_iin
from ashyq.reference.models import Region
from statuses.models import Vaccination
from statuses.persons import person_key
from vaccinations import certificates, rules
from vaccinations.models import Entry, Revocation, Source, State, Vaccine


def vaccines_by_name() -> dict[str, Vaccine]:
    """Every name of every reference vaccine (folded) → the vaccine: one query."""
    found = {}
    for vaccine in Vaccine.objects.all():
        for name in vaccine.names():
            found[name] = vaccine
    return found


def doses_of(person: str) -> list[rules.Dose]:
    """The doses that count for `person` (statuses.Vaccination, every source), oldest first."""
    names = vaccines_by_name()
    doses = []
    for row in Vaccination.objects.filter(person=person):
        vaccine = names.get(row.vaccine.strip().casefold())
        doses.append(
            rules.Dose(
                vaccine=vaccine.name if vaccine else row.vaccine,
                dose=row.dose,
                doses_in_scheme=row.doses_in_scheme,
                administered_on=row.administered_on,
                certificate=row.certificate or registry_certificate(row.source_id),
                organisation=row.organisation,
                region=row.region,
                source=row.source,
                product=vaccine.product if vaccine else "",
                manufacturer=vaccine.manufacturer if vaccine else "",
                prophylaxis=vaccine.prophylaxis if vaccine else "J07BX03",
                family_name=row.family_name or "",
                given_name=row.given_name or "",
            )
        )
    return rules.ordered(doses)


def registry_certificate(source_id: str) -> str:
    """A registry dose sent without a certificate identifier: a stable one from a keyed
    hash of its registry id (it says nothing about the holder)."""
    return rules.uvci("R" + blind_index(f"vaccination-certificate:{source_id}")[:26])


@dataclass(frozen=True)
class Passport:
    doses: list[rules.Dose]
    complete: bool
    completed_on: date | None
    self_entries: list[Entry]  # pending and rejected, newest first
    certificate: str  # "HC1:…", or "" without a dose


def passport_for(*, iin: str, now: datetime) -> Passport:
    """R-VP-4: the citizen's doses, whether a scheme is complete, his self-entries that do
    not count (yet), and a certificate signed now."""
    person = person_key(iin=iin)
    doses = doses_of(person)
    entries = list(
        Entry.objects.filter(person=person, source=Source.CITIZEN, state__in=[State.PENDING, State.REJECTED])
        .select_related("vaccine", "region")
        .order_by("-entered_at")[:50]
    )
    return Passport(
        doses=doses,
        complete=rules.scheme_complete(doses),
        completed_on=rules.completed_on(doses),
        self_entries=entries,
        certificate=certificate_for(iin=iin, doses=doses, now=now) if doses else "",
    )


def certificate_for(*, iin: str, now: datetime, doses: list[rules.Dose] | None = None) -> str:
    """The person's current certificate, signed now; "" when no dose counts."""
    doses = doses_of(person_key(iin=iin)) if doses is None else doses
    if not doses:
        return ""
    payload = rules.dcc_payload(doses=doses, birth_date=parse_iin(iin).birth_date, issuer=settings.VACCINATION_ISSUER)
    return certificates.certificate_sign(payload, now=now)


def revoked_among(identifiers) -> set[str]:
    """Which of the certificate identifiers are revoked (R-VP-5): one indexed query."""
    identifiers = [value for value in identifiers if isinstance(value, str)][:50]
    return set(Revocation.objects.filter(certificate__in=identifiers).values_list("certificate", flat=True))


def revoked_list() -> list[str]:
    return list(Revocation.objects.order_by("certificate").values_list("certificate", flat=True))


# --- The medical worker (R-VP-2, R-VP-3) -------------------------------------------------------


def entries_of_medic(user):
    """The records a medical worker entered or confirmed, newest first (§1: nothing else)."""
    return (
        Entry.objects.filter(Q(entered_by=user) | Q(decided_by=user))
        .exclude(state=State.PENDING)
        .select_related("vaccine", "region")
        .order_by("-entered_at", "-pk")
    )


def entries_of_medic_for(user, person: str) -> list[Entry]:
    return list(entries_of_medic(user).filter(person=person)[:50])


def entry_for_medic(user, pk: int) -> Entry:
    """One of the medical worker's own records; 404 for any other (existence does not leak)."""
    entry = entries_of_medic(user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


def pending_for(user):
    """R-VP-3: the self-entries waiting for a medical worker of the user's region, oldest first."""
    return (
        Entry.objects.filter(region_id=user.region_id, state=State.PENDING)
        .select_related("vaccine", "region")
        .order_by("entered_at", "pk")
    )


def pending_entry_for(user, pk: int) -> Entry:
    entry = pending_for(user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


# --- Planning figures (R-VP-6) -------------------------------------------------------------------


@dataclass
class WeekFigures:
    week: date
    region: Region | None  # None: the doses with no known region
    doses: dict[tuple[str, int], int]  # (vaccine name, dose number) → doses given
    complete: int  # people whose scheme the week's dose completed

    @property
    def total(self) -> int:
        return sum(self.doses.values())


def figures(*, first: date, last: date, region: Region | None = None) -> list[WeekFigures]:
    """Per week and region: doses by vaccine and dose number, and people who completed
    their scheme. Two GROUP BY queries over the weeks asked for (the index on
    administered_on, or on region and administered_on), whatever the number of doses."""
    start, end = rules.week_of(first), rules.week_of(last)
    rows = Vaccination.objects.filter(administered_on__gte=start, administered_on__lt=end + timedelta(days=7))
    if region is not None:
        rows = rows.filter(region=region.code)
    rows = rows.annotate(week=TruncWeek("administered_on")).order_by()
    names = vaccines_by_name()
    regions = {r.code: r for r in Region.objects.all()}
    table: dict[tuple[date, str], WeekFigures] = {}

    def cell(week, code) -> WeekFigures:
        week = week.date() if isinstance(week, datetime) else week
        known = regions.get(code)
        key = (week, known.code if known else "")
        if key not in table:
            table[key] = WeekFigures(week=week, region=known, doses={}, complete=0)
        return table[key]

    for week, code, vaccine, dose, n in rows.values_list("week", "region", "vaccine", "dose").annotate(n=Count("id")):
        reference = names.get(vaccine.strip().casefold())
        figures_ = cell(week, code).doses
        name = reference.name if reference else vaccine
        figures_[(name, dose)] = figures_.get((name, dose), 0) + n
    completing = rows.filter(dose=F("doses_in_scheme")).values_list("week", "region")
    for week, code, n in completing.annotate(n=Count("person", distinct=True)):
        cell(week, code).complete += n
    return sorted(table.values(), key=lambda f: (f.week, f.region.name if f.region else "~"))
