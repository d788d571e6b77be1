from django.contrib import admin

from ashyq.core.models import AuditEvent, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence and copies of other agencies' data: nobody adds, edits or deletes them
    from the admin; their own services are the only writers."""

    show_full_result_count = False  # no COUNT(*) over millions of rows on every page

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "region", "object_type", "object_id"]
    list_filter = ["action", "region", "object_type"]
    search_fields = ["action", "object_id", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["actor", "region"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["at", "hostname"]
    date_hierarchy = "at"
