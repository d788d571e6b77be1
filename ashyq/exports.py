"""CSV and XLSX downloads that no spreadsheet can turn against the person opening them.

Venue names, addresses and reasons are typed by business owners and akimat staff; a
name like `=HYPERLINK("http://evil","x")` opened in Excel or LibreOffice would run as
a formula (CSV/formula injection). Every text cell goes through `neutralise`, in both
formats, so that the two files read the same; numbers stay numbers.
"""

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.db.models import Model, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

# What a spreadsheet reads as the start of a formula (OWASP "CSV injection"); a
# leading tab or carriage return hides one from a quick look at the cell. A line
# feed is included for the same reason.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A cell starts wherever a spreadsheet may split a line: the CSV's comma, but also the
# list separator of the reader's Excel (";" in Russian and Kazakh), a tab, "|", a line
# break. After one of them, past spaces and quotes, a formula start gets a quote too:
# "a;=1+1" opened with ";" as the separator is two cells, "a" and "'=1+1".
_SEPARATORS = ",;\t\r\n|"
_FORMULA_AFTER_SEPARATOR = re.compile(r"(?<=[" + re.escape(_SEPARATORS) + r"])([\s\"']*)(?=[=+\-@])")
# C0 control characters other than tab, LF and CR, and DEL: never meaningful in a
# cell, invalid in XML (XLSX), and a way to slip a formula start past a naive check.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows read per statement while an export streams.
CHUNK = 1000


def in_chunks(queryset: QuerySet, size: int = CHUNK) -> Iterator[Model]:
    """The queryset's rows in its order, read `size` at a time by primary key: its keys
    first (one statement, ordered and filtered as the queryset is), then each chunk's
    rows. Each statement is a short transaction of its own, so a download streamed
    for minutes holds no server-side cursor open (QuerySet.iterator() would, WITH
    HOLD, which a pooler in transaction mode such as PgBouncer cannot keep) and memory
    stays bounded by the keys. A row deleted meanwhile is left out."""
    keys = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(keys), size):
        chunk = keys[start : start + size]
        rows = {row.pk: row for row in queryset.filter(pk__in=chunk).order_by()}
        yield from (rows[key] for key in chunk if key in rows)


def neutralise(value) -> str:
    """The text of a cell, safe to open in a spreadsheet: control characters removed,
    a leading = + - @ tab CR or LF prefixed with a single quote, and so is an = + - @
    after any separator a spreadsheet may split on (`_SEPARATORS`).

    None is the empty string. Callers write real numbers as numbers (`cell_value`);
    a number that reaches this function as text ("-5") is quoted like any text.
    """
    if value is None:
        return ""
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", _CONTROL.sub("", str(value)))
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def cell_value(value) -> int | float | Decimal | str:
    """A number stays a number (booleans are words, not numbers, for the caller to
    choose); a date is ISO text; a moment is local ISO text to the minute; anything
    else is neutralised text."""
    if isinstance(value, bool):
        return neutralise(str(value))
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


class _Echo:
    """A file-like object whose write returns the line instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(header: Sequence, rows: Iterable[Sequence]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: Excel opens UTF-8 (Cyrillic names) correctly only with it
    yield writer.writerow([neutralise(title) for title in header])
    for row in rows:
        yield writer.writerow([cell_value(value) for value in row])


def csv_response(filename: str, header: Sequence, rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """A CSV download streamed row by row (`rows` may be a database iterator)."""
    response = StreamingHttpResponse(_csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def write_xlsx(target, header: Sequence, rows: Iterable[Sequence]) -> None:
    """Write one sheet to `target` (a path or a binary file): every text through
    write_string, so that nothing is ever auto-detected as a formula, URL or number."""
    workbook = xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    sheet = workbook.add_worksheet()
    bold = workbook.add_format({"bold": True})
    sheet.freeze_panes(1, 0)
    for col, title in enumerate(header):
        sheet.write_string(0, col, neutralise(title), bold)
    for row_number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            value = cell_value(value)
            if isinstance(value, str):
                sheet.write_string(row_number, col, value)
            else:
                sheet.write_number(row_number, col, value)
    workbook.close()


def xlsx_response(filename: str, header: Sequence, rows: Iterable[Sequence]) -> FileResponse:
    """An XLSX download. XlsxWriter's constant-memory mode keeps one row in memory; the
    file is built in a temporary file that is removed once it has been sent."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write_xlsx(spool, header, rows)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
