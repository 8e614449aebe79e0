"""A PostgreSQL query's rows as the server produces them (``stream_rows``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager, nullcontext

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import QuerySet


def can_stream(using: str) -> bool:
    """Whether ``stream_rows`` serves this database: PostgreSQL, through a libpq that
    sends rows in chunks (17 or later; psycopg's binary wheels bring their own)."""
    if connections[using].vendor != "postgresql":
        return False
    import psycopg

    return psycopg.capabilities.has_stream_chunked()


def stream_rows(rows: QuerySet, *, chunk: int) -> Iterator[tuple]:
    """The rows of ``rows`` (a ``values_list`` query; see ``can_stream``), ``chunk`` at a
    time, streamed while the server runs the query: the database reads and joins on one
    core while the caller works on the other, where a server-side cursor (``iterator()``)
    makes them take turns. The socket's buffer bounds what is waiting: memory stays flat.

    The stream holds the connection until it is read to the end or closed: read it (or
    close it) before asking the database anything else, and before leaving any atomic
    block it was started in. Closed early (a cancelled download), the query is cancelled
    on the server."""
    try:
        sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    except EmptyResultSet:
        return  # a query that can match nothing (``none()``): no rows, as ``iterator()``
    connection = connections[rows.db]
    # A cancelled query aborts the transaction it runs in: inside a caller's, a savepoint
    # of its own keeps the caller's usable (in autocommit only the statement fails).
    own = transaction.atomic(using=rows.db) if connection.in_atomic_block else nullcontext()
    with (
        connection.cursor() as cursor,
        _no_statement_timeout(cursor),
        own,
        connection.wrap_database_errors,
        # Django logs a query (DEBUG's list, the tests' counts) when ``execute`` returns;
        # a stream is logged when it ends.
        cursor.debug_sql(sql, params) if connection.queries_logged else nullcontext(),
        closing(cursor.cursor.stream(sql, params, size=chunk)) as streamed,
    ):
        yield from streamed


@contextmanager
def _no_statement_timeout(cursor) -> Iterator[None]:
    """The session's ``statement_timeout`` lifted, and put back as it was. A streamed
    statement lasts as long as its reader takes (a download): a timeout set for the
    database's statements would cut a slow client's export short."""
    # The subquery is read before the setting changes.
    cursor.execute(
        "SELECT (SELECT current_setting('statement_timeout')), "
        "set_config('statement_timeout', '0', false)"
    )
    timeout = cursor.fetchone()[0]
    try:
        yield
    finally:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [timeout])
