"""Who may see and change what: the one place where access is decided.

Views never compare roles or regions by hand. They use `role_required` for "only
these roles may open this page", and the scope functions below for "which rows of a
region-bound table this user may reach" — so a regional user who guesses another
region's URL gets the same 404 as for a page that does not exist (existence does not
leak), and a role that may only read gets 403 on a write.
"""

from collections.abc import Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from ashyq.accounts.models import REGIONAL_ROLES, Role

# Roles that may change a region's own data (its zone, its leader list…); the others
# that see a region only read it.
REGION_WRITERS = frozenset({Role.AKIMAT, Role.OPERATOR})


def role_required(*roles: Role):
    """View decorator: anonymous users go to sign-in, other roles get 403."""
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.role not in allowed and not user.is_superuser:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def regions_visible_to(user, regions: QuerySet) -> QuerySet:
    if not user.is_authenticated:
        return regions.none()
    if user.is_national:
        return regions
    if user.role in REGIONAL_ROLES:
        return regions.filter(pk=user.region_id)
    return regions.none()


def scope_to_region(user, queryset: QuerySet, region_field: str = "region") -> QuerySet:
    """Rows of any region-bound table that `user` may see (`region_field` is the
    lookup path to the row's region, e.g. "venue__region")."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_national:
        return queryset
    if user.role in REGIONAL_ROLES:
        return queryset.filter(**{f"{region_field}_id": user.region_id})
    return queryset.none()


def get_region_for_user(user, code: str, *, write: bool = False):
    """The region `code` if `user` may see it; 404 otherwise, 403 on a write by a
    role that only reads."""
    from ashyq.reference.models import Region

    region = Region.objects.visible_to(user).filter(code=code).first()
    if region is None:
        raise Http404
    if write and not can_write_region(user):
        raise PermissionDenied
    return region


def can_write_region(user) -> bool:
    return user.is_superuser or user.role in REGION_WRITERS


def roles_in(user, roles: Iterable[Role]) -> bool:
    return user.is_authenticated and (user.role in set(roles) or user.is_superuser)
