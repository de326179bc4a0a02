"""Bulk writes for the ingest paths (federation batches, hub aggregates).

On PostgreSQL, plain inserts of a batch go through ``COPY … FROM STDIN`` (psycopg formats rows in
C; one command per batch, inside the session's transaction), and upserts become **one** short
statement whatever the batch size::

    INSERT INTO t (a, b, …) SELECT unnest(CAST(:a AS type[])), unnest(CAST(:b AS type[])), …
    ON CONFLICT …

with one array parameter per column, compiled once (SQLAlchemy's cache) and prepared once by
psycopg. The alternatives measured worse: psycopg's ``executemany`` runs every row as a
statement of its own; multi-row ``VALUES (…), (…)`` text (``.values([...])`` or SQLAlchemy's
insertmanyvalues) is too long for psycopg's query cache, so its placeholders are re-parsed for
every batch; and arrays of long text (statements, JSON) are escaped element by element in
Python. On SQLite, which runs in-process, plain inserts are one driver-level ``executemany`` of
tuples (SQLAlchemy's per-row parameter processing cost as much as SQLite's own insert), upserts
one SQLAlchemy ``executemany``.

A JSON column's value may be :class:`JSONText`, text that is already JSON (a received statement's
payload exactly as it was signed): it is stored as it is rather than parsed and encoded again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, Table, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError

from node.extensions import db


class JSONText(str):
    """JSON text to store in a JSON column verbatim (see the module docstring)."""


def _json_value(value: Any) -> str:
    return value if isinstance(value, JSONText) else json.dumps(value)


def dialect_insert(table: Table) -> Any:
    """INSERT with ``on_conflict_do_*`` for the session's backend (PostgreSQL or SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def insert_rows(
    table: Table,
    rows: Sequence[dict[str, Any]],
    on_conflict: Callable[[Any], Any] | None = None,
) -> None:
    """Insert ``rows`` (dicts with the same keys, in the order given).

    ``on_conflict(insert)`` may add an ``ON CONFLICT`` clause to the dialect's INSERT (it is
    given :func:`dialect_insert`'s statement). Rows are written in order, so rows sorted by key
    lock in that order and concurrent ingest workers do not deadlock.
    """
    if not rows:
        return
    connection = db.session.connection()
    names = list(rows[0])
    if on_conflict is None:
        if connection.dialect.name == "postgresql":
            _copy(connection, table, names, rows)
        else:
            _sqlite_executemany(connection, table, names, rows)
        return
    stmt = dialect_insert(table)
    if connection.dialect.name != "postgresql":
        connection.execute(on_conflict(stmt), list(rows))
        return
    columns = [
        func.unnest(
            cast(bindparam(f"b_{name}", type_=ARRAY(table.c[name].type)), ARRAY(table.c[name].type))
        )
        for name in names
    ]
    stmt = on_conflict(stmt.from_select(names, select(*columns)))
    connection.execute(stmt, {f"b_{name}": [row[name] for row in rows] for name in names})


def _copy(connection: Any, table: Table, names: list[str], rows: Sequence[dict[str, Any]]) -> None:
    """``COPY table (names) FROM STDIN`` on the session's own connection and transaction.

    A constraint violation surfaces as SQLAlchemy's ``IntegrityError``, like an INSERT's (the
    inbox retries a batch that raced a concurrent pull on it)."""
    import psycopg

    json_columns = {n for n in names if isinstance(table.c[n].type, JSON)}
    quoted = ", ".join(f'"{n}"' for n in names)
    sql = f'COPY "{table.name}" ({quoted}) FROM STDIN'
    raw = connection.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(
                    [_json_value(row[n]) if n in json_columns else row[n] for n in names]
                )
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(sql, None, exc) from exc


def _sqlite_executemany(
    connection: Any, table: Table, names: list[str], rows: Sequence[dict[str, Any]]
) -> None:
    """One ``INSERT … VALUES (?, …)`` executemany of tuples on the session's connection.

    Every value, None included, goes through its column type's own bind processor (datetimes
    become SQLAlchemy's SQLite text format, JSON is encoded unless it is :class:`JSONText`, None
    in a JSON column is JSON ``null`` as SQLAlchemy and the COPY path write it), so rows read
    back exactly as if SQLAlchemy had written them; errors are SQLAlchemy's (``IntegrityError``)."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    processors: list[Callable[[Any], Any] | None] = []
    for name in names:
        column_type = table.c[name].type
        if isinstance(column_type, JSON):
            processors.append(_json_value)
        else:
            processors.append(column_type.dialect_impl(dialect).bind_processor(dialect))
    columns = ", ".join(quote(name) for name in names)
    marks = ", ".join("?" for _ in names)
    # Only quoted identifiers and "?" marks: the values go as parameters.
    sql = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})"  # noqa: S608
    pairs = list(zip(names, processors, strict=True))
    params = [
        tuple(row[name] if process is None else process(row[name]) for name, process in pairs)
        for row in rows
    ]
    connection.exec_driver_sql(sql, params)
