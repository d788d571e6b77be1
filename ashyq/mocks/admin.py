"""The mock registries in the admin: records can be added and changed (each save is a
new feed entry, through services.record_save), and the failure switch is editable."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from ashyq.core.admin import ReadOnlyAdmin
from ashyq.mocks.models import (
    NAMES,
    CompanyRecord,
    ContactRecord,
    MockCursor,
    MockFailure,
    NotificationRecord,
    PcrRecord,
    SubscriberRecord,
    VaccinationRecord,
)
from ashyq.mocks.records import FIELDS, clean_record
from ashyq.mocks.services import record_save


class RecordForm(forms.ModelForm):
    """Checks a record as a load file's would be checked, so save_model cannot fail."""

    def clean(self):
        cleaned = super().clean()
        name = NAMES[self._meta.model]
        try:
            clean_record(name, {field: cleaned.get(field) for field in FIELDS[name]})
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return cleaned


class RecordAdmin(admin.ModelAdmin):
    form = RecordForm
    readonly_fields = ["seq", "changed_at"]
    date_hierarchy = "changed_at"
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        record_save(obj)

    def has_delete_permission(self, request, obj=None):
        # The feed has no deletions: a deleted record would linger in every client.
        return False


@admin.register(PcrRecord)
class PcrRecordAdmin(RecordAdmin):
    list_display = ["id", "iin", "passport", "country", "result", "sampled_at", "resulted_at", "seq", "changed_at"]
    list_filter = ["result", "country"]
    search_fields = ["=iin", "=passport"]


@admin.register(ContactRecord)
class ContactRecordAdmin(RecordAdmin):
    list_display = ["id", "iin", "contact_date", "registered_at", "seq", "changed_at"]
    list_filter = ["contact_date"]
    search_fields = ["=iin"]


@admin.register(VaccinationRecord)
class VaccinationRecordAdmin(RecordAdmin):
    list_display = ["id", "iin", "vaccine", "dose", "doses_in_scheme", "administered_on", "seq", "changed_at"]
    list_filter = ["vaccine", "dose", "doses_in_scheme"]
    search_fields = ["=iin"]


@admin.register(SubscriberRecord)
class SubscriberRecordAdmin(RecordAdmin):
    list_display = ["phone", "iin", "seq", "changed_at"]
    search_fields = ["=phone", "=iin"]


@admin.register(CompanyRecord)
class CompanyRecordAdmin(RecordAdmin):
    list_display = ["bin", "name", "oked", "seq", "changed_at"]
    search_fields = ["=bin", "name"]


@admin.register(NotificationRecord)
class NotificationRecordAdmin(RecordAdmin):
    list_display = ["number", "date", "bin", "address", "seq", "changed_at"]
    list_filter = ["date"]
    search_fields = ["=number", "=bin", "address"]


@admin.register(MockFailure)
class MockFailureAdmin(admin.ModelAdmin):
    list_display = ["registry", "error_rate", "latency_ms", "malformed_rate", "bad_record_rate", "seed", "requests"]
    list_editable = ["error_rate", "latency_ms", "malformed_rate", "bad_record_rate", "seed"]
    list_filter = ["registry"]
    search_fields = ["registry"]
    readonly_fields = ["requests"]


@admin.register(MockCursor)
class MockCursorAdmin(ReadOnlyAdmin):
    list_display = ["registry", "last"]
    search_fields = ["registry"]
