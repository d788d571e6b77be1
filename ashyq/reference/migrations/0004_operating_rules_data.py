"""Seed the table of operating conditions (R-OP-1) for every category × zone ×
participants/others.

DEMO VALUES: plausible figures shaped after the 2021 decrees, not any decree's text. The
rows belong to the operators, who edit them in the admin; later changes go there or in
a new data migration, never by editing this one. Hours: `closes` at or before `opens`
means past midnight; 00:00–00:00 is round the clock (see OperatingRule).
"""

from datetime import time

from django.db import migrations

H = time  # shorthand: H(8) is 08:00
ROUND_THE_CLOCK = (H(0), H(0))

# zone -> (participants, others): (may_open, opens, closes, occupancy %)
DEFAULT = {
    "green": ((True, H(8), H(2), 80), (True, H(8), H(0), 50)),
    "yellow": ((True, H(8), H(0), 50), (True, H(8), H(22), 30)),
    "red": ((True, H(8), H(22), 30), (False, None, None, 0)),
}
# Hotels and airports work round the clock in every zone; only the occupancy changes.
ROUND_THE_CLOCK_PERCENT = {
    "hotels": {"green": (100, 80), "yellow": (80, 50), "red": (50, 30)},
    "airports": {"green": (100, 100), "yellow": (80, 80), "red": (50, 50)},
}
# Volunteers get no participants' preferences (R-OP-2): both rows carry the "others"
# values. Essential services among them stay open in the red zone, at day hours.
ESSENTIAL_VOLUNTEERS = {"banks", "private-clinics", "state-bodies", "industrial-plants"}
ESSENTIAL_RED = (True, H(8), H(20), 30)


def _rows(code: str, is_volunteer: bool):
    for zone, (participants, others) in DEFAULT.items():
        if code in ROUND_THE_CLOCK_PERCENT:
            for_p, for_o = ROUND_THE_CLOCK_PERCENT[code][zone]
            participants = (True, *ROUND_THE_CLOCK, for_p)
            others = (True, *ROUND_THE_CLOCK, for_o)
        elif is_volunteer:
            if zone == "red" and code in ESSENTIAL_VOLUNTEERS:
                others = ESSENTIAL_RED
            participants = others
        yield zone, True, participants
        yield zone, False, others


def seed_operating_rules(apps, schema_editor):
    Category = apps.get_model("reference", "Category")
    OperatingRule = apps.get_model("reference", "OperatingRule")
    db = schema_editor.connection.alias
    OperatingRule.objects.using(db).bulk_create(
        [
            OperatingRule(
                category=category,
                zone=zone,
                for_participants=for_participants,
                may_open=may_open,
                opens_at=opens,
                closes_at=closes,
                occupancy_percent=percent,
            )
            for category in Category.objects.using(db).all()
            for zone, for_participants, (may_open, opens, closes, percent) in _rows(
                category.code, category.is_volunteer
            )
        ],
        ignore_conflicts=True,
    )


def unseed_operating_rules(apps, schema_editor):
    apps.get_model("reference", "OperatingRule").objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [("reference", "0003_operating_rule")]

    operations = [migrations.RunPython(seed_operating_rules, unseed_operating_rules)]
