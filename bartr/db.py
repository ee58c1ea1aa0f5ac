"""Engine and unit of work.

Every action runs in exactly one transaction owned by its caller. On SQLite a write
transaction starts with BEGIN IMMEDIATE so two concurrent spends serialise instead of
both reading the old balance; reads use a deferred BEGIN so they don't queue behind writers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session

from bartr.settings import get_settings

log = logging.getLogger(__name__)
_engine: Engine | None = None
_AFTER_COMMIT = "bartr_after_commit"


def on_commit(db: OrmSession, callback: Callable[[], None]) -> None:
    """Run `callback` once the current transaction has committed, never after a rollback.

    This is the one place where realtime pushes, notifications, emails and audit fan-out
    hook in: anything the outside world sees must describe data that is really stored.
    A callback registered inside a SAVEPOINT is dropped when that savepoint rolls back.
    A failing callback is logged and does not stop the others (the data is already safe).
    """
    transaction = db.get_nested_transaction() or db.get_transaction()
    if transaction is None:
        transaction = db.begin()
    db.info.setdefault(_AFTER_COMMIT, []).append((transaction, callback))


def _inside(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(OrmSession, "after_soft_rollback")
def _drop_rolled_back(db: OrmSession, previous: SessionTransaction) -> None:
    pending = db.info.get(_AFTER_COMMIT)
    if pending:
        db.info[_AFTER_COMMIT] = [(t, cb) for t, cb in pending if not _inside(t, previous)]


@event.listens_for(OrmSession, "after_commit")
def _run_committed(db: OrmSession) -> None:
    pending = db.info.pop(_AFTER_COMMIT, [])
    for _transaction, callback in pending:
        try:
            callback()
        except Exception:
            log.exception("after-commit callback %r failed", callback)


def normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, decide when a transaction begins.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    # No pre-ping: it is a round trip on every checkout (a third of a ledger transfer's
    # latency). Connections are recycled after 30 minutes instead, and a connection the
    # server dropped fails its unit of work once and is discarded by the pool.
    kwargs.setdefault("pool_recycle", 1800)
    return create_engine(url, **kwargs)


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        settings = get_settings()
        if settings.is_sqlite:
            from pathlib import Path

            path = settings.database_url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        _engine = make_engine(settings.database_url)
    return _engine


def set_engine(engine: Engine | None) -> None:
    """Point the app at another database (tests, benchmarks)."""
    global _engine
    _engine = engine


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One write transaction: commits when the block ends cleanly, rolls back otherwise."""
    with Session(get_engine(), expire_on_commit=False) as db:
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise


@contextmanager
def read_session() -> Iterator[Session]:
    """A read-only transaction that never takes SQLite's write lock."""
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        engine = engine.execution_options(sqlite_begin="DEFERRED")
    with Session(engine, expire_on_commit=False) as db:
        try:
            yield db
        finally:
            # Detach what was read first: a rollback expires loaded objects, and reading
            # one after the block (`user.is_onboarded` in the page guards) would fail.
            db.expunge_all()
            db.rollback()
