"""Load the reference data of docs/rules.md §2 (R-REF-1 to R-REF-5) from ashyq.reference.data.

Historical models only: the live models may have changed by the time this runs. After
this migration the rows belong to the operators; later changes go in the admin or in a
new data migration, never by editing this one.
"""

from django.db import migrations

from ashyq.reference import data


def load_reference_data(apps, schema_editor):
    Region = apps.get_model("reference", "Region")
    ZoneChange = apps.get_model("reference", "ZoneChange")
    Category = apps.get_model("reference", "Category")
    Admission = apps.get_model("reference", "Admission")
    OkedCode = apps.get_model("reference", "OkedCode")
    db = schema_editor.connection.alias

    Region.objects.using(db).bulk_create([Region(**row) for row in data.REGIONS])
    # Read the rows back by code: bulk_create sets primary keys only on some backends.
    regions = Region.objects.using(db).in_bulk([row["code"] for row in data.REGIONS], field_name="code")
    ZoneChange.objects.using(db).bulk_create(
        ZoneChange(region=regions[code], zone=zone, effective_from=data.INITIAL_ZONES_FROM)
        for code, zone in data.INITIAL_ZONES.items()
    )

    Category.objects.using(db).bulk_create([Category(**row) for row in data.CATEGORIES])
    categories = Category.objects.using(db).in_bulk([row["code"] for row in data.CATEGORIES], field_name="code")
    Admission.objects.using(db).bulk_create(
        Admission(
            category=categories[row["category"]],
            region=regions[row["region"]] if row["region"] else None,
            admitted_from=row["admitted_from"],
            green_zone_only=row["green_zone_only"],
            decree=row["decree"],
        )
        for row in data.ADMISSIONS
    )

    OkedCode.objects.using(db).bulk_create(
        OkedCode(code=row["code"], name_ru=row["name_ru"], name_kk=row["name_kk"], name_en=row["name_en"])
        for row in data.OKED_CODES
    )
    okeds = OkedCode.objects.using(db).in_bulk([row["code"] for row in data.OKED_CODES], field_name="code")
    Link = OkedCode.categories.through
    Link.objects.using(db).bulk_create(
        Link(okedcode=okeds[row["code"]], category=categories[code])
        for row in data.OKED_CODES
        for code in row["categories"]
    )


def unload_reference_data(apps, schema_editor):
    """Delete what load_reference_data created; zone changes, admissions and OKED links go
    with their regions, categories and codes (CASCADE)."""
    db = schema_editor.connection.alias
    apps.get_model("reference", "OkedCode").objects.using(db).filter(
        code__in=[row["code"] for row in data.OKED_CODES]
    ).delete()
    apps.get_model("reference", "Category").objects.using(db).filter(
        code__in=[row["code"] for row in data.CATEGORIES]
    ).delete()
    apps.get_model("reference", "Region").objects.using(db).filter(
        code__in=[row["code"] for row in data.REGIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_reference_data, unload_reference_data),
    ]
