"""A fault test: PostgreSQL restarted under load. While it is down every request
fails fast with the 503 page (not a 500, not a hang); once it is back the same server
process answers again, without a restart.

The shared PostgreSQL cluster is not stopped: the application runs in a gunicorn
subprocess (as in production, ashyq.wsgi) whose DATABASE_URL goes through a TCP relay
in this test, pointed at the test database. The relay plays the outage:
- "stopped", as during a restart: every open connection is cut and new ones are
  refused (nothing listens on the port);
- "hung", as a host that drops packets: connections are taken but never answered, so
  only the connect timeout (DATABASES OPTIONS connect_timeout) ends the wait;
- started again: connections go through to PostgreSQL.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.test import Client

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core.middleware import DatabaseUnavailableMiddleware

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="an outage of the database server: SQLite has no server to lose; "
        "run with DATABASE_URL=postgres://… (CI's PostgreSQL step does)",
    ),
]

FAST = 3.0  # seconds: the longest a request may wait while the database is down
UNAVAILABLE_TEXT = "The service is temporarily unavailable, try again in a minute"
LOAD_THREADS = 4


class PostgresRelay:
    """A TCP relay to PostgreSQL that can be stopped, hung and started again."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self.mode = "stopped"
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    # --- the three states

    def start(self) -> None:
        self._cut_all()
        self.mode = "up"
        self._listen()

    def stop(self) -> None:
        """As a restart: open connections cut, new ones refused."""
        self.mode = "stopped"
        if self._listener is not None:
            # shutdown() wakes the accept() blocked in the other thread: close() alone
            # would leave the port listening until it returns.
            try:
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        self._cut_all()

    def hang(self) -> None:
        """As a dead host: connections are taken and never answered."""
        self.mode = "hung"
        self._cut_all()
        self._listen()

    # --- plumbing

    def _listen(self) -> None:
        if self._listener is not None:
            return
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:  # the listener was closed
                return
            self._keep(client)
            if self.mode == "stopped":
                self._cut(client)
                continue
            if self.mode == "hung":
                continue  # held open, never answered
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                self._cut(client)
                continue
            self._keep(server)
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        self._cut(source)
        self._cut(target)

    def _keep(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _cut(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def _cut_all(self) -> None:
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            self._cut(sock)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, cookies: dict[str, str]) -> tuple[int | None, str, dict, float]:
    """(status, body, headers, seconds) of one GET; status None when nothing came back."""
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 (the test's own server)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status, body, headers = response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, body, headers = error.code, error.read().decode(), dict(error.headers)
    except OSError as error:
        status, body, headers = None, repr(error), {}
    return status, body, headers, time.monotonic() - started


def under_load(urls: list[str], cookies: dict[str, str], rounds: int) -> list[tuple]:
    """Every URL `rounds` times from LOAD_THREADS threads at once: (url, status, body, headers, seconds)."""
    jobs = [url for _ in range(rounds) for url in urls]
    with ThreadPoolExecutor(LOAD_THREADS) as pool:
        return list(pool.map(lambda url: (url, *get(url, cookies)), jobs))


@pytest.fixture
def relay():
    db = settings.DATABASES["default"]
    relay = PostgresRelay(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    relay.start()
    yield relay
    relay.stop()


@pytest.fixture
def server(relay):
    """ashyq.wsgi under gunicorn (threads keep their database connections between
    requests, CONN_MAX_AGE), on the test database through the relay."""
    db = settings.DATABASES["default"]
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "ashyq.settings"),
        "DATABASE_URL": (
            f"postgres://{quote(db['USER'], safe='')}:{quote(db['PASSWORD'], safe='')}"
            f"@127.0.0.1:{relay.port}/{quote(db['NAME'], safe='')}"
        ),
        "DEBUG": "false",
    }
    log = tempfile.NamedTemporaryFile(prefix="ashyq-outage-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603 (this interpreter, our own application)
        [sys.executable, "-m", "gunicorn", "ashyq.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--worker-class", "gthread", "--workers", "1", "--threads", "8", "--timeout", "60"]
        + ["--graceful-timeout", "2", "--log-level", "warning"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while get(f"{base}/healthz", {})[0] != 200:
            assert process.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, "gunicorn did not start:\n" + Path(log.name).read_text()
            time.sleep(0.2)
        yield base, process, Path(log.name)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.unlink(log.name)


def answered(results) -> list[tuple[str, int | None]]:
    return [(url, status) for url, status, *_ in results]


def test_postgresql_restarted_under_load_503_fast_then_recovery_without_restart(relay, server):
    base, process, log = server
    operator = UserFactory(role=Role.OPERATOR)
    signed_in = Client()
    signed_in.force_login(operator)
    cookies = {
        settings.SESSION_COOKIE_NAME: signed_in.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.LANGUAGE_COOKIE_NAME: "en",
    }
    # The operator's home (session, user, regions) and the public statistics.
    urls = [f"{base}/", f"{base}/stats/"]
    ok = [(url, 200) for url in urls]

    before = under_load(urls, cookies, rounds=4)
    assert answered(before) == ok * 4
    assert "Ashyq" in before[0][2]

    # Restarted between two requests: every connection the server kept is dead; the
    # first statement of a request finds it so, and runs again on a new connection
    # (ashyq.core.db.postgresql), so no request fails.
    relay.stop()
    relay.start()
    assert answered(under_load(urls, cookies, rounds=4)) == ok * 4

    relay.stop()  # restarting under load: connections cut, new ones refused
    refused = under_load(urls, cookies, rounds=5)
    relay.hang()  # packets dropped: only the connect timeout ends the wait
    hung = under_load(urls, cookies, rounds=1)
    relay.start()
    after = under_load(urls, cookies, rounds=4)

    for phase, results in (("refused", refused), ("hung", hung)):
        for url, status, body, headers, seconds in results:
            assert status == 503, (phase, url, status, body[:2000])
            assert seconds < FAST, (phase, url, f"{seconds:.2f} s")
            assert UNAVAILABLE_TEXT in body
            assert headers.get("Retry-After") == "60"
            assert headers.get("X-Frame-Options") == "DENY"  # the security headers are still there
    # Back: every request answers, the first ones included, by the same process.
    assert answered(after) == ok * 4
    assert process.poll() is None
    output = log.read_text()
    # Logged as one outage: no 500, no traceback per request.
    assert 1 <= output.count("Database unavailable") <= 2, output
    assert "Traceback" not in output and "Internal Server Error" not in output, output
    slowest = {name: max(r[4] for r in rows) for name, rows in (("refused", refused), ("hung", hung), ("after", after))}
    print(f"slowest request (pytest -s): {slowest}")


# --- What counts as "unavailable": only the server being out of reach -----------------------------


def test_a_refused_connection_is_an_outage():
    unreachable = connection.copy()
    unreachable.settings_dict["PORT"] = free_port()  # nothing listens there
    with pytest.raises(OperationalError) as refused:
        unreachable.ensure_connection()
    assert DatabaseUnavailableMiddleware.is_unavailable(refused.value)


def test_a_query_the_database_cancelled_stays_a_500():
    """A statement timeout (or a deadlock, a lock timeout) is an OperationalError too, but
    the database is there: a bug or a conflict of ours, not "try again in a minute"."""
    with pytest.raises(OperationalError) as cancelled, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 1")
        cursor.execute("SELECT pg_sleep(1)")
    assert not DatabaseUnavailableMiddleware.is_unavailable(cancelled.value)
