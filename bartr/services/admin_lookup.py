"""What the admin credits tool reads: finding a member, parsing an amount, recent adjustments.

Every function that reads member data takes the acting user and refuses non-admins: the
admin page's handlers can be called over the socket by anyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bartr.models.accounts import User
from bartr.models.ledger import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from bartr.services.credits import credits
from bartr.services.errors import NotAllowed, NotFound, ValidationFailed

MAX_ADJUST_CREDITS = 1000  # a bigger correction is almost certainly a typo
MAX_RECENT = 100


@dataclass(frozen=True)
class Adjustment:
    transaction_id: int
    created_at: datetime
    member_id: int
    member_name: str
    member_handle: str
    admin_name: str
    amount: int  # signed minor units on the member's wallet
    balance_after: int
    reason: str


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only admins can do this.")


def find_member(db: Session, *, actor: User, query: str) -> User:
    """The member whose email or handle (with or without '@') is `query`."""
    _require_admin(actor)
    text = (query or "").strip()
    if not text:
        raise ValidationFailed("Enter an email or a handle.", field="query")
    if len(text) > 254:
        raise NotFound("No member with that email or handle.", field="query")
    if "@" in text[1:]:
        user = db.exec(select(User).where(User.email == text.lower())).first()
    else:
        user = db.exec(select(User).where(User.handle == text.lstrip("@").lower())).first()
    if user is None:
        raise NotFound("No member with that email or handle.", field="query")
    return user


_AMOUNT = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def parse_amount(text: str) -> int:
    """'2', '+1.5', '-0.5', '−3' (typographic minus), '1,5' -> signed minor units.

    Whole or half credits only, non-zero, at most MAX_ADJUST_CREDITS either way.
    """
    cleaned = (text or "").strip().replace("−", "-").replace(",", ".").replace(" ", "")
    if not cleaned:
        raise ValidationFailed("Enter an amount of credits.", field="amount")
    if not _AMOUNT.match(cleaned):
        raise ValidationFailed("Enter a number of credits, like 2, 1.5 or -0.5.", field="amount")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationFailed(
            "Enter a number of credits, like 2, 1.5 or -0.5.", field="amount"
        ) from None
    if value == 0:
        raise ValidationFailed("Enter a non-zero amount.", field="amount")
    if (value * 2) % 1 != 0:
        raise ValidationFailed("Use whole or half credits, like 2 or 1.5.", field="amount")
    if abs(value) > MAX_ADJUST_CREDITS:
        raise ValidationFailed(f"At most {MAX_ADJUST_CREDITS} credits at a time.", field="amount")
    return credits(float(value))


def recent_adjustments(db: Session, *, actor: User, limit: int = 20) -> list[Adjustment]:
    """The latest admin adjustments across all members, newest first."""
    _require_admin(actor)
    member = aliased(User)
    admin = aliased(User)
    rows = db.exec(
        select(LedgerTransaction, LedgerEntry, member, admin)
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == LedgerTransaction.id)
        .join(LedgerAccount, col(LedgerAccount.id) == LedgerEntry.account_id)
        .join(member, col(member.id) == LedgerAccount.owner_id)
        .outerjoin(admin, col(admin.id) == LedgerTransaction.actor_id)
        .where(
            LedgerTransaction.kind == TransactionKind.ADJUSTMENT.value,
            LedgerAccount.kind == AccountKind.WALLET.value,
        )
        .order_by(col(LedgerTransaction.id).desc())
        .limit(max(1, min(limit, MAX_RECENT)))
    ).all()
    return [
        Adjustment(
            transaction_id=tx.id or 0,
            created_at=tx.created_at,
            member_id=who.id or 0,
            member_name=who.display_name,
            member_handle=who.handle,
            admin_name=by.display_name if by is not None else "",
            amount=entry.amount,
            balance_after=entry.balance_after,
            reason=tx.memo,
        )
        for tx, entry, who, by in rows
    ]
