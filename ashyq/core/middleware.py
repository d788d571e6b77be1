from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    """Russian unless the person chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a guard
    whose phone is set to English would get an English door page he did not ask for.
    Ashyq's interface language is Russian by default; the choice is the cookie
    written by the language switcher (django.views.i18n.set_language).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


class AdminAuditMiddleware:
    """§1: operators see everything in the admin, so every admin request they make is
    written to the audit log (who, when, which page, read or write)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/admin/") and user is not None and user.is_authenticated and user.is_staff:
            from ashyq.core.services import audit_record
            from ashyq.logging import mask

            audit_record(
                actor=user,
                action="admin.write" if request.method not in ("GET", "HEAD", "OPTIONS") else "admin.read",
                path=request.path,
                query=mask(request.GET.urlencode())[:500],  # a search may hold an IIN (R-ID-5)
                status=response.status_code,
            )
        return response
