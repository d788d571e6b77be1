import logging
import secrets
import threading
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers

db_logger = logging.getLogger("ashyq.database")


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


class DatabaseUnavailableMiddleware:
    """While PostgreSQL is down a request answers at once with a 503 page
    ("try again in a minute", Retry-After), not a 500 or a hang, and the first request
    after it is back works, without restarting anything.

    The broken connection is closed here, so the next request opens a new one (a kept
    one found dead by its first statement is reopened by ashyq.core.db.postgresql). Failing fast is the
    connect timeout's job (DATABASES OPTIONS connect_timeout). The 503 page is a
    static template rendered without the context processors, which would query the
    database again. One warning per outage and process (then at most one every
    LOG_EVERY seconds, with the count since the last), without identifiers: the route,
    never the URL (a QR token) nor the body (an IIN).

    It turns what the view (or its template) raises into the 503. A middleware's own
    query failing on the way out (a modified session's save) is not seen here: Django
    has made it a 500 before any outer middleware gets it. Place it right after
    WhiteNoiseMiddleware, so that the security headers still go on the 503.
    """

    RETRY_AFTER_SECONDS = 60
    LOG_EVERY = 10.0
    # Server-side reasons that mean "not reachable now" (psycopg's sqlstate): class 08
    # is a connection exception; shutting down, crashed, starting up; too many connections.
    UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")

    _lock = threading.Lock()
    _last_logged = None
    _unlogged = 0

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not self.is_unavailable(exception):
            return None
        return self._unavailable(request, exception)

    @classmethod
    def is_unavailable(cls, exc: BaseException) -> bool:
        """Whether `exc` says PostgreSQL cannot be reached (down, restarting, refusing,
        too slow to connect, or the connection was cut), as opposed to a bug or a
        conflict of ours (a deadlock, a lock or statement timeout, a missing table),
        which stay 500s. SQLite's errors never count: its file is part of the process."""
        import psycopg

        if isinstance(exc, InterfaceError):  # "the connection is closed"
            return True
        cause = exc.__cause__
        if not isinstance(exc, OperationalError) or not isinstance(cause, psycopg.Error):
            return False
        # No sqlstate: a client-side failure (refused, connection timeout, the server
        # closed the connection unexpectedly).
        return cause.sqlstate is None or cause.sqlstate.startswith(cls.UNAVAILABLE_SQLSTATES)

    def _unavailable(self, request, exception):
        self._close_connections()
        # The middlewares on the way out must not query again: the audit middleware
        # reads request.user, which would load the session from the database.
        request.user = AnonymousUser()
        self._log(request, exception)
        content = loader.render_to_string("503.html")
        response = HttpResponse(content, status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response

    @staticmethod
    def _close_connections():
        for conn in connections.all(initialized_only=True):
            if conn.in_atomic_block:  # a transaction still open (a test's): Django ends it
                continue
            try:
                conn.close()
            except DatabaseError:
                pass

    @classmethod
    def _log(cls, request, exception):
        now = time.monotonic()
        with cls._lock:
            cls._unlogged += 1
            if cls._last_logged is not None and now - cls._last_logged < cls.LOG_EVERY:
                return
            count, cls._unlogged, cls._last_logged = cls._unlogged, 0, now
        match = getattr(request, "resolver_match", None)
        db_logger.warning(
            "Database unavailable (%s): %d request(s) answered 503 since the last report, the last %s %s.",
            type(exception.__cause__ or exception).__name__,
            count,
            request.method,
            match.route if match else "(not resolved)",
        )


class PostedAdminSearchMiddleware:
    """R-ID-5: an admin search may hold an IIN (the mock registries are searched by it,
    a BIN may be one), and a URL reaches the web server's access log. So the admin's
    search box posts (templates/admin/search_form.html); the term is kept in the
    operator's session under a random token, and the changelist is opened with
    `?q=~<token>`. Here the token is read back into the term before the admin's view
    runs, and put back in its place in every link the page draws (pages, sorting,
    filters, and the way back from an object), so that no URL ever holds the term.

    Place it after the session, authentication and CSRF middleware (the post is
    CSRF-checked before its process_view runs)."""

    FIELD = "_posted_search"  # the search form's marker field
    PREFIX = "~"
    SESSION_KEY = "admin_searches"
    KEPT = 20  # the operator's last searches; older tokens open an empty search

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path.startswith(reverse("admin:index")):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return None  # the admin sends the stranger to its sign-in
        if request.method == "POST" and self.FIELD in request.POST:
            return self._keep(request)
        token = request.GET.get(SEARCH_VAR, "")
        if request.method == "GET" and token.startswith(self.PREFIX):
            query = request.GET.copy()
            query[SEARCH_VAR] = request.session.get(self.SESSION_KEY, {}).get(token[len(self.PREFIX) :], "")
            request.ashyq_search_token = token
            request.GET = query
        return None

    def _keep(self, request):
        searches = dict(request.session.get(self.SESSION_KEY, {}))
        key = secrets.token_urlsafe(9)
        searches[key] = request.POST.get(SEARCH_VAR, "")[:200]
        request.session[self.SESSION_KEY] = dict(list(searches.items())[-self.KEPT :])
        query = QueryDict(mutable=True)
        for name, values in request.POST.lists():
            if name not in (self.FIELD, SEARCH_VAR, "csrfmiddlewaretoken"):
                query.setlist(name, values)
        query[SEARCH_VAR] = self.PREFIX + key
        return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")

    def process_template_response(self, request, response):
        token = getattr(request, "ashyq_search_token", None)
        changelist = (response.context_data or {}).get("cl")
        if token is None or changelist is None:
            return response
        term = changelist.params.get(SEARCH_VAR, "")
        changelist.params[SEARCH_VAR] = token
        changelist.filter_params[SEARCH_VAR] = [token]
        # The links the changelist made already, from the term.
        for name in ("add_facet_link", "remove_facet_link", "clear_all_filters_qs"):
            link = getattr(changelist, name, None)
            if link:
                setattr(changelist, name, link.replace(urlencode({SEARCH_VAR: term}), urlencode({SEARCH_VAR: token})))
        query = request.GET.copy()
        query[SEARCH_VAR] = token
        preserved = urlencode({"_changelist_filters": query.urlencode()})
        changelist.preserved_filters = response.context_data["preserved_filters"] = preserved
        return response


class PrivatePagesMiddleware:
    """A page answered to a signed-in person is his (his status, his venues, his
    region's reports): `Cache-Control: private, no-store`, so that neither a shared
    proxy nor the browser's back button on a borrowed phone keeps it. A view that says
    otherwise (never_cache, a public QR image) keeps its own header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
