"""The public verification of certificates (R-VP-5): the page (in the browser, offline
once loaded, or by the server without JavaScript), the public keys and the revoked
identifiers. A verification stores nothing: no row, no log line, no cache entry."""

import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from vaccinations import certificates, selectors
from vaccinations.forms import VerifyForm


# A public form that writes nothing and reads no session: no CSRF token needed, so that
# the page keeps working offline long after the token cookie it was served with expired.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    form = VerifyForm(request.POST or None)
    verdict = None
    if request.method == "POST" and form.is_valid():
        verdict = certificates.certificate_verify(
            form.cleaned_data["certificate"], now=timezone.now(), revoked=selectors.revoked_among
        )
    if request.method == "POST":
        form = VerifyForm()  # what the holder showed is not sent back into the form
    return render(request, "vaccinations/verify.html", {"form": form, "verdict": verdict})


@require_safe
@cache_control(public=True, max_age=3600)
def keys(request):
    """The public keys as a JSON Web Key Set, for offline verifiers."""
    return JsonResponse(certificates.key_set())


@require_safe
@cache_control(public=True, max_age=300)
def revoked(request):
    """The revoked certificate identifiers (R-VP-5)."""
    return JsonResponse({"revoked": selectors.revoked_list(), "at": timezone.now().isoformat()})


SERVICE_WORKER = """// Keeps /verify/ and what it needs for offline use (R-VP-5).
const CACHE = "ashyq-verify-v1";
const FILES = %(files)s;
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)));
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || !FILES.includes(url.pathname)) return;
  // Network first (fresh keys and revocations), the stored copy when offline.
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        return response;
      })
      .catch(() => caches.match(event.request))
  );
});
"""


@require_safe
def service_worker(request):
    files = ["/verify/", "/verify/keys.json", "/verify/revoked.json"]
    files += [static("vaccinations/verify.js"), static("vendor/cbor-x.min.js"), static("css/ashyq.css")]
    response = HttpResponse(SERVICE_WORKER % {"files": json.dumps(files)}, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response
