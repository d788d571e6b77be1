import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from ashyq.accounts.tests.factories import CitizenFactory, UserFactory
from ashyq.sms.models import OneTimeCode, Purpose
from ashyq.sms.rules import CODE_VALIDITY
from ashyq.sms.services import code_digest

__all__ = ["CitizenFactory", "OneTimeCodeFactory", "UserFactory"]


class OneTimeCodeFactory(DjangoModelFactory):
    """A code as code_send stores it; `code` (the clear digits) is only hashed."""

    class Meta:
        model = OneTimeCode

    class Params:
        code = "123456"

    phone = factory.Sequence(lambda n: f"+7702{n:07d}")
    purpose = Purpose.SIGN_IN
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + CODE_VALIDITY)
    code_hash = factory.LazyAttribute(lambda o: code_digest(phone=o.phone, code=o.code))
