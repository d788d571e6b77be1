"""One-time sign-in codes (R-AU-1) and the mock gateway's outbox."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ashyq.sms.rules import MAX_WRONG_TRIES


class Purpose(models.TextChoices):
    SIGN_IN = "sign_in", _("Sign-in")
    # A company's contact in the business registry confirms a claim of it (venues).
    COMPANY = "company", _("Company confirmation")


class OneTimeCode(models.Model):
    """A code sent by SMS. Only its keyed hash is stored: a database dump gives no code."""

    phone = models.CharField(_("phone"), max_length=16)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.SIGN_IN)
    # Who asked for it: the keyed hash of the client's address (R-AU-1: the limits are the
    # sender's), "" when unknown.
    sender = models.CharField(_("sender (keyed hash)"), max_length=64, blank=True, default="", db_default="")
    code_hash = models.CharField(_("code hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            # The latest code of a phone, and its codes of the last hour.
            models.Index(fields=["phone", "purpose", "-created_at"], name="sms_code_phone_created"),
            # A sender's codes of the last hour; and the purge of old codes.
            models.Index(fields=["sender", "created_at"], name="sms_code_sender_created"),
            models.Index(fields=["created_at"], name="sms_code_created"),
        ]
        constraints = [
            # R-AU-1: the conditional UPDATE keeps this, the database guarantees it.
            models.CheckConstraint(condition=models.Q(attempts__lte=MAX_WRONG_TRIES), name="sms_code_attempts_max"),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="sms_code_expires_after_created"
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class SmsStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class SmsMessage(models.Model):
    """What the console/mock gateway "sent", so a person trying the demo can read his code."""

    phone = models.CharField(_("phone"), max_length=16)
    text = models.CharField(_("text"), max_length=400)
    sent_at = models.DateTimeField(_("sent at"))
    status = models.CharField(_("status"), max_length=10, choices=SmsStatus.choices)

    class Meta:
        verbose_name = _("SMS message (mock gateway)")
        verbose_name_plural = _("SMS messages (mock gateway)")
        indexes = [
            models.Index(fields=["phone", "-sent_at"], name="sms_message_phone_sent"),
            models.Index(fields=["sent_at"], name="sms_message_sent"),  # the purge
        ]

    def __str__(self):
        return f"{self.sent_at:%Y-%m-%d %H:%M} {self.get_status_display()}"
