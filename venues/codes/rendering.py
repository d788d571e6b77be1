"""Images and PDFs of venue QR codes (R-VN-4) and of the information materials (R-VN-8).

Pure functions of plain values: no database, no request. The PDFs embed DejaVu Sans
(vendored under static/fonts/ with its licence), which has every Cyrillic and Kazakh
letter (ә ғ қ ң ө ұ ү һ і); ReportLab's built-in fonts have none of them.
"""

import io
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

import qrcode
from django.contrib.staticfiles import finders
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

QR_TARGET_PX = 600
QR_BORDER_MODULES = 4  # the quiet zone the QR standard asks for
FONT = "AshyqSans"
FONT_BOLD = "AshyqSans-Bold"
KAZAKH_LETTERS = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"

ENTRY_COLOUR = colors.HexColor("#1b7f3b")
EXIT_COLOUR = colors.HexColor("#1d4e89")


@dataclass(frozen=True)
class Poster:
    venue_name: str
    address: str
    entrance_name: str
    direction: str  # "entry" or "exit"
    url: str


# --- QR image --------------------------------------------------------------------------


def qr_image(url: str):
    """The QR code of `url` as a black-and-white PIL image of about 600 px, error
    correction M (15 % of the code may be dirty or torn) and a 4-module quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QR_BORDER_MODULES, box_size=1)
    code.add_data(url, optimize=0)
    code.make(fit=True)
    modules = code.modules_count + 2 * QR_BORDER_MODULES
    code.box_size = max(1, QR_TARGET_PX // modules)
    return code.make_image().get_image().convert("1")


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    qr_image(url).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def qr_version(url: str) -> int:
    """The QR version (size: 17 + 4 × version modules a side) that `url` needs."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    code.add_data(url, optimize=0)
    code.make(fit=True)
    return code.version


# --- Posters -----------------------------------------------------------------------------

# The poster speaks both state languages whatever the owner's interface language: it
# hangs at a door for every visitor. Exit scans are optional (R-CI-4, decree of 13 Apr
# 2021); a guard enters the IIN of a visitor without a phone (R-CI-2).
_DIRECTION_TITLE = {"entry": "ВХОД / КІРУ", "exit": "ВЫХОД / ШЫҒУ"}
_STEPS = {
    "entry": (
        (
            "Как отметиться",
            [
                "Наведите камеру телефона на QR-код и откройте ссылку.",
                "Покажите свой статус на входе.",
                "Нет телефона? Охранник введёт ваш ИИН с вашего согласия.",
            ],
        ),
        (
            "Қалай тіркелу керек",
            [
                "Телефон камерасын QR-кодқа бағыттап, сілтемені ашыңыз.",
                "Кіреберісте мәртебеңізді көрсетіңіз.",
                "Телефоныңыз жоқ па? Күзетші келісіміңізбен ЖСН-іңізді енгізеді.",
            ],
        ),
    ),
    "exit": (
        (
            "Отметка выхода",
            [
                "Наведите камеру телефона на QR-код и откройте ссылку.",
                "Отмечать выход необязательно: без отметки визит закроется сам через 4 часа.",
            ],
        ),
        (
            "Шығуды белгілеу",
            [
                "Телефон камерасын QR-кодқа бағыттап, сілтемені ашыңыз.",
                "Шығуды белгілеу міндетті емес: белгісіз келу 4 сағаттан кейін өздігінен жабылады.",
            ],
        ),
    ),
}


def poster_pdf(poster: Poster) -> bytes:
    """One A4 page: direction, venue, address, entrance, the code large, instructions."""
    return posters_pdf([poster], title=f"{poster.venue_name} — {_DIRECTION_TITLE[poster.direction]}")


def posters_pdf(posters: list[Poster], *, title: str = "Ashyq") -> bytes:
    """Several posters, one per page, to print at once."""
    _register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(title)
    canvas.setAuthor("Ashyq")
    for poster in posters:
        _draw_poster(canvas, poster)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# The poster's layout (R-VN-4): every allowed name (a venue's 300 characters, an
# address's 500, an entrance's 200; ApplicationForm) fits, and the code keeps a size that
# scans from a step away: it takes what is left between the texts and the instructions,
# at most QR_MAX and never less than QR_MIN. Each text has a block of its own; a text
# shrinks to its smallest size, then is cut short with "…", its full wording then in
# small print above the footer.
QR_MAX = 140 * mm
QR_MIN = 95 * mm
MARGIN = 15 * mm
BAND = 30 * mm
FOOTER_Y = MARGIN - 6 * mm  # the baseline of the address line at the foot
# (font sizes, largest first; the block's height): name, address, entrance.
_NAME_FIT = ((22, 20, 18, 16, 14, 12, 11), 30 * mm)
_ADDRESS_FIT = ((13, 12, 11, 10, 9), 12 * mm)
_ENTRANCE_FIT = ((14, 13, 12, 11, 10), 12 * mm)
SMALL_PRINT = 7
ELLIPSIS = "…"
# The line that names the door: for an exit poster "Exit", not "Entrance".
_DOOR_LABEL = {"entry": "Вход / Кіреберіс", "exit": "Выход / Шығу"}
_FULL_LABEL = {"name": "Полное название / Толық атауы", "address": "Адрес / Мекенжай"}


@dataclass(frozen=True)
class Fitted:
    """A text as it fits its block: the size chosen and the text shown (cut short with
    "…" when even the smallest size did not fit: `cut`)."""

    text: str
    size: float
    height: float
    cut: bool


def fit_text(canvas, text: str, *, sizes: tuple[float, ...], width: float, height: float, bold: bool) -> Fitted:
    """The largest of `sizes` at which `text`, wrapped to `width`, is at most `height`
    tall; else the smallest size and the longest start of `text` that fits, with "…".
    A word longer than the line is split (an unbroken 300-letter name fits too)."""
    for size in sizes:
        h = _height(canvas, text, _style(size, bold=bold), width)
        if h <= height:
            return Fitted(text, size, h, cut=False)
    size = sizes[-1]
    style = _style(size, bold=bold)
    low, high = 0, len(text)  # the longest prefix that fits: binary search
    while low < high:
        middle = (low + high + 1) // 2
        if _height(canvas, text[:middle].rstrip() + ELLIPSIS, style, width) <= height:
            low = middle
        else:
            high = middle - 1
    shown = text[:low].rstrip() + ELLIPSIS
    return Fitted(shown, size, _height(canvas, shown, style, width), cut=True)


def _height(canvas, text: str, style: ParagraphStyle, width: float) -> float:
    return Paragraph(_text(text), style).wrapOn(canvas, width, 10_000)[1]


def _draw_poster(canvas: Canvas, poster: Poster) -> None:
    width, height = A4
    inner = width - 2 * MARGIN
    colour = ENTRY_COLOUR if poster.direction == "entry" else EXIT_COLOUR

    canvas.setFillColor(colour)
    canvas.rect(0, height - BAND, width, BAND, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(FONT_BOLD, 40)
    canvas.drawCentredString(width / 2, height - BAND + 10 * mm, _DIRECTION_TITLE[poster.direction])
    canvas.setFillColor(colors.black)

    name = fit_text(canvas, poster.venue_name, sizes=_NAME_FIT[0], width=inner, height=_NAME_FIT[1], bold=True)
    address = fit_text(canvas, poster.address, sizes=_ADDRESS_FIT[0], width=inner, height=_ADDRESS_FIT[1], bold=False)
    door = f"{_DOOR_LABEL[poster.direction]}: {poster.entrance_name}"
    entrance = fit_text(canvas, door, sizes=_ENTRANCE_FIT[0], width=inner, height=_ENTRANCE_FIT[1], bold=True)

    # From the foot up: the footer, the full wording of what was cut short, the steps.
    bottom = FOOTER_Y + 4 * mm
    small = [f"{_FULL_LABEL['name']}: {poster.venue_name}"] if name.cut else []
    small += [f"{_FULL_LABEL['address']}: {poster.address}"] if address.cut else []
    small += [door] if entrance.cut else []
    for line in reversed(small):
        bottom = _paragraph_up(canvas, line, _style(SMALL_PRINT, align=None), MARGIN, bottom, inner) + 1 * mm
    steps_top = _draw_steps(canvas, poster.direction, bottom + 2 * mm, inner)

    # From the band down: name, address, entrance; the code in what is left between.
    y = height - BAND - 6 * mm
    y = _paragraph(canvas, name.text, _style(name.size, bold=True), MARGIN, y, inner)
    y = _paragraph(canvas, address.text, _style(address.size), MARGIN, y - 1 * mm, inner)
    y = _paragraph(canvas, entrance.text, _style(entrance.size, bold=True), MARGIN, y - 2 * mm, inner)
    room = (y - 3 * mm) - (steps_top + 3 * mm)
    size = max(QR_MIN, min(QR_MAX, room))
    top = y - 3 * mm - max(0.0, (room - size) / 2)  # centred in its room
    canvas.drawImage(ImageReader(qr_image(poster.url)), (width - size) / 2, top - size, size, size)

    canvas.setFillColor(colors.HexColor("#555555"))
    footer, size = f"Ashyq · {poster.url}", 8.0
    while size > 5 and pdfmetrics.stringWidth(footer, FONT, size) > inner:  # a long PUBLIC_URL
        size -= 0.5
    canvas.setFont(FONT, size)
    canvas.drawCentredString(width / 2, FOOTER_Y, footer)


def _draw_steps(canvas: Canvas, direction: str, bottom: float, inner: float) -> float:
    """The instructions in two columns (Russian, Kazakh) standing on `bottom`; returns
    their top."""
    column = (inner - 8 * mm) / 2
    blocks = []
    for heading, steps in _STEPS[direction]:
        lines = [(heading, _style(14, bold=True, align=None), 0.0)]
        lines += [(f"{n}. {step}", _style(12, align=None), 1 * mm) for n, step in enumerate(steps, start=1)]
        blocks.append(lines)
    tall = max(sum(_height(canvas, text, style, column) + gap for text, style, gap in lines) for lines in blocks)
    top = bottom + tall
    for index, lines in enumerate(blocks):
        x, y = MARGIN + index * (column + 8 * mm), top
        for text, style, gap in lines:
            y = _paragraph(canvas, text, style, x, y - gap, column)
    return top


def _paragraph(canvas: Canvas, text: str, style: ParagraphStyle, x: float, top: float, width: float) -> float:
    """Draw `text` wrapped to `width` with its top at `top`; return its bottom."""
    paragraph = Paragraph(_text(text), style)
    _, h = paragraph.wrapOn(canvas, width, 10_000)
    paragraph.drawOn(canvas, x, top - h)
    return top - h


def _paragraph_up(canvas: Canvas, text: str, style: ParagraphStyle, x: float, bottom: float, width: float) -> float:
    """Draw `text` wrapped to `width` standing on `bottom`; return its top."""
    paragraph = Paragraph(_text(text), style)
    _, h = paragraph.wrapOn(canvas, width, 10_000)
    paragraph.drawOn(canvas, x, bottom)
    return bottom + h


def _style(size: float, *, bold: bool = False, align=TA_CENTER) -> ParagraphStyle:
    return ParagraphStyle(
        f"s{size}{bold}{align}",
        fontName=FONT_BOLD if bold else FONT,
        fontSize=size,
        leading=size * 1.25,
        alignment=align if align is not None else 0,
        splitLongWords=True,
    )


# --- Documents (guide, rules) -----------------------------------------------------------


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()  # a numbered list after the paragraphs


def document_pdf(*, title: str, lead: str, sections: list[Section], footer: str = "") -> bytes:
    """A plain A4 document: a title, a lead paragraph and sections of text."""
    _register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=str(title),
        author="Ashyq",
        invariant=True,
    )
    body = _style(10.5, align=None)
    body.spaceAfter = 2 * mm
    story = [Paragraph(_text(title), _style(20, bold=True, align=None)), Spacer(1, 3 * mm)]
    story += [Paragraph(_text(lead), _style(12, align=None)), Spacer(1, 4 * mm)]
    for section in sections:
        if section.heading:
            story += [Paragraph(_text(section.heading), _style(14, bold=True, align=None)), Spacer(1, 2 * mm)]
        story += [Paragraph(_text(text), body) for text in section.paragraphs]
        if section.items:
            items = [ListItem(Paragraph(_text(item), body)) for item in section.items]
            story.append(
                ListFlowable(items, bulletType="1", bulletFormat="%s.", bulletFontName=FONT, bulletFontSize=10.5)
            )
        story.append(Spacer(1, 2 * mm))
    if footer:
        story += [Spacer(1, 4 * mm), Paragraph(_text(footer), _style(9, align=None))]
    doc.build(story)
    return buffer.getvalue()


def _text(value) -> str:
    """Paragraph markup of plain (possibly lazy) text."""
    return escape(str(value))


# --- Fonts ---------------------------------------------------------------------------------


def font_path(name: str) -> str:
    path = finders.find(f"fonts/{name}")
    if path is None:
        raise FileNotFoundError(f"static/fonts/{name} is missing")
    return path


@cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, font_path("DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, font_path("DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
