"""What a member sees of their credits: balances, history with reasons, a chart, CSV.

Read-only. Every function takes the acting member and shows only that member's wallet.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bartr.models.accounts import User
from bartr.models.ledger import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
)
from bartr.services import ledger
from bartr.services.credits import format_credits

MAX_PAGE = 200


@dataclass(frozen=True)
class HistoryRow:
    entry_id: int
    transaction_id: int
    created_at: datetime
    kind: str
    reason: str  # human text, e.g. "Held for session #12"
    link_label: str | None  # what the cause link says, e.g. "Session #12"
    link_path: str | None  # where it goes, e.g. "/sessions/12"
    amount: int  # signed minor units on the member's wallet
    balance_after: int


def cause_link(
    cause_type: str | None, cause_id: int | None, *, handle: str | None = None, name: str = ""
) -> tuple[str, str] | None:
    """(label, path) for a transaction's cause; routes-independent on purpose (tiny, pure)."""
    if cause_type is None or cause_id is None:
        return None
    if cause_type == "session":
        return f"Session #{cause_id}", f"/sessions/{cause_id}"
    if cause_type == "payment":
        return f"Payment #{cause_id}", f"/wallet#payment-{cause_id}"
    if cause_type == "user" and handle:
        return name or f"@{handle}", f"/u/{handle}"
    return None


def wallet_summary(db: Session, *, actor: User) -> tuple[int, int]:
    """(available, on hold) in minor units."""
    assert actor.id is not None
    return ledger.available_balance(db, actor.id), ledger.held_balance(db, actor.id)


def _pack_label(pack_id: str) -> str:
    return pack_id.replace("-", " ").replace("_", " ").title()


def _reason(
    tx: LedgerTransaction,
    amount: int,
    *,
    actor: User,
    users: dict[int | None, User],
    payments: dict[int | None, Payment],
    escrow_owner: dict[int, int | None],
) -> str:
    kind, cid = tx.kind, tx.cause_id
    if kind == "welcome":
        return "Welcome credits"
    if kind == "referral":
        who = users.get(cid or 0)
        return f"Referral: {who.display_name} joined" if who else "Referral reward"
    if kind == "purchase":
        payment = payments.get(cid or 0)
        if payment is None:
            return "Credit pack"
        return f"Credit pack: {_pack_label(payment.pack_id)} ({format_credits(payment.credits)} credits)"
    if kind == "session_hold":
        return f"Held for session #{cid}"
    if kind == "session_release":
        return f"Hold returned for session #{cid}"
    if kind in ("session_settle", "session_refund"):
        learner = escrow_owner.get(cid or 0)
        if learner == actor.id:
            verb = "Refund" if kind == "session_refund" else "Unused hold returned"
            return f"{verb} for session #{cid}"
        return f"Earned teaching session #{cid}"
    if kind == "adjustment":
        return f"Admin adjustment: {tx.memo}" if tx.memo else "Admin adjustment"
    if kind == "transfer":
        return "Transfer received" if amount > 0 else "Transfer sent"
    return tx.memo or kind.replace("_", " ").capitalize()


def _rows(
    db: Session, *, actor: User, limit: int | None, offset: int, newest_first: bool
) -> list[HistoryRow]:
    order = col(LedgerEntry.id).desc() if newest_first else col(LedgerEntry.id)
    query = (
        select(LedgerEntry, LedgerTransaction)
        .join(LedgerTransaction, col(LedgerTransaction.id) == LedgerEntry.transaction_id)
        .join(LedgerAccount, col(LedgerAccount.id) == LedgerEntry.account_id)
        .where(
            LedgerAccount.kind == AccountKind.WALLET.value,
            LedgerAccount.owner_id == actor.id,
        )
        .order_by(order)
        .offset(max(0, offset))
    )
    if limit is not None:
        query = query.limit(max(0, min(limit, MAX_PAGE)))
    pairs = db.exec(query).all()

    user_ids = {t.cause_id for _e, t in pairs if t.cause_type == "user" and t.cause_id}
    payment_ids = {t.cause_id for _e, t in pairs if t.cause_type == "payment" and t.cause_id}
    session_ids = {t.cause_id for _e, t in pairs if t.cause_type == "session" and t.cause_id}
    users = (
        {u.id: u for u in db.exec(select(User).where(col(User.id).in_(user_ids))).all()}
        if user_ids
        else {}
    )
    # Only the member's own payments are looked up: a cause id never reveals another's.
    payments = (
        {
            p.id: p
            for p in db.exec(
                select(Payment).where(col(Payment.id).in_(payment_ids), Payment.user_id == actor.id)
            ).all()
        }
        if payment_ids
        else {}
    )
    escrow_owner: dict[int, int | None] = (
        {
            sid: owner
            for sid, owner in db.exec(
                select(LedgerAccount.session_id, LedgerAccount.owner_id).where(
                    LedgerAccount.kind == AccountKind.ESCROW.value,
                    col(LedgerAccount.session_id).in_(session_ids),
                )
            ).all()
            if sid is not None
        }
        if session_ids
        else {}
    )

    rows: list[HistoryRow] = []
    for entry, tx in pairs:
        link = None
        if tx.cause_type == "user":
            who = users.get(tx.cause_id or 0)
            # An adjustment's cause is the member themself: no link to their own page.
            if who is not None and who.id != actor.id:
                link = cause_link("user", who.id, handle=who.handle, name=who.display_name)
        elif tx.cause_type == "payment" and (tx.cause_id or 0) not in payments:
            link = None
        else:
            link = cause_link(tx.cause_type, tx.cause_id)
        rows.append(
            HistoryRow(
                entry_id=entry.id or 0,
                transaction_id=tx.id or 0,
                created_at=entry.created_at,
                kind=tx.kind,
                reason=_reason(
                    tx,
                    entry.amount,
                    actor=actor,
                    users=users,
                    payments=payments,
                    escrow_owner=escrow_owner,
                ),
                link_label=link[0] if link else None,
                link_path=link[1] if link else None,
                amount=entry.amount,
                balance_after=entry.balance_after,
            )
        )
    return rows


def history(db: Session, *, actor: User, limit: int = 50, offset: int = 0) -> list[HistoryRow]:
    """The member's wallet movements, newest first, one page at a time."""
    return _rows(db, actor=actor, limit=limit, offset=offset, newest_first=True)


def balance_series(db: Session, *, actor: User) -> list[tuple[datetime, int]]:
    """(time, balance after) for each wallet movement, oldest first, for a chart."""
    rows = db.exec(
        select(LedgerEntry.created_at, LedgerEntry.balance_after)
        .join(LedgerAccount, col(LedgerAccount.id) == LedgerEntry.account_id)
        .where(
            LedgerAccount.kind == AccountKind.WALLET.value,
            LedgerAccount.owner_id == actor.id,
        )
        .order_by(col(LedgerEntry.id))
    ).all()
    return [(created_at, int(balance)) for created_at, balance in rows]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ gets a leading quote."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _plain_number(minor: int) -> str:
    """-90 -> '-1.5': a number a spreadsheet reads as a number."""
    return format_credits(minor).replace("−", "-")


def history_csv(db: Session, *, actor: User) -> str:
    """The member's whole history as CSV (oldest first), amounts in credits."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", "type", "reason", "amount_credits", "balance_credits"])
    for row in _rows(db, actor=actor, limit=None, offset=0, newest_first=False):
        # Text cells can carry what members typed, so they are neutralised; the amounts
        # are numbers we format (ASCII minus) so spreadsheets can add them up.
        writer.writerow(
            [
                row.created_at.isoformat(timespec="seconds"),
                csv_safe(row.kind),
                csv_safe(row.reason),
                _plain_number(row.amount),
                _plain_number(row.balance_after),
            ]
        )
    return out.getvalue()
