"""The one way Ashyq talks to an external registry (R-RG-1): JSON over HTTP.

Each app's `clients.py` wraps a RegistryClient for the registries it uses; pointing
REGISTRY_URL at the agencies' gateway is all a deployment changes. Errors come in two
kinds: RegistryUnavailable (timeout, connection, 5xx, a body that is not the JSON the
contract promises) is transient — the caller retries later or tells the person to try
again; RegistryNotFound is an answer ("no such BIN").
"""

import http.client
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

FEED_LIMIT = 500


class RegistryError(Exception):
    """Base of every registry failure."""


class RegistryUnavailable(RegistryError):
    """Timeout, refused connection, 5xx or a malformed body: try again later."""


class RegistryNotFound(RegistryError):
    """The registry answered 404: there is no such record."""


class RegistryRejected(RegistryError):
    """A 4xx other than 404: our request is wrong (a bug or a wrong token)."""


@dataclass(frozen=True)
class FeedPage:
    records: list[dict]
    next: str
    more: bool


class RegistryClient:
    def __init__(self, name: str, *, base_url: str | None = None, timeout: float | None = None, attempts: int = 2):
        self.name = name
        self.base_url = (base_url or settings.REGISTRY_URL).rstrip("/") + f"/{name}/"
        self.timeout = timeout if timeout is not None else settings.REGISTRY_TIMEOUT
        self.attempts = attempts

    def feed(self, *, since: str | None, limit: int = FEED_LIMIT) -> FeedPage:
        """One page of the changes after `since` (R-RG-2)."""
        query = {"limit": limit} | ({"since": since} if since else {})
        body = self._request("GET", "?" + urllib.parse.urlencode(query))
        try:
            records, next_cursor, more = body["records"], body["next"], body["more"]
        except (KeyError, TypeError) as exc:
            raise RegistryUnavailable(f"{self.name}: the feed page lacks records/next/more") from exc
        if not isinstance(records, list) or not isinstance(next_cursor, str) or not isinstance(more, bool):
            raise RegistryUnavailable(f"{self.name}: the feed page has the wrong types")
        return FeedPage(records=records, next=next_cursor, more=more)

    def get(self, path: str) -> dict:
        return self._request("GET", urllib.parse.quote(path, safe="/"))

    def lookup(self, **key) -> dict:
        """POST the key (personal identifiers travel in the body, never the URL)."""
        return self._request("POST", "lookup/", key)

    def _request(self, method: str, path: str, payload: dict | None = None) -> dict:
        last_error: RegistryUnavailable | None = None
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(0.2 * 2**attempt)  # a short back-off: callers in a web request wait
            try:
                return self._once(method, path, payload)
            except RegistryUnavailable as exc:
                last_error = exc
        raise last_error

    def _once(self, method: str, path: str, payload: dict | None) -> dict:
        headers = {"Accept": "application/json"}
        if settings.REGISTRY_TOKEN:
            headers["Authorization"] = f"Bearer {settings.REGISTRY_TOKEN}"
        data = None
        if payload is not None:
            data = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        # The base URL is the operator's setting, never user input.
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise RegistryNotFound(f"{self.name}: not found") from exc
            if exc.code >= 500:
                raise RegistryUnavailable(f"{self.name}: HTTP {exc.code}") from exc
            raise RegistryRejected(f"{self.name}: HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:  # refused, reset, timed out
            raise RegistryUnavailable(f"{self.name}: {exc}") from exc
        try:
            body = json.loads(raw)
        except ValueError as exc:  # truncated or not JSON at all
            raise RegistryUnavailable(f"{self.name}: the answer is not JSON") from exc
        if not isinstance(body, dict):
            raise RegistryUnavailable(f"{self.name}: the answer is not a JSON object")
        return body
