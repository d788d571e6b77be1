from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from ashyq.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "region", "phone", "is_active", "last_login"]
    list_filter = ["role", "region", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "phone"]
    list_select_related = ["region"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Ashyq"), {"fields": ("role", "region", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Ashyq"), {"fields": ("role", "region", "phone")}),
    )
