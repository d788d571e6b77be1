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


def _draw_poster(canvas: Canvas, poster: Poster) -> None:
    width, height = A4
    margin = 15 * mm
    inner = width - 2 * margin
    colour = ENTRY_COLOUR if poster.direction == "entry" else EXIT_COLOUR

    band = 30 * mm
    canvas.setFillColor(colour)
    canvas.rect(0, height - band, width, band, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(FONT_BOLD, 40)
    canvas.drawCentredString(width / 2, height - band + 10 * mm, _DIRECTION_TITLE[poster.direction])

    y = height - band - 6 * mm
    y = _paragraph(canvas, poster.venue_name, _style(22, bold=True), margin, y, inner)
    y = _paragraph(canvas, poster.address, _style(13), margin, y - 1 * mm, inner)
    y = _paragraph(
        canvas, f"Вход / Кіреберіс: {poster.entrance_name}", _style(14, bold=True), margin, y - 2 * mm, inner
    )

    size = 140 * mm
    canvas.drawImage(ImageReader(qr_image(poster.url)), (width - size) / 2, y - 2 * mm - size, size, size)
    y -= 4 * mm + size

    column = (inner - 8 * mm) / 2
    lowest = y
    for index, (heading, steps) in enumerate(_STEPS[poster.direction]):
        x = margin + index * (column + 8 * mm)
        bottom = _paragraph(canvas, heading, _style(14, bold=True, align=None), x, y, column)
        for number, step in enumerate(steps, start=1):
            bottom = _paragraph(canvas, f"{number}. {step}", _style(12, align=None), x, bottom - 1 * mm, column)
        lowest = min(lowest, bottom)

    canvas.setFillColor(colors.HexColor("#555555"))
    canvas.setFont(FONT, 8)
    canvas.drawCentredString(width / 2, margin - 6 * mm, f"Ashyq · {poster.url}")


def _paragraph(canvas: Canvas, text: str, style: ParagraphStyle, x: float, top: float, width: float) -> float:
    """Draw `text` wrapped to `width` with its top at `top`; return its bottom."""
    paragraph = Paragraph(_text(text), style)
    _, h = paragraph.wrapOn(canvas, width, 1000)
    paragraph.drawOn(canvas, x, top - h)
    return top - h


def _style(size: float, *, bold: bool = False, align=TA_CENTER) -> ParagraphStyle:
    return ParagraphStyle(
        f"s{size}{bold}{align}",
        fontName=FONT_BOLD if bold else FONT,
        fontSize=size,
        leading=size * 1.25,
        alignment=align if align is not None else 0,
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
