"""Credits granted when a member finishes onboarding (welcome grant, referral reward)."""

from __future__ import annotations

from sqlmodel import Session

from bartr.models.accounts import User


def grant_onboarding_rewards(db: Session, *, user: User) -> int:
    """Placeholder replaced by the ledger work; grants nothing yet."""
    return 0
