"""Operators edit the reference data of docs/rules.md §2 here (R-REF-1 to R-REF-5).

Zone changes are history (R-REF-2): they are added, through `zone_set` so that each one
is audited, and never edited or deleted.
"""

from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ashyq.reference.models import Admission, Category, OkedCode, OperatingRule, Region, Zone, ZoneChange
from ashyq.reference.services import zone_set


def _record_zone_change(request, change: ZoneChange) -> None:
    """Save a zone change typed in the admin through the service, which audits it."""
    saved = zone_set(region=change.region, zone=change.zone, effective_from=change.effective_from, actor=request.user)
    change.pk = saved.pk


class ZoneChangeInline(admin.TabularInline):
    model = ZoneChange
    fields = ["zone", "effective_from", "set_by", "created_at"]
    readonly_fields = ["set_by", "created_at"]
    ordering = ["-effective_from", "-id"]
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name_ru", "name_kk", "name_en", "code", "kind", "is_pilot", "zone_today"]
    list_filter = ["kind", "is_pilot"]
    search_fields = ["code", "name_ru", "name_kk", "name_en"]
    ordering = ["kind", "name_ru"]
    inlines = [ZoneChangeInline]

    def get_queryset(self, request):
        # The zone of every row in the list query, not one query per row.
        today = ZoneChange.objects.filter(region=OuterRef("pk"), effective_from__lte=timezone.localdate())
        latest = today.order_by("-effective_from", "-id").values("zone")[:1]
        return super().get_queryset(request).annotate(zone_today=Subquery(latest))

    @admin.display(description=_("zone today"), ordering="zone_today")
    def zone_today(self, obj):
        return Zone(obj.zone_today).label if obj.zone_today else "—"

    def save_formset(self, request, form, formset, change):
        if formset.model is not ZoneChange:
            return super().save_formset(request, form, formset, change)
        for zone_change in formset.save(commit=False):  # only new rows: the inline edits none
            _record_zone_change(request, zone_change)
        formset.save_m2m()


@admin.register(ZoneChange)
class ZoneChangeAdmin(admin.ModelAdmin):
    list_display = ["region", "zone", "effective_from", "set_by", "created_at"]
    list_filter = ["zone", "region__kind", "region"]
    search_fields = ["region__code", "region__name_ru", "region__name_kk", "region__name_en"]
    ordering = ["region__name_ru", "-effective_from", "-id"]
    date_hierarchy = "effective_from"
    list_select_related = ["region", "set_by"]
    fields = ["region", "zone", "effective_from", "set_by", "created_at"]
    readonly_fields = ["set_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        _record_zone_change(request, obj)


class AdmissionInline(admin.TabularInline):
    model = Admission
    fields = ["region", "admitted_from", "green_zone_only", "decree"]
    ordering = ["admitted_from", "region__name_ru"]
    autocomplete_fields = ["region"]
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_ru", "name_kk", "name_en", "code", "tier", "is_volunteer"]
    list_filter = ["tier", "is_volunteer"]
    search_fields = ["code", "name_ru", "name_kk", "name_en"]
    ordering = ["tier", "name_ru"]
    inlines = [AdmissionInline]


@admin.register(Admission)
class AdmissionAdmin(admin.ModelAdmin):
    list_display = ["category", "where", "admitted_from", "green_zone_only", "decree"]
    list_filter = ["green_zone_only", "category__tier", "category__is_volunteer", "category", "region"]
    search_fields = ["category__code", "category__name_ru", "category__name_en", "region__name_ru", "decree"]
    ordering = ["admitted_from", "category__name_ru", "region__name_ru"]
    date_hierarchy = "admitted_from"
    list_select_related = ["category", "region"]
    autocomplete_fields = ["category", "region"]

    @admin.display(description=_("region"), ordering="region__name_ru")
    def where(self, obj):
        return obj.region or _("all regions")


@admin.register(OkedCode)
class OkedCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_en", "category_list"]
    list_filter = ["categories__tier", "categories"]
    search_fields = ["code", "name_ru", "name_kk", "name_en", "categories__name_ru"]
    ordering = ["code"]
    filter_horizontal = ["categories"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    @admin.display(description=_("categories"))
    def category_list(self, obj):
        return ", ".join(str(category) for category in obj.categories.all())


@admin.register(OperatingRule)
class OperatingRuleAdmin(admin.ModelAdmin):
    """R-OP-1: the table of operating conditions, one row per category, zone and
    participants/others; operators edit the rows in place."""

    list_display = ["category", "zone", "for_participants", "may_open", "opens_at", "closes_at", "occupancy_percent"]
    list_editable = ["may_open", "opens_at", "closes_at", "occupancy_percent"]
    list_filter = ["zone", "for_participants", "may_open", "category__tier", "category__is_volunteer", "category"]
    search_fields = ["category__code", "category__name_ru", "category__name_kk", "category__name_en"]
    ordering = ["category__name_ru", "zone", "-for_participants"]
    list_select_related = ["category"]
    autocomplete_fields = ["category"]
