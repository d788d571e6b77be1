"""The one way Ashyq talks to an external registry (R-RG-1): JSON over HTTP.

Each app's `clients.py` wraps a RegistryClient for the registries it uses; pointing
REGISTRY_URL at the agencies' gateway is all a deployment changes. Errors come in two
kinds: RegistryUnavailable (timeout, connection, 5xx, a body that is not the JSON the
contract promises) is transient — the caller retries later or tells the person to try
again; RegistryNotFound is an answer ("no such BIN").

Connections are kept alive and reused, one per thread and registry host: a sync that
pulls a thousand pages opens one TCP connection, not a thousand. A kept connection the
server has meanwhile closed is reopened at once, without counting as a failed attempt.
"""

import http.client
import json
import logging
import threading
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


# Errors of a kept-alive connection that the server closed while it was idle: the
# request never reached a handler, so sending it again on a fresh connection is safe.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)
_connections = threading.local()


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
        url = self.base_url + path
        try:
            if _through_proxy(url):
                status, raw = _send_by_urllib(url, method, data, headers, self.timeout)
            else:
                status, raw = _send_kept_alive(url, method, data, headers, self.timeout)
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:  # refused, reset, timed out
            raise RegistryUnavailable(f"{self.name}: {exc}") from exc
        if status == 404:
            raise RegistryNotFound(f"{self.name}: not found")
        if status >= 500:
            raise RegistryUnavailable(f"{self.name}: HTTP {status}")
        if status >= 400:
            raise RegistryRejected(f"{self.name}: HTTP {status}")
        try:
            body = json.loads(raw)
        except ValueError as exc:  # truncated or not JSON at all
            raise RegistryUnavailable(f"{self.name}: the answer is not JSON") from exc
        if not isinstance(body, dict):
            raise RegistryUnavailable(f"{self.name}: the answer is not a JSON object")
        return body


def _through_proxy(url: str) -> bool:
    """True when the environment sends this URL through a proxy (urllib knows how)."""
    parts = urllib.parse.urlsplit(url)
    proxies = urllib.request.getproxies()
    return parts.scheme in proxies and not urllib.request.proxy_bypass(parts.hostname or "")


def _send_by_urllib(url: str, method: str, data, headers: dict, timeout: float) -> tuple[int, bytes]:
    # The base URL is the operator's setting, never user input.
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def _connection(scheme: str, netloc: str, timeout: float, *, fresh: bool) -> http.client.HTTPConnection:
    pool = getattr(_connections, "pool", None)
    if pool is None:
        pool = _connections.pool = {}
    key = (scheme, netloc, timeout)
    connection = pool.get(key)
    if connection is not None and fresh:
        connection.close()
        connection = None
    if connection is None:
        if scheme == "https":
            connection = http.client.HTTPSConnection(netloc, timeout=timeout)
        elif scheme == "http":
            connection = http.client.HTTPConnection(netloc, timeout=timeout)
        else:
            raise urllib.error.URLError(f"unsupported scheme {scheme!r}")
        pool[key] = connection
    return connection


def _send_kept_alive(url: str, method: str, data, headers: dict, timeout: float) -> tuple[int, bytes]:
    """(status, body) over this thread's kept-alive connection to the URL's host."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    for fresh in (False, True):
        connection = _connection(parts.scheme, parts.netloc, timeout, fresh=fresh)
        reused = connection.sock is not None
        try:
            connection.request(method, target, body=data, headers=headers)
            response = connection.getresponse()
            raw = response.read()
        except _STALE:
            connection.close()
            if reused and not fresh:
                continue  # the server closed the idle connection: once more on a new one
            raise
        except BaseException:
            connection.close()  # half a response in the socket: never reuse it
            raise
        if response.will_close:
            connection.close()
        return response.status, raw
    raise AssertionError("unreachable")
