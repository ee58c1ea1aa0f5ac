"""The floor for the ledger benchmark: a wallet-to-wallet transfer in plain SQL.

The same shape as `services.ledger_posting` (lock both wallets in id order in one
statement, an idempotent insert of the transaction, one insert for both entries, one
update for both balances), written straight against the database driver with one
connection per writer and no ORM or pool in between. `bench.ledger_throughput` runs it
in the same process and database as the app's path and prints the ratio.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from bartr.services.errors import InsufficientCredits

Transfer = Callable[[int, int, int, str], None]

_LOCK = (
    "SELECT id, owner_id, balance FROM ledger_accounts "
    "WHERE kind = 'wallet' AND owner_id IN ({a}, {b}) ORDER BY id{lock}"
)
_TX = (
    "INSERT INTO ledger_transactions (idempotency_key, kind, memo, cause_type, cause_id, "
    "created_at) VALUES ({p}, 'transfer', '', 'user', {p}, {p}) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
)
_ENTRIES = (
    "INSERT INTO ledger_entries (transaction_id, account_id, amount, balance_after, "
    "created_at) VALUES ({p}, {p}, {p}, {p}, {p}), ({p}, {p}, {p}, {p}, {p})"
)
_BALANCES = (
    "UPDATE ledger_accounts SET balance = CASE id WHEN {p} THEN {p} WHEN {p} THEN {p} END "
    "WHERE id IN ({p}, {p})"
)


def _statements(placeholder: str, lock: str) -> tuple[str, str, str, str]:
    p = placeholder
    return (
        _LOCK.format(a=p, b=p, lock=lock),
        _TX.format(p=p),
        _ENTRIES.format(p=p),
        _BALANCES.format(p=p),
    )


def _transfer(
    cursor: Any, sql: tuple[str, str, str, str], src: int, dst: int, amount: int, key: str, now: Any
) -> None:
    lock, tx, entries, balances = sql
    cursor.execute(lock, (src, dst))
    rows = {owner: (account_id, balance) for account_id, owner, balance in cursor.fetchall()}
    (src_id, src_balance), (dst_id, dst_balance) = rows[src], rows[dst]
    if src_balance < amount:
        raise InsufficientCredits("not enough credits")
    cursor.execute(tx, (key, src, now))
    found = cursor.fetchone()
    if found is None:
        return
    tx_id = found[0]
    src_after, dst_after = src_balance - amount, dst_balance + amount
    first, second = sorted([(src_id, -amount, src_after), (dst_id, amount, dst_after)])
    cursor.execute(entries, (tx_id, *first, now, tx_id, *second, now))
    cursor.execute(balances, (src_id, src_after, dst_id, dst_after, src_id, dst_id))


def connect(engine: Engine) -> tuple[Transfer, Callable[[], None]]:
    """A transfer function on a fresh driver connection of `engine`'s database, and a closer."""
    if engine.dialect.name == "sqlite":
        path = str(engine.url.database)
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=30000")
        sql = _statements("?", "")

        def sqlite_transfer(src: int, dst: int, amount: int, key: str) -> None:
            cursor = conn.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                _transfer(
                    cursor,
                    sql,
                    src,
                    dst,
                    amount,
                    key,
                    datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
                )
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise

        return sqlite_transfer, conn.close

    import psycopg

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    pg = psycopg.connect(url)
    sql = _statements("%s", " FOR UPDATE")

    def pg_transfer(src: int, dst: int, amount: int, key: str) -> None:
        with pg.transaction(), pg.cursor() as cursor:
            _transfer(cursor, sql, src, dst, amount, key, datetime.now(UTC))

    return pg_transfer, pg.close
