"""python manage.py vaccination_certificate IIN: that person's current certificate (R-VP-4).

Prints the "HC1:…" text on its first line; exits non-zero for an invalid IIN or a
person with no confirmed vaccination. Nothing else is printed about the person.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ashyq.identifiers import parse_iin
from vaccinations.selectors import certificate_for


class Command(BaseCommand):
    help = "Print a person's current vaccination certificate (HC1:…) on the first line."

    def add_arguments(self, parser):
        parser.add_argument("iin")

    def handle(self, *args, iin: str, **options):
        try:
            number = parse_iin(iin).number
        except ValidationError as exc:
            raise CommandError(f"Not a valid IIN: {exc.messages[0]}") from None
        text = certificate_for(iin=number, now=timezone.now())
        if not text:
            raise CommandError("This person has no confirmed vaccination.")
        self.stdout.write(text)
