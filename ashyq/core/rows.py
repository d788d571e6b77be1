"""Model instances and rows from SQL compiled once per process (B1 and B2).

On the check-in paths the ORM's compilation of a query cost more CPU than PostgreSQL
spent running it. `columns` and `instance` write a model's column list once and turn a
fetched row back into an instance exactly as the ORM does (the backend's and the
fields' converters — SQLite's datetimes, an encrypted field's decryption — then
`Model.from_db`); `Compiled` keeps a queryset's compiled SQL and runs it again with
other values.

What of Django's it relies on beyond its documented API: a compiler's `as_sql()` and
`klass_info` (with `select_fields`, `related_klass_infos`, `local_setter`,
`remote_setter`), `annotation_col_map`, a queryset's `_fields` and `_iterable_class`,
and `Model.from_db`. Django is pinned (constraints.txt); after an upgrade the tests in
ashyq/core/tests/test_rows.py compare every kind of query with the ORM's answer and
require the door's queries to be compiled once — where the structures changed,
`Compiled` builds by the ORM (right, slower) and those tests fail.
"""

import functools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models.query import ValuesListIterable

try:
    from psycopg.types.datetime import TimestamptzLoader
except ImportError:  # SQLite only: no psycopg installed
    TimestamptzLoader = None


def values_rows(queryset) -> Iterable[tuple]:
    """The rows of a `values_list` queryset whose fields need no converter of their own
    (dates, numbers, text: not an encrypted field), read fast in bulk.

    On PostgreSQL the same SQL runs on a cursor that loads timestamptz with psycopg's C
    loader: Django's own (a Python subclass) costs 3 µs a value, a fifth of a registry
    sync's time and half of the leaders' hourly read. Values are equal (aware, UTC);
    only the tzinfo object differs. Elsewhere the queryset itself.
    """
    if connection.vendor != "postgresql" or TimestamptzLoader is None:
        return queryset
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        return cursor.fetchall()


def columns(model, alias: str) -> str:
    """`alias`."column", … of every concrete field of `model`, in the fields' order."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def width(model) -> int:
    return len(model._meta.concrete_fields)


@functools.cache
def _reader(model, vendor: str):
    fields = model._meta.concrete_fields
    names = [field.attname for field in fields]
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converters.append((index, column, found))
    return names, converters


@functools.cache
def _pk_position(model) -> int:
    return [field.attname for field in model._meta.concrete_fields].index(model._meta.pk.attname)


def instance(model, values):
    """The `model` instance of `values` (a row's slice, in `columns`' order)."""
    names, converters = _reader(model, connection.vendor)
    if converters:
        values = list(values)
        for index, column, found in converters:
            for convert in found:
                values[index] = convert(values[index], column, connection)
    return model.from_db(connection.alias, names, values)


# --- Querysets compiled once -------------------------------------------------------------------

# Two sets of markers: a parameter that is the nth marker of set A in one compilation
# and of set B in the other is that argument; one equal in both is the queryset's own
# constant. Integers stay within every integer field's range (the ORM refuses an
# out-of-range value before writing any SQL).
_MARKER_KINDS = {
    "int": (lambda n: 32000 - n, lambda n: 31000 - n),
    "str": (lambda n: f"<marker A{n}>", lambda n: f"<marker B{n}>"),
    "time": (
        lambda n: datetime(1900, 1, 1, tzinfo=UTC) + timedelta(seconds=n),
        lambda n: datetime(1900, 1, 2, tzinfo=UTC) + timedelta(seconds=n),
    ),
}


class Compiled:
    """A queryset compiled by the ORM once per process (and per set of None values),
    then run with other values in place of the arguments it was compiled with: same
    SQL, same answers, without the compilation.

    `build(**values)` returns the queryset — a `values_list` (rows come back as tuples)
    or a model queryset, with select_related and annotations (instances come back, as
    the ORM builds them). `kinds` gives each argument's kind ("int", "str", "time").
    The queryset is compiled twice, with two sets of markers, to tell the arguments'
    parameters from its own constants; a queryset in which the ORM derived a value from
    an argument (`at - x` computed in a filter, say), or wrote one into the SQL, is not
    reused and is built each time. PostgreSQL only (psycopg returns each column as the
    ORM would); elsewhere `run` is `list(build(**values))`."""

    def __init__(self, build, **kinds: str):
        self.build = build
        self.kinds = kinds
        self._compiled: dict[frozenset, tuple | None] = {}

    def run(self, **values) -> list:
        if connection.vendor != "postgresql":
            return list(self.build(**values))
        nulls = frozenset(name for name, value in values.items() if value is None)
        if nulls not in self._compiled:
            self._compiled[nulls] = self._compile(nulls)
        if (compiled := self._compiled[nulls]) is None:
            return list(self.build(**values))
        sql, params, layout = compiled
        with connection.cursor() as cursor:
            cursor.execute(sql, [values[name] if name else constant for name, constant in params])
            rows = cursor.fetchall()
        return rows if layout is None else [_populated(row, *layout) for row in rows]

    def _markers(self, which: int, nulls: frozenset) -> dict:
        return {
            name: None if name in nulls else _MARKER_KINDS[kind][which](n)
            for n, (name, kind) in enumerate(self.kinds.items())
        }

    def _compile(self, nulls: frozenset):
        (queryset, sql, params_a), (_other, sql_b, params_b) = (
            self._compiled_with(self._markers(which, nulls)) for which in (0, 1)
        )
        if queryset._fields is not None and queryset._iterable_class is not ValuesListIterable:
            return None  # values() dicts, flat or named lists: not worth a second path
        if sql != sql_b or len(params_a) != len(params_b):
            return None
        by_marker = {}
        for which in (0, 1):
            for name, value in self._markers(which, nulls).items():
                if value is not None:
                    by_marker[(which, value)] = name
        params = []
        for a, b in zip(params_a, params_b, strict=True):
            if a == b and type(a) is type(b):
                params.append((None, a))
            elif (name := by_marker.get((0, a))) and by_marker.get((1, b)) == name:
                params.append((name, None))
            else:
                return None  # derived from an argument
        if queryset._fields is not None:
            return sql, params, None
        compiler = queryset.query.get_compiler(using=queryset.db)
        compiler.as_sql()
        if not _whole_models(compiler.klass_info):
            return None  # only() or defer(): instance() builds whole models
        return sql, params, (compiler.klass_info, compiler.annotation_col_map)

    def _compiled_with(self, markers: dict):
        queryset = self.build(**markers)
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
        return queryset, sql, list(params)


def _whole_models(klass_info) -> bool:
    return len(klass_info["select_fields"]) == width(klass_info["model"]) and all(
        _whole_models(related) for related in klass_info.get("related_klass_infos", [])
    )


def _populated(row, klass_info, annotations):
    """The instance of klass_info's model in `row`, its annotations, and its
    select_related instances (as django.db.models.query.RelatedPopulator sets them)."""
    obj = instance(klass_info["model"], [row[i] for i in klass_info["select_fields"]])
    for name, index in (annotations or {}).items():
        setattr(obj, name, row[index])
    for related in klass_info.get("related_klass_infos", []):
        pk_index = related["select_fields"][_pk_position(related["model"])]
        rel_obj = None if row[pk_index] is None else _populated(row, related, None)
        related["local_setter"](obj, rel_obj)
        if rel_obj is not None:
            related["remote_setter"](rel_obj, obj)
    return obj
