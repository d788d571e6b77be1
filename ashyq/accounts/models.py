"""Users of Ashyq and their roles (docs/rules.md §1)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from ashyq.crypto import BlindIndexField, EncryptedCharField


class Role(models.TextChoices):
    OWNER = "owner", _("Business owner")
    # A guard is a citizen whose phone a venue names as its guard phone and who accepted
    # (R-VN-7, venues.Venue.guard_consent): one phone, one person, both.
    CITIZEN = "citizen", _("Citizen")
    AKIMAT = "akimat", _("Akimat staff")
    COMMISSION = "commission", _("Commission secretary")
    INSPECTOR = "inspector", _("Monitoring inspector")
    SANITARY = "sanitary", _("Sanitary officer")
    MEDIC = "medic", _("Medical worker")
    OPERATOR = "operator", _("Operator")


# Staff of one region: they see and change that region's data only (§1).
# A medical worker records doses of anyone (R-VP-2) but confirms self-entries of his own
# region only (R-VP-3), and is counted in its planning figures (R-VP-6).
REGIONAL_ROLES = frozenset({Role.AKIMAT, Role.INSPECTOR, Role.SANITARY, Role.MEDIC})
# Staff who see every region.
NATIONAL_ROLES = frozenset({Role.COMMISSION, Role.OPERATOR})
# Citizens (guards among them) sign in by phone and a one-time SMS code (R-AU-1);
# everyone else has a password (R-AU-3).
PHONE_ROLES = frozenset({Role.CITIZEN})


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CITIZEN, db_index=True)
    region = models.ForeignKey(
        "reference.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("region"),
        help_text=_(
            "Required for akimat staff, inspectors, sanitary officers and medical workers: the only region they see."
        ),
    )
    # R-VP-1: the medical organisation a medical worker records doses for.
    organisation = models.CharField(_("medical organisation"), max_length=200, blank=True, db_default="")
    phone = models.CharField(_("phone"), max_length=16, unique=True, null=True, blank=True)
    # A citizen's IIN, linked once after the phone is verified against the
    # mobile-subscriber registry (R-AU-2); encrypted, found by its blind index (R-ID-5).
    iin = EncryptedCharField(_("IIN"), null=True, blank=True)
    iin_index = BlindIndexField(source="iin", unique=True, null=True, blank=True)
    # The language he last chose with the switcher: e-mails to him are written in it
    # (blank: never chose, Russian, the interface's default).
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default="", db_default=""
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(REGIONAL_ROLES)) | models.Q(region__isnull=False),
                name="user_regional_roles_have_region",
            ),
        ]

    @property
    def is_regional(self) -> bool:
        return self.role in REGIONAL_ROLES

    @property
    def is_national(self) -> bool:
        return self.role in NATIONAL_ROLES or self.is_superuser

    @property
    def mail_language(self) -> str:
        """The language to write to him in: the one he last chose, else the default."""
        return self.language or settings.LANGUAGE_CODE


class KnownAddress(models.Model):
    """R-AU-3: an address a staff member signed in from with his password, as a keyed
    hash (ashyq.accounts.lockout): the per-username cap spares these. Rows unused for
    KNOWN_ADDRESS_DAYS are deleted at the next staff sign-in."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    address = models.CharField(_("address (keyed hash)"), max_length=64)
    last_seen_at = models.DateTimeField(_("last sign-in"))

    class Meta:
        verbose_name = _("known sign-in address")
        verbose_name_plural = _("known sign-in addresses")
        constraints = [models.UniqueConstraint(fields=["user", "address"], name="known_address_unique")]
        indexes = [models.Index(fields=["last_seen_at"], name="known_address_seen")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.last_seen_at:%Y-%m-%d}"
