"""Credits granted to new members (welcome grant) and to whoever invited them (referral).

The welcome credits come when the member finishes onboarding. The referrer's reward comes
only once the invited member has BOTH confirmed their email address and finished
onboarding, whichever happens last (a made-up address earns nobody anything). Both are
ledger grants with keys derived from the new member (`welcome:<id>`, `referral:<id>`), so
completing onboarding twice, verifying twice, or a retried request, grants once.
"""

from __future__ import annotations

from sqlmodel import Session

from bartr.models.accounts import User, UserStatus
from bartr.models.ledger import TransactionKind
from bartr.services import domain_events, ledger
from bartr.services.credits import credits
from bartr.services.validation import canonical_mailbox
from bartr.settings import get_settings


def welcome_key(user_id: int) -> str:
    return f"welcome:{user_id}"


def referral_key(referred_id: int) -> str:
    return f"referral:{referred_id}"


def referral_ineligibility(db: Session, *, user: User) -> str | None:
    """Why `user`'s referrer earns nothing for them, or None if the reward is due."""
    if user.referred_by_id is None:
        return "no referrer"
    if user.referred_by_id == user.id:
        return "self-referral"
    referrer = db.get(User, user.referred_by_id)
    if referrer is None:
        return "referrer no longer exists"
    if canonical_mailbox(referrer.email) == canonical_mailbox(user.email):
        return "same mailbox"
    if referrer.status == UserStatus.SUSPENDED:
        return "referrer suspended"
    return None


def grant_onboarding_rewards(db: Session, *, user: User) -> int:
    """Grant the welcome credits and the referrer's reward, each at most once.

    Returns the minor units granted to `user` by this call (0 when already granted).
    """
    assert user.id is not None
    settings = get_settings()
    granted = 0
    welcome = credits(settings.welcome_credits)
    if welcome > 0:
        _tx, created = ledger.grant_once(
            db,
            user_id=user.id,
            amount=welcome,
            system=ledger.SYSTEM_WELCOME,
            kind=TransactionKind.WELCOME,
            key=welcome_key(user.id),
            memo="Welcome credits",
            cause_type="user",
            cause_id=user.id,
        )
        granted = welcome if created else 0

    grant_referral_if_due(db, user=user)
    return granted


def grant_referral_if_due(db: Session, *, user: User) -> bool:
    """Reward `user`'s referrer once `user` is verified and onboarded; True if granted now.

    Called when onboarding completes and when the email is verified; the ledger key makes
    a second call (or both racing) a no-op.
    """
    assert user.id is not None
    # Re-read the member under a row lock, after this transaction's own write to it: when
    # verification and onboarding finish at the same moment, the later one sees both.
    db.flush()
    db.refresh(user, with_for_update=True)
    reward = credits(get_settings().referral_credits)
    if user.email_verified_at is None or user.onboarded_at is None:
        return False
    rewarded = False
    if reward > 0 and referral_ineligibility(db, user=user) is None:
        assert user.referred_by_id is not None
        reward_tx, rewarded = ledger.grant_once(
            db,
            user_id=user.referred_by_id,
            amount=reward,
            system=ledger.SYSTEM_REFERRAL,
            kind=TransactionKind.REFERRAL,
            key=referral_key(user.id),
            memo=f"Referral: {user.display_name} joined",
            cause_type="user",
            cause_id=user.id,
        )
        if rewarded:
            domain_events.emit(
                db,
                domain_events.ReferralRewarded(
                    referrer_id=user.referred_by_id,
                    referred_id=user.id,
                    amount=reward,
                    transaction_id=reward_tx.id or 0,
                    at=reward_tx.created_at,
                ),
            )
    return rewarded
