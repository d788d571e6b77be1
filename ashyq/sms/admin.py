from django.contrib import admin

from ashyq.core.admin import ReadOnlyAdmin
from ashyq.sms.models import OneTimeCode, SmsMessage


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(ReadOnlyAdmin):
    # The code itself is stored only as a keyed hash and is not shown.
    list_display = ["phone", "purpose", "created_at", "expires_at", "attempts", "used_at"]
    list_filter = ["purpose"]
    search_fields = ["phone"]
    date_hierarchy = "created_at"
    exclude = ["code_hash"]


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = ["phone", "sent_at", "status"]
    list_filter = ["status"]
    search_fields = ["phone"]
    date_hierarchy = "sent_at"
    exclude = ["text"]  # it carries sign-in codes
