"""The vaccine reference list of 2021 (R-VP-1): data, edited by operators afterwards.

The DCC codes are the EU value sets' where they have one ("Sputnik-V", "CoronaVac",
"EU/1/20/1528", "Gamaleya-Research-Institute", …) and the vaccine's own name where
they have none; "J07BX03" is the ATC code of COVID-19 vaccines."""

from django.db import migrations

VACCINES = [
    # code, name, maker, doses, registry names, DCC mp, DCC ma
    ("sputnik-v", "Sputnik V", "Gamaleya Research Institute", 2, "Спутник V\nGam-COVID-Vac", "Sputnik-V",
     "Gamaleya-Research-Institute"),
    ("sputnik-light", "Sputnik Light", "Gamaleya Research Institute", 1, "Спутник Лайт", "Sputnik-Light",
     "Gamaleya-Research-Institute"),
    ("qazvac", "QazVac", "Research Institute for Biological Safety Problems", 2, "QazCovid-in\nКазВак", "QazVac",
     "RIBSP"),
    ("hayat-vax", "Hayat-Vax", "Gulf Pharmaceutical Industries (Julphar)", 2, "Hayat Vax", "Hayat-Vax",
     "Julphar"),
    ("coronavac", "CoronaVac", "Sinovac Biotech", 2, "Коронавак", "CoronaVac", "Sinovac-Biotech"),
    ("comirnaty", "Comirnaty", "BioNTech / Pfizer", 2, "Pfizer\nPfizer-BioNTech\nПфайзер", "EU/1/20/1528",
     "ORG-100030215"),
]  # fmt: skip


def forwards(apps, schema_editor):
    Vaccine = apps.get_model("vaccinations", "Vaccine")
    for code, name, maker, doses, names, product, manufacturer in VACCINES:
        Vaccine.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "maker": maker,
                "doses": doses,
                "registry_names": names,
                "product": product,
                "manufacturer": manufacturer,
                "prophylaxis": "J07BX03",
            },
        )


def backwards(apps, schema_editor):
    apps.get_model("vaccinations", "Vaccine").objects.filter(code__in=[row[0] for row in VACCINES]).delete()


class Migration(migrations.Migration):
    dependencies = [("vaccinations", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
