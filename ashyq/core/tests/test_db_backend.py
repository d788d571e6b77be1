"""ashyq.core.db.postgresql: a kept connection costs no `SELECT 1` per request, and one
that died between two requests (a restart of PostgreSQL) is reopened by its first
statement, which runs again — but only where nothing of the request can have been
written. Also the fence of the Django internals the backend relies on."""

import inspect
import tempfile
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.test.utils import CaptureQueriesContext

from ashyq.accounts.models import User
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core.db.postgresql import base

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the backend is PostgreSQL's"),
]


def next_request():
    """What Django does between two requests: request_finished, then request_started
    (the test client disconnects these receivers; a server does not)."""
    request_finished.send(sender=None)
    request_started.send(sender=None)


def kill(pid: int) -> None:
    """The server ends the backend `pid`, as a restart does to every connection."""
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]


def backend_pid() -> int:
    connection.ensure_connection()
    return connection.connection.info.backend_pid


def test_the_backend_is_ours_and_django_checks_nothing_before_reuse():
    assert isinstance(connections["default"], base.DatabaseWrapper)
    assert not connection.settings_dict["CONN_HEALTH_CHECKS"]
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # kept between requests


def test_a_kept_connection_sends_no_select_1_on_the_next_request():
    """What libpq sends on the second request of a kept connection: its statement, not
    a health check before it."""
    UserFactory()
    pid = backend_pid()
    next_request()
    with tempfile.TemporaryFile("w+") as trace:
        pgconn = connection.connection.pgconn
        pgconn.trace(trace.fileno())
        try:
            assert User.objects.count() == 1
        finally:
            pgconn.untrace()
        trace.seek(0)
        sent = [line for line in trace.read().splitlines() if "\tF\t" in line or line.startswith("F")]
    assert backend_pid() == pid  # the same connection
    assert not [line for line in sent if "SELECT 1" in line], sent
    assert sum(1 for line in sent if "Parse" in line or "Query" in line) == 1, sent


def test_a_connection_killed_between_requests_is_reopened_by_its_first_statement():
    UserFactory()
    pid = backend_pid()
    next_request()
    kill(pid)
    with CaptureQueriesContext(connection) as queries:
        assert User.objects.count() == 1  # answered, on a new connection
    assert backend_pid() != pid
    assert len(queries) == 1
    assert not connection.errors_occurred


def test_prepared_statements_work_again_on_the_reopened_connection():
    UserFactory()
    pid = backend_pid()
    next_request()
    kill(pid)
    for _ in range(7):  # prepared from the fifth run (prepare_threshold)
        assert User.objects.filter(is_active=True).count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] >= 1
    assert backend_pid() != pid


def test_a_request_whose_first_statement_opens_a_transaction_gets_a_tested_connection():
    pid = backend_pid()
    next_request()
    kill(pid)
    with transaction.atomic():
        UserFactory()
    assert User.objects.count() == 1 and backend_pid() != pid


def test_a_connection_lost_after_the_first_statement_fails_as_before():
    """Mid-request the statement before may have written: nothing runs again."""
    pid = backend_pid()
    next_request()
    assert User.objects.count() == 0  # the connection is proven
    kill(pid)
    with pytest.raises(OperationalError):
        User.objects.count()
    close_old_connections()  # as the end of the request: the broken connection goes
    assert User.objects.count() == 0


def test_a_new_connection_that_fails_is_not_retried():
    """Only a kept connection is reopened: a statement on a fresh one that fails is an
    outage (the middleware's 503), not something to try twice."""
    connection.close()
    connection.ensure_connection()
    pid = backend_pid()
    kill(pid)
    with pytest.raises(OperationalError):
        User.objects.count()
    connection.close()


def test_an_error_of_the_statement_itself_is_not_retried():
    next_request()
    with CaptureQueriesContext(connection) as queries, pytest.raises(Exception, match="no_such_table"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")
    assert len(queries) == 1
    assert User.objects.count() == 0  # the connection lives on


def test_the_django_internals_the_backend_relies_on():
    """If one of these fails after a Django upgrade, read the docstring of
    ashyq/core/db/postgresql/base.py again before changing the test."""
    assert request_started.has_listeners(None) and request_finished.has_listeners(None)
    receivers = [ref() for _key, ref, *_ in request_started.receivers]
    assert close_old_connections in receivers
    assert "close_if_unusable_or_obsolete" in inspect.getsource(close_old_connections)
    assert list(inspect.signature(CursorWrapper._execute).parameters) == [
        "self",
        "sql",
        "params",
        "ignored_wrapper_args",
    ]
    assert "self._execute" in inspect.getsource(CursorWrapper.execute)
    source = inspect.getsource(BaseDatabaseWrapper.connect)
    assert "self.errors_occurred = False" in source and "self.in_atomic_block = False" in source
    assert "make_debug_cursor" in inspect.getsource(BaseDatabaseWrapper._prepare_cursor)
    assert Path(base.__file__).name == "base.py"
