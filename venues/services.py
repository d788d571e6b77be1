"""Writes of owners, applications and venues (R-ID-3, R-VN-1…R-VN-3)."""

from datetime import date, datetime
from typing import TypedDict
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ashyq.accounts.models import Role, User
from ashyq.core.services import audit_record
from ashyq.reference.models import Category, Region
from ashyq.sms.models import OneTimeCode, Purpose
from ashyq.sms.rules import MAX_WRONG_TRIES
from ashyq.sms.services import NoActiveCode, WrongCode, code_send, code_verify
from venues import rules
from venues.clients import company_lookup, notification_lookup
from venues.codes.services import codes_issue
from venues.models import (
    OPEN_CLAIMS,
    Application,
    ApplicationStatus,
    ClaimState,
    Company,
    CompanyClaim,
    Entrance,
    Venue,
)
from venues.selectors import address_excluded, admission_facts, notification_in_use, oked_codes_for
from venues.standing.services import standing_open


class ApplicationData(TypedDict):
    """What the owner enters (R-VN-1), as ApplicationForm cleans it."""

    name: str
    address: str
    region: Region
    category: Category
    oked: str
    notification_number: str
    notification_date: date
    capacity: int
    entrances: list[str]
    phone: str


def owner_sign_up(*, username: str, email: str, password: str, bin_: str, now: datetime) -> tuple[User, CompanyClaim]:
    """Create an owner's account and his claim of the company of `bin_` (R-ID-3, R-AU-3).

    The BIN must be in the business registry (the company's name and contact phone
    come from there). A BIN is public, so the company is not his yet: he proves
    control of it with the code company_claim_code_send sends to that phone, or an
    operator confirms the claim (CompanyClaim). Raises ValidationError (nothing
    created) or RegistryError (the registry did not answer; nothing created)."""
    company = company_lookup(bin_)  # outside the transaction: no lock held while waiting
    if company is None:
        raise ValidationError(
            {
                "bin": _(
                    "This BIN is not in the business registry. Check the number, or register the legal entity first."
                )
            }
        )
    try:
        return _owner_create(username=username, email=email, password=password, company=company, now=now)
    except IntegrityError as exc:  # a sign-up of the same username at the same moment
        raise ValidationError(_("This username has just been registered. Sign in instead.")) from exc


@transaction.atomic
def _owner_create(
    *, username: str, email: str, password: str, company: rules.CompanyRecord, now: datetime
) -> tuple[User, CompanyClaim]:
    user = User(username=username, email=email, role=Role.OWNER, date_joined=now)
    user.set_password(password)
    user.save()
    claim = CompanyClaim.objects.create(
        bin=company.bin,
        name=company.name,
        claimant=user,
        state=ClaimState.CODE_SENT if company.phone else ClaimState.OPERATOR,
        contact_phone=company.phone,
        created_at=now,
    )
    audit_record(actor=user, action="venues.owner_signed_up", obj=claim, bin=company.bin)
    return user, claim


# --- Claims of a company: proof of control before it gets an owner ------------------------------


def company_claim_code_send(*, claim: CompanyClaim, sender: str, now: datetime) -> None:
    """Send the one-time code that proves control of the company to its contact phone
    in the business registry (the SMS limits apply: R-AU-1, per sender). Raises the
    sms errors (TooManyCodes, SmsGatewayError) for the owner to try again later."""
    if claim.state != ClaimState.CODE_SENT or not claim.contact_phone:
        return
    text = _claim_text(claim)
    otc = code_send(phone=claim.contact_phone, now=now, purpose=Purpose.COMPANY, sender=sender, text=text)
    CompanyClaim.objects.filter(pk=claim.pk).update(code_id=otc.pk)
    claim.code_id = otc.pk


def _claim_text(claim: CompanyClaim):
    def text(code: str) -> str:
        return _(
            "Ashyq: code %(code)s confirms that %(company)s is registered in Ashyq by its owner. "
            "If nobody of your company asked for it, do not pass it on."
        ) % {"code": code, "company": claim.name}

    return text


def company_claim_confirm(*, claim: CompanyClaim, code: str, now: datetime) -> CompanyClaim:
    """The claimant typed the code sent to the company's phone. Right: the company is
    his — unless it has an owner already, whom a code never displaces: the claim is
    then a dispute for an operator. Raises the sms errors (WrongCode with the tries
    left, Expired, NoActiveCode, TooManyAttempts), the wrong try counted."""
    # A claim whose code was never sent (the SMS limits, the gateway down) has none: the
    # phone's latest code belongs to another claim of the same company.
    if claim.state != ClaimState.CODE_SENT or claim.code_id is None:
        raise NoActiveCode
    if not code_verify(phone=claim.contact_phone, code=code, now=now, purpose=Purpose.COMPANY, code_id=claim.code_id):
        raise WrongCode(tries_left=MAX_WRONG_TRIES - _wrong_tries(claim))
    return _claim_proven(claim=claim, now=now)


def _wrong_tries(claim: CompanyClaim) -> int:
    """The wrong tries counted on the claim's code; none while no code was sent (a
    failed send leaves code_id empty)."""
    if claim.code_id is None:
        return 0
    return OneTimeCode.objects.filter(pk=claim.code_id).values_list("attempts", flat=True).first() or 0


@transaction.atomic
def _claim_proven(*, claim: CompanyClaim, now: datetime) -> CompanyClaim:
    claim = CompanyClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.state != ClaimState.CODE_SENT:
        return claim
    if Company.objects.filter(bin=claim.bin).exists():
        claim.state = ClaimState.DISPUTED
        claim.save(update_fields=["state"])
        audit_record(actor=claim.claimant, action="venues.company_disputed", obj=claim, bin=claim.bin)
        return claim
    try:
        with transaction.atomic():
            company = Company.objects.create(bin=claim.bin, name=claim.name, owner=claim.claimant, created_at=now)
    except IntegrityError:  # another claimant proved it a moment before: a dispute
        claim.state = ClaimState.DISPUTED
        claim.save(update_fields=["state"])
        return claim
    claim.state, claim.decided_at = ClaimState.CONFIRMED, now
    claim.save(update_fields=["state", "decided_at"])
    audit_record(actor=claim.claimant, action="venues.company_claim_proven", obj=company)
    return claim


@transaction.atomic
def company_claim_decide(*, claim: CompanyClaim, actor: User, give: bool, now: datetime, note: str = "") -> None:
    """An operator decides an open claim (no contact phone, or a dispute): gives the
    company to the claimant — creating it, or moving it from its owner in a dispute,
    audited with both — or rejects the claim."""
    if not (actor.is_superuser or actor.role == Role.OPERATOR):
        raise PermissionDenied
    claim = CompanyClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.state not in OPEN_CLAIMS:
        raise ValidationError(_("This claim is decided already."))
    claim.decided_at, claim.decided_by, claim.note = now, actor, note
    if not give:
        claim.state = ClaimState.REJECTED
        claim.save(update_fields=["state", "decided_at", "decided_by", "note"])
        audit_record(actor=actor, action="venues.company_claim_rejected", obj=claim, bin=claim.bin)
        return
    company = Company.objects.select_for_update().filter(bin=claim.bin).first()
    if company is None:
        company = Company.objects.create(bin=claim.bin, name=claim.name, owner=claim.claimant, created_at=now)
        audit_record(actor=actor, action="venues.company_claim_confirmed", obj=company, claim=claim.pk)
    elif company.owner_id != claim.claimant_id:
        previous = company.owner_id
        company.owner = claim.claimant
        company.save(update_fields=["owner"])
        audit_record(
            actor=actor,
            action="venues.company_transferred",
            obj=company,
            claim=claim.pk,
            previous_owner=previous,
            new_owner=claim.claimant_id,
        )
    claim.state = ClaimState.CONFIRMED
    claim.save(update_fields=["state", "decided_at", "decided_by", "note"])


class ApplicationResubmitted(Exception):
    """The form of `application` was submitted again (a double tap, a refresh), or an
    application for a venue the company has already (the browser's back button, which
    shows the form again as typed): nothing new was recorded. `same_form`: the first."""

    def __init__(self, application: Application, *, same_form: bool = True):
        super().__init__(f"application {application.pk} submitted again")
        self.application = application
        self.same_form = same_form


def application_submit(
    *, owner: User, company: Company, data: ApplicationData, now: datetime, idempotency_key: UUID | None = None
) -> Application:
    """Run every automatic check of an application (R-VN-3) and record the decision.

    All passed: approved, and the venue, its entrances and QR codes are created at
    once. Any failed: refused, every failed check listed. The registries are asked
    before anything is written: RegistryError propagates and nothing is stored.

    `idempotency_key`: the form's key. A key this owner submitted already raises
    ApplicationResubmitted with that application, however close the two requests
    (a unique constraint decides), and records nothing."""
    if company.owner_id != owner.pk:
        raise PermissionDenied
    if idempotency_key is not None:
        _refuse_resubmission(owner=owner, key=idempotency_key)
    _refuse_venue_twice(company=company, data=data)
    checks = _application_checks(company=company, data=data, now=now)
    try:
        return _application_record(
            owner=owner, company=company, data=data, checks=checks, now=now, idempotency_key=idempotency_key
        )
    except IntegrityError:
        if idempotency_key is not None:  # the same form, submitted at the same moment
            _refuse_resubmission(owner=owner, key=idempotency_key)
        raise


def _refuse_venue_twice(*, company: Company, data: ApplicationData) -> None:
    """A venue the company has already — the same name and address, as
    venues.rules.same_venue compares them — is not created twice: a browser that shows
    the form again after the back button gives it a new key but the same contents.
    One query: the company's venues."""
    for venue in (
        Venue.objects.filter(company=company).select_related("application").only("name", "address", "application")
    ):
        if venue.application is not None and rules.same_venue(
            (venue.name, venue.address), (data["name"], data["address"])
        ):
            raise ApplicationResubmitted(venue.application, same_form=False)


def _refuse_resubmission(*, owner: User, key: UUID) -> None:
    first = Application.objects.filter(submitted_by=owner, idempotency_key=key).select_related("venue").first()
    if first is not None:
        raise ApplicationResubmitted(first)


def _application_checks(*, company: Company, data: ApplicationData, now: datetime) -> list[rules.Check]:
    on = timezone.localdate(now)
    registered = company_lookup(company.bin)
    notification = notification_lookup(data["notification_number"])
    category, region = data["category"], data["region"]
    checks = [rules.check_company(bin_=company.bin, company=registered)]
    if registered is not None:  # without the company its codes cannot be compared
        checks.append(rules.check_oked_registered(oked=data["oked"], company=registered))
    checks.append(
        rules.check_oked_category(
            oked=data["oked"], category_code=category.code, matching_codes=oked_codes_for(category)
        )
    )
    checks += rules.check_notification(
        number=data["notification_number"],
        on_date=data["notification_date"],
        bin_=company.bin,
        address=data["address"],
        record=notification,
    )
    facts = admission_facts(category=category, region=region, on=on)
    checks.append(rules.check_admission(category_code=category.code, region_code=region.code, on=on, facts=facts))
    excluded = address_excluded(address=data["address"], at=now)
    checks.append(rules.check_exclusion(excluded=excluded))
    return checks


@transaction.atomic
def _application_record(
    *,
    owner: User,
    company: Company,
    data: ApplicationData,
    checks: list[rules.Check],
    now: datetime,
    idempotency_key: UUID | None = None,
) -> Application:
    # The company's applications one at a time (a notification belongs to one BIN), so
    # that two submitted at once cannot both take the same notification.
    Company.objects.select_for_update().filter(pk=company.pk).first()
    used = notification_in_use(number=data["notification_number"])
    checks = [*checks, rules.check_notification_unused(number=data["notification_number"], used=used)]
    approved = rules.all_passed(checks)
    # The message as the submitter read it, kept as a fallback; pages render it anew.
    names = {
        "category": {data["category"].code: data["category"].name},
        "region": {data["region"].code: data["region"].name},
    }
    application = Application.objects.create(
        company=company,
        submitted_by=owner,
        submitted_at=now,
        name=data["name"],
        address=data["address"],
        region=data["region"],
        category=data["category"],
        oked=data["oked"],
        notification_number=data["notification_number"],
        notification_date=data["notification_date"],
        capacity=data["capacity"],
        entrances=list(data["entrances"]),
        phone=data["phone"],
        status=ApplicationStatus.APPROVED if approved else ApplicationStatus.REFUSED,
        checks=[check.as_json(names) for check in checks],
        decided_at=now,
        idempotency_key=idempotency_key,
    )
    audit_record(
        actor=owner,
        action="venues.application_approved" if approved else "venues.application_refused",
        obj=application,
        region=application.region,
        failed=[check.code for check in checks if not check.passed],
    )
    if approved:
        _venue_create(application=application, actor=owner, now=now)
    return application


def application_override(*, application: Application, actor: User, reason: str, now: datetime) -> Venue:
    """An operator approves a refused application, giving a reason (R-VN-3, audited);
    the venue, its entrances and codes are created as for an automatic approval."""
    if not (actor.is_superuser or actor.role == Role.OPERATOR):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason of the override.")})
    return _application_override(application=application, actor=actor, reason=reason, now=now)


@transaction.atomic
def _application_override(*, application: Application, actor: User, reason: str, now: datetime) -> Venue:
    # A conditional update: two operators overriding at once create one venue.
    updated = Application.objects.filter(pk=application.pk, status=ApplicationStatus.REFUSED).update(
        status=ApplicationStatus.APPROVED, override_by=actor, override_reason=reason, decided_at=now
    )
    if updated != 1:
        raise ValidationError(_("Only a refused application can be overridden; this one is already approved."))
    application.refresh_from_db()
    audit_record(
        actor=actor,
        action="venues.application_overridden",
        obj=application,
        region=application.region,
        reason=reason,
        failed=[check.get("code") for check in application.checks if not check.get("passed")],
    )
    return _venue_create(application=application, actor=actor, now=now)


def _venue_create(*, application: Application, actor: User | None, now: datetime) -> Venue:
    """The venue of an approved application, its entrances and their QR codes (R-VN-4)."""
    venue = Venue.objects.create(
        company_id=application.company_id,
        application=application,
        name=application.name,
        address=application.address,
        region_id=application.region_id,
        category_id=application.category_id,
        oked=application.oked,
        capacity=application.capacity,
        phone=application.phone,
        created_at=now,
    )
    Entrance.objects.bulk_create(
        Entrance(venue=venue, name=name, position=position) for position, name in enumerate(application.entrances)
    )
    audit_record(actor=actor, action="venues.venue_created", obj=venue, region=application.region)
    standing_open(venue=venue, at=now)
    codes_issue(venue=venue, actor=actor, now=now)
    return venue
