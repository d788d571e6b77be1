from django.contrib import admin

from venues.models import Company, Venue


class VenueInline(admin.TabularInline):
    model = Venue
    extra = 0
    fields = ["name", "address", "region", "category", "capacity"]
    show_change_link = True


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "bin", "owner", "created_at"]
    search_fields = ["name", "bin", "owner__username"]
    raw_id_fields = ["owner"]
    inlines = [VenueInline]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "region", "category", "capacity", "created_at"]
    list_filter = ["region", "category"]
    search_fields = ["name", "address", "company__name", "company__bin"]
    list_select_related = ["company", "region", "category"]
    raw_id_fields = ["company"]
