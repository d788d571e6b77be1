"""Factories of the reference models. Codes never clash with the rows migration 0002 loads."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from ashyq.reference.models import Admission, Category, OkedCode, Region, RegionKind, Tier, Zone, ZoneChange


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"test-region-{n}")
    kind = RegionKind.OBLAST
    is_pilot = False
    name_ru = factory.Sequence(lambda n: f"Тестовая область {n}")
    name_kk = factory.Sequence(lambda n: f"Сынақ облысы {n}")
    name_en = factory.Sequence(lambda n: f"Test Region {n}")

    class Params:
        city = factory.Trait(kind=RegionKind.CITY)


class ZoneChangeFactory(DjangoModelFactory):
    class Meta:
        model = ZoneChange

    region = factory.SubFactory(RegionFactory)
    zone = Zone.GREEN
    effective_from = date(2021, 1, 1)


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"test-category-{n}")
    tier = Tier.A
    is_volunteer = False
    name_ru = factory.Sequence(lambda n: f"Тестовая категория {n}")
    name_kk = factory.Sequence(lambda n: f"Сынақ санаты {n}")
    name_en = factory.Sequence(lambda n: f"Test category {n}")

    class Params:
        volunteer = factory.Trait(is_volunteer=True, tier="")
        untiered = factory.Trait(tier="")


class AdmissionFactory(DjangoModelFactory):
    """An admission in one region; pass `region=None` for every region."""

    class Meta:
        model = Admission

    category = factory.SubFactory(CategoryFactory)
    region = factory.SubFactory(RegionFactory)
    admitted_from = date(2021, 4, 26)
    green_zone_only = False
    decree = "Test decree"


class OkedCodeFactory(DjangoModelFactory):
    """Codes 0xxxx: section A (agriculture), which the loaded data never uses."""

    class Meta:
        model = OkedCode
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"0{n % 10000:04d}")
    name_ru = factory.Sequence(lambda n: f"Тестовый вид деятельности {n}")
    name_kk = factory.Sequence(lambda n: f"Сынақ қызмет түрі {n}")
    name_en = factory.Sequence(lambda n: f"Test activity {n}")

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)
