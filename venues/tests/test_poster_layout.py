"""The A4 poster of a code (R-VN-4) lays out any name the application form allows (a
venue's 300 characters, an address's 500, an entrance's 200; spaced or one unbroken
word, Kazakh letters included) and keeps its QR code at a size that scans: the poster
is rendered, the code read back from it, and the page checked as it would print.

The page is rebuilt as an image the way a printer would put it on paper: the code
image where the PDF places it, every line of text as a black box where the PDF writes
it. The code must decode from that page, so no text may cover it."""

import io

import pypdf
import pytest
import zxingcpp
from django.core.exceptions import ValidationError
from PIL import Image, ImageDraw
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from venues.codes import rendering
from venues.codes.rendering import Poster, poster_pdf
from venues.forms import ApplicationForm
from venues.models import Company

URL = "https://ashyq.example.kz/q/AQEAAAAGAAAACQAAAQi5WFp3WtvvNX5y"  # a real token's length
SCALE = 2  # pixels per point of the rebuilt page: 144 dpi, a cheap office printer's half
NAME, ADDRESS, ENTRANCE = 300, 500, 200  # the form's limits, checked below


def test_the_limits_below_are_the_forms():
    form = ApplicationForm(companies=Company.objects.none())
    assert (form.fields["name"].max_length, form.fields["address"].max_length) == (NAME, ADDRESS)
    form.cleaned_data = {"entrances": "В" * ENTRANCE}
    assert form.clean_entrances() == ["В" * ENTRANCE]
    form.cleaned_data = {"entrances": "В" * (ENTRANCE + 1)}
    with pytest.raises(ValidationError):
        form.clean_entrances()


def _spaced(word: str, length: int) -> str:
    return ((word + " ") * length)[:length].strip().ljust(length, "ы")


CASES = {
    "short": ("Кафе «Берёзка»", "г. Алматы, ул. Абая, 10", "Главный вход"),
    "238 characters": (_spaced("Кафе Ұлы Дала", 238), "Алматы, пр. Абая, 10", "Главный вход"),
    "longest, spaced": (
        _spaced("Ресторан «Дастархан»", NAME),
        _spaced("Алматы, проспект Абая, дом 10", ADDRESS),
        _spaced("Вход со стороны двора", ENTRANCE),
    ),
    "longest, unbroken": ("Қ" * NAME, "Ә" * ADDRESS, "Ү" * ENTRANCE),
    "longest, Latin": ("W" * NAME, "M" * ADDRESS, "W" * ENTRANCE),
}


def _layout(pdf: bytes):
    """(page size, [(x, y, size, text, bold)] of every text run, [(x, y, width, height)]
    of every image, the images) of a one-page PDF, in points from the bottom left."""
    [page] = pypdf.PdfReader(io.BytesIO(pdf)).pages
    texts, placed = [], []

    def text(value, cm, tm, font, size):
        if value.strip():
            matrix = pypdf.mult(tm, cm)
            bold = "Bold" in str((font or {}).get("/BaseFont", ""))
            texts.append((matrix[4], matrix[5], size * abs(matrix[3] or matrix[0]), value.strip(), bold))

    def operator(op, args, cm, tm):
        if op == b"Do":
            placed.append((cm[4], cm[5], cm[0], cm[3]))

    page.extract_text(visitor_text=text, visitor_operand_before=operator)
    return (float(page.mediabox.width), float(page.mediabox.height)), texts, placed, page.images


def _width(value: str, size: float, bold: bool) -> float:
    return stringWidth(value, rendering.FONT_BOLD if bold else rendering.FONT, size)


def _printed(size, texts, placed, images) -> Image.Image:
    """The page as a printer would put it: white paper, the code image where it is
    placed, every text run a black box of its width and height."""
    width, height = size
    paper = Image.new("L", (int(width * SCALE), int(height * SCALE)), 255)
    for (x, y, w, h), image in zip(placed, images, strict=True):
        scaled = image.image.convert("L").resize((int(w * SCALE), int(h * SCALE)), Image.NEAREST)
        paper.paste(scaled, (int(x * SCALE), int((height - y - h) * SCALE)))
    draw = ImageDraw.Draw(paper)
    for x, y, font_size, value, bold in texts:
        run = _width(value, font_size, bold)
        draw.rectangle(
            [(x * SCALE, (height - y - font_size * 0.8) * SCALE), ((x + run) * SCALE, (height - y) * SCALE)], fill=0
        )
    return paper


@pytest.mark.parametrize("direction", ["entry", "exit"])
@pytest.mark.parametrize("case", list(CASES))
def test_r_vn_4_every_allowed_name_fits_and_the_code_scans_from_the_printed_page(case, direction):
    name, address, entrance = CASES[case]
    (width, height), texts, placed, images = _layout(poster_pdf(Poster(name, address, entrance, direction, URL)))

    [(x, y, w, h)] = placed
    assert w == h and rendering.QR_MIN - 0.5 <= w <= rendering.QR_MAX + 0.5  # at least 95 mm a side
    assert 0 < x and x + w < width and rendering.MARGIN < y and y + h < height - rendering.BAND
    # Nothing is written over the code, off the page, or under the footer's line.
    footer = [t for t in texts if t[3].startswith("Ashyq ·")]
    assert len(footer) == 1
    for tx, ty, size, value, bold in texts:
        assert not (y - 1 < ty < y + h + size), f"text over the code: {value[:40]}"
        assert 0 <= tx and tx + _width(value, size, bold) <= width + 1, value[:40]
        if value != footer[0][3]:
            assert ty > footer[0][1] + footer[0][2], f"text on the footer: {value[:40]}"
    [decoded] = zxingcpp.read_barcodes(_printed((width, height), texts, placed, images))
    assert decoded.text == URL


@pytest.mark.parametrize("case", ["longest, spaced", "longest, unbroken"])
def test_r_vn_4_a_name_cut_short_is_printed_in_full_in_small_print(case):
    name, address, entrance = CASES[case]
    _, texts, _, _ = _layout(poster_pdf(Poster(name, address, entrance, "entry", URL)))
    everything = "".join("".join(t[3].split()) for t in texts)
    assert "…" in everything  # the headline is cut…
    for full in (name, address):  # …and the whole wording is on the page
        assert "".join(full.split()) in everything


def test_r_vn_4_a_short_name_is_large_and_the_code_is_at_its_largest():
    _, texts, placed, _ = _layout(poster_pdf(Poster(*CASES["short"], "entry", URL)))
    [(_, _, w, _)] = placed
    assert w == pytest.approx(rendering.QR_MAX)
    assert max(t[2] for t in texts if "Берёзка" in t[3]) == pytest.approx(22)
    assert "…" not in "".join(t[3] for t in texts)


def test_r_vn_4_the_exit_poster_names_the_door_as_an_exit():
    _, entry_texts, _, _ = _layout(poster_pdf(Poster(*CASES["short"], "entry", URL)))
    _, exit_texts, _, _ = _layout(poster_pdf(Poster(*CASES["short"], "exit", URL)))
    entry, exit_ = " ".join(t[3] for t in entry_texts), " ".join(t[3] for t in exit_texts)
    assert "Вход / Кіреберіс: Главный вход" in entry
    assert "Выход / Шығу: Главный вход" in exit_ and "Кіреберіс" not in exit_


def test_fit_text_shrinks_before_it_cuts():
    from reportlab.pdfgen.canvas import Canvas

    rendering.posters_pdf([])  # registers the fonts
    canvas = Canvas(io.BytesIO())
    sizes, block = (22, 16, 11), 30 * mm
    fits = rendering.fit_text(canvas, "Кафе " * 30, sizes=sizes, width=160 * mm, height=block, bold=True)
    cut = rendering.fit_text(canvas, "Кафе " * 200, sizes=sizes, width=160 * mm, height=block, bold=True)
    assert not fits.cut and fits.size < 22 and fits.height <= block
    assert cut.cut and cut.size == 11 and cut.height <= block and cut.text.endswith("…")
