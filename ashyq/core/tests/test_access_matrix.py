"""docs/rules.md §1: every role × every URL.

ACCESS below is the one table of who may open what. The tests walk the URL conf, so
a new URL that is not in the table fails until someone decides who may open it; every
combination the table forbids must answer 403 or 404 (anonymous visitors are sent to
sign in instead) and leave a warning in the log. The tenant tests then take each
object type of tenant A and ask for it as the same role of tenant B: owner A vs owner
B's venue, akimat of region A vs region B, guard of venue A vs venue B.
"""

import logging
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import CitizenFactory, UserFactory
from ashyq.reference.tests.factories import RegionFactory
from leaders.models import Candidate, CandidateList, ComputeRun, Period
from monitoring.models import Appeal, PhotoDraft, Sanction, SanctionKind, ViolationPhoto
from monitoring.tests.factories import OutageFactory, ViolationFactory, jpeg_upload
from vaccinations.services import Person, self_entry_submit, vaccination_record
from vaccinations.tests.factories import VaccineFactory
from venues.codes.selectors import code_token
from venues.models import QrCode
from venues.tests.factories import ApplicationFactory
from visitors.models import Visit
from visitors.tests.factories import GuardFactory, open_venue

ANYONE = "anyone"
ANONYMOUS = "anonymous"
# A citizen whose phone a venue named its guard phone and who accepted (R-VN-7): not a
# role of his account, but who he is at the door.
GUARD = "guard"
ROLES = [ANONYMOUS, *Role.values, GUARD]
PERIOD = date(2021, 5, 10)

# URL name → the roles that may open it (ANYONE: also without signing in).
ACCESS = {
    "core:home": ANYONE,
    "core:healthz": ANYONE,
    "core:readyz": ANYONE,  # what it answers: test_readiness.py
    "core:system": {Role.OPERATOR},
    "accounts:login": ANYONE,
    "accounts:logout": ANYONE,
    "sms:phone": ANYONE,
    "sms:code": ANYONE,
    "sms:resend": ANYONE,
    "sms:outbox": ANYONE,  # the mock gateway's outbox: 404 unless SMS_MOCK_OUTBOX
    "reference:region_list": {Role.COMMISSION, Role.OPERATOR},
    "reference:region_detail": {Role.AKIMAT, Role.INSPECTOR, Role.SANITARY, Role.COMMISSION, Role.OPERATOR},
    "reference:region_zone_set": {Role.AKIMAT, Role.INSPECTOR, Role.SANITARY, Role.COMMISSION, Role.OPERATOR},
    "visitors:me": {Role.CITIZEN, GUARD},
    "visitors:link_iin": {Role.CITIZEN, GUARD},
    "visitors:my_lookups": {Role.CITIZEN, GUARD},
    "visitors:my_visits": {Role.CITIZEN, GUARD},
    "venues:venue_list": {Role.OWNER},
    "venues:sign_up": ANYONE,
    "venues:company_claims": {Role.OWNER},  # his own claims only (another's: 404)
    "venues:venue_detail": {Role.OWNER},
    "venues:application_list": {Role.OWNER},
    "venues:application_create": {Role.OWNER},
    "venues:application_detail": {Role.OWNER},
    "checkin:scan": ANYONE,
    "codes:venue_codes": {Role.OWNER},
    "codes:code_png": {Role.OWNER},
    "codes:code_pdf": {Role.OWNER},
    "codes:codes_zip": {Role.OWNER},
    "codes:codes_reissue": {Role.OWNER},
    "codes:guard_enable": {Role.OWNER},
    "codes:guard_disable": {Role.OWNER},
    "codes:after_sign_in": ANYONE,  # where a phone sign-in lands; the anonymous go to sign in
    "codes:guard_request_answer": {Role.CITIZEN, GUARD},  # R-VN-7: only that phone's holder answers
    "checkin:guard": {GUARD, Role.CITIZEN},  # a citizen who guards nothing is told guard mode is off
    "codes:participants": ANYONE,
    "codes:participant_list": ANYONE,
    "codes:guide": ANYONE,
    "codes:rules": ANYONE,
    "codes:guide_pdf": ANYONE,
    "codes:rules_pdf": ANYONE,
    "codes:agreement": ANYONE,
    "codes:agreement_pdf": ANYONE,
    "checkin:check": {Role.CITIZEN, GUARD},
    "checkin:check_qr": ANYONE,
    "checkin:guard_lookup": {GUARD, Role.CITIZEN},  # he is sent back to that page
    "checkin:guard_exit": {GUARD, Role.CITIZEN},  # the same
    "checkin:sanitary": {Role.SANITARY, Role.COMMISSION, Role.OPERATOR},
    "checkin:sanitary_export": {Role.SANITARY, Role.COMMISSION, Role.OPERATOR},
    "monitoring:venue_search": {Role.INSPECTOR},
    "monitoring:venue_history": {Role.INSPECTOR, Role.AKIMAT, Role.COMMISSION, Role.OPERATOR},
    "monitoring:venue_inspected": {Role.INSPECTOR},
    "monitoring:draft_photo": {Role.INSPECTOR},
    "monitoring:violation_list": {Role.INSPECTOR},
    "monitoring:violation_decide": {Role.INSPECTOR},
    "monitoring:photo": {Role.INSPECTOR, Role.AKIMAT, Role.COMMISSION, Role.OPERATOR},
    "monitoring:sanction_appeal": {Role.OWNER},
    "monitoring:sanction_return": {Role.OWNER},
    "monitoring:appeal_list": {Role.AKIMAT},
    "monitoring:appeal_decide": {Role.AKIMAT},
    "monitoring_ops:outages": {Role.OPERATOR, Role.AKIMAT, Role.INSPECTOR, Role.COMMISSION},
    "monitoring_ops:outage_edit": {Role.OPERATOR},
    "monitoring_ops:participants": {Role.AKIMAT, Role.COMMISSION, Role.OPERATOR},
    "monitoring_ops:participants_export": {Role.AKIMAT, Role.COMMISSION, Role.OPERATOR},
    "monitoring_ops:risk": {Role.INSPECTOR, Role.AKIMAT, Role.COMMISSION, Role.OPERATOR},
    "monitoring_ops:flags": {Role.INSPECTOR, Role.AKIMAT, Role.COMMISSION, Role.OPERATOR},
    "leaders:index": {Role.AKIMAT, Role.COMMISSION, Role.OPERATOR},
    "leaders:review": {Role.AKIMAT, Role.COMMISSION, Role.OPERATOR},
    "leaders:strike": {Role.AKIMAT},
    "leaders:submit": {Role.AKIMAT},
    "leaders:period": {Role.COMMISSION, Role.OPERATOR},
    "leaders:decide": {Role.COMMISSION},
    "leaders:export_candidates": {Role.AKIMAT, Role.COMMISSION, Role.OPERATOR},
    "leaders:export_checkins": {Role.AKIMAT, Role.COMMISSION, Role.OPERATOR},
    "leaders:compute": {Role.COMMISSION, Role.OPERATOR},
    "leaders:run": {Role.COMMISSION, Role.OPERATOR},
    "leaders:public_index": ANYONE,
    "leaders:public_region": ANYONE,
    "stats:public": ANYONE,
    "figures:venue_figures": {Role.OWNER},
    "stats:national": {Role.COMMISSION, Role.OPERATOR},
    "stats:region": {Role.AKIMAT, Role.COMMISSION, Role.OPERATOR},
    "vaccinations_me:passport": {Role.CITIZEN, GUARD},
    "vaccinations_me:certificate_pdf": {Role.CITIZEN, GUARD},
    "vaccinations_me:self_entry": {Role.CITIZEN, GUARD},
    "vaccinations:medic_home": {Role.MEDIC},
    "vaccinations:medic_person": {Role.MEDIC},
    "vaccinations:medic_correct": {Role.MEDIC},
    "vaccinations:pending_list": {Role.MEDIC},
    "vaccinations:pending_decide": {Role.MEDIC},
    "vaccinations:pending_document": {Role.MEDIC},
    "vaccinations:figures": {Role.MEDIC, Role.SANITARY, Role.COMMISSION, Role.OPERATOR},
    "vaccinations:figures_export": {Role.MEDIC, Role.SANITARY, Role.COMMISSION, Role.OPERATOR},
    "verify:verify": ANYONE,
    "verify:keys": ANYONE,
    "verify:revoked": ANYONE,
    "verify:service_worker": ANYONE,
    "vaccination_stats:public": ANYONE,
    "set_language": ANYONE,
    "javascript-catalog": ANYONE,
}
# The mock registries stand in for other agencies' servers (served only where
# REGISTRY_MOCKS_ENABLED); the admin has its own staff-only gate.
OUTSIDE_THE_TABLE = {"mocks", "admin"}


def url_names(patterns=None, namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in OUTSIDE_THE_TABLE:
                continue
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


class World:
    """Tenant A and tenant B: a region, a venue with codes, its owner and guard, and the
    regional staff of each; a citizen and the national staff."""

    def __init__(self):
        now = timezone.now()
        self.region_a, self.region_b = RegionFactory(city=True), RegionFactory()
        self.venue_a = open_venue(region=self.region_a, now=now - timedelta(days=10))
        self.venue_b = open_venue(region=self.region_b, now=now - timedelta(days=10))
        self.users = {"a": {}, "b": {}}
        for tenant, venue, region in (("a", self.venue_a, self.region_a), ("b", self.venue_b, self.region_b)):
            users = self.users[tenant]
            users[Role.OWNER] = venue.company.owner
            users[GUARD] = GuardFactory(venue=venue)
            for role in (Role.AKIMAT, Role.INSPECTOR, Role.SANITARY, Role.MEDIC):
                users[role] = UserFactory(role=role, region=region)
        shared = {Role.CITIZEN: CitizenFactory(), **{r: UserFactory(role=r) for r in (Role.COMMISSION, Role.OPERATOR)}}
        for tenant in ("a", "b"):
            self.users[tenant].update(shared)
        self.code_a = QrCode.objects.filter(entrance__venue=self.venue_a).first()
        self.application_a = ApplicationFactory(company=self.venue_a.company, region=self.region_a)
        self.violation_a = ViolationFactory(venue=self.venue_a)
        self.photo_a = ViolationPhoto.objects.create(violation=self.violation_a, image=jpeg_upload())
        self.draft_a = PhotoDraft.objects.create(uploaded_by=self.users["a"][Role.INSPECTOR], image=jpeg_upload())
        self.sanction_a = Sanction.objects.create(
            venue=self.venue_a, kind=SanctionKind.WARNING, violation=self.violation_a, starts_at=now
        )
        self.appeal_a = Appeal.objects.create(
            sanction=self.sanction_a, text="Не согласны", filed_by=self.users["a"][Role.OWNER]
        )
        period = Period.objects.create(starts_on=PERIOD, ends_on=PERIOD + timedelta(days=14))
        candidates = CandidateList.objects.create(period=period, region=self.region_a, computed_at=now)
        self.candidate_a = Candidate.objects.create(list=candidates, venue=self.venue_a, checkins=2001, threshold=2000)
        self.outage = OutageFactory()
        self.run = ComputeRun.objects.create(period_start=PERIOD, requested_by=self.users["a"][Role.COMMISSION])
        medic_a, vaccine = self.users["a"][Role.MEDIC], VaccineFactory()
        self.entry_a = vaccination_record(
            medic=medic_a, person=Person(iin="900101300126"), vaccine=vaccine, dose=1,
            administered_on=date(2021, 5, 1), family_name="А", given_name="", now=now,
        )  # fmt: skip
        self.pending_a = self_entry_submit(
            citizen=CitizenFactory(iin="880308400151"), vaccine=vaccine, dose=1, administered_on=date(2021, 5, 1),
            organisation="—", country="KZ", region=self.region_a, family_name="Б", given_name="",
            photo=jpeg_upload(), now=now,
        )  # fmt: skip

    def kwargs(self, name: str) -> dict:
        """Arguments naming tenant A's objects for the URL `name`."""
        a, code, start = self.venue_a, self.region_a.code, PERIOD
        return {
            "reference:region_detail": {"code": code},
            "reference:region_zone_set": {"code": code},
            "venues:venue_detail": {"pk": a.pk},
            "figures:venue_figures": {"pk": a.pk},
            "venues:application_detail": {"pk": self.application_a.pk},
            "checkin:scan": {"token": code_token(self.code_a)},
            "codes:venue_codes": {"pk": a.pk},
            "codes:code_png": {"pk": a.pk, "code_pk": self.code_a.pk},
            "codes:code_pdf": {"pk": a.pk, "code_pk": self.code_a.pk},
            "codes:codes_zip": {"pk": a.pk},
            "codes:codes_reissue": {"pk": a.pk},
            "codes:guard_enable": {"pk": a.pk},
            "codes:guard_disable": {"pk": a.pk},
            "codes:guard_request_answer": {"pk": a.pk},
            "codes:participant_list": {"region_code": code},
            "monitoring:venue_history": {"pk": a.pk},
            "monitoring:violation_decide": {"pk": self.violation_a.pk},
            "monitoring:photo": {"pk": self.photo_a.pk},
            "monitoring:venue_inspected": {"pk": a.pk},
            "monitoring:draft_photo": {"pk": self.draft_a.pk},
            "monitoring:sanction_appeal": {"pk": self.sanction_a.pk},
            "monitoring:sanction_return": {"pk": self.sanction_a.pk},
            "monitoring:appeal_decide": {"pk": self.appeal_a.pk},
            "monitoring_ops:outage_edit": {"pk": self.outage.pk},
            "monitoring_ops:participants_export": {"fmt": "csv"},
            "leaders:review": {"code": code, "start": start},
            "leaders:strike": {"code": code, "start": start, "pk": self.candidate_a.pk},
            "leaders:submit": {"code": code, "start": start},
            "leaders:period": {"start": start},
            "leaders:decide": {"start": start},
            "leaders:export_candidates": {"code": code, "start": start, "fmt": "csv"},
            "leaders:export_checkins": {"code": code, "start": start, "fmt": "csv"},
            "leaders:run": {"pk": self.run.pk},
            "leaders:public_region": {"code": code},
            "stats:region": {"code": code},
            "vaccinations:medic_correct": {"pk": self.entry_a.pk},
            "vaccinations:pending_decide": {"pk": self.pending_a.pk},
            "vaccinations:pending_document": {"pk": self.pending_a.pk},
            "vaccinations:figures_export": {"fmt": "csv"},
            "checkin:sanitary_export": {"fmt": "csv"},
        }.get(name, {})

    def url(self, name: str) -> str:
        return reverse(name, kwargs=self.kwargs(name))


@pytest.fixture
def world(db):
    return World()


def visit(client: Client, url: str):
    """GET the URL, or POST an empty form where the page takes only POST."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


def is_sign_in_redirect(response) -> bool:
    return response.status_code == 302 and any(
        response["Location"].startswith(reverse(page)) for page in ("accounts:login", "sms:phone")
    )


def test_every_url_is_in_the_access_table():
    assert set(url_names()) == set(ACCESS), "decide in ACCESS who may open each new URL"


FORBIDDEN = [
    (name, role) for name, allowed in ACCESS.items() if allowed != ANYONE for role in ROLES if role not in allowed
]


@pytest.mark.parametrize(("name", "role"), FORBIDDEN, ids=[f"{n}-{r}" for n, r in FORBIDDEN])
def test_a_forbidden_role_is_refused_and_the_refusal_is_logged(world, name, role, caplog):
    client = Client()
    if role != ANONYMOUS:
        client.force_login(world.users["a"][role])
    url = world.url(name)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = visit(client, url)
    if role == ANONYMOUS:
        assert is_sign_in_redirect(response), (response.status_code, response.get("Location"))
        return
    assert response.status_code in (403, 404)
    assert any(record.levelno == logging.WARNING and url in record.getMessage() for record in caplog.records)


# Object URLs of tenant A, asked for by the same role of tenant B.
TENANT_URLS = [
    "reference:region_detail",
    "reference:region_zone_set",
    "venues:venue_detail",
    "figures:venue_figures",
    "venues:application_detail",
    "codes:venue_codes",
    "codes:code_png",
    "codes:code_pdf",
    "codes:codes_zip",
    "codes:codes_reissue",
    "codes:guard_enable",
    "codes:guard_disable",
    "monitoring:venue_history",
    "monitoring:violation_decide",
    "monitoring:photo",
    "monitoring:venue_inspected",
    "monitoring:draft_photo",
    "monitoring:sanction_appeal",
    "monitoring:sanction_return",
    "monitoring:appeal_decide",
    "leaders:review",
    "leaders:strike",
    "leaders:submit",
    "leaders:export_candidates",
    "leaders:export_checkins",
    "stats:region",
    "vaccinations:medic_correct",
    "vaccinations:pending_decide",
    "vaccinations:pending_document",
]
TENANT_CASES = [
    (name, role)
    for name in TENANT_URLS
    for role in sorted(ACCESS[name])
    if role in (Role.OWNER, Role.AKIMAT, Role.INSPECTOR, Role.SANITARY, Role.MEDIC)
]


@pytest.mark.parametrize(("name", "role"), TENANT_CASES, ids=[f"{n}-{r}" for n, r in TENANT_CASES])
def test_tenant_b_cannot_reach_tenant_as_objects(world, name, role):
    client = Client()
    client.force_login(world.users["b"][role])
    assert visit(client, world.url(name)).status_code in (403, 404)


def test_the_guard_of_venue_b_cannot_look_up_at_venue_a(world):
    client = Client()
    client.force_login(world.users["b"][GUARD])
    entrance_a = world.venue_a.entrances.first()
    response = client.post(reverse("checkin:guard_lookup"), {"entrance": entrance_a.pk, "iin": "900101300125"})
    # The guard page is always his own venue's: an entrance of another venue is refused.
    assert response.status_code == 400
    assert not Visit.objects.filter(venue=world.venue_a).exists()
