"""Password reset, email verification and sign-up through the mailbox (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from sqlmodel import Session, col, func, select

from bartr.db import unit_of_work
from bartr.models.accounts import AuthSession, EmailToken, User, UserStatus
from bartr.models.base import utcnow
from bartr.models.ledger import LedgerTransaction, TransactionKind
from bartr.models.outbox import OutboxEmail
from bartr.services import account_email, accounts, email_tokens, passwords
from bartr.services.errors import AuthenticationFailed, TooManyAttempts, ValidationFailed
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a brand new passphrase"


def _emails(db: Session, to: str | None = None) -> list[OutboxEmail]:
    db.expire_all()
    query = select(OutboxEmail).order_by(col(OutboxEmail.id))
    if to is not None:
        query = query.where(OutboxEmail.to_address == to)
    rows = list(db.exec(query).all())
    db.commit()  # end the read: SQLite write transactions start with BEGIN IMMEDIATE
    return rows


def _fresh(db: Session, user_id: int | None) -> User:
    db.expire_all()
    user = db.get(User, user_id)
    db.commit()
    assert user is not None
    return user


def _link_token(email: OutboxEmail, route: str) -> str:
    match = re.search(rf"{re.escape(route)}/(\S+)", email.text_body)
    assert match, email.text_body
    return unquote(match.group(1))


def _request_reset(email: str, now=None) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work() as db:
        account_email.request_password_reset(db, email=email, now=now)


def _reset(token: str, password: str = NEW_PASSWORD, now=None) -> User:  # type: ignore[no-untyped-def]
    with unit_of_work() as db:
        return account_email.do_reset_password(
            db,
            token=token,
            password=password,
            password_hash=passwords.hash_password(password),
            now=now,
        )


def _rewards(db: Session) -> int:
    db.expire_all()
    n = int(
        db.exec(
            select(func.count())
            .select_from(LedgerTransaction)
            .where(LedgerTransaction.kind == TransactionKind.REFERRAL.value)
        ).one()
    )
    db.commit()
    return n


# --------------------------------------------------------------------------- reset


def test_reset_mails_a_link_whose_token_is_stored_only_hashed(db: Session) -> None:
    maya = make_user(db, email="maya@example.com")
    _request_reset("Maya@Example.com ")
    [mail] = _emails(db)
    assert mail.to_address == "maya@example.com" and "Reset your BARTR password" in mail.subject
    token = _link_token(mail, "/api/password-reset")
    stored = db.exec(select(EmailToken).where(EmailToken.user_id == maya.id)).one()
    db.commit()
    assert stored.token_hash == email_tokens.hash_token(token) and token not in stored.token_hash
    assert timedelta(minutes=29) < stored.expires_at - stored.created_at <= timedelta(minutes=30)
    assert f"/api/password-reset/{token}" in (mail.html_body or "")


def test_unknown_address_gets_the_same_answer_and_nothing_is_written(db: Session) -> None:
    make_user(db, email="known@example.com")
    _request_reset("nobody@example.com")  # no exception, nothing to tell apart
    _request_reset("")
    _request_reset("x" * 5000)
    assert _emails(db) == []
    assert db.exec(select(func.count()).select_from(EmailToken)).one() == 0


def test_a_suspended_or_deleted_member_gets_no_link(db: Session) -> None:
    for status in (UserStatus.SUSPENDED, UserStatus.DELETED):
        user = make_user(db)
        user.status = status
        db.add(user)
        db.commit()
        _request_reset(user.email)
    assert _emails(db) == []


def test_the_link_sets_the_password_once_and_logs_out_every_session(db: Session) -> None:
    maya = make_user(db, email="maya@example.com")
    first = accounts.open_session_for(db, maya)
    second = accounts.open_session_for(db, maya)
    db.commit()
    _request_reset("maya@example.com")
    token = _link_token(_emails(db)[0], "/api/password-reset")

    _reset(token)
    assert passwords.verify_password(NEW_PASSWORD, _fresh(db, maya.id).password_hash)
    assert accounts.user_for_token(db, first.token) is None
    assert accounts.user_for_token(db, second.token) is None
    revoked = db.exec(select(AuthSession).where(AuthSession.user_id == maya.id)).all()
    assert all(s.revoked_at is not None for s in revoked)
    db.commit()

    with pytest.raises(ValidationFailed, match="expired or was already used"):
        _reset(token, "yet another passphrase")
    assert passwords.verify_password(NEW_PASSWORD, _fresh(db, maya.id).password_hash)
    with unit_of_work() as uow:
        assert accounts.do_login(uow, email="maya@example.com", password=NEW_PASSWORD).token


def test_the_link_expires_after_30_minutes(db: Session) -> None:
    maya = make_user(db, email="maya@example.com")
    start = utcnow()
    _request_reset("maya@example.com", now=start)
    token = _link_token(_emails(db)[0], "/api/password-reset")
    with pytest.raises(ValidationFailed):
        _reset(token, now=start + timedelta(minutes=30, seconds=1))
    assert passwords.verify_password(PASSWORD, _fresh(db, maya.id).password_hash)
    # Still valid just before the end (the failed try above used nothing up).
    _reset(token, now=start + timedelta(minutes=29))


def test_a_weak_password_is_refused_and_the_link_still_works(db: Session) -> None:
    make_user(db, email="maya@example.com")
    _request_reset("maya@example.com")
    token = _link_token(_emails(db)[0], "/api/password-reset")
    with pytest.raises(ValidationFailed, match="at least 10"):
        _reset(token, "short")
    _reset(token)


def test_forged_and_oversized_tokens_change_nothing(db: Session) -> None:
    make_user(db, email="maya@example.com")
    for token in ("", "forged", "x" * 10_000, None):
        with pytest.raises(ValidationFailed):
            _reset(token)  # type: ignore[arg-type]


def test_a_new_link_is_limited_to_three_an_hour_and_using_one_retires_the_others(
    db: Session,
) -> None:
    make_user(db, email="maya@example.com")
    now = utcnow()
    for i in range(5):
        _request_reset("maya@example.com", now=now + timedelta(minutes=i))
    mails = _emails(db)
    assert len(mails) == 3
    tokens = [_link_token(m, "/api/password-reset") for m in mails]
    _reset(tokens[1], now=now + timedelta(minutes=6))
    with pytest.raises(ValidationFailed):
        _reset(tokens[2], now=now + timedelta(minutes=7))


def test_a_reset_link_also_lifts_a_login_lockout_and_confirms_the_address(db: Session) -> None:
    maya = make_user(db, email="maya@example.com", verified=False)
    for _ in range(5):
        with unit_of_work() as uow, pytest.raises(AuthenticationFailed):
            accounts.do_login(uow, email="maya@example.com", password="wrong password!")
    _request_reset("maya@example.com")
    token = _link_token(_emails(db, "maya@example.com")[-1], "/api/password-reset")
    _reset(token)
    with unit_of_work() as uow:
        assert accounts.do_login(uow, email="maya@example.com", password=NEW_PASSWORD)
    assert _fresh(db, maya.id).email_verified_at is not None


# --------------------------------------------------------------------------- sign-up


def _sign_up(email: str, name: str = "Sam", ref: str | None = None) -> User | None:
    with unit_of_work() as db:
        return account_email.do_sign_up(
            db,
            email=email,
            password=PASSWORD,
            password_hash=passwords.hash_password(PASSWORD),
            display_name=name,
            referral_code=ref,
        )


def test_sign_up_creates_an_unverified_member_and_mails_a_verification_link(db: Session) -> None:
    _sign_up("sam@example.com")
    sam = db.exec(select(User).where(User.email == "sam@example.com")).one()
    db.commit()
    assert sam.email_verified_at is None
    [mail] = _emails(db)
    assert mail.to_address == "sam@example.com" and "Confirm your email" in mail.subject
    token = _link_token(mail, "/api/verify-email")
    with unit_of_work() as uow:
        account_email.do_verify_email(uow, token=token)
    assert _fresh(db, sam.id).email_verified_at is not None
    with unit_of_work() as uow, pytest.raises(ValidationFailed):
        account_email.do_verify_email(uow, token=token)  # single use


def test_sign_up_with_a_registered_address_tells_its_owner_and_creates_nothing(
    db: Session,
) -> None:
    maya = make_user(db, email="maya@example.com", name="Maya")
    users_before = db.exec(select(func.count()).select_from(User)).one()
    db.commit()
    _sign_up("MAYA@example.com", name="Mallory")
    _sign_up("maya@example.com", name="Mallory")  # again the same day: one email only
    db.expire_all()
    assert db.exec(select(func.count()).select_from(User)).one() == users_before
    db.commit()
    assert _fresh(db, maya.id).display_name == "Maya"
    [mail] = _emails(db)
    assert mail.to_address == "maya@example.com"
    assert "already have an account" in mail.text_body and "/forgot-password" in mail.text_body
    # Nothing in it logs anybody in or verifies anything.
    assert "/api/" not in mail.text_body


def test_sign_up_validation_does_not_depend_on_the_address_being_registered(
    db: Session,
) -> None:
    make_user(db, email="maya@example.com")
    for email in ("maya@example.com", "fresh@example.com"):
        with pytest.raises(ValidationFailed) as exc:
            account_email.check_sign_up(email=email, password="short", display_name="X")
        assert exc.value.field == "password"


def test_verification_link_expires_after_48_hours(db: Session) -> None:
    _sign_up("sam@example.com")
    token = _link_token(_emails(db)[0], "/api/verify-email")
    with unit_of_work() as uow, pytest.raises(ValidationFailed):
        account_email.do_verify_email(
            uow, token=token, now=utcnow() + timedelta(hours=48, seconds=5)
        )


def test_resending_the_link_is_rate_limited(db: Session) -> None:
    _sign_up("sam@example.com")
    sam_id = db.exec(select(User.id).where(User.email == "sam@example.com")).one()
    db.commit()
    start = utcnow()
    with unit_of_work() as uow, pytest.raises(TooManyAttempts, match="Wait a minute"):
        account_email.do_resend_verification(uow, actor=uow.get(User, sam_id), now=start)
    for i in range(1, 5):
        with unit_of_work() as uow:
            account_email.do_resend_verification(
                uow, actor=uow.get(User, sam_id), now=start + timedelta(minutes=2 * i)
            )
    with unit_of_work() as uow, pytest.raises(TooManyAttempts, match="tomorrow"):
        account_email.do_resend_verification(
            uow, actor=uow.get(User, sam_id), now=start + timedelta(minutes=20)
        )
    assert len(_emails(db, "sam@example.com")) == 5
    # Every link sent works, and using one retires the rest.
    tokens = [_link_token(m, "/api/verify-email") for m in _emails(db)]
    with unit_of_work() as uow:
        account_email.do_verify_email(uow, token=tokens[-1])
    with unit_of_work() as uow, pytest.raises(ValidationFailed):
        account_email.do_verify_email(uow, token=tokens[0])
    with unit_of_work() as uow, pytest.raises(ValidationFailed, match="already confirmed"):
        account_email.do_resend_verification(uow, actor=uow.get(User, sam_id))


def test_a_reset_token_cannot_verify_and_a_verify_token_cannot_reset(db: Session) -> None:
    _sign_up("sam@example.com")
    verify_token = _link_token(_emails(db)[0], "/api/verify-email")
    with pytest.raises(ValidationFailed):
        _reset(verify_token)
    _request_reset("sam@example.com")
    reset_token = _link_token(_emails(db)[-1], "/api/password-reset")
    with unit_of_work() as uow, pytest.raises(ValidationFailed):
        account_email.do_verify_email(uow, token=reset_token)


# --------------------------------------------------------------------------- referral gating


def _onboard(user_id: int) -> None:
    with unit_of_work() as uow:
        accounts.do_complete_onboarding(
            uow, actor=uow.get(User, user_id), bio="", languages=["English"], timezone="UTC"
        )


def _verify(db: Session, email: str) -> None:
    mails = [m for m in _emails(db, email) if "Confirm your email" in m.subject]
    with unit_of_work() as uow:
        account_email.do_verify_email(uow, token=_link_token(mails[-1], "/api/verify-email"))


def test_referral_reward_waits_for_verification_after_onboarding(db: Session) -> None:
    maya = make_user(db, name="Maya", email="maya@example.com")
    _sign_up("friend@example.com", name="Friend", ref=maya.referral_code)
    friend_id = db.exec(select(User.id).where(User.email == "friend@example.com")).one()
    db.commit()
    _onboard(friend_id or 0)
    assert _rewards(db) == 0  # a made-up address earns nobody anything
    _verify(db, "friend@example.com")
    assert _rewards(db) == 1
    _onboard(friend_id or 0)
    assert _rewards(db) == 1


def test_referral_reward_waits_for_onboarding_after_verification(db: Session) -> None:
    maya = make_user(db, name="Maya", email="maya@example.com")
    _sign_up("friend@example.com", name="Friend", ref=maya.referral_code)
    friend_id = db.exec(select(User.id).where(User.email == "friend@example.com")).one()
    db.commit()
    _verify(db, "friend@example.com")
    assert _rewards(db) == 0
    _onboard(friend_id or 0)
    assert _rewards(db) == 1


def test_never_verified_never_rewarded(db: Session) -> None:
    maya = make_user(db, name="Maya", email="maya@example.com")
    for i in range(3):
        _sign_up(f"fake{i}@example.com", name=f"Fake {i}", ref=maya.referral_code)
        fake_id = db.exec(select(User.id).where(User.email == f"fake{i}@example.com")).one()
        db.commit()
        _onboard(fake_id or 0)
    assert _rewards(db) == 0
