"""The shared CSV/XLSX writer: no text a user typed runs as a formula in a spreadsheet."""

import csv
import io
import re
import zipfile
from datetime import date
from xml.etree import ElementTree

import pytest
from django.db import connection

from ashyq.exports import csv_response, in_chunks, neutralise, xlsx_response
from ashyq.reference.models import Region
from ashyq.reference.tests.factories import RegionFactory

EVIL = '=HYPERLINK("http://evil","x")'
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # the BOM Excel needs for UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def xlsx_cells(content: bytes) -> tuple[list[list[tuple[str, str]]], str]:
    """The first sheet as rows of (type, text), read with the standard library only,
    and the sheet's raw XML."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
        shared = []
        if "xl/sharedStrings.xml" in archive.namelist():
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314 (our own file)
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root.findall("m:si", NS)]
    rows = []
    for row in ElementTree.fromstring(sheet).iter(f"{{{NS['m']}}}row"):  # noqa: S314 (our own file)
        cells = []
        for cell in row.findall("m:c", NS):
            kind = cell.get("t", "n")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
            elif kind == "s":
                text = shared[int(cell.find("m:v", NS).text)]
            else:
                text = cell.find("m:v", NS).text
            cells.append((kind, text))
        rows.append(cells)
    return rows, sheet


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_quoted(start):
    assert neutralise(f"{start}1+2") == f"'{start}1+2"


def test_a_normal_name_is_untouched():
    assert neutralise("Кафе «Дастархан», ул. Абая 10") == "Кафе «Дастархан», ул. Абая 10"
    assert neutralise("a=b") == "a=b"  # only the first character matters
    assert neutralise(None) == ""


def test_control_characters_cannot_hide_a_formula():
    assert neutralise("\x00\x1b=1+2") == "'=1+2"
    assert neutralise("ab\x07c") == "abc"


def test_csv_quotes_a_formula_and_keeps_numbers_and_dates():
    response = csv_response(
        "x.csv", ["Name", "Count", "Day"], iter([[EVIL, 12, date(2021, 5, 10)], ["Кафе", -3, None]])
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    rows = csv_rows(response)
    assert rows[1] == ["'" + EVIL, "12", "2021-05-10"]
    assert rows[2] == ["Кафе", "-3", ""]  # a number written as a number is not quoted


def test_csv_file_name_with_cyrillic_is_encoded():
    response = csv_response("выгрузка.csv", ["a"], iter([]))
    assert "filename*=utf-8''" in response["Content-Disposition"]


def test_xlsx_writes_text_as_strings_never_formulas():
    header = ["Name", "Count"]
    rows = [[EVIL, 5], ["+7 701", 6], ["Кафе", 7]]
    response = xlsx_response("x.xlsx", header, iter(rows))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert 'filename="x.xlsx"' in response["Content-Disposition"]
    cells, sheet = xlsx_cells(b"".join(response.streaming_content))
    assert "<f>" not in sheet and "<f " not in sheet
    assert cells[0] == [("inlineStr", "Name"), ("inlineStr", "Count")]
    assert cells[1][0][1] == "'" + EVIL and cells[1][0][0] in {"inlineStr", "s", "str"}
    assert cells[1][1] == ("n", "5")  # a number stays a number
    assert cells[2][0][1] == "'+7 701"
    assert cells[3][0][1] == "Кафе"


def test_xlsx_header_is_bold_and_frozen():
    response = xlsx_response("x.xlsx", ["Name"], iter([["a"]]))
    content = b"".join(response.streaming_content)
    _cells, sheet = xlsx_cells(content)
    assert 'state="frozen"' in sheet and 'ySplit="1"' in sheet
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "<b/>" in archive.read("xl/styles.xml").decode()


# --- Excel with ";" as its list separator (the Russian and Kazakh default) -----------------------

# What someone types into a name or a reason so that a spreadsheet splitting the line
# on another separator than ours opens a formula in the middle of it.
SEPARATOR_ATTACKS = [
    ";=1+1",
    ";@SUM(1+1)",
    'Кафе;=HYPERLINK("http://evil","x")',
    "a; =1+1",
    'a;"=1+1"',
    "a,=1+1",
    "a,;+1",
    "a\t-1+1",
    "a;\t=1",
    "a|=1+1",
]
_PLAIN_NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?")


def formula_cells(csv_text: str) -> list[str]:
    """The pieces of every line, split as Excel splits a CSV on ";" (ru, kk) or on ","
    (en) without minding quotes, that a spreadsheet would take for a formula: starting
    (after spaces and double quotes) with = + - @, unless a plain number. A single
    quote in front is what makes a cell text."""
    found = []
    for line in csv_text.splitlines():
        for separator in (";", ",", "\t", "|"):
            for piece in line.split(separator):
                text = piece.strip().strip('"').strip()
                if text.startswith(("=", "+", "-", "@")) and not _PLAIN_NUMBER.fullmatch(text):
                    found.append(text)
    return found


@pytest.mark.parametrize("attack", SEPARATOR_ATTACKS)
def test_a_formula_after_any_separator_is_quoted(attack):
    """The attack: `;=1+1` passed the neutraliser (its first character is harmless), and
    Excel with ";" as its list separator opened a formula after the ";"."""
    response = csv_response("x.csv", ["Name", "Reason"], iter([[attack, attack + " reason"]]))
    body = b"".join(response.streaming_content).decode("utf-8")
    assert formula_cells(body) == []


def test_a_separator_before_plain_text_is_untouched():
    assert neutralise("Кафе «Дастархан»; ул. Абая, 10") == "Кафе «Дастархан»; ул. Абая, 10"
    assert neutralise("a;=1") == "a;'=1"
    assert neutralise("a; -1") == "a; '-1"


# --- Reading the rows of a long download ---------------------------------------------


@pytest.mark.django_db
def test_rows_stream_in_the_querysets_order_across_chunks(django_assert_num_queries):
    for n in range(5):
        RegionFactory(code=f"chunk-{n}", name_ru=f"Область {n}")
    regions = Region.objects.filter(code__startswith="chunk-").order_by("-code")
    with django_assert_num_queries(1 + 3):  # the keys, then chunks of 2, 2 and 1
        codes = [region.code for region in in_chunks(regions, size=2)]
    assert codes == [f"chunk-{n}" for n in (4, 3, 2, 1, 0)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side cursors are PostgreSQL's")
def test_a_download_half_streamed_holds_no_cursor_open_behind_a_pooler():
    """A transaction-mode pooler (PgBouncer) hands the server connection to another
    client between two statements: a cursor held across them (WITH HOLD, what
    QuerySet.iterator() opens outside a transaction) would be lost or leak."""
    for n in range(3):
        RegionFactory(code=f"cursor-{n}")
    regions = Region.objects.filter(code__startswith="cursor-").order_by("code")

    def open_cursors() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_cursors")
            return cursor.fetchone()[0]

    held = regions.iterator(chunk_size=1)
    next(held)
    assert open_cursors() == 1  # what the exports used to do
    held.close()
    chunks = in_chunks(regions, size=1)
    next(chunks)
    assert open_cursors() == 0
