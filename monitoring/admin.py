"""Admin of monitoring: for looking. Decisions (confirmations, sanctions, appeals) go
through monitoring.services, which audit them, so these pages do not change them."""

from django.contrib import admin

from ashyq.core.admin import ReadOnlyAdmin
from monitoring.models import Appeal, InactivityFlag, Outage, Sanction, Violation, ViolationPhoto


class PhotoInline(admin.TabularInline):
    model = ViolationPhoto
    fields = ["image", "width", "height"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    list_display = ["venue", "kind", "occurred_at", "state", "filed_by", "decided_by"]
    list_filter = ["state", "kind", "venue__region"]
    search_fields = ["venue__name", "venue__company__bin"]
    list_select_related = ["venue", "filed_by", "decided_by"]
    raw_id_fields = ["venue"]
    inlines = [PhotoInline]


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ["venue", "kind", "state", "starts_at", "ends_at", "returned_at"]
    list_filter = ["kind", "state", "venue__region"]
    search_fields = ["venue__name", "venue__company__bin"]
    list_select_related = ["venue"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["sanction", "decision", "filed_at", "decided_by", "decided_at"]
    list_filter = ["decision", "sanction__venue__region"]
    list_select_related = ["sanction__venue", "decided_by"]


@admin.register(InactivityFlag)
class InactivityFlagAdmin(ReadOnlyAdmin):
    list_display = ["venue", "first_day", "last_day", "flagged_at"]
    list_select_related = ["venue"]


@admin.register(Outage)
class OutageAdmin(ReadOnlyAdmin):
    list_display = ["kind", "starts_at", "ends_at", "recorded_by"]
    list_filter = ["kind"]
    list_select_related = ["recorded_by"]
