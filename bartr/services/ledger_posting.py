"""The ledger's hot path: post a balanced transaction in two SQL statements (PostgreSQL).

`services.ledger` decides *what* moves; this module writes it, shaped like a hand-written
double-entry transfer so the database, not Python, sets the pace:

1. one SELECT that finds every account by what it is (a member's wallet, a session's
   escrow, a named system account) and locks the rows in id order (FOR UPDATE on
   PostgreSQL; on SQLite the unit of work's BEGIN IMMEDIATE already serialises writers);
2. on PostgreSQL, one statement that writes the rest: `INSERT ... ON CONFLICT
   (idempotency_key) DO NOTHING RETURNING id` for the transaction (no row back = the key
   exists: nothing moves), the entries (`balance_after` computed from the locked
   balances) and the new balances, joined to it in data-modifying CTEs;
   on SQLite (in-process, no round trips) the same as three statements.

The statements are plain text built once (expanding IN parameters): constructing and
cache-keying Core statements on every call cost more Python than the rest of a transfer.

No ORM objects are built on this path. ORM copies of the touched accounts that the
caller's session already holds get their `balance` expired, so a later read sees the
new value. An account that does not exist yet (a member's first credits, a new escrow)
is created on the slow path (`ensure_account`) and the lookup runs once more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session

from bartr.models.base import UTCDateTime, utcnow
from bartr.models.ledger import AccountKind, LedgerAccount, LedgerTransaction
from bartr.services.credits import credits_phrase, format_credits
from bartr.services.errors import InsufficientCredits, NotAllowed

ACCOUNTS = LedgerAccount.__table__  # type: ignore[attr-defined]
TRANSACTIONS = LedgerTransaction.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Ref:
    """What an account is, independent of its row id.

    A wallet is found by its owner, an escrow by its session (its owner must be the
    learner named here), a system account by its name.
    """

    kind: AccountKind
    owner_id: int | None = None
    session_id: int | None = None
    system_name: str | None = None

    @staticmethod
    def wallet(user_id: int) -> Ref:
        return Ref(AccountKind.WALLET, owner_id=user_id)

    @staticmethod
    def escrow(session_id: int, learner_id: int) -> Ref:
        return Ref(AccountKind.ESCROW, owner_id=learner_id, session_id=session_id)

    @staticmethod
    def system(name: str) -> Ref:
        return Ref(AccountKind.SYSTEM, system_name=name)


@dataclass
class Locked:
    """An account row as read under the lock."""

    id: int
    kind: str
    owner_id: int | None
    session_id: int | None
    system_name: str | None
    balance: int

    def matches(self, ref: Ref) -> bool:
        if self.kind != ref.kind.value:
            return False
        if ref.kind == AccountKind.WALLET:
            return self.owner_id == ref.owner_id
        if ref.kind == AccountKind.ESCROW:
            return self.session_id == ref.session_id
        return self.system_name == ref.system_name


def _dialect(db: Session) -> str:
    return db.get_bind().dialect.name


_COLUMNS = "id, kind, owner_id, session_id, system_name, balance"
_BY_KIND = {
    AccountKind.WALLET: "(kind = 'wallet' AND owner_id IN :wallets)",
    AccountKind.ESCROW: "(kind = 'escrow' AND session_id IN :escrows)",
    AccountKind.SYSTEM: "(kind = 'system' AND system_name IN :systems)",
}
_PARAM = {
    AccountKind.WALLET: "wallets",
    AccountKind.ESCROW: "escrows",
    AccountKind.SYSTEM: "systems",
}
_statements: dict[tuple[str, tuple[AccountKind, ...] | None], Any] = {}


def _lock_statement(db: Session, kinds: tuple[AccountKind, ...] | None) -> Any:
    """SELECT ... FOR UPDATE by kinds (or by ids when `kinds` is None), built once per shape.

    Plain text with expanding parameters: building and caching-keying a Core statement per
    call costs more Python than the rest of a transfer.
    """
    dialect = _dialect(db)
    statement = _statements.get((dialect, kinds))
    if statement is None:
        where = "id IN :ids" if kinds is None else " OR ".join(_BY_KIND[k] for k in kinds)
        lock = "" if dialect == "sqlite" else " FOR UPDATE"
        names = ["ids"] if kinds is None else [_PARAM[k] for k in kinds]
        statement = text(
            f"SELECT {_COLUMNS} FROM ledger_accounts WHERE {where} ORDER BY id{lock}"
        ).bindparams(*(bindparam(name, expanding=True) for name in names))
        _statements[(dialect, kinds)] = statement
    return statement


def _by_kind(refs: Iterable[Ref]) -> dict[AccountKind, list[Any]]:
    found: dict[AccountKind, set[Any]] = {}
    for ref in refs:
        value = (
            ref.owner_id
            if ref.kind == AccountKind.WALLET
            else (ref.session_id if ref.kind == AccountKind.ESCROW else ref.system_name)
        )
        found.setdefault(ref.kind, set()).add(value)
    return {kind: sorted(values) for kind, values in found.items()}


def lock_ids(db: Session, account_ids: Iterable[int]) -> dict[int, Locked]:
    """Lock accounts by row id (in id order) and read their balances."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    rows = db.connection().execute(_lock_statement(db, None), {"ids": ids}).all()
    return {row.id: Locked(*row) for row in rows}


def _lock_by_refs(db: Session, refs: Sequence[Ref]) -> list[Locked]:
    wanted = _by_kind(refs)
    kinds = tuple(k for k in AccountKind if k in wanted)
    params = {_PARAM[k]: wanted[k] for k in kinds}
    return [
        Locked(*row) for row in db.connection().execute(_lock_statement(db, kinds), params).all()
    ]


def lock_refs(db: Session, refs: Sequence[Ref]) -> dict[Ref, Locked]:
    """Find and lock the accounts `refs` name, in one statement; create missing ones first."""
    db.flush()  # Core statements do not autoflush: owners created in this unit come first
    for attempt in range(2):
        rows = _lock_by_refs(db, refs)
        found: dict[Ref, Locked] = {}
        missing: list[Ref] = []
        for ref in refs:
            hit = next((row for row in rows if row.matches(ref)), None)
            if hit is None:
                missing.append(ref)
                continue
            if ref.kind == AccountKind.ESCROW and hit.owner_id != ref.owner_id:
                raise NotAllowed(
                    f"The credits held for session #{ref.session_id} belong to another member."
                )
            found[ref] = hit
        if not missing:
            return found
        if attempt == 0:
            for ref in missing:
                ensure_account(db, ref)
    raise RuntimeError(f"ledger accounts could not be created: {missing}")


def ensure_account(db: Session, ref: Ref) -> None:
    """Create the account unless it exists; a concurrent creator may win (unique index)."""
    values = {
        "kind": ref.kind.value,
        "owner_id": ref.owner_id,
        "session_id": ref.session_id,
        "system_name": ref.system_name,
        "balance": 0,
        "created_at": utcnow(),
    }
    insert = postgresql.insert if _dialect(db) == "postgresql" else sqlite.insert
    db.execute(insert(ACCOUNTS).values(**values).on_conflict_do_nothing())


def insufficient_message(account: Locked, needed: int) -> str:
    if account.kind == AccountKind.ESCROW.value:
        return (
            f"Only {credits_phrase(account.balance)} are held for session "
            f"#{account.session_id}; this needs {format_credits(needed)}."
        )
    return (
        f"You have {credits_phrase(account.balance)} available; "
        f"this needs {format_credits(needed)}."
    )


_INSERT_TRANSACTION = text(
    "INSERT INTO ledger_transactions "
    "(idempotency_key, kind, memo, cause_type, cause_id, actor_id, created_at) "
    "VALUES (:idempotency_key, :kind, :memo, :cause_type, :cause_id, :actor_id, :created_at) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
).bindparams(bindparam("created_at", type_=UTCDateTime()))
_INSERT_ENTRY = text(
    "INSERT INTO ledger_entries (transaction_id, account_id, amount, balance_after, created_at) "
    "VALUES (:transaction_id, :account_id, :amount, :balance_after, :created_at)"
).bindparams(bindparam("created_at", type_=UTCDateTime()))
_SET_BALANCE = text("UPDATE ledger_accounts SET balance = :balance WHERE id = :id")
# PostgreSQL: the transaction, its entries and the new balances in one statement. When the
# key exists, `t` is empty and so are the entries and updates joined to it.
_POST_PG = text(
    "WITH t AS ("
    " INSERT INTO ledger_transactions"
    " (idempotency_key, kind, memo, cause_type, cause_id, actor_id, created_at)"
    " VALUES (:idempotency_key, :kind, :memo, :cause_type, :cause_id, :actor_id, :created_at)"
    " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id),"
    " v AS (SELECT * FROM unnest(CAST(:ids AS integer[]), CAST(:amounts AS integer[]),"
    " CAST(:afters AS integer[])) AS v(id, amount, after)),"
    " e AS (INSERT INTO ledger_entries"
    " (transaction_id, account_id, amount, balance_after, created_at)"
    " SELECT t.id, v.id, v.amount, v.after, :created_at FROM t, v),"
    " u AS (UPDATE ledger_accounts AS a SET balance = v.after FROM v, t WHERE a.id = v.id)"
    " SELECT id FROM t"
).bindparams(bindparam("created_at", type_=UTCDateTime()))


@dataclass(frozen=True)
class Posted:
    transaction_id: int
    created_at: datetime
    created: bool  # False: the key existed and nothing moved


def existing_id(db: Session, key: str) -> int | None:
    value = db.execute(
        select(TRANSACTIONS.c.id).where(TRANSACTIONS.c.idempotency_key == key)
    ).scalar()
    return int(value) if value is not None else None


def _expire_cached(db: Session, account_ids: Iterable[int]) -> None:
    ids = set(account_ids)
    for obj in list(db.identity_map.values()):
        if isinstance(obj, LedgerAccount) and obj.id in ids:
            db.expire(obj, ["balance"])


def post_locked(
    db: Session,
    *,
    key: str,
    kind: str,
    amounts: Mapping[int, int],
    locked: Mapping[int, Locked],
    memo: str,
    cause_type: str | None,
    cause_id: int | None,
    actor_id: int | None,
) -> tuple[LedgerTransaction, bool]:
    """Write a transaction over accounts already locked by this transaction.

    `amounts` is {account id: signed amount}, non-zero and summing to zero (checked by the
    caller). Raises InsufficientCredits before writing anything when a wallet or escrow
    would go below zero, unless the key was already posted (then it is a replay).
    Returns (transaction, created now).
    """
    fields: dict[str, Any] = {
        "idempotency_key": key,
        "kind": kind,
        "memo": memo[:600],
        "cause_type": cause_type,
        "cause_id": cause_id,
        "actor_id": actor_id,
    }
    posted = _write(db, fields, amounts, locked)
    return as_transaction(db, posted, **fields), posted.created


def _write(
    db: Session, fields: dict[str, Any], amounts: Mapping[int, int], locked: Mapping[int, Locked]
) -> Posted:
    key = fields["idempotency_key"]
    for account_id, amount in amounts.items():
        account = locked[account_id]
        if account.kind != AccountKind.SYSTEM.value and account.balance + amount < 0:
            replayed = existing_id(db, key)
            if replayed is not None:
                return Posted(replayed, utcnow(), False)
            raise InsufficientCredits(insufficient_message(account, -amount))

    now = utcnow()
    ordered = sorted(amounts)
    after = {aid: locked[aid].balance + amounts[aid] for aid in ordered}
    conn = db.connection()
    if _dialect(db) == "postgresql":
        arrays = {
            "ids": ordered,
            "amounts": [amounts[aid] for aid in ordered],
            "afters": [after[aid] for aid in ordered],
        }
        transaction_id = conn.execute(_POST_PG, {**fields, "created_at": now, **arrays}).scalar()
    else:
        transaction_id = conn.execute(_INSERT_TRANSACTION, {**fields, "created_at": now}).scalar()
        if transaction_id is not None:
            entries = [
                {
                    "transaction_id": transaction_id,
                    "account_id": aid,
                    "amount": amounts[aid],
                    "balance_after": after[aid],
                    "created_at": now,
                }
                for aid in ordered
            ]
            conn.execute(_INSERT_ENTRY, entries)
            conn.execute(_SET_BALANCE, [{"id": aid, "balance": after[aid]} for aid in ordered])
    if transaction_id is None:
        replayed = existing_id(db, key)
        assert replayed is not None
        return Posted(replayed, now, False)
    for aid in ordered:
        locked[aid].balance = after[aid]
    _expire_cached(db, ordered)
    return Posted(int(transaction_id), now, True)


def check_key(key: str) -> None:
    if not key or len(key) > 200:
        raise ValueError("an idempotency key of 1..200 characters is required")


def net_amounts(key: str, pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    """{account id: net amount}, zeros dropped; the amounts must be integers summing to 0."""
    amounts: dict[int, int] = {}
    for account_id, amount in pairs:
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise TypeError("ledger amounts are integers of the minor unit")
        amounts[account_id] = amounts.get(account_id, 0) + amount
    amounts = {aid: amt for aid, amt in amounts.items() if amt != 0}
    if sum(amounts.values()) != 0:
        raise ValueError(f"entries of {key!r} do not sum to zero: {amounts}")
    return amounts


def as_transaction(db: Session, posted: Posted, **fields: Any) -> LedgerTransaction:
    """The ORM row for what was posted, without reading back what was just written."""
    if not posted.created:
        found = db.get(LedgerTransaction, posted.transaction_id)
        assert found is not None
        return found
    transaction = LedgerTransaction(
        id=posted.transaction_id, created_at=posted.created_at, **fields
    )
    make_transient_to_detached(transaction)
    db.add(transaction)
    return transaction
