"""Operators' view of check-ins, look-ups, door reports and the daily counts.

Everything is read only: check-ins earn benefits (R-LD-1) and look-ups and door
reports are evidence (R-PR-3, R-CI-3); the counts are recomputed from the rows
(R-CI-9). The person is a blind index and is not shown or searchable (R-ID-5).
"""

from django.contrib import admin

from ashyq.core.admin import ReadOnlyAdmin
from visitors.models import DailyStats, DoorReport, RemoteCheck, StatusLookup, Visit, VisitWindow


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["entered_at", "venue", "entrance", "method", "colour", "exited_at", "exit_method"]
    list_filter = ["colour", "method", "exit_method"]
    list_select_related = ["venue", "entrance"]
    fields = ["venue", "entrance", "method", "colour", "entered_at", "exited_at", "exit_method", "user"]
    date_hierarchy = "entered_at"


@admin.register(StatusLookup)
class StatusLookupAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "venue", "colour"]
    list_filter = ["colour"]
    list_select_related = ["actor", "venue"]
    fields = ["at", "actor", "venue", "colour"]
    date_hierarchy = "at"


@admin.register(DoorReport)
class DoorReportAdmin(ReadOnlyAdmin):
    list_display = ["at", "venue", "region", "colour", "mailed_at"]
    list_filter = ["colour", "region"]
    list_select_related = ["venue", "region"]
    fields = ["at", "venue", "region", "colour", "mailed_at"]
    date_hierarchy = "at"


@admin.register(RemoteCheck)
class RemoteCheckAdmin(ReadOnlyAdmin):
    list_display = ["at", "colour", "region"]
    list_filter = ["colour"]
    list_select_related = ["region"]
    date_hierarchy = "at"


@admin.register(DailyStats)
class DailyStatsAdmin(ReadOnlyAdmin):
    list_display = ["day", "region", "checkins", "red_at_door", "yellow_at_door", "remote_checks", "red_remote"]
    list_filter = ["region"]
    list_select_related = ["region"]
    date_hierarchy = "day"


@admin.register(VisitWindow)
class VisitWindowAdmin(ReadOnlyAdmin):
    list_display = ["venue", "until"]
    list_select_related = ["venue"]
    fields = ["venue", "until"]
