"""A query's own SQL as its floor: record the statements a call sends, replay them bare.

    with capture(engine) as statements:
        marketplace.search(db, viewer=v, q="guitar")
    ms = replay(engine, statements)      # the same statements on the driver, rows fetched

The recorder listens to SQLAlchemy's `before_cursor_execute`, so it sees exactly what the
service sent (text and parameters, after compilation); the replay runs them in order on
one raw DBAPI connection and fetches every row, with no ORM, no statement compilation and
no Python objects built from the rows. What a service costs above that is its Python.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

Statement = tuple[str, Any]


@contextmanager
def capture(engine: Engine) -> Iterator[list[Statement]]:
    """The statements sent through `engine` while the block runs."""
    statements: list[Statement] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def replay(engine: Engine, statements: list[Statement]) -> float:
    """Milliseconds to run `statements` in one read transaction on a bare connection."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        for statement, parameters in statements:
            if parameters is None:
                cursor.execute(statement)
            else:
                cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        took = (time.perf_counter() - started) * 1000
        raw.rollback()
        cursor.close()
        return took
    finally:
        raw.close()
