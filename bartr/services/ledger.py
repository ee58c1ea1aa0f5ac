"""The credits ledger: every movement of credits, double-entry and idempotent.

- A movement is one `LedgerTransaction` whose entries sum to zero over accounts: member
  wallets, one escrow per session (owned by the learner), and named system accounts
  (welcome, referral, purchases, adjustments) that are the sources of new credits.
- Every transaction carries an idempotency key derived from its cause. Posting a key that
  exists returns the existing transaction and moves nothing.
- Wallets and escrows never go below zero. The rows of every account a transaction touches
  are locked (SELECT ... FOR UPDATE on PostgreSQL, in id order so two transfers in
  opposite directions cannot deadlock; on SQLite the unit of work's BEGIN IMMEDIATE
  already serialises writers) and the balance is checked under the lock. The loser of a
  race gets `InsufficientCredits`.
- All amounts are integers of the minor unit (`services.credits`).

The caller owns the database transaction (`with unit_of_work() as db:`); nothing here commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bartr.models.accounts import User
from bartr.models.ledger import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from bartr.services import audit, domain_events
from bartr.services import ledger_posting as posting
from bartr.services.credits import credits_phrase, format_credits
from bartr.services.errors import InsufficientCredits, NotAllowed, NotFound, ValidationFailed
from bartr.services.validation import clean_text

SYSTEM_WELCOME = "welcome"
SYSTEM_REFERRAL = "referral"
SYSTEM_PURCHASES = "purchases"
SYSTEM_ADJUSTMENTS = "adjustments"

MAX_REASON = 500


# --------------------------------------------------------------------------- accounts


def _find_account(
    db: Session,
    *,
    kind: AccountKind,
    owner_id: int | None = None,
    session_id: int | None = None,
    system_name: str | None = None,
) -> LedgerAccount | None:
    query = select(LedgerAccount).where(LedgerAccount.kind == kind.value)
    if kind == AccountKind.WALLET:
        query = query.where(LedgerAccount.owner_id == owner_id)
    elif kind == AccountKind.ESCROW:
        query = query.where(LedgerAccount.session_id == session_id)
    else:
        query = query.where(LedgerAccount.system_name == system_name)
    return db.exec(query).first()


def _get_or_create_account(
    db: Session,
    *,
    kind: AccountKind,
    owner_id: int | None = None,
    session_id: int | None = None,
    system_name: str | None = None,
) -> LedgerAccount:
    """Find the account or create it; a concurrent creator wins the unique index race and
    this side reads the winner's row (the SAVEPOINT keeps the outer transaction usable)."""
    account = _find_account(
        db, kind=kind, owner_id=owner_id, session_id=session_id, system_name=system_name
    )
    if account is not None:
        return account
    account = LedgerAccount(
        kind=kind.value, owner_id=owner_id, session_id=session_id, system_name=system_name
    )
    try:
        with db.begin_nested():
            db.add(account)
            db.flush()
    except IntegrityError:
        found = _find_account(
            db, kind=kind, owner_id=owner_id, session_id=session_id, system_name=system_name
        )
        if found is None:
            raise
        return found
    return account


def wallet_account(db: Session, user_id: int) -> LedgerAccount:
    """The member's wallet (created on first use)."""
    return _get_or_create_account(db, kind=AccountKind.WALLET, owner_id=user_id)


def system_account(db: Session, name: str) -> LedgerAccount:
    return _get_or_create_account(db, kind=AccountKind.SYSTEM, system_name=name)


def escrow_account(db: Session, *, session_id: int, learner_id: int) -> LedgerAccount:
    """The session's escrow; its owner is the learner whose credits it holds."""
    account = _get_or_create_account(
        db, kind=AccountKind.ESCROW, owner_id=learner_id, session_id=session_id
    )
    if account.owner_id != learner_id:
        raise NotAllowed(f"The credits held for session #{session_id} belong to another member.")
    return account


def available_balance(db: Session, user_id: int) -> int:
    """Credits the member can spend now (minor units)."""
    value = db.exec(
        select(LedgerAccount.balance).where(
            LedgerAccount.kind == AccountKind.WALLET.value, LedgerAccount.owner_id == user_id
        )
    ).first()
    return int(value or 0)


def held_balance(db: Session, user_id: int) -> int:
    """Credits of this member held in session escrows (minor units)."""
    value = db.exec(
        select(func.coalesce(func.sum(LedgerAccount.balance), 0)).where(
            LedgerAccount.kind == AccountKind.ESCROW.value, LedgerAccount.owner_id == user_id
        )
    ).one()
    return int(value or 0)


def escrow_balance(db: Session, session_id: int) -> int:
    value = db.exec(
        select(LedgerAccount.balance).where(
            LedgerAccount.kind == AccountKind.ESCROW.value,
            LedgerAccount.session_id == session_id,
        )
    ).first()
    return int(value or 0)


def find_transaction(db: Session, key: str) -> LedgerTransaction | None:
    return db.exec(
        select(LedgerTransaction).where(LedgerTransaction.idempotency_key == key)
    ).first()


def entries_of(db: Session, transaction: LedgerTransaction) -> list[LedgerEntry]:
    return list(
        db.exec(
            select(LedgerEntry)
            .where(LedgerEntry.transaction_id == transaction.id)
            .order_by(col(LedgerEntry.id))
        ).all()
    )


# --------------------------------------------------------------------------- posting


def _lock_accounts(db: Session, account_ids: Iterable[int]) -> dict[int, LedgerAccount]:
    """Lock the rows in id order and return them with their current balances.

    `populate_existing` refreshes objects already in the session: the balance checked is
    the one read under the lock, never a stale copy from earlier in the transaction.
    """
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    query = (
        select(LedgerAccount)
        .where(col(LedgerAccount.id).in_(ids))
        .order_by(col(LedgerAccount.id))
        .execution_options(populate_existing=True)
    )
    if db.get_bind().dialect.name != "sqlite":
        query = query.with_for_update()
    return {a.id: a for a in db.exec(query).all() if a.id is not None}


def _post_refs(
    db: Session,
    *,
    key: str,
    kind: TransactionKind | str,
    entries: Sequence[tuple[posting.Ref, int]],
    memo: str = "",
    cause_type: str | None = None,
    cause_id: int | None = None,
    actor_id: int | None = None,
) -> tuple[LedgerTransaction, bool]:
    """The hot path: find and lock the accounts by what they are, then post (4 statements)."""
    posting.check_key(key)
    by_ref = posting.lock_refs(db, [ref for ref, _amount in entries])
    amounts = posting.net_amounts(key, [(by_ref[ref].id, amount) for ref, amount in entries])
    locked = {row.id: row for row in by_ref.values()}
    return posting.post_locked(
        db,
        key=key,
        kind=TransactionKind(kind).value,
        amounts=amounts,
        locked=locked,
        memo=memo,
        cause_type=cause_type,
        cause_id=cause_id,
        actor_id=actor_id,
    )


def _post(
    db: Session,
    *,
    key: str,
    kind: TransactionKind | str,
    entries: Sequence[tuple[LedgerAccount, int]],
    memo: str = "",
    cause_type: str | None = None,
    cause_id: int | None = None,
    actor_id: int | None = None,
) -> tuple[LedgerTransaction, bool]:
    """Post a balanced transaction over account rows; returns (transaction, created_now)."""
    posting.check_key(key)
    if any(account.id is None for account, _amount in entries):
        db.flush()
    amounts = posting.net_amounts(key, [(account.id or 0, amount) for account, amount in entries])
    locked = posting.lock_ids(db, amounts)
    return posting.post_locked(
        db,
        key=key,
        kind=TransactionKind(kind).value,
        amounts=amounts,
        locked=locked,
        memo=memo,
        cause_type=cause_type,
        cause_id=cause_id,
        actor_id=actor_id,
    )


def post_transaction(
    db: Session,
    *,
    key: str,
    kind: TransactionKind | str,
    entries: Sequence[tuple[LedgerAccount, int]],
    memo: str = "",
    cause_type: str | None = None,
    cause_id: int | None = None,
    actor_id: int | None = None,
) -> LedgerTransaction:
    """Post entries [(account, signed amount), ...] that sum to zero, once per key.

    Raises InsufficientCredits (nothing written) if a wallet or escrow would go below zero.
    """
    transaction, _created = _post(
        db,
        key=key,
        kind=kind,
        entries=entries,
        memo=memo,
        cause_type=cause_type,
        cause_id=cause_id,
        actor_id=actor_id,
    )
    return transaction


# --------------------------------------------------------------------------- operations


def _positive(amount: int, *, what: str = "Amount") -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValidationFailed(f"{what} must be a positive whole number of minutes.")
    return amount


def grant(
    db: Session,
    *,
    user_id: int,
    amount: int,
    system: str,
    kind: TransactionKind | str,
    key: str,
    memo: str = "",
    cause_type: str | None = None,
    cause_id: int | None = None,
) -> LedgerTransaction:
    """New credits from a system account (welcome, referral, purchases) into a wallet."""
    return grant_once(
        db,
        user_id=user_id,
        amount=amount,
        system=system,
        kind=kind,
        key=key,
        memo=memo,
        cause_type=cause_type,
        cause_id=cause_id,
    )[0]


def grant_once(
    db: Session,
    *,
    user_id: int,
    amount: int,
    system: str,
    kind: TransactionKind | str,
    key: str,
    memo: str = "",
    cause_type: str | None = None,
    cause_id: int | None = None,
) -> tuple[LedgerTransaction, bool]:
    """Like `grant`, also saying whether this call created it (False on a replay)."""
    _positive(amount)
    return _post_refs(
        db,
        key=key,
        kind=kind,
        entries=[(posting.Ref.system(system), -amount), (posting.Ref.wallet(user_id), amount)],
        memo=memo,
        cause_type=cause_type,
        cause_id=cause_id,
    )


def hold_for_session(
    db: Session, *, session_id: int, learner_id: int, amount: int, key: str
) -> LedgerTransaction:
    """Move `amount` from the learner's wallet into the session's escrow."""
    _positive(amount)
    wallet = posting.Ref.wallet(learner_id)
    escrow = posting.Ref.escrow(session_id, learner_id)
    return _post_refs(
        db,
        key=key,
        kind=TransactionKind.SESSION_HOLD,
        entries=[(wallet, -amount), (escrow, amount)],
        memo=f"Held for session #{session_id}",
        cause_type="session",
        cause_id=session_id,
    )[0]


def release_session_hold(
    db: Session,
    *,
    session_id: int,
    learner_id: int,
    key: str,
    kind: TransactionKind | str = TransactionKind.SESSION_RELEASE,
) -> LedgerTransaction | None:
    """Return the whole escrow to the learner. None when nothing is held."""
    existing = find_transaction(db, key)
    if existing is not None:
        return existing
    escrow = _find_account(db, kind=AccountKind.ESCROW, session_id=session_id)
    if escrow is None:
        return None
    if escrow.owner_id != learner_id:
        raise NotAllowed(f"The credits held for session #{session_id} belong to another member.")
    wallet = wallet_account(db, learner_id)
    # Lock every account this will touch, in id order, before reading the escrow.
    held = _lock_accounts(db, [escrow.id or 0, wallet.id or 0])[escrow.id or 0].balance
    if held == 0:
        return None
    return post_transaction(
        db,
        key=key,
        kind=kind,
        entries=[(escrow, -held), (wallet, held)],
        memo=f"Hold returned for session #{session_id}",
        cause_type="session",
        cause_id=session_id,
    )


def settle_session(
    db: Session,
    *,
    session_id: int,
    learner_id: int,
    teacher_id: int,
    to_teacher: int,
    key: str,
    kind: TransactionKind | str = TransactionKind.SESSION_SETTLE,
) -> LedgerTransaction | None:
    """Empty the session's escrow: `to_teacher` to the teacher, the rest back to the learner.

    `0 <= to_teacher <= escrow balance`. Returns None when the escrow is empty and nothing
    is owed to the teacher (nothing to move).
    """
    if not isinstance(to_teacher, int) or isinstance(to_teacher, bool) or to_teacher < 0:
        raise ValidationFailed("The teacher's share cannot be negative.")
    existing = find_transaction(db, key)
    if existing is not None:
        return existing
    escrow = _find_account(db, kind=AccountKind.ESCROW, session_id=session_id)
    held = 0
    if escrow is not None:
        if escrow.owner_id != learner_id:
            raise NotAllowed(
                f"The credits held for session #{session_id} belong to another member."
            )
        teacher_wallet = wallet_account(db, teacher_id)
        learner_wallet = wallet_account(db, learner_id)
        # Lock every account this will touch, in id order, before reading the escrow.
        ids = [escrow.id or 0, teacher_wallet.id or 0, learner_wallet.id or 0]
        held = _lock_accounts(db, ids)[escrow.id or 0].balance
    if to_teacher > held:
        raise InsufficientCredits(
            f"Only {credits_phrase(held)} are held for session #{session_id}; "
            f"the teacher's share is {format_credits(to_teacher)}."
        )
    if held == 0 or escrow is None:
        return None
    entries: list[tuple[LedgerAccount, int]] = [(escrow, -held)]
    if to_teacher:
        entries.append((teacher_wallet, to_teacher))
    if held - to_teacher:
        entries.append((learner_wallet, held - to_teacher))
    return post_transaction(
        db,
        key=key,
        kind=kind,
        entries=entries,
        memo=f"Settled session #{session_id}",
        cause_type="session",
        cause_id=session_id,
    )


def transfer(
    db: Session,
    *,
    from_user_id: int,
    to_user_id: int,
    amount: int,
    key: str,
    memo: str = "",
) -> LedgerTransaction:
    """Wallet to wallet (benchmark and support tooling; not offered to members)."""
    _positive(amount)
    if from_user_id == to_user_id:
        raise ValidationFailed("Choose another member to send credits to.")
    source = posting.Ref.wallet(from_user_id)
    target = posting.Ref.wallet(to_user_id)
    return _post_refs(
        db,
        key=key,
        kind=TransactionKind.TRANSFER,
        entries=[(source, -amount), (target, amount)],
        memo=memo,
        cause_type="user",
        cause_id=from_user_id,
    )[0]


def admin_adjust(
    db: Session, *, actor: User, user_id: int, amount: int, reason: str
) -> LedgerTransaction:
    """An admin's correction: credits a member's wallet (amount > 0) or debits it (< 0)."""
    if not actor.is_admin:
        raise NotAllowed("Only admins can adjust a member's credits.")
    if actor.id == user_id:
        raise NotAllowed("Ask another admin to adjust your own credits.")
    text = clean_text(reason, field="reason", label="Reason", max_length=MAX_REASON)
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        raise ValidationFailed("Enter a non-zero amount.", field="amount")
    member = db.get(User, user_id)
    if member is None:
        raise NotFound("No such member.")
    source = posting.Ref.system(SYSTEM_ADJUSTMENTS)
    wallet = posting.Ref.wallet(user_id)
    try:
        tx, _created = _post_refs(
            db,
            key=f"adjust:{uuid.uuid4()}",
            kind=TransactionKind.ADJUSTMENT,
            entries=[(source, -amount), (wallet, amount)],
            memo=text,
            cause_type="user",
            cause_id=user_id,
            actor_id=actor.id,
        )
    except InsufficientCredits:
        available = available_balance(db, user_id)
        raise InsufficientCredits(
            f"{member.display_name} has {credits_phrase(available)} available; "
            f"a deduction of {format_credits(-amount)} would take the wallet below zero.",
            field="amount",
        ) from None
    audit.record(
        db,
        actor=actor,
        action="credits.adjust",
        target_kind="member",
        target_id=user_id,
        member_id=user_id,
        note=text,
        data={"amount": amount, "transaction_id": tx.id},
    )
    adjusted = domain_events.CreditsAdjusted(
        user_id, actor.id or 0, amount, tx.id or 0, tx.created_at
    )
    domain_events.emit(db, adjusted)
    return tx


# --------------------------------------------------------------------------- invariants


def check_invariants(db: Session) -> list[str]:
    """Problems with the books, or [] when they balance."""
    problems: list[str] = []
    total = db.exec(select(func.coalesce(func.sum(LedgerEntry.amount), 0))).one()
    if int(total or 0) != 0:
        problems.append(f"entries sum to {total}, not 0")
    unbalanced = db.exec(
        select(LedgerEntry.transaction_id, func.sum(LedgerEntry.amount))
        .group_by(col(LedgerEntry.transaction_id))
        .having(func.sum(LedgerEntry.amount) != 0)
    ).all()
    for tx_id, amount in unbalanced:
        problems.append(f"transaction {tx_id} entries sum to {amount}")
    sums: dict[Any, int] = {
        account_id: int(amount)
        for account_id, amount in db.exec(
            select(LedgerEntry.account_id, func.sum(LedgerEntry.amount)).group_by(
                col(LedgerEntry.account_id)
            )
        ).all()
    }
    accounts = db.exec(select(LedgerAccount).execution_options(populate_existing=True)).all()
    for account in accounts:
        expected = sums.get(account.id, 0)
        if account.balance != expected:
            problems.append(
                f"account {account.id} ({account.kind}) caches {account.balance}, "
                f"entries sum to {expected}"
            )
        if account.kind != AccountKind.SYSTEM.value and account.balance < 0:
            problems.append(f"account {account.id} ({account.kind}) is negative: {account.balance}")
    # The last entry of each account must carry its balance.
    last_ids = select(func.max(LedgerEntry.id)).group_by(col(LedgerEntry.account_id))
    by_id = {a.id: a for a in accounts}
    for entry in db.exec(select(LedgerEntry).where(col(LedgerEntry.id).in_(last_ids))).all():
        last = by_id.get(entry.account_id)
        if last is not None and entry.balance_after != last.balance:
            problems.append(
                f"account {last.id} last balance_after {entry.balance_after} "
                f"!= balance {last.balance}"
            )
    return problems
