"""Demo companies and venues in several regions and categories."""

from datetime import date

from ashyq.accounts.models import User
from ashyq.demo import Credential
from ashyq.identifiers import make_bin
from ashyq.reference.models import Category, Region
from venues.models import Company, Venue

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


def demo_bin(serial: int) -> str:
    return make_bin(registered=date(2015, 3, 1), entity_kind=4, entity_type=0, serial=serial)


def seed() -> list[Credential]:
    owners = {u.username: u for u in User.objects.filter(username__in=[c[0] for c in COMPANIES])}
    regions = {r.code: r for r in Region.objects.all()}
    categories = {c.code: c for c in Category.objects.all()}
    companies = {}
    for owner, serial, name in COMPANIES:
        companies[serial], _ = Company.objects.get_or_create(
            bin=demo_bin(serial), defaults={"name": name, "owner": owners[owner]}
        )
    for serial, name, address, region, category, capacity in VENUES:
        Venue.objects.get_or_create(
            company=companies[serial],
            name=name,
            defaults={
                "address": address,
                "region": regions[region],
                "category": categories[category],
                "capacity": capacity,
            },
        )
    return []
