"""What every app shares: the audit log and the worker's heartbeat."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who did what, when (R-PR-3, R-MN audit, admin overrides).

    `details` holds ids, colours and reasons — never a personal identifier in clear
    (R-ID-5): callers pass masked values or blind indexes.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    region = models.ForeignKey(
        "reference.Region",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["action", "-at"], name="audit_action_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class WorkerHeartbeat(models.Model):
    """A row written by a periodic task: proof that beat and a worker are alive."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    hostname = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        indexes = [
            # A worker's own health check: its latest heartbeat (ashyq.core.selectors).
            models.Index(fields=["hostname", "-at"], name="heartbeat_host_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.hostname} {timezone.localtime(self.at):%Y-%m-%d %H:%M:%S}"


class OutboxMessage(models.Model):
    """A task to run, written in the same transaction as the change that asks for it
    (the transactional outbox, ashyq.queue): a broker that is down or hangs when the
    change commits loses nothing, and the relay sends it once the broker is back.

    `claimed_until`: a worker hands the task over to Celery while it holds the claim; a
    worker killed meanwhile lets the claim lapse, and the relay sends the message again.
    `done_at`: when the task was handed over; from then on Celery runs it, with the
    task's own retry policy.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The relay's scan: the pending messages, oldest first.
            models.Index(fields=["created_at"], condition=models.Q(done_at__isnull=True), name="outbox_pending"),
            models.Index(fields=["done_at"], name="outbox_done_at"),  # the purge
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.id}"
