"""Demo records of the mock registries: one person per colour, the demo citizens'
phones, and the companies and sanitary notifications of the demo venues.

Health records are placed relative to the moment of seeding, so that each demo IIN
shows its colour right after `./run`. A second run changes nothing; a run more than
an hour later moves the records back to their places (a new feed entry each), so a
demo machine started days later still shows every colour.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from ashyq.identifiers import make_iin
from ashyq.mocks.models import MODELS
from ashyq.mocks.records import NATURAL_KEYS, clean_record
from ashyq.mocks.services import record_save
from ashyq.reference.data import OKED_CODES
from venues.demo import COMPANIES, VENUES, demo_bin

# One adult per colour (R-ST-1); other apps' demos and tests use these.
DEMO_IIN_RED = make_iin(birth_date=date(1985, 4, 12), sex="male", serial=1001)
DEMO_IIN_YELLOW = make_iin(birth_date=date(1990, 7, 23), sex="female", serial=1002)
DEMO_IIN_GREEN_PCR = make_iin(birth_date=date(1978, 1, 30), sex="male", serial=1003)
DEMO_IIN_GREEN_VACCINATED = make_iin(birth_date=date(1969, 11, 5), sex="female", serial=1004)
DEMO_IIN_BLUE = make_iin(birth_date=date(1995, 3, 17), sex="male", serial=1005)
# A foreigner with a negative PCR (R-ID-4): green.
DEMO_PASSPORT = "C01X00T47"
DEMO_COUNTRY = "DE"

# The demo citizens' phones (ashyq.accounts.demo) and whose they are (R-AU-2): one
# person of every colour can sign in and see it.
DEMO_SUBSCRIBERS = {
    "+77010000001": DEMO_IIN_GREEN_PCR,
    "+77010000002": DEMO_IIN_RED,
    "+77010000003": DEMO_IIN_GREEN_VACCINATED,  # a complete scheme in the registry (R-VP-4)
    "+77010000004": DEMO_IIN_YELLOW,
    "+77010000005": DEMO_IIN_BLUE,  # no record at all: blue (R-ST-1)
}


@dataclass(frozen=True)
class TestPerson:
    """A demo person of one colour, as seed_demo prints him: the guard types the IIN (or
    the passport and country); a citizen signs in with the phone."""

    colour: str  # red, yellow, green, blue
    why: str  # what makes the colour, in a few words (English: the console's language)
    iin: str = ""
    phone: str = ""
    passport: str = ""
    country: str = ""


TEST_PEOPLE = [
    TestPerson("red", "positive PCR two days ago", DEMO_IIN_RED, "+77010000002"),
    TestPerson("yellow", "close contact two days ago", DEMO_IIN_YELLOW, "+77010000004"),
    TestPerson("green", "negative PCR ten hours ago", DEMO_IIN_GREEN_PCR, "+77010000001"),
    TestPerson("green", "vaccinated, scheme complete", DEMO_IIN_GREEN_VACCINATED, "+77010000003"),
    TestPerson("green", "foreigner, negative PCR", passport=DEMO_PASSPORT, country=DEMO_COUNTRY),
    TestPerson("blue", "no PCR on record, no contact", DEMO_IIN_BLUE, "+77010000005"),
]
# R-VP-6: people vaccinated in the registry over the last weeks, so that the planning
# figures have counts above the public threshold (R-PR-5).
DEMO_VACCINATED = 400

# A record moved less than this since the last seed is left alone.
_DRIFT = timedelta(hours=1)

NOTIFICATION_DATE = date(2021, 4, 1)


def _oked_for(category: str) -> str:
    """The first OKED code of the reference data that matches `category` (R-REF-5)."""
    return next(row["code"] for row in OKED_CODES if category in row["categories"])


def _notification_number(index: int) -> str:
    return f"KZ36UCA{index:08d}"


# The refusal demo of R-VN-2: a company registered with retail trade only (47190 is
# in no category of the reference data) that wishes to open a karaoke.
DEMO_OKED_MISMATCH = {
    "bin": demo_bin(303),
    "name": "ТОО «Алтын Сауда»",
    "oked": ["47190"],
    "category": "karaoke",
    "address": "Алматы, ул. Жибек Жолы, 50",
    "notification_number": _notification_number(303),
    # Its contact phone in the business registry: a demo user who registers this company
    # reads the code sent to it in the mock SMS gateway.
    "phone": "+77015550303",
}

# A company no demo account owns, registered with the OKED of public catering and with
# a sanitary notification: a newcomer signs up with its BIN and applies for a café in
# Almaty (R-VN-1…R-VN-3), and the application is approved.
DEMO_NEWCOMER = {
    "bin": demo_bin(404),
    "name": "ТОО «Жаңа Дәм»",
    "oked": _oked_for("public-catering"),
    "category": "public-catering",
    "region": "almaty",
    "address": "Алматы, ул. Сатпаева, 22",
    "notification_number": _notification_number(404),
    # Its contact phone in the business registry: the code that proves control of the
    # company (R-VN-1) is read in the mock SMS gateway.
    "phone": "+77015550404",
}

# One sanitary notification per demo venue (venues.demo.VENUES), with its BIN and address.
DEMO_NOTIFICATIONS = [
    {"number": _notification_number(index), "date": NOTIFICATION_DATE, "bin": demo_bin(serial), "address": address}
    for index, (serial, _name, address, *_rest) in enumerate(VENUES, start=1)
] + [
    {
        "number": demo["notification_number"],
        "date": NOTIFICATION_DATE,
        "bin": demo["bin"],
        "address": demo["address"],
    }
    for demo in (DEMO_OKED_MISMATCH, DEMO_NEWCOMER)
]

# The demo companies with the OKED codes of their venues' categories, and the mismatch.
DEMO_COMPANIES = [
    {
        "bin": demo_bin(serial),
        "name": name,
        "oked": sorted(
            {_oked_for(category) for venue_serial, _n, _a, _r, category, *_ in VENUES if venue_serial == serial}
        ),
    }
    for _owner, serial, name in COMPANIES
] + [
    {key: DEMO_OKED_MISMATCH[key] for key in ("bin", "name", "oked", "phone")},
    {
        "bin": DEMO_NEWCOMER["bin"],
        "name": DEMO_NEWCOMER["name"],
        "oked": [DEMO_NEWCOMER["oked"]],
        "phone": DEMO_NEWCOMER["phone"],
    },
]


def _health_records(now) -> list[tuple[str, dict, dict]]:
    """(registry, fields that find the record, fields placed relative to `now`)."""
    today = timezone.localdate(now)
    return [
        # R-ST-3: red from the sample time of a positive PCR.
        (
            "pcr",
            {"iin": DEMO_IIN_RED, "result": "positive"},
            {"sampled_at": now - timedelta(days=2), "resulted_at": now - timedelta(days=1, hours=8)},
        ),
        # R-ST-4: yellow from the contact's registration.
        (
            "contacts",
            {"iin": DEMO_IIN_YELLOW},
            {"contact_date": today - timedelta(days=2), "registered_at": now - timedelta(days=1)},
        ),
        # R-ST-5: green for 72 hours from the sample of a negative PCR.
        (
            "pcr",
            {"iin": DEMO_IIN_GREEN_PCR, "result": "negative"},
            {"sampled_at": now - timedelta(hours=10), "resulted_at": now - timedelta(hours=4)},
        ),
        # R-ST-5: green from the day after the final dose of the scheme; with the
        # holder's name, organisation and region the registry may send (R-VP-1, R-VP-4).
        (
            "vaccinations",
            {"iin": DEMO_IIN_GREEN_VACCINATED, "vaccine": "QazVac", "dose": 1, "doses_in_scheme": 2},
            {"administered_on": today - timedelta(days=51), **_VACCINATED_HOLDER},
        ),
        (
            "vaccinations",
            {"iin": DEMO_IIN_GREEN_VACCINATED, "vaccine": "QazVac", "dose": 2, "doses_in_scheme": 2},
            {"administered_on": today - timedelta(days=30), **_VACCINATED_HOLDER},
        ),
        *_vaccinated_crowd(today),
        (
            "pcr",
            {"passport": DEMO_PASSPORT, "country": DEMO_COUNTRY, "result": "negative"},
            {"sampled_at": now - timedelta(hours=20), "resulted_at": now - timedelta(hours=12)},
        ),
    ]


_VACCINATED_HOLDER = {
    "family_name": "Сейтқазиева",
    "given_name": "Гүлнар",
    "organisation": "Городская поликлиника № 4",
    "region": "almaty",
}


def _vaccinated_crowd(today: date) -> list:
    """DEMO_VACCINATED people with two doses of Sputnik V three weeks apart, spread over
    the last eight weeks in Almaty and Shymkent (R-VP-6)."""
    records = []
    for n in range(DEMO_VACCINATED):
        iin = make_iin(
            birth_date=date(1960, 1, 1) + timedelta(days=97 * n), sex="male" if n % 2 else "female", serial=2000 + n
        )
        first = today - timedelta(days=49 - (n % 28))
        region = "almaty" if n % 3 else "shymkent"
        for dose, day in ((1, first), (2, first + timedelta(days=21))):
            if day <= today:
                records.append(
                    (
                        "vaccinations",
                        {"iin": iin, "vaccine": "Sputnik V", "dose": dose, "doses_in_scheme": 2},
                        {"administered_on": day, "region": region, "organisation": "Прививочный пункт"},
                    )
                )
    return records


def _drifted(record, placed: dict) -> bool:
    for field, target in placed.items():
        value = getattr(record, field)
        if value is None or (abs(value - target) > _DRIFT if isinstance(target, datetime) else value != target):
            return True
    return False


def _place(name: str, key: dict, placed: dict) -> None:
    record = MODELS[name].objects.filter(**key).order_by("seq").first()
    if record is None:
        record_save(MODELS[name](**key, **placed))
    elif _drifted(record, placed):
        for field, value in placed.items():
            setattr(record, field, value)
        record_save(record)


def _ensure(name: str, values: dict) -> None:
    """The keyed record as given; saved (a feed entry) only when missing or different."""
    key = NATURAL_KEYS[name]
    values = clean_record(name, values)
    record = MODELS[name].objects.filter(**{key: values[key]}).first()
    if record is not None and all(getattr(record, field) == value for field, value in values.items()):
        return
    record = record or MODELS[name]()
    for field, value in values.items():
        setattr(record, field, value)
    record_save(record)


def seed() -> list:
    now = timezone.now()
    for name, key, placed in _health_records(now):
        _place(name, key, placed)
    for phone, iin in DEMO_SUBSCRIBERS.items():
        _ensure("subscribers", {"phone": phone, "iin": iin})
    for company in DEMO_COMPANIES:
        _ensure("companies", company)
    for notification in DEMO_NOTIFICATIONS:
        _ensure("notifications", notification)
    return []
