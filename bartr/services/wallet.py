"""What a member sees of their credits: balances, history with reasons, a chart, CSV.

Read-only. Every function takes the acting member and shows only that member's wallet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from bartr.models.accounts import User
from bartr.models.ledger import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
)
from bartr.models.sessions import SkillSession
from bartr.services import ledger
from bartr.services.credits import credits_phrase, format_credits

MAX_PAGE = 200


@dataclass(frozen=True)
class HistoryRow:
    entry_id: int
    transaction_id: int
    created_at: datetime
    kind: str
    reason: str  # human text, e.g. "Held for Watercolor painting with Asha"
    link_label: str | None  # what the cause link says, e.g. "Session #12"
    link_path: str | None  # where it goes, e.g. "/sessions/12"
    amount: int  # signed minor units on the member's wallet (or on their hold, see from_hold)
    balance_after: int
    # True for a payment out of the member's hold (escrow): the credits left their wallet
    # when the hold was taken, so the available balance does not move on this row.
    from_hold: bool = False


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


@dataclass(frozen=True)
class _SessionFacts:
    """What a history row says about its session: the skill and the other person."""

    skill: str
    teacher_id: int
    learner_id: int
    state: str


def _with_whom(facts: _SessionFacts | None, *, actor: User, users: dict[int | None, User]) -> str:
    """The skill and the other person, seen from the member's side."""
    if facts is None:
        return "a session"
    other_id = facts.teacher_id if facts.learner_id == actor.id else facts.learner_id
    other = users.get(other_id)
    return f"{facts.skill} with {other.display_name}" if other else facts.skill


def _reason(
    tx: LedgerTransaction,
    amount: int,
    *,
    actor: User,
    users: dict[int | None, User],
    payments: dict[int | None, Payment],
    sessions: dict[int, _SessionFacts],
) -> str:
    kind, cid = tx.kind, tx.cause_id
    if kind == "welcome":
        return tx.memo or "Welcome credits"
    if kind == "referral":
        who = users.get(cid or 0)
        return f"Referral: {who.display_name} joined" if who else "Referral reward"
    if kind == "purchase":
        payment = payments.get(cid or 0)
        if payment is None:
            return "Credit pack"
        return f"Credit pack: {_pack_label(payment.pack_id)} ({credits_phrase(payment.credits)})"
    facts = sessions.get(cid or 0) if tx.cause_type == "session" else None
    with_whom = _with_whom(facts, actor=actor, users=users)
    if kind == "session_hold":
        return f"Held for {with_whom}"
    if kind == "session_release":
        return f"Hold returned: {with_whom}"
    if kind in ("session_settle", "session_refund"):
        if facts is not None and facts.learner_id == actor.id:
            verb = "Refund" if kind == "session_refund" else "Unused hold returned"
            return f"{verb}: {with_whom}"
        return f"Earned teaching {with_whom}"
    if kind == "adjustment":
        return f"Admin adjustment: {tx.memo}" if tx.memo else "Admin adjustment"
    if kind == "transfer":
        return "Transfer received" if amount > 0 else "Transfer sent"
    return tx.memo or kind.replace("_", " ").capitalize()


def _paid_from_hold_reason(facts: _SessionFacts | None, users: dict[int | None, User]) -> str:
    """The learner's line for what their hold paid the teacher."""
    if facts is None:
        return "Paid from your hold"
    teacher = users.get(facts.teacher_id)
    name = teacher.display_name if teacher else "the teacher"
    if facts.state == "cancelled":
        return f"Late-cancellation fee to {name} ({facts.skill})"
    if facts.state == "no_show":
        return f"No-show: paid {name} ({facts.skill})"
    return f"Paid {name} for {facts.skill}"


def _rows(
    db: Session, *, actor: User, limit: int | None, offset: int, newest_first: bool
) -> list[HistoryRow]:
    order = col(LedgerEntry.id).desc() if newest_first else col(LedgerEntry.id)
    own_wallet = and_(
        col(LedgerAccount.kind) == AccountKind.WALLET.value, col(LedgerAccount.owner_id) == actor.id
    )
    # A settlement pays the teacher out of the learner's hold: the learner's wallet has no
    # entry for that part, so the escrow's debit is shown as a "Paid" line (from_hold).
    own_hold_paid_out = and_(
        col(LedgerAccount.kind) == AccountKind.ESCROW.value,
        col(LedgerAccount.owner_id) == actor.id,
        col(LedgerTransaction.kind).in_(("session_settle", "session_refund")),
        col(LedgerEntry.amount) < 0,
    )
    query = (
        select(LedgerEntry, LedgerTransaction, LedgerAccount.kind)
        .join(LedgerTransaction, col(LedgerTransaction.id) == LedgerEntry.transaction_id)
        .join(LedgerAccount, col(LedgerAccount.id) == LedgerEntry.account_id)
        .where(or_(own_wallet, own_hold_paid_out))
        .order_by(order)
        .offset(max(0, offset))
    )
    if limit is not None:
        query = query.limit(max(0, min(limit, MAX_PAGE)))
    triples = db.exec(query).all()
    pairs = [(e, t) for e, t, _k in triples]

    session_ids = {t.cause_id for _e, t in pairs if t.cause_type == "session" and t.cause_id}
    sessions: dict[int, _SessionFacts] = (
        {
            s.id: _SessionFacts(s.skill_title, s.teacher_id, s.learner_id, s.state)
            for s in db.exec(select(SkillSession).where(col(SkillSession.id).in_(session_ids)))
            if s.id is not None
        }
        if session_ids
        else {}
    )
    user_ids = {t.cause_id for _e, t in pairs if t.cause_type == "user" and t.cause_id}
    for facts in sessions.values():
        user_ids.update((facts.teacher_id, facts.learner_id))
    payment_ids = {t.cause_id for _e, t in pairs if t.cause_type == "payment" and t.cause_id}
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
    returned = _returned_to_wallet(db, actor=actor, triples=triples)

    rows: list[HistoryRow] = []
    for entry, tx, account_kind in triples:
        if account_kind == AccountKind.ESCROW.value:
            paid = -entry.amount - returned.get(tx.id or 0, (0, 0))[0]
            if paid <= 0:
                continue  # all of it came back to the wallet: that row says so
            rows.append(
                HistoryRow(
                    entry_id=entry.id or 0,
                    transaction_id=tx.id or 0,
                    created_at=entry.created_at,
                    kind=tx.kind,
                    reason=_paid_from_hold_reason(sessions.get(tx.cause_id or 0), users),
                    link_label=f"Session #{tx.cause_id}",
                    link_path=f"/sessions/{tx.cause_id}",
                    amount=-paid,
                    balance_after=returned.get(tx.id or 0, (0, 0))[1],
                    from_hold=True,
                )
            )
            continue
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
                    tx, entry.amount, actor=actor, users=users, payments=payments, sessions=sessions
                ),
                link_label=link[0] if link else None,
                link_path=link[1] if link else None,
                amount=entry.amount,
                balance_after=entry.balance_after,
            )
        )
    return rows


def _returned_to_wallet(
    db: Session,
    *,
    actor: User,
    triples: Sequence[tuple[LedgerEntry, LedgerTransaction, str]],
) -> dict[int, tuple[int, int]]:
    """For each settlement on this page paid out of the member's hold: (credits returned to
    their wallet in the same transaction, their wallet balance right after it)."""
    tx_ids = [t.id for _e, t, kind in triples if kind == AccountKind.ESCROW.value and t.id]
    if not tx_ids:
        return {}
    wallet = db.exec(
        select(LedgerAccount).where(
            LedgerAccount.kind == AccountKind.WALLET.value, LedgerAccount.owner_id == actor.id
        )
    ).first()
    if wallet is None:
        return {}
    result: dict[int, tuple[int, int]] = {}
    for tx_id in tx_ids:
        back = db.exec(
            select(LedgerEntry.amount, LedgerEntry.balance_after).where(
                LedgerEntry.transaction_id == tx_id, LedgerEntry.account_id == wallet.id
            )
        ).first()
        if back is not None:
            result[tx_id] = (int(back[0]), int(back[1]))
            continue
        before = db.exec(
            select(LedgerEntry.balance_after)
            .where(LedgerEntry.account_id == wallet.id, col(LedgerEntry.transaction_id) < tx_id)
            .order_by(col(LedgerEntry.id).desc())
            .limit(1)
        ).first()
        result[tx_id] = (0, int(before or 0))
    return result


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
