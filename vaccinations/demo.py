"""The vaccination passport's part of seed_demo (R-VP-2, R-VP-3).

medic-almaty (ashyq.accounts.demo) has recorded the first dose of Sputnik V for the
citizen of +77010000001 (an incomplete scheme), who has entered the second one himself
with a photo: it waits for a medical worker of Almaty. The citizen of +77010000003 has
a complete scheme in the vaccination registry (ashyq.mocks.demo). A second run changes
nothing.
"""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from ashyq.accounts.models import User
from ashyq.demo import Credential
from ashyq.mocks.demo import DEMO_IIN_GREEN_PCR
from ashyq.reference.models import Region
from statuses.persons import person_key
from vaccinations.models import LIVE_STATES, Entry, Vaccine
from vaccinations.services import Person, self_entry_submit, vaccination_record

CITIZEN_PHONE = "+77010000001"


def _document() -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 420), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 620, 400), outline=(40, 90, 160), width=4)
    draw.text((50, 50), "Vaccination certificate / Sputnik V / dose 2", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return SimpleUploadedFile("document.jpg", out.getvalue(), content_type="image/jpeg")


def seed() -> list[Credential]:
    medic = User.objects.filter(username="medic-almaty").first()
    citizen = User.objects.filter(phone=CITIZEN_PHONE).first()
    vaccine = Vaccine.objects.filter(code="sputnik-v").first()
    if medic is None or citizen is None or vaccine is None:
        return []
    now = timezone.now()
    person = person_key(iin=DEMO_IIN_GREEN_PCR)
    live = Entry.objects.filter(person=person, vaccine=vaccine, state__in=LIVE_STATES)
    if not live.filter(dose=1).exists():
        vaccination_record(
            medic=medic, person=Person(iin=DEMO_IIN_GREEN_PCR), vaccine=vaccine, dose=1,
            administered_on=timezone.localdate(now) - timedelta(days=25),
            family_name="Нурланов", given_name="Арман", now=now,
        )  # fmt: skip
    if not live.filter(dose=2).exists():
        # The citizen's own entry: he has linked no IIN yet in the demo, so it is his by the IIN.
        citizen.iin = citizen.iin or DEMO_IIN_GREEN_PCR
        self_entry_submit(
            citizen=citizen, vaccine=vaccine, dose=2, administered_on=timezone.localdate(now) - timedelta(days=3),
            organisation="Поликлиника № 2, Бишкек", country="KG", region=Region.objects.get(code="almaty"),
            family_name="Нурланов", given_name="Арман", photo=_document(), now=now,
        )  # fmt: skip
    return []
