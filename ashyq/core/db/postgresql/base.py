"""Django's PostgreSQL backend, with a kept connection reopened when its first statement
finds it dead, instead of Django's health check (CONN_HEALTH_CHECKS: a `SELECT 1`
before the first statement of every request, a round trip on every guard look-up).

A connection kept from an earlier request (CONN_MAX_AGE) is *unproven* until one of its
statements has gone through. When that first statement fails because the connection
is gone (a restart of PostgreSQL or of a proxy: psycopg marks the connection closed)
and no transaction block is open, nothing of this request can have been written: the
connection is closed, a new one opened and the statement run once more, on a new
cursor. Any other failure propagates as before (ashyq.core.middleware answers 503
while the server is out of reach). A request whose first statement opens a
transaction (`atomic()` on an unproven connection) cannot be replayed that way, so the
connection is tested first, as Django's health check did — only then.

What of Django's it relies on beyond its documented API (Django is pinned,
constraints.txt; ashyq/core/tests/test_db_backend.py fails if one of these changes):
`close_if_unusable_or_obsolete()` runs at the start and end of every request (the
request_started / request_finished receivers) and of every Celery task (Celery's
Django fix-up); `CursorWrapper._execute(sql, params, *ignored)` runs every execute()
of a Django cursor; `make_cursor` / `make_debug_cursor` wrap what `create_cursor`
returns; `connect()` resets `errors_occurred` and the transaction state;
`set_autocommit(False)` starts the outermost atomic block.

Prepared statements (server_side_binding, prepare_threshold) are psycopg's, kept per
connection: a new connection starts with none and prepares its own. A loader that a
caller registered on the dead connection's cursor (ashyq.core.rows.values_rows) is not
carried to the new cursor: the retried statement's values are loaded by Django's.
"""

import psycopg
from django.db import InterfaceError, OperationalError
from django.db.backends.postgresql import base
from django.db.backends.utils import CursorWrapper as BaseCursorWrapper


class DatabaseWrapper(base.DatabaseWrapper):
    # True while a connection kept from an earlier request has run nothing yet. A
    # connection object belongs to one thread (django.db.connections), so does this.
    unproven = False

    def connect(self):
        self.unproven = False  # a new connection fails loudly: that is an outage
        super().connect()

    def close_if_unusable_or_obsolete(self):
        super().close_if_unusable_or_obsolete()
        self.unproven = self.connection is not None

    def set_autocommit(self, autocommit, force_begin_transaction_with_broken_autocommit=False):
        if not autocommit and self.unproven:
            # A transaction's first statement cannot be run again on a new connection
            # (the atomic block's state is the old one's): test the kept one first.
            self.unproven = False
            if not self.is_usable():
                self.close()
        super().set_autocommit(autocommit, force_begin_transaction_with_broken_autocommit)

    def make_cursor(self, cursor):
        return CursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor):
        return CursorDebugWrapper(cursor, self)

    def replayable(self, cursor) -> bool:
        """Whether the statement that just failed on `cursor` may run again on a new
        connection: the first of an unproven connection, which psycopg now says is
        closed, outside any transaction block, on a client-side cursor."""
        return (
            self.unproven
            and self.connection is not None
            and self.connection.closed
            and not self.in_atomic_block
            and self.autocommit
            and not isinstance(cursor, psycopg.ServerCursor)
        )

    def reopened_cursor(self):
        """A new psycopg cursor on a new connection, the old one closed."""
        self.unproven = False
        self.close()
        self.ensure_connection()
        with self.wrap_database_errors:
            return self.create_cursor()


class _ReplayFirst:
    def _execute(self, sql, params, *ignored_wrapper_args):
        if not self.db.unproven:
            return super()._execute(sql, params, *ignored_wrapper_args)
        try:
            result = super()._execute(sql, params, *ignored_wrapper_args)
        except (OperationalError, InterfaceError):
            if not self.db.replayable(self.cursor):
                self.db.unproven = False
                raise
            dead, self.cursor = self.cursor, self.db.reopened_cursor()
            try:
                dead.close()
            except psycopg.Error:
                pass
            return super()._execute(sql, params, *ignored_wrapper_args)
        self.db.unproven = False
        return result


class CursorWrapper(_ReplayFirst, BaseCursorWrapper):
    pass


class CursorDebugWrapper(_ReplayFirst, base.CursorDebugWrapper):
    pass
