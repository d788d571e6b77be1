"""python manage.py seed_demo: deterministic demo data for every role.

Each app keeps its own demo data in `<app>/demo.py` with a `seed(out) -> list[Credential]`
function; they run in the order below, in one transaction, and a second run changes
nothing (every row is found by a natural key before it is created).
"""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ashyq.demo import Credential
from ashyq.mocks.demo import DEMO_NEWCOMER, NOTIFICATION_DATE, TEST_PEOPLE

# Later apps rely on the rows of earlier ones.
DEMO_MODULES = [
    "ashyq.accounts.demo",
    "ashyq.mocks.demo",
    "statuses.demo",
    "venues.demo",
    "venues.codes.demo",
    "visitors.demo",
    "monitoring.demo",
    "leaders.demo",
    "vaccinations.demo",
]


class Command(BaseCommand):
    help = "Create the demo data (users of every role, companies, venues) and print the demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo sign-ins.")

    def handle(self, *args, quiet=False, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates accounts with published passwords: never in production.")
        credentials: list[Credential] = []
        with transaction.atomic():
            for path in DEMO_MODULES:
                credentials += import_module(path).seed()
        if not quiet:
            self._print(credentials)

    def _print(self, credentials):
        self.stdout.write(self.style.SUCCESS("Demo sign-ins:"))
        login_width = max(len(c.login) for c in credentials)
        secret_width = max(len(c.secret) for c in credentials)
        for c in credentials:
            self.stdout.write(f"  {c.login:<{login_width}}  {c.secret:<{secret_width}}  {c.role}")
        self.stdout.write(self.style.SUCCESS("Test people (the guard types the IIN; the citizen signs in by phone):"))
        for person in TEST_PEOPLE:
            who = f"IIN {person.iin}" if person.iin else f"passport {person.passport}, country {person.country}"
            phone = f"phone {person.phone}" if person.phone else "no phone: the guard page only"
            self.stdout.write(f"  {person.colour:<6}  {who:<32}  {phone:<30}  {person.why}")
        newcomer = DEMO_NEWCOMER
        self.stdout.write(self.style.SUCCESS("A new owner (Register your company, then New application):"))
        self.stdout.write(f"  BIN {newcomer['bin']} ({newcomer['name']}), OKED {newcomer['oked']}")
        self.stdout.write(
            f"  a public catering venue in Almaty at «{newcomer['address']}», sanitary notification "
            f"№ {newcomer['notification_number']} of {NOTIFICATION_DATE:%d.%m.%Y}"
        )
