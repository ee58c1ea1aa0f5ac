"""Welcome credits and referral rewards, granted once when onboarding completes."""

from __future__ import annotations

from sqlmodel import Session, func, select

from bartr.models.accounts import UserStatus
from bartr.models.ledger import LedgerTransaction
from bartr.services import accounts, ledger, rewards
from bartr.services.credits import credits
from tests.factories import make_user


def _tx_count(db: Session) -> int:
    return db.exec(select(func.count()).select_from(LedgerTransaction)).one()


def _onboard(db: Session, user) -> None:
    accounts.do_complete_onboarding(
        db, actor=user, bio="Hi", languages=["English"], timezone="Europe/Berlin"
    )
    db.commit()


def test_welcome_credits_granted_once(db: Session) -> None:
    user = make_user(db, onboarded=False)
    granted = rewards.grant_onboarding_rewards(db, user=user)
    db.commit()
    assert granted == credits(2)
    assert ledger.available_balance(db, user.id) == credits(2)
    # A second call (retried request) grants nothing more and says so.
    assert rewards.grant_onboarding_rewards(db, user=user) == 0
    assert ledger.available_balance(db, user.id) == credits(2)
    tx = ledger.find_transaction(db, f"welcome:{user.id}")
    assert tx is not None and tx.kind == "welcome" and tx.cause_id == user.id


def test_completing_onboarding_twice_grants_once(db: Session) -> None:
    user = make_user(db, onboarded=False)
    _onboard(db, user)
    _onboard(db, user)
    assert ledger.available_balance(db, user.id) == credits(2)
    assert ledger.check_invariants(db) == []


def test_referrer_rewarded_when_referred_member_onboards(db: Session) -> None:
    referrer = make_user(db, name="Maya Lopez")
    before = ledger.available_balance(db, referrer.id)
    friend = make_user(db, name="Sam Doe", onboarded=False, referral_code=referrer.referral_code)
    assert friend.referred_by_id == referrer.id
    assert ledger.available_balance(db, referrer.id) == before  # not on sign-up
    _onboard(db, friend)
    assert ledger.available_balance(db, referrer.id) == before + credits(5)
    tx = ledger.find_transaction(db, f"referral:{friend.id}")
    assert tx is not None and tx.kind == "referral" and tx.cause_id == friend.id
    rewards.grant_onboarding_rewards(db, user=friend)
    db.commit()
    assert ledger.available_balance(db, referrer.id) == before + credits(5)


def test_no_referral_reward_for_same_mailbox(db: Session) -> None:
    referrer = make_user(db, email="maya.lopez@gmail.com")
    before = ledger.available_balance(db, referrer.id)
    alias = make_user(
        db,
        email="MayaLopez+alt@googlemail.com",
        onboarded=False,
        referral_code=referrer.referral_code,
    )
    _onboard(db, alias)
    assert ledger.available_balance(db, referrer.id) == before
    assert ledger.available_balance(db, alias.id) == credits(2)  # still welcomed
    assert ledger.find_transaction(db, f"referral:{alias.id}") is None


def test_no_referral_reward_when_referrer_suspended(db: Session) -> None:
    referrer = make_user(db)
    friend = make_user(db, onboarded=False, referral_code=referrer.referral_code)
    referrer.status = UserStatus.SUSPENDED
    db.add(referrer)
    db.commit()
    before = ledger.available_balance(db, referrer.id)
    _onboard(db, friend)
    assert ledger.available_balance(db, referrer.id) == before
    assert ledger.find_transaction(db, f"referral:{friend.id}") is None


def test_no_reward_for_self_referral(db: Session) -> None:
    user = make_user(db, onboarded=False)
    user.referred_by_id = user.id
    db.add(user)
    db.commit()
    count = _tx_count(db)
    rewards.grant_onboarding_rewards(db, user=user)
    db.commit()
    assert _tx_count(db) == count + 1  # the welcome grant only
    assert ledger.available_balance(db, user.id) == credits(2)


def test_zero_configured_credits_grant_nothing(db: Session, monkeypatch) -> None:
    from bartr.settings import get_settings

    monkeypatch.setenv("BARTR_WELCOME_CREDITS", "0")
    monkeypatch.setenv("BARTR_REFERRAL_CREDITS", "0")
    get_settings.cache_clear()
    try:
        referrer = make_user(db, onboarded=False)
        friend = make_user(db, onboarded=False, referral_code=referrer.referral_code)
        assert rewards.grant_onboarding_rewards(db, user=friend) == 0
        db.commit()
        assert _tx_count(db) == 0
    finally:
        get_settings.cache_clear()
