"""The navigation of the base layout: one list per role."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from ashyq.accounts.models import NATIONAL_ROLES, REGIONAL_ROLES, Role

# Set in the session when its phone is a venue's accepted guard phone (R-VN-7,
# venues.codes.views): the "Guard page" link, without a query on every page.
GUARD_SESSION_KEY = "guard_venue"


def _items(user, session):
    yield _("Home"), "core:home", ()
    if not user.is_authenticated or user.role in (Role.OWNER, Role.CITIZEN):
        yield _("Leader Ashyq"), "leaders:public_index", ()
    if not user.is_authenticated:
        yield _("Participants"), "codes:participants", ()
        yield _("Statistics"), "stats:public", ()
        yield _("Check a certificate"), "verify:verify", ()
        return
    if user.role == Role.OWNER:
        yield _("My venues"), "venues:venue_list", ()
        yield _("My applications"), "venues:application_list", ()
    if user.role == Role.CITIZEN:
        yield _("My status"), "visitors:me", ()
        yield _("My check-ins"), "visitors:my_visits", ()
        yield _("Vaccination passport"), "vaccinations_me:passport", ()
    if user.role == Role.MEDIC:
        yield _("Vaccinations"), "vaccinations:medic_home", ()
        yield _("To confirm"), "vaccinations:pending_list", ()
    if user.role in (Role.MEDIC, Role.SANITARY, Role.COMMISSION, Role.OPERATOR):
        yield _("Vaccination figures"), "vaccinations:figures", ()
    if user.role == Role.CITIZEN and session.get(GUARD_SESSION_KEY):
        yield _("Guard page"), "checkin:guard", ()
    if user.role in (Role.SANITARY, Role.COMMISSION, Role.OPERATOR):
        yield _("Door reports"), "checkin:sanitary", ()
    if user.role == Role.INSPECTOR:
        yield _("Monitoring"), "monitoring:venue_search", ()
        yield _("To confirm"), "monitoring:violation_list", ()
    if user.role == Role.AKIMAT:
        yield _("Appeals"), "monitoring:appeal_list", ()
    if user.role in (Role.AKIMAT, Role.COMMISSION, Role.OPERATOR):
        yield _("Participants"), "monitoring_ops:participants", ()
    if user.role in (Role.INSPECTOR, Role.AKIMAT, Role.COMMISSION, Role.OPERATOR):
        yield _("Risk list"), "monitoring_ops:risk", ()
        yield _("Inactivity"), "monitoring_ops:flags", ()
    if user.role in (Role.OPERATOR, Role.AKIMAT, Role.INSPECTOR, Role.COMMISSION):
        yield _("Outages"), "monitoring_ops:outages", ()
    if user.role in (Role.AKIMAT, Role.COMMISSION, Role.OPERATOR):
        yield _("Leader Ashyq"), "leaders:index", ()
    if user.role == Role.AKIMAT and user.region_id:
        yield _("Statistics"), "stats:region", (user.region.code,)
    if user.role in (Role.COMMISSION, Role.OPERATOR):
        yield _("Statistics"), "stats:national", ()
    if user.role in REGIONAL_ROLES and user.role != Role.MEDIC and user.region_id:
        yield _("My region"), "reference:region_detail", (user.region.code,)
    if user.role in NATIONAL_ROLES or user.is_superuser:
        yield _("Regions"), "reference:region_list", ()
    if user.role == Role.OPERATOR or user.is_superuser:
        yield _("System"), "core:system", ()
        yield _("Administration"), "admin:index", ()


def navigation(request):
    # Each language by its own name ("Қазақша", not "Казахский"): the switcher is for
    # someone who may not read the current one.
    context = {
        "interface_languages": settings.LANGUAGES,
        "support": {"url": settings.SUPPORT_URL, "name": settings.SUPPORT_NAME},
    }
    user = getattr(request, "user", None)
    if user is None:
        return context
    links = []
    for label, name, args in _items(user, getattr(request, "session", {})):
        try:
            url = reverse(name, args=args)
        except NoReverseMatch:  # an app that is not wired in this deployment
            continue
        links.append({"label": label, "url": url, "active": request.path == url})
    return {**context, "nav_links": links}
