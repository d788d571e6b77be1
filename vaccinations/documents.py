"""The certificate as a person carries it (R-VP-4): a QR code (PNG) and an A4 PDF."""

import base64
import io
from functools import cache

import qrcode
from django.contrib.staticfiles import finders
from django.utils import dateformat
from django.utils.translation import gettext as _
from qrcode.constants import ERROR_CORRECT_Q
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT, FONT_BOLD = "VaccinationSans", "VaccinationSans-Bold"


def qr_image(text: str, *, box: int = 4):
    """The QR code of a certificate's text: error correction Q (as EU DCC apps print it),
    in alphanumeric mode (base45 uses exactly the QR alphanumeric characters)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=4, box_size=box)
    code.add_data(text, optimize=0)
    code.make(fit=True)
    return code.make_image().get_image().convert("1")


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    qr_image(text).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def qr_data_uri(text: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode()


@cache
def _fonts() -> None:
    for name, file in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
        path = finders.find(f"fonts/{file}")
        if path is None:
            raise FileNotFoundError(f"static/fonts/{file} is missing")
        pdfmetrics.registerFont(TTFont(name, path))


def certificate_pdf(*, text: str, passport, holder: str, birth_date, verify_url: str) -> bytes:
    """One A4 page: the holder, each dose, whether the scheme is complete, and the QR code."""
    _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setTitle(_("Vaccination certificate"))
    width, height = A4
    y = height - 25 * mm
    canvas.setFont(FONT_BOLD, 18)
    canvas.drawString(20 * mm, y, _("COVID-19 vaccination certificate"))
    y -= 10 * mm
    canvas.setFont(FONT, 12)
    for line in (
        holder,
        _("Date of birth: %(day)s") % {"day": dateformat.format(birth_date, "d.m.Y")},
        _("Scheme complete") if passport.complete else _("Scheme not complete"),
    ):
        canvas.drawString(20 * mm, y, line)
        y -= 7 * mm
    y -= 3 * mm
    canvas.setFont(FONT, 10)
    for dose in passport.doses:
        canvas.drawString(
            20 * mm,
            y,
            _("%(vaccine)s, dose %(n)d of %(m)d, %(day)s, %(where)s")
            % {
                "vaccine": dose.vaccine,
                "n": dose.dose,
                "m": dose.doses_in_scheme,
                "day": dateformat.format(dose.administered_on, "d.m.Y"),
                "where": dose.organisation or "—",
            },
        )
        y -= 6 * mm
    side = 110 * mm
    canvas.drawImage(ImageReader(qr_image(text, box=8)), (width - side) / 2, y - side - 5 * mm, side, side)
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(width / 2, y - side - 12 * mm, _("Check it at %(url)s") % {"url": verify_url})
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
