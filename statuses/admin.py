"""Operators' view of the registry sync (R-RG-3, R-ST-9) and of our copy of the registries.

Everything here is read only: the data belongs to the registries, and the sync is the
only writer. Nothing personal can be searched for (the person is a blind index).
"""

from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ashyq.core.admin import ReadOnlyAdmin
from statuses.models import Contact, HistoryDue, PcrResult, QuarantinedRecord, StatusChange, SyncState, Vaccination


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdmin):
    list_display = [
        "registry",
        "last_success_at",
        "lag",
        "is_fresh",
        "last_error_at",
        "short_error",
        "cursor",
        "records_synced",
        "records_skipped",
        "is_running",
    ]
    fields = [
        "registry",
        "last_success_at",
        "last_attempt_at",
        "last_error_at",
        "last_error",
        "cursor",
        "records_synced",
        "records_skipped",
        "version",
        "locked_until",
    ]
    readonly_fields = fields

    @admin.display(description=_("lag"))
    def lag(self, obj: SyncState) -> str:
        if obj.last_success_at is None:
            return _("never synced")
        seconds = int((timezone.now() - obj.last_success_at).total_seconds())
        hours, rest = divmod(max(seconds, 0), 3600)
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"

    @admin.display(description=_("fresh"), boolean=True)
    def is_fresh(self, obj: SyncState) -> bool:
        # R-ST-9: older than REGISTRY_MAX_AGE_MINUTES is stale.
        if obj.last_success_at is None:
            return False
        return (timezone.now() - obj.last_success_at).total_seconds() <= settings.REGISTRY_MAX_AGE_MINUTES * 60

    @admin.display(description=_("last error"))
    def short_error(self, obj: SyncState) -> str:
        return obj.last_error[:120]

    @admin.display(description=_("running"), boolean=True)
    def is_running(self, obj: SyncState) -> bool:
        return bool(obj.locked_until and obj.locked_until > timezone.now())


@admin.register(PcrResult)
class PcrResultAdmin(ReadOnlyAdmin):
    list_display = ["source_id", "positive", "sampled_at", "resulted_at", "changed_at"]
    list_filter = ["positive", ("sampled_at", admin.DateFieldListFilter)]
    date_hierarchy = "sampled_at"
    exclude = ["person"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["source_id", "contact_date", "registered_at", "changed_at"]
    list_filter = [("contact_date", admin.DateFieldListFilter)]
    date_hierarchy = "contact_date"
    exclude = ["person"]


@admin.register(Vaccination)
class VaccinationAdmin(ReadOnlyAdmin):
    list_display = ["source_id", "vaccine", "dose", "doses_in_scheme", "administered_on", "changed_at"]
    list_filter = ["vaccine", ("administered_on", admin.DateFieldListFilter)]
    date_hierarchy = "administered_on"
    exclude = ["person"]


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "colour", "rule", "registry", "record", "recorded_at"]
    list_filter = ["colour", "rule"]
    date_hierarchy = "changed_at"
    exclude = ["person"]


@admin.register(HistoryDue)
class HistoryDueAdmin(ReadOnlyAdmin):
    """R-ST-10: the persons whose history a sync still has to bring in line (the
    backlog of a catch-up; empty between runs). Their number heads the list."""

    list_display = ["marked_at"]
    list_display_links = None  # no row page: a row is a blind index, nothing to read

    def has_view_permission(self, request, obj=None):
        return obj is None and super().has_view_permission(request, obj)  # the list only: a row is a blind index


@admin.register(QuarantinedRecord)
class QuarantinedRecordAdmin(ReadOnlyAdmin):
    """R-RG-4: what the registries sent that could not be applied, for their operators."""

    list_display = ["received_at", "registry", "source_id", "person", "problem"]
    list_filter = ["registry"]
    search_fields = ["source_id"]
    date_hierarchy = "received_at"
