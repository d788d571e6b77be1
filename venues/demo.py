"""Demo companies and venues in several regions and categories, with their approved
applications, entrances and QR codes; some venues still in test mode (R-VN-5), one
volunteer, and a refused application (R-VN-2) for owner-cafe.

A second run changes nothing: every row is found by a natural key first. The mock
registries' companies and notifications are ashyq.mocks.demo's; the applications
here name the same notifications.
"""

from datetime import date, datetime, timedelta

from django.utils import timezone

from ashyq.accounts.models import User
from ashyq.demo import Credential
from ashyq.identifiers import make_bin
from ashyq.reference.models import Category, OkedCode, Region
from venues import rules
from venues.codes.services import codes_issue
from venues.models import Application, ApplicationStatus, Company, Entrance, Venue

# (owner, BIN serial, company name)
COMPANIES = [
    ("owner-cafe", 101, "ТОО «Дастархан Групп»"),
    ("owner-hotel", 202, "ТОО «Караганда Тревел»"),
]

# (company BIN serial, venue name, address, region code, category code, capacity)
VENUES = [
    (101, "Кафе «Дастархан»", "Алматы, пр. Абая, 10", "almaty", "public-catering", 80),
    (101, "Кинотеатр «Арман»", "Нур-Султан, ул. Кенесары, 42", "nur-sultan", "cinemas", 300),
    (101, "Фитнес «Шымкент Спорт»", "Шымкент, ул. Тауке хана, 5", "shymkent", "fitness-centres", 120),
    (202, "Отель «Сарыарка»", "Караганда, пр. Бухар-Жырау, 66", "karaganda", "hotels", 150),
    (202, "Бильярд «Кий»", "Караганда, ул. Ерубаева, 20", "karaganda", "billiard-clubs", 40),
    (202, "Банк «Центр» (отделение)", "Алматы, ул. Толе би, 3", "almaty", "banks", 60),
]

# venue name → (entrances, venue phone, days since the QR codes were first issued).
# 20 days: past test mode; 2 days: in test mode (R-VN-5).
DETAILS = {
    "Кафе «Дастархан»": (["Главный вход", "Летняя терраса"], "+77020000011", 20),
    "Кинотеатр «Арман»": (["Главный вход", "Выход к парковке"], "+77020000012", 2),
    "Фитнес «Шымкент Спорт»": (["Главный вход"], "+77020000013", 20),
    "Отель «Сарыарка»": (["Главный вход", "Вход из ресторана"], "+77020000021", 2),
    "Бильярд «Кий»": (["Главный вход"], "+77020000022", 20),
    "Банк «Центр» (отделение)": (["Главный вход"], "+77020000023", 20),
}

# The refusal of R-VN-2: owner-cafe applies for a karaoke with the OKED of its cafe.
REFUSED = {
    "company": 101,
    "name": "Караоке «Дастархан»",
    "address": "Алматы, пр. Абая, 10",
    "region": "almaty",
    "category": "karaoke",
    "oked": "56101",
    "capacity": 30,
    "entrances": ["Вход со двора"],
    "phone": "+77020000014",
    "days_ago": 1,
}


def demo_bin(serial: int) -> str:
    return make_bin(registered=date(2015, 3, 1), entity_kind=4, entity_type=0, serial=serial)


def _notifications() -> dict[tuple[str, str], tuple[str, date]]:
    """(BIN, address) → (number, date) of the mock registry's demo notifications."""
    from ashyq.mocks.demo import DEMO_NOTIFICATIONS  # the mocks' demo imports this module

    return {(n["bin"], n["address"]): (n["number"], n["date"]) for n in DEMO_NOTIFICATIONS}


def _checks(
    *,
    company: Company,
    oked: str,
    okeds: set[str],
    category: Category,
    region: Region,
    address: str,
    notification: tuple[str, date],
    on: date,
) -> list[dict]:
    """The checks as a submission on day `on` would have recorded them."""
    number, notified_on = notification
    registered = rules.CompanyRecord(bin=company.bin, name=company.name, oked=(oked,))
    record = rules.NotificationRecord(number=number, date=notified_on, bin=company.bin, address=address)
    checks = [
        rules.check_company(bin_=company.bin, company=registered),
        rules.check_oked_registered(oked=oked, company=registered),
        rules.check_oked_category(oked=oked, category_code=category.code, matching_codes=okeds),
        *rules.check_notification(number=number, on_date=notified_on, bin_=company.bin, address=address, record=record),
        rules.check_admission(
            category_code=category.code, region_code=region.code, on=on, facts=rules.AdmissionFacts(admitted=True)
        ),
        rules.check_exclusion(excluded=False),
    ]
    names = {"category": {category.code: category.name}, "region": {region.code: region.name}}
    return [check.as_json(names) for check in checks]


def _application(
    *, company, name, address, region, category, oked, capacity, entrances, phone, notification, okeds, at: datetime
) -> Application:
    checks = _checks(
        company=company,
        oked=oked,
        okeds=okeds,
        category=category,
        region=region,
        address=address,
        notification=notification,
        on=timezone.localdate(at),
    )
    approved = all(check["passed"] for check in checks)
    application, _ = Application.objects.get_or_create(
        company=company,
        name=name,
        status=ApplicationStatus.APPROVED if approved else ApplicationStatus.REFUSED,
        defaults={
            "submitted_by": company.owner,
            "submitted_at": at,
            "decided_at": at,
            "address": address,
            "region": region,
            "category": category,
            "oked": oked,
            "notification_number": notification[0],
            "notification_date": notification[1],
            "capacity": capacity,
            "entrances": entrances,
            "phone": phone,
            "checks": checks,
        },
    )
    return application


def seed() -> list[Credential]:
    now = timezone.now()
    owners = {u.username: u for u in User.objects.filter(username__in=[c[0] for c in COMPANIES])}
    regions = {r.code: r for r in Region.objects.all()}
    categories = {c.code: c for c in Category.objects.all()}
    okeds: dict[int, set[str]] = {}
    for code, category_id in OkedCode.categories.through.objects.values_list("okedcode__code", "category_id"):
        okeds.setdefault(category_id, set()).add(code)
    notifications = _notifications()
    companies = {}
    for owner, serial, name in COMPANIES:
        companies[serial], _ = Company.objects.get_or_create(
            bin=demo_bin(serial), defaults={"name": name, "owner": owners[owner]}
        )
    for serial, name, address, region, category, capacity in VENUES:
        entrances, phone, days = DETAILS[name]
        category = categories[category]
        oked = min(okeds.get(category.pk, {""}))
        issued_at = now - timedelta(days=days)
        venue, _ = Venue.objects.get_or_create(
            company=companies[serial],
            name=name,
            defaults={
                "address": address,
                "region": regions[region],
                "category": category,
                "capacity": capacity,
                "oked": oked,
                "phone": phone,
                "created_at": issued_at,
            },
        )
        if venue.application_id is None:
            venue.application = _application(
                company=companies[serial],
                name=name,
                address=address,
                region=venue.region,
                category=category,
                oked=oked,
                capacity=capacity,
                entrances=entrances,
                phone=phone,
                notification=notifications.get((companies[serial].bin, address), ("KZ-DEMO", issued_at.date())),
                okeds=okeds.get(category.pk, set()),
                at=issued_at,
            )
            venue.phone = venue.phone or phone
            venue.oked = venue.oked or oked
            venue.save(update_fields=["application", "phone", "oked"])
        if not venue.entrances.exists():
            Entrance.objects.bulk_create(
                Entrance(venue=venue, name=entrance, position=position) for position, entrance in enumerate(entrances)
            )
        if venue.codes_first_issued_at is None:
            codes_issue(venue=venue, actor=None, now=issued_at)
    company = companies[REFUSED["company"]]
    _application(
        company=company,
        name=REFUSED["name"],
        address=REFUSED["address"],
        region=regions[REFUSED["region"]],
        category=categories[REFUSED["category"]],
        oked=REFUSED["oked"],
        capacity=REFUSED["capacity"],
        entrances=REFUSED["entrances"],
        phone=REFUSED["phone"],
        notification=notifications.get((company.bin, REFUSED["address"]), ("KZ-DEMO", date(2021, 4, 1))),
        okeds=okeds.get(categories[REFUSED["category"]].pk, set()),
        at=now - timedelta(days=REFUSED["days_ago"]),
    )
    return []
