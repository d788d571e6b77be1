"""python manage.py registry_load FILE.json (or - for stdin): fill the mock registries (R-RG-4).

Talks to the database directly, so the web server need not run. All or nothing: one
bad record and nothing is loaded. The file format is in docs/registries.md.
"""

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ashyq.mocks.services import records_load

MAX_LISTED_ERRORS = 50


class Command(BaseCommand):
    help = "Load records into the mock registries from a JSON file (- reads stdin); all or nothing."
    # Tests hand a file-like object in place of sys.stdin.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", help='A JSON file (see docs/registries.md), or "-" for standard input.')

    def handle(self, *args, file, **options):
        text = self._read(file, options.get("stdin") or sys.stdin)
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise CommandError(f"{file} is not valid JSON: {exc}. Nothing was loaded.") from None
        try:
            counts = records_load(data)
        except ValidationError as exc:
            raise CommandError(self._describe(file, exc.messages)) from None
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Loaded {sum(counts.values())} records."))

    def _read(self, file: str, stdin) -> str:
        if file == "-":
            return stdin.read()
        try:
            with open(file, encoding="utf-8") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}. Nothing was loaded.") from None

    def _describe(self, file: str, messages: list[str]) -> str:
        lines = [f"{file}: {len(messages)} invalid record(s) or field(s); nothing was loaded:"]
        lines += [f"  {message}" for message in messages[:MAX_LISTED_ERRORS]]
        if len(messages) > MAX_LISTED_ERRORS:
            lines.append(f"  … and {len(messages) - MAX_LISTED_ERRORS} more")
        return "\n".join(lines)
