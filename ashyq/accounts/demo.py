"""Demo users: one or more of every role of docs/rules.md §1."""

from django.utils.translation import gettext as _

from ashyq.accounts.models import Role, User
from ashyq.demo import DEMO_PASSWORD, Credential
from ashyq.mocks.demo import DEMO_SUBSCRIBERS
from ashyq.reference.models import Region

# (username, role, region code, extra fields)
STAFF = [
    ("operator", Role.OPERATOR, None, {"is_staff": True, "is_superuser": True}),
    ("commission", Role.COMMISSION, None, {}),
    ("akimat-almaty", Role.AKIMAT, "almaty", {}),
    ("akimat-shymkent", Role.AKIMAT, "shymkent", {}),
    ("akimat-karaganda", Role.AKIMAT, "karaganda", {}),
    ("inspector-almaty", Role.INSPECTOR, "almaty", {}),
    ("inspector2-almaty", Role.INSPECTOR, "almaty", {}),
    ("inspector-shymkent", Role.INSPECTOR, "shymkent", {}),
    ("sanitary-almaty", Role.SANITARY, "almaty", {"email": "sanitary-almaty@ashyq.local"}),
    ("medic-almaty", Role.MEDIC, "almaty", {"organisation": "Городская поликлиника № 1, Алматы"}),
    ("owner-cafe", Role.OWNER, None, {}),
    ("owner-hotel", Role.OWNER, None, {}),
]

# Guards and citizens sign in with a phone and a one-time SMS code (R-AU-1).
PHONES = [
    ("+77010000001", Role.CITIZEN),
    ("+77010000002", Role.CITIZEN),
    ("+77010000003", Role.CITIZEN),
    ("+77010000004", Role.CITIZEN),
    ("+77010000005", Role.CITIZEN),
]


def seed() -> list[Credential]:
    regions = {r.code: r for r in Region.objects.all()}
    credentials = []
    for username, role, region_code, extra in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"role": role, "region": regions.get(region_code), **extra},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        where = f" ({regions[region_code].name})" if region_code else ""
        credentials.append(Credential(f"{Role(role).label}{where}", username, DEMO_PASSWORD))
    for phone, role in PHONES:
        user, created = User.objects.get_or_create(phone=phone, defaults={"role": role, "username": f"phone{phone}"})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        secret = _("one-time code by SMS")
        if phone in DEMO_SUBSCRIBERS:  # the IIN the mobile-subscriber registry has for this phone
            secret = _("code by SMS, then IIN %(iin)s") % {"iin": DEMO_SUBSCRIBERS[phone]}
        credentials.append(Credential(str(Role(role).label), phone, secret))
    return credentials
