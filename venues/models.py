"""Companies and their venues (DOMAIN.md §6). The application workflow, entrances and
QR codes build on these (Venues issue)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Company(models.Model):
    """A legal entity, identified by its BIN (R-ID-3), with the owner's account."""

    bin = models.CharField(_("BIN"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="companies", verbose_name=_("owner")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return f"{self.name} ({self.bin})"


class Venue(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="venues", verbose_name=_("company"))
    name = models.CharField(_("name"), max_length=300)
    address = models.CharField(_("address"), max_length=500)
    region = models.ForeignKey(
        "reference.Region", on_delete=models.PROTECT, related_name="venues", verbose_name=_("region")
    )
    category = models.ForeignKey(
        "reference.Category", on_delete=models.PROTECT, related_name="venues", verbose_name=_("category")
    )
    capacity = models.PositiveIntegerField(_("capacity (persons)"), validators=[MinValueValidator(1)])
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        indexes = [models.Index(fields=["region", "category"], name="venue_region_category")]
        constraints = [models.CheckConstraint(condition=models.Q(capacity__gte=1), name="venue_capacity_positive")]

    def __str__(self) -> str:
        return self.name
