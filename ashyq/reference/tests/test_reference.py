"""The reference data loaded by migration 0002 and the selectors that read it (docs/rules.md §2)."""

import importlib
from datetime import date
from types import SimpleNamespace

import pytest
from django.apps import apps as live_apps
from django.db import connection
from django.urls import reverse

from ashyq.core.models import AuditEvent
from ashyq.reference import data
from ashyq.reference.models import Admission, Category, OkedCode, Region, RegionKind, Tier, Zone, ZoneChange
from ashyq.reference.selectors import admission_for, is_admitted, zone_on
from ashyq.reference.tests.factories import (
    AdmissionFactory,
    CategoryFactory,
    OkedCodeFactory,
    RegionFactory,
    ZoneChangeFactory,
)

pytestmark = pytest.mark.django_db

TIER_A = [
    "public-catering",
    "karaoke",
    "computer-clubs",
    "lottery-clubs",
    "sports-complexes",
    "saunas",
    "fitness-centres",
    "swimming-pools",
    "theatres",
    "philharmonics",
    "concert-halls",
    "cinemas",
    "exhibitions",
    "tourist-transport",
    "oceanarium",
    "childrens-centres",
    "circuses",
    "banquet-halls",  # public catering, see data.py
]
TIER_B = ["billiard-clubs", "bowling-clubs", "spa-centres", "rehearsal-studios", "hotels"]
VOLUNTEERS = ["banks", "universities", "industrial-plants", "private-clinics", "state-bodies"]


def region(code):
    return Region.objects.get(code=code)


def category(code):
    return Category.objects.get(code=code)


def admitted(category_code, region_code, on, zone=None):
    return is_admitted(category=category(category_code), region=region(region_code), on=on, zone=zone)


# --- R-REF-1 Regions --------------------------------------------------------------------


def test_r_ref_1_seventeen_regions_three_cities_fourteen_oblasts():
    assert Region.objects.count() == 17
    assert set(Region.objects.filter(kind=RegionKind.CITY).values_list("code", flat=True)) == {
        "nur-sultan",
        "almaty",
        "shymkent",
    }
    assert Region.objects.filter(kind=RegionKind.OBLAST).count() == 14


def test_r_ref_4_pilot_regions_are_nur_sultan_almaty_karaganda():
    assert set(Region.objects.filter(is_pilot=True).values_list("code", flat=True)) == {
        "nur-sultan",
        "almaty",
        "karaganda",
    }


def test_r_ref_1_every_region_and_category_is_named_in_three_languages():
    for row in [*Region.objects.all(), *Category.objects.all(), *OkedCode.objects.all()]:
        assert row.name_ru and row.name_kk and row.name_en, row.code


# --- R-REF-2 Zones ----------------------------------------------------------------------


def test_r_ref_2_every_region_starts_in_a_zone_on_2021_01_01():
    for row in Region.objects.all():
        assert zone_on(row, date(2021, 1, 1)) in Zone.values, row.code
        assert zone_on(row, date(2020, 12, 31)) is None, row.code


def test_r_ref_2_zone_on_changes_on_the_effective_date():
    area = RegionFactory()
    ZoneChangeFactory(region=area, zone=Zone.YELLOW, effective_from=date(2021, 1, 1))
    ZoneChangeFactory(region=area, zone=Zone.GREEN, effective_from=date(2021, 5, 10))

    assert zone_on(area, date(2021, 5, 9)) == Zone.YELLOW
    assert zone_on(area, date(2021, 5, 10)) == Zone.GREEN
    assert zone_on(area, date(2030, 1, 1)) == Zone.GREEN


def test_r_ref_2_two_changes_on_one_day_the_later_record_wins():
    area = RegionFactory()
    ZoneChangeFactory(region=area, zone=Zone.RED, effective_from=date(2021, 6, 1))
    ZoneChangeFactory(region=area, zone=Zone.YELLOW, effective_from=date(2021, 6, 1))

    assert zone_on(area, date(2021, 6, 1)) == Zone.YELLOW


def test_r_ref_2_zone_on_is_one_query(django_assert_num_queries):
    area = region("almaty")
    with django_assert_num_queries(1):
        zone_on(area, date(2021, 5, 5))


# --- R-REF-3 Categories -----------------------------------------------------------------


@pytest.mark.parametrize("code", TIER_A)
def test_r_ref_3_tier_a_categories(code):
    row = category(code)
    assert (row.tier, row.is_volunteer) == (Tier.A, False)


@pytest.mark.parametrize("code", TIER_B)
def test_r_ref_3_tier_b_categories(code):
    row = category(code)
    assert (row.tier, row.is_volunteer) == (Tier.B, False)


@pytest.mark.parametrize("code", VOLUNTEERS)
def test_r_ref_3_volunteers_have_no_tier(code):
    row = category(code)
    assert (row.tier, row.is_volunteer) == ("", True)


def test_r_ref_3_airports_have_no_tier_and_are_not_volunteers():
    row = category("airports")
    assert (row.tier, row.is_volunteer) == ("", False)


def test_r_ref_3_no_volunteer_category_has_a_tier():
    assert not Category.objects.filter(is_volunteer=True).exclude(tier="").exists()


# --- R-REF-4 Admissions -----------------------------------------------------------------


def test_r_ref_4_fitness_in_a_pilot_region_from_26_february():
    assert not admitted("fitness-centres", "karaganda", date(2021, 2, 25))
    assert admitted("fitness-centres", "karaganda", date(2021, 2, 26))


def test_r_ref_4_fitness_elsewhere_only_when_the_pilot_ends_on_26_april():
    assert not admitted("fitness-centres", "aktobe", date(2021, 2, 26))
    assert not admitted("fitness-centres", "aktobe", date(2021, 4, 25))
    assert admitted("fitness-centres", "aktobe", date(2021, 4, 26))


def test_r_ref_4_the_admission_row_names_its_decree():
    row = admission_for(category=category("fitness-centres"), region=region("aktobe"), on=date(2021, 4, 26), zone=None)
    assert row.region is None
    assert row.admitted_from == date(2021, 4, 26)
    assert "13 Apr 2021" in row.decree


@pytest.mark.parametrize("code", ["cinemas", "public-catering", "theatres", "philharmonics", "banks"])
def test_r_ref_4_pilot_of_14_april(code):
    assert not admitted(code, "almaty", date(2021, 4, 13))
    assert admitted(code, "almaty", date(2021, 4, 14))
    assert not admitted(code, "shymkent", date(2021, 4, 25))
    assert admitted(code, "shymkent", date(2021, 4, 26))


@pytest.mark.parametrize("code", ["tourist-transport", "billiard-clubs", "concert-halls"])
def test_r_ref_4_pilot_of_21_april(code):
    assert not admitted(code, "nur-sultan", date(2021, 4, 20))
    assert admitted(code, "nur-sultan", date(2021, 4, 21))
    assert not admitted(code, "pavlodar", date(2021, 4, 25))
    assert admitted(code, "pavlodar", date(2021, 4, 26))


@pytest.mark.parametrize("zone", [Zone.RED, Zone.YELLOW, None])
def test_r_ref_4_banquet_halls_not_admitted_outside_the_green_zone(zone):
    assert not admitted("banquet-halls", "pavlodar", date(2021, 5, 5), zone=zone)


def test_r_ref_4_banquet_halls_from_5_may_in_the_green_zone():
    assert not admitted("banquet-halls", "pavlodar", date(2021, 5, 4), zone=Zone.GREEN)
    row = admission_for(
        category=category("banquet-halls"), region=region("pavlodar"), on=date(2021, 5, 5), zone="green"
    )
    assert row is not None and row.green_zone_only


@pytest.mark.parametrize("code", ["karaoke", "exhibitions", "sports-complexes", "oceanarium"])
def test_r_ref_4_admitted_everywhere_on_5_may(code):
    assert not admitted(code, "kyzylorda", date(2021, 5, 4), zone=Zone.GREEN)
    assert admitted(code, "kyzylorda", date(2021, 5, 5), zone=Zone.RED)


def test_r_ref_4_almaty_airport_from_21_may():
    assert not admitted("airports", "almaty", date(2021, 5, 20))
    assert admitted("airports", "almaty", date(2021, 5, 21))


@pytest.mark.parametrize(
    ("region_code", "first_day"),
    [
        ("nur-sultan", date(2021, 5, 12)),
        ("shymkent", date(2021, 5, 31)),
        ("turkestan", date(2021, 5, 31)),
        ("mangystau", date(2021, 6, 7)),
        ("kostanay", date(2021, 6, 7)),
    ],
)
def test_r_ref_4_other_airports(region_code, first_day):
    assert not admitted("airports", region_code, date.fromordinal(first_day.toordinal() - 1))
    assert admitted("airports", region_code, first_day)


def test_r_ref_4_no_airport_admission_in_pavlodar():
    assert not admitted("airports", "pavlodar", date(2030, 1, 1), zone=Zone.GREEN)


def test_r_ref_4_lottery_clubs_from_22_may():
    assert not admitted("lottery-clubs", "atyrau", date(2021, 5, 21))
    assert admitted("lottery-clubs", "atyrau", date(2021, 5, 22))


@pytest.mark.parametrize("code", ["childrens-centres", "circuses", "hotels"])
def test_r_ref_4_admitted_everywhere_on_3_june(code):
    assert not admitted(code, "zhambyl", date(2021, 6, 2))
    assert admitted(code, "zhambyl", date(2021, 6, 3))


@pytest.mark.parametrize("code", data.NOT_ADMITTED_IN_SOURCES)
def test_r_ref_4_categories_no_decree_admits_have_no_admission(code):
    assert not Admission.objects.filter(category__code=code).exists()
    assert not admitted(code, "almaty", date(2030, 1, 1), zone=Zone.GREEN)


def test_r_ref_4_every_loaded_row_matches_the_data_module():
    assert Admission.objects.count() == len(data.ADMISSIONS)


def test_r_ref_4_region_specific_admission_does_not_leak_to_another_region():
    admission = AdmissionFactory(admitted_from=date(2021, 7, 1))
    elsewhere = RegionFactory()

    assert is_admitted(category=admission.category, region=admission.region, on=date(2021, 7, 1), zone=None)
    assert not is_admitted(category=admission.category, region=elsewhere, on=date(2021, 7, 1), zone=None)


def test_r_ref_4_a_zone_free_row_is_preferred_to_a_green_zone_only_row():
    admission = AdmissionFactory(region=None, admitted_from=date(2021, 5, 5), green_zone_only=True)
    later = AdmissionFactory(category=admission.category, region=None, admitted_from=date(2021, 6, 1))

    found = admission_for(category=admission.category, region=RegionFactory(), on=date(2021, 6, 1), zone=Zone.GREEN)
    assert found == later


def test_r_ref_4_admission_for_is_one_query(django_assert_num_queries):
    catering, almaty = category("public-catering"), region("almaty")
    with django_assert_num_queries(1):
        admission_for(category=catering, region=almaty, on=date(2021, 5, 5), zone=Zone.RED)
    with django_assert_num_queries(1):
        is_admitted(category=catering, region=almaty, on=date(2021, 5, 5), zone=Zone.RED)


# --- R-REF-5 OKED -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "categories"),
    [
        ("56101", {"public-catering"}),
        ("56300", {"public-catering"}),
        ("56210", {"banquet-halls"}),
        ("93130", {"fitness-centres"}),
        ("59140", {"cinemas"}),
        ("90040", {"theatres", "philharmonics", "concert-halls", "circuses"}),
        ("55101", {"hotels"}),
        ("96040", {"saunas", "spa-centres"}),
        ("92000", {"lottery-clubs"}),
        ("52230", {"airports"}),
    ],
)
def test_r_ref_5_oked_codes_match_their_categories(code, categories):
    oked = OkedCode.objects.get(code=code)
    assert set(oked.categories.values_list("code", flat=True)) == categories


def test_r_ref_5_other_amusement_matches_the_amusement_categories():
    oked = OkedCode.objects.get(code="93290")
    assert {"karaoke", "billiard-clubs", "bowling-clubs", "computer-clubs", "childrens-centres"} <= set(
        oked.categories.values_list("code", flat=True)
    )


def test_r_ref_5_every_tiered_category_has_an_oked_code():
    assert not Category.objects.exclude(tier="").filter(oked_codes__isnull=True).exists()


def test_r_ref_5_codes_are_five_digits():
    for code in OkedCode.objects.values_list("code", flat=True):
        assert len(code) == 5 and code.isdigit(), code


def test_r_ref_5_factory_links_categories():
    gym = CategoryFactory()
    oked = OkedCodeFactory(categories=[gym])
    assert list(oked.categories.all()) == [gym]
    assert not OkedCode.objects.filter(code=oked.code).exclude(pk=oked.pk).exists()


# --- Migration 0002 ---------------------------------------------------------------------


def test_migration_reverse_deletes_what_it_loaded_and_loads_again():
    migration = importlib.import_module("ashyq.reference.migrations.0002_reference_data")
    # The functions use only the editor's connection; SQLite refuses a real schema editor
    # inside the test's transaction.
    schema_editor = SimpleNamespace(connection=connection)
    migration.unload_reference_data(live_apps, schema_editor)
    assert (Region.objects.count(), Category.objects.count(), OkedCode.objects.count()) == (0, 0, 0)
    assert not Admission.objects.exists() and not ZoneChange.objects.exists()

    migration.load_reference_data(live_apps, schema_editor)
    assert Region.objects.count() == len(data.REGIONS)
    assert Admission.objects.count() == len(data.ADMISSIONS)
    assert OkedCode.categories.through.objects.count() == sum(len(row["categories"]) for row in data.OKED_CODES)


def test_data_module_refers_only_to_known_codes():
    regions = {row["code"] for row in data.REGIONS}
    categories = {row["code"] for row in data.CATEGORIES}
    assert set(data.INITIAL_ZONES) == regions
    assert set(data.PILOT_REGIONS) <= regions
    for row in data.ADMISSIONS:
        assert row["category"] in categories and row["region"] in regions | {None}
    for row in data.OKED_CODES:
        assert set(row["categories"]) <= categories


# --- Admin ------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Region, ZoneChange, Category, Admission, OkedCode])
def test_admin_pages_open_for_a_superuser(admin_client, model):
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert (changelist.status_code, add.status_code) == (200, 200)


def test_admin_region_page_opens(admin_client):
    response = admin_client.get(reverse("admin:reference_region_change", args=[region("almaty").pk]))
    assert response.status_code == 200


def test_admin_zone_change_is_saved_through_the_audited_service(admin_client, admin_user):
    area = region("pavlodar")
    response = admin_client.post(
        reverse("admin:reference_zonechange_add"),
        {"region": area.pk, "zone": Zone.GREEN, "effective_from": "2021-06-01"},
    )
    assert response.status_code == 302
    change = ZoneChange.objects.get(region=area, effective_from=date(2021, 6, 1))
    assert change.set_by == admin_user
    assert zone_on(area, date(2021, 6, 1)) == Zone.GREEN
    assert AuditEvent.objects.filter(action="zone.set", object_id=str(change.pk)).exists()


def test_admin_region_inline_adds_a_zone_change_and_keeps_the_old_one(admin_client, admin_user):
    area = region("pavlodar")
    first = area.zone_changes.get()
    url = reverse("admin:reference_region_change", args=[area.pk])
    form = {
        "code": area.code,
        "kind": area.kind,
        "name_ru": area.name_ru,
        "name_kk": area.name_kk,
        "name_en": area.name_en,
        "zone_changes-TOTAL_FORMS": "2",
        "zone_changes-INITIAL_FORMS": "1",
        "zone_changes-0-id": first.pk,
        "zone_changes-0-region": area.pk,
        "zone_changes-0-zone": Zone.RED,  # ignored: history is read-only
        "zone_changes-0-effective_from": "2020-01-01",
        "zone_changes-1-region": area.pk,
        "zone_changes-1-zone": Zone.GREEN,
        "zone_changes-1-effective_from": "2021-07-01",
    }

    response = admin_client.post(url, form)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    first.refresh_from_db()
    assert (first.zone, first.effective_from) == (data.INITIAL_ZONES["pavlodar"], data.INITIAL_ZONES_FROM)
    added = area.zone_changes.get(effective_from=date(2021, 7, 1))
    assert (added.zone, added.set_by) == (Zone.GREEN, admin_user)
    assert AuditEvent.objects.filter(action="zone.set", object_id=str(added.pk)).exists()
