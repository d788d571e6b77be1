"""Operators edit the vaccine reference list (R-VP-1) and see the entered records and
revocations; names and identifiers are never shown here (R-ID-5)."""

from django.contrib import admin

from vaccinations.models import Entry, Revocation, Vaccine


@admin.register(Vaccine)
class VaccineAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "maker", "doses", "product", "active"]
    list_filter = ["active", "doses"]
    search_fields = ["name", "code", "registry_names"]


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["uid", "vaccine", "dose", "administered_on", "region", "source", "state", "entered_at"]
    list_filter = ["state", "source", "region", "vaccine"]
    list_select_related = ["vaccine", "region"]
    fields = [
        "uid",
        "vaccine",
        "dose",
        "administered_on",
        "organisation",
        "country",
        "region",
        "source",
        "state",
        "entered_by",
        "entered_at",
        "decided_by",
        "decided_at",
        "reason",
        "corrects",
        "certificate",
    ]
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # entered by medical workers and citizens, audited, through their pages

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Revocation)
class RevocationAdmin(admin.ModelAdmin):
    list_display = ["certificate", "revoked_at", "reason"]
    search_fields = ["certificate"]
    readonly_fields = ["certificate", "revoked_at", "reason"]

    def has_add_permission(self, request):
        return False
