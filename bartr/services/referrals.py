"""Referral links and the "people you invited" list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import Session, col, select

from bartr.models.accounts import User
from bartr.models.ledger import LedgerAccount, LedgerEntry, LedgerTransaction, TransactionKind
from bartr.services.rewards import referral_ineligibility, referral_key

ReferralState = Literal["signed up", "email not confirmed", "onboarded", "rewarded", "not eligible"]


@dataclass(frozen=True)
class ReferralRow:
    user_id: int
    display_name: str
    handle: str
    signed_up_at: datetime
    state: ReferralState
    earned: int  # minor units this referral earned the referrer


def referral_link(user: User, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/signup?ref={user.referral_code}"


def _rewards_by_referred(db: Session, *, actor: User) -> dict[int, int]:
    """referred user id -> minor units credited to `actor`'s wallet for them."""
    rows = db.exec(
        select(LedgerTransaction.cause_id, LedgerEntry.amount)
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == LedgerTransaction.id)
        .join(LedgerAccount, col(LedgerAccount.id) == LedgerEntry.account_id)
        .where(
            LedgerTransaction.kind == TransactionKind.REFERRAL.value,
            LedgerAccount.kind == "wallet",
            LedgerAccount.owner_id == actor.id,
        )
    ).all()
    earned: dict[int, int] = {}
    for cause_id, amount in rows:
        if cause_id is not None:
            earned[cause_id] = earned.get(cause_id, 0) + int(amount)
    return earned


def list_referrals(db: Session, *, actor: User) -> list[ReferralRow]:
    """The members who signed up with `actor`'s link, newest first."""
    invited = db.exec(
        select(User)
        .where(User.referred_by_id == actor.id, col(User.id) != actor.id)
        .order_by(col(User.created_at).desc(), col(User.id).desc())
    ).all()
    earned = _rewards_by_referred(db, actor=actor)
    rewarded_keys = set(
        db.exec(
            select(LedgerTransaction.idempotency_key).where(
                col(LedgerTransaction.idempotency_key).in_(
                    [referral_key(u.id or 0) for u in invited]
                )
            )
        ).all()
    )
    rows: list[ReferralRow] = []
    for user in invited:
        assert user.id is not None
        state: ReferralState
        if referral_key(user.id) in rewarded_keys:
            state = "rewarded"
        elif referral_ineligibility(db, user=user) in {"same mailbox", "self-referral"}:
            state = "not eligible"
        elif user.onboarded_at is not None and user.email_verified_at is None:
            state = "email not confirmed"  # the reward waits for the confirmation
        elif user.onboarded_at is not None:
            state = "onboarded"
        else:
            state = "signed up"
        rows.append(
            ReferralRow(
                user_id=user.id,
                display_name=user.display_name,
                handle=user.handle,
                signed_up_at=user.created_at,
                state=state,
                earned=earned.get(user.id, 0),
            )
        )
    return rows


def total_earned(db: Session, *, actor: User) -> int:
    """All minor units `actor` has earned from referrals."""
    return sum(_rewards_by_referred(db, actor=actor).values())
