"""The mock registries over HTTP: JSON only, exactly the contract of R-RG-1.

Every endpoint goes through `endpoint`, which answers a wrong method (405) and a
missing token (401), then plays the registry's failure switch (R-RG-4): latency,
503s, and bodies cut in half. Personal keys only ever arrive in a POST body.
"""

import hmac
import json
import time
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from ashyq.mocks import selectors
from ashyq.mocks.failures import draw
from ashyq.mocks.records import KEYS, feed_params


def _json(body: dict, status: int = 200, **headers) -> JsonResponse:
    # Cyrillic names and addresses stay readable in a terminal (curl).
    return JsonResponse(body, status=status, headers=headers, json_dumps_params={"ensure_ascii": False})


def _error(status: int, error: str, detail: str = "", **headers) -> JsonResponse:
    return _json({"error": error} | ({"detail": detail} if detail else {}), status, **headers)


def _authorized(request) -> bool:
    token = settings.REGISTRY_TOKEN
    if not token:
        return True
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def _malformed(response) -> HttpResponse:
    # Any proper prefix of a JSON object is not JSON: the closing brace is its last byte.
    content = response.content
    return HttpResponse(content[: len(content) // 2], status=200, content_type="application/json")


def endpoint(method: str):
    """Method, token and failure switch of one registry endpoint; the view gets the Draw."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, name: str, **kwargs):
            if request.method != method:
                return _error(405, "method_not_allowed", f"use {method}", Allow=method)
            if not _authorized(request):
                return _error(
                    401, "unauthorized", "send Authorization: Bearer <token>", **{"WWW-Authenticate": "Bearer"}
                )
            failure = draw(name)
            if failure.latency_ms:
                time.sleep(failure.latency_ms / 1000)  # the fake network's delay, not a rule's clock
            if failure.error:
                return _error(503, "unavailable", "the registry is failing on purpose (registry_fail)")
            response = view(request, name, failure=failure, **kwargs)
            return _malformed(response) if failure.malformed else response

        return wrapper

    return decorator


def _json_body(request) -> dict:
    """The POST body as a JSON object; personal keys in the query string are refused (R-ID-5)."""
    if request.GET:
        raise ValueError("look-up keys go in the POST body, never in the URL")
    try:
        body = json.loads(request.body)
    except ValueError:
        raise ValueError("the body must be JSON") from None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


@endpoint("GET")
def feed(request, name, *, failure):
    """GET <name>/?since=&limit= → {"records", "next", "more"} (R-RG-2)."""
    try:
        since, limit = feed_params(request.GET)
    except ValueError as exc:
        return _error(400, "bad_request", str(exc))
    page = selectors.feed_page(name, since=since, limit=limit)
    return _json({"records": failure.spoil(name, page.records), "next": page.next, "more": page.more})


# The keys a person look-up accepts: an IIN, or (PCR of a foreigner, R-ID-4) passport and country.
_PERSON_KEYS = {"pcr": ({"iin"}, {"passport", "country"}), "contacts": ({"iin"},), "vaccinations": ({"iin"},)}


@endpoint("POST")
def person_lookup(request, name, *, failure):
    """POST <name>/lookup/ {"iin"} (or {"passport", "country"} for pcr) → {"records": [...]}."""
    try:
        body = _json_body(request)
        if set(body) not in _PERSON_KEYS[name]:
            raise ValueError("give " + " or ".join(str(sorted(keys)) for keys in _PERSON_KEYS[name]))
        key = {field: KEYS[field](value) for field, value in body.items()}
    except ValueError as exc:
        return _error(400, "bad_request", str(exc))
    return _json({"records": selectors.person_records(name, **key)})


@endpoint("POST")
def subscriber_lookup(request, name, *, failure):
    """POST subscribers/lookup/ {"phone"} → {"phone", "iin"} or 404 (R-AU-2)."""
    try:
        body = _json_body(request)
        if set(body) != {"phone"}:
            raise ValueError('give {"phone": "+77011234567"}')
        phone = KEYS["phone"](body["phone"])
    except ValueError as exc:
        return _error(400, "bad_request", str(exc))
    found = selectors.subscriber(phone)
    return _json(found) if found else _error(404, "not_found")


@endpoint("GET")
def company_detail(request, name, *, failure, bin):
    """GET companies/<bin>/ → {"bin", "name", "oked"} or 404 (R-VN-1)."""
    found = selectors.company(bin)
    return _json(found) if found else _error(404, "not_found")


@endpoint("GET")
def notification_detail(request, name, *, failure, number):
    """GET notifications/<number>/ → {"number", "date", "bin", "address"} or 404 (R-VN-1)."""
    found = selectors.notification(number)
    return _json(found) if found else _error(404, "not_found")
