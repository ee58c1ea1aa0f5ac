"""Referral links and the list of people a member invited."""

from __future__ import annotations

from sqlmodel import Session

from bartr.services import accounts, referrals
from bartr.services.credits import credits
from tests.factories import make_user


def test_referral_link(db: Session) -> None:
    user = make_user(db, onboarded=False)
    link = referrals.referral_link(user, "https://bartr.example/")
    assert link == f"https://bartr.example/signup?ref={user.referral_code}"


def test_list_referrals_states_and_earnings(db: Session) -> None:
    me = make_user(db, name="Maya Lopez", email="maya@example.com")
    signed_up = make_user(db, name="Ana Signed", onboarded=False, referral_code=me.referral_code)
    rewarded = make_user(db, name="Ben Rewarded", referral_code=me.referral_code)
    alias = make_user(db, email="maya+two@example.com", referral_code=me.referral_code)
    stranger = make_user(db)  # not referred by me
    make_user(db, referral_code=stranger.referral_code)

    rows = {r.user_id: r for r in referrals.list_referrals(db, actor=me)}
    assert set(rows) == {signed_up.id, rewarded.id, alias.id}
    assert rows[signed_up.id].state == "signed up"
    assert rows[rewarded.id].state == "rewarded"
    assert rows[rewarded.id].earned == credits(5)
    assert rows[rewarded.id].display_name == "Ben Rewarded"
    assert rows[alias.id].state == "not eligible"
    assert rows[alias.id].earned == 0
    assert rows[signed_up.id].signed_up_at.tzinfo is not None
    assert referrals.total_earned(db, actor=me) == credits(5)


def test_onboarded_but_not_rewarded_when_referrer_was_suspended(db: Session) -> None:
    from bartr.models.accounts import UserStatus

    me = make_user(db)
    friend = make_user(db, onboarded=False, referral_code=me.referral_code)
    me.status = UserStatus.SUSPENDED
    db.add(me)
    db.commit()
    accounts.do_complete_onboarding(db, actor=friend, bio="", languages=["English"], timezone="UTC")
    db.commit()
    me.status = UserStatus.ACTIVE
    db.add(me)
    db.commit()
    [row] = referrals.list_referrals(db, actor=me)
    assert row.state == "onboarded"
    assert referrals.total_earned(db, actor=me) == 0
