import factory

from ashyq.accounts.models import REGIONAL_ROLES, Role, User

PASSWORD = "correct-horse-battery"  # noqa: S105 (test credential)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OWNER
    password = factory.django.Password(PASSWORD)
    region = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role in REGIONAL_ROLES),
        yes_declaration=factory.LazyFunction(lambda: _any_region()),
        no_declaration=None,
    )


def _any_region():
    # Transactional tests (live server) empty the tables the data migration filled.
    from ashyq.reference.models import Region
    from ashyq.reference.tests.factories import RegionFactory

    return Region.objects.order_by("id").first() or RegionFactory()


class CitizenFactory(UserFactory):
    role = Role.CITIZEN
    phone = factory.Sequence(lambda n: f"+7701{n:07d}")
    password = factory.django.Password(None)  # unusable: citizens sign in by SMS
