from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ashyq.accounts.models import Role
from venues import rules, services
from venues.models import Application, ApplicationStatus, Company, CompanyClaim, Entrance, Standing, Venue
from venues.selectors import check_names


class VenueInline(admin.TabularInline):
    model = Venue
    extra = 0
    fields = ["name", "address", "region", "category", "capacity"]
    show_change_link = True


class StandingInline(admin.TabularInline):
    """R-VN-9: the venue's standing history, read only: the services write it with the
    facts that change it (manage.py standing_check compares the two)."""

    model = Standing
    extra = 0
    can_delete = False
    fields = readonly_fields = ["kind", "starts_at", "ends_at", "cause", "ref"]
    ordering = ["starts_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EntranceInline(admin.TabularInline):
    model = Entrance
    extra = 0
    fields = ["name", "position"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "bin", "owner", "created_at"]
    search_fields = ["name", "bin", "owner__username"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    inlines = [VenueInline]


@admin.register(CompanyClaim)
class CompanyClaimAdmin(admin.ModelAdmin):
    """Claims of companies by new owners: those the registry gave no phone for, and the
    disputes (a claimant proved control of a company that has an owner). The operator
    gives the company to the claimant (creating it, or moving it from its owner,
    audited) or rejects the claim; the services do it, never a form."""

    list_display = ["name", "bin", "claimant", "state", "created_at", "decided_at", "decided_by"]
    list_filter = ["state"]
    search_fields = ["bin", "name", "claimant__username"]
    list_select_related = ["claimant", "decided_by"]
    readonly_fields = [
        "bin", "name", "claimant", "state", "contact_phone", "code_id", "created_at", "decided_at", "decided_by",
    ]  # fmt: skip
    fields = [*readonly_fields, "note"]
    actions = ["give_to_claimant", "reject"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Give the company to the claimant (moves it from its owner in a dispute)"))
    def give_to_claimant(self, request, queryset):
        self._decide(request, queryset, give=True)

    @admin.action(description=_("Reject the claim"))
    def reject(self, request, queryset):
        self._decide(request, queryset, give=False)

    def _decide(self, request, queryset, *, give: bool) -> None:
        decided = 0
        for claim in queryset:
            try:
                services.company_claim_decide(
                    claim=claim, actor=request.user, give=give, now=timezone.now(), note=claim.note
                )
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{claim}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR)
            else:
                decided += 1
        if decided:
            self.message_user(request, gettext("Decided: %(count)d claim(s).") % {"count": decided}, messages.SUCCESS)


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "region", "category", "capacity", "codes_first_issued_at", "created_at"]
    list_filter = ["region", "category", ("codes_first_issued_at", admin.DateFieldListFilter)]
    search_fields = ["name", "address", "company__name", "company__bin"]
    list_select_related = ["company", "region", "category"]
    raw_id_fields = ["company", "application"]
    readonly_fields = ["codes_first_issued_at", "created_at"]
    inlines = [EntranceInline, StandingInline]


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason of the override"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Why the application is approved despite the failed checks. Kept in the audit log."),
    )


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Applications with their check results; a refusal can be overridden with a
    reason (R-VN-3, audited). Applications are the owners' words: read only here."""

    list_display = ["name", "company", "region", "category", "status", "failed_checks", "submitted_at"]
    list_filter = ["status", "region", "category", ("submitted_at", admin.DateFieldListFilter)]
    search_fields = ["name", "address", "company__name", "company__bin"]
    list_select_related = ["company", "region", "category"]
    date_hierarchy = "submitted_at"
    change_form_template = "venues/admin/application_change_form.html"
    readonly_fields = ["checks_list", "venue_link", "entrance_names"]
    fieldsets = [
        (None, {"fields": ["status", "checks_list", "venue_link", "override_by", "override_reason", "decided_at"]}),
        (
            _("What the owner entered"),
            {
                "fields": [
                    "company",
                    "submitted_by",
                    "submitted_at",
                    "name",
                    "address",
                    "region",
                    "category",
                    "oked",
                    "notification_number",
                    "notification_date",
                    "capacity",
                    "entrance_names",
                    "phone",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing is edited in place: an override goes through its own page.
        return False

    @admin.display(description=_("failed checks"))
    def failed_checks(self, obj: Application) -> str:
        return ", ".join(check.get("code", "") for check in obj.checks if not check.get("passed")) or "—"

    @admin.display(description=_("checks"))
    def checks_list(self, obj: Application) -> str:
        names = check_names(obj.checks)
        rows = (
            (
                "venues-check-ok" if check.get("passed") else "venues-check-failed",
                "✔" if check.get("passed") else "✘",
                rules.check_message(check, names),
            )
            for check in obj.checks
        )
        return format_html("<ul class='venues-checks'>{}</ul>", format_html_join("", "<li class='{}'>{} {}</li>", rows))

    @admin.display(description=_("entrances"))
    def entrance_names(self, obj: Application) -> str:
        return ", ".join(obj.entrances)

    @admin.display(description=_("venue"))
    def venue_link(self, obj: Application) -> str:
        venue = Venue.objects.filter(application=obj).first()
        if venue is None:
            return "—"
        return format_html("<a href='{}'>{}</a>", reverse("admin:venues_venue_change", args=[venue.pk]), venue)

    def get_urls(self):
        override = path(
            "<int:pk>/override/",
            self.admin_site.admin_view(self.override_view),
            name="venues_application_override",
        )
        return [override, *super().get_urls()]

    def override_view(self, request, pk: int):
        application = get_object_or_404(Application.objects.select_related("company", "region"), pk=pk)
        # Overriding a refusal is the operators' decision, whatever admin permissions say.
        if not self.has_view_permission(request, application) or not (
            request.user.is_superuser or request.user.role == Role.OPERATOR
        ):
            raise PermissionDenied
        form = OverrideForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                venue = services.application_override(
                    application=application, actor=request.user, reason=form.cleaned_data["reason"], now=timezone.now()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, gettext("Approved; the venue and its QR codes are created."))
                return redirect("admin:venues_venue_change", venue.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Override the refusal"),
            "opts": self.model._meta,
            "original": application,
            "application": application,
            "failed": [
                rules.check_message(c, check_names(application.checks))
                for c in application.checks
                if not c.get("passed")
            ],
            "form": form,
            "refused": application.status == ApplicationStatus.REFUSED,
        }
        return TemplateResponse(request, "venues/admin/application_override.html", context)
