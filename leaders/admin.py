from django.contrib import admin

from leaders.models import Candidate, CandidateList, Decision, Leader, Period


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["starts_on", "ends_on"]


class CandidateInline(admin.TabularInline):
    model = Candidate
    raw_id_fields = ["venue"]
    extra = 0


@admin.register(CandidateList)
class CandidateListAdmin(admin.ModelAdmin):
    list_display = ["period", "region", "status", "computed_at"]
    list_filter = ["status", "region"]
    list_select_related = ["period", "region"]
    inlines = [CandidateInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["number", "date", "recorded_by", "recorded_at"]
    raw_id_fields = ["recorded_by"]


@admin.register(Leader)
class LeaderAdmin(admin.ModelAdmin):
    list_display = ["venue", "decision", "starts_on", "ends_on"]
    list_select_related = ["venue", "decision"]
    raw_id_fields = ["venue", "decision"]
