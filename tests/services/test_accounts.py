"""Sign-up, login, logout, throttling, expiry, roles and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from bartr.models.accounts import AuthSession, Role, User, UserStatus
from bartr.models.base import utcnow
from bartr.services import accounts
from bartr.services.errors import (
    AuthenticationFailed,
    Conflict,
    NotAllowed,
    TooManyAttempts,
    ValidationFailed,
)
from tests.factories import PASSWORD, make_user


def _count(db: Session, model: type) -> int:
    return int(db.exec(select(func.count()).select_from(model)).one())


def test_sign_up_stores_a_bcrypt_hash_and_lower_case_email(db: Session) -> None:
    user = accounts.do_sign_up(
        db, email="  Maya@Example.COM ", password=PASSWORD, display_name="Maya"
    )
    db.commit()
    assert user.email == "maya@example.com"
    assert user.password_hash.startswith("$2b$")
    assert PASSWORD not in user.password_hash
    assert user.role == Role.MEMBER
    assert len(user.referral_code) >= 12


def test_email_differing_only_in_case_is_a_duplicate(db: Session) -> None:
    make_user(db, email="sam@example.com")
    with pytest.raises(Conflict) as err:
        accounts.do_sign_up(db, email="SAM@example.com", password=PASSWORD, display_name="Sam")
    assert err.value.field == "email"


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("", "Choose"),
        ("   ", "Choose"),
        ("short", "at least"),
        ("aaaaaaaaaaaa", "easy"),
        ("password123", "easy"),
    ],
)
def test_weak_passwords_are_refused_and_nothing_is_written(
    db: Session, password: str, fragment: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        accounts.do_sign_up(db, email="weak@example.com", password=password, display_name="Weak")
    assert fragment in err.value.message and err.value.field == "password"
    db.rollback()
    assert _count(db, User) == 0


@pytest.mark.parametrize(
    ("email", "name", "field"),
    [
        ("", "Name", "email"),
        ("not-an-email", "Name", "email"),
        ("a@b.co", "   ", "display_name"),
        ("a@b.co", "x" * 1_000_000, "display_name"),
        ("x" * 1_000_000 + "@b.co", "Name", "email"),
    ],
)
def test_bad_sign_up_input_names_the_field(db: Session, email: str, name: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        accounts.do_sign_up(db, email=email, password=PASSWORD, display_name=name)
    assert err.value.field == field
    assert len(err.value.message) < 200


def test_emoji_rtl_and_html_names_are_kept_as_text(db: Session) -> None:
    for name in [
        "Zoë 🎸",
        "مريم العلي",
        "<script>alert(1)</script>",
        "Robert'); DROP TABLE users;--",
    ]:
        user = accounts.do_sign_up(
            db, email=f"{abs(hash(name))}@example.com", password=PASSWORD, display_name=name
        )
        assert user.display_name == name
        assert user.handle and "/" not in user.handle
    db.commit()
    assert _count(db, User) == 4


def test_passwords_longer_than_72_bytes_count_in_full(db: Session) -> None:
    long_password = "a long passphrase " * 6  # 108 characters
    user = accounts.do_sign_up(
        db, email="long@example.com", password=long_password, display_name="Long"
    )
    db.commit()
    assert (
        accounts.do_login(db, email="long@example.com", password=long_password).user.id == user.id
    )
    # Same first 72 bytes, different tail: must not log in.
    with pytest.raises(AuthenticationFailed):
        accounts.do_login(db, email="long@example.com", password=long_password[:-1] + "X")


def test_login_logout_and_token_is_stored_hashed(db: Session) -> None:
    user = make_user(db, email="lee@example.com")
    result = accounts.do_login(db, email="LEE@example.com", password=PASSWORD)
    db.commit()
    assert len(result.token) >= 43  # 256 bits, base64url
    stored = db.exec(select(AuthSession.token_hash)).all()
    assert result.token not in stored and accounts.hash_token(result.token) in stored
    assert accounts.user_for_token(db, result.token).id == user.id  # type: ignore[union-attr]
    accounts.do_logout(db, token=result.token)
    db.commit()
    assert accounts.user_for_token(db, result.token) is None


def test_bad_credentials_do_not_reveal_whether_the_email_exists(db: Session) -> None:
    make_user(db, email="known@example.com")
    with pytest.raises(AuthenticationFailed) as known:
        accounts.do_login(db, email="known@example.com", password="wrong password!")
    with pytest.raises(AuthenticationFailed) as unknown:
        accounts.do_login(db, email="nobody@example.com", password="wrong password!")
    assert known.value.message == unknown.value.message


def test_login_is_throttled_after_repeated_failures(db: Session) -> None:
    make_user(db, email="target@example.com")
    now = utcnow()
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            accounts.do_login(db, email="target@example.com", password="guess guess guess", now=now)
    # Even the right password is refused while locked.
    with pytest.raises(TooManyAttempts) as err:
        accounts.do_login(db, email="target@example.com", password=PASSWORD, now=now)
    assert "Try again in" in err.value.message
    later = now + timedelta(minutes=16)
    assert accounts.do_login(db, email="target@example.com", password=PASSWORD, now=later).token


def test_expired_forged_and_revoked_tokens_resolve_to_nobody(db: Session) -> None:
    make_user(db, email="exp@example.com")
    result = accounts.do_login(db, email="exp@example.com", password=PASSWORD)
    db.commit()
    assert (
        accounts.user_for_token(db, result.token, now=result.expires_at + timedelta(seconds=1))
        is None
    )
    assert accounts.user_for_token(db, "forged-" + result.token[7:]) is None
    assert accounts.user_for_token(db, "") is None
    assert accounts.user_for_token(db, "x" * 10_000) is None


def test_log_out_everywhere_revokes_every_session(db: Session) -> None:
    user = make_user(db, email="multi@example.com")
    tokens = [
        accounts.do_login(db, email="multi@example.com", password=PASSWORD).token for _ in range(3)
    ]
    db.commit()
    assert accounts.do_logout_everywhere(db, actor=user) == 3
    db.commit()
    assert all(accounts.user_for_token(db, t) is None for t in tokens)


def test_suspended_members_cannot_log_in_and_lose_their_sessions(db: Session) -> None:
    admin = make_user(db, email="admin@example.com", role=Role.ADMIN)
    member = make_user(db, email="bad@example.com")
    token = accounts.do_login(db, email="bad@example.com", password=PASSWORD).token
    accounts.do_set_status(db, actor=admin, user_id=member.id or 0, status=UserStatus.SUSPENDED)
    db.commit()
    assert accounts.user_for_token(db, token) is None
    with pytest.raises(NotAllowed):
        accounts.do_login(db, email="bad@example.com", password=PASSWORD)


def test_only_admins_change_status(db: Session) -> None:
    a = make_user(db)
    b = make_user(db)
    with pytest.raises(NotAllowed):
        accounts.do_set_status(db, actor=a, user_id=b.id or 0, status=UserStatus.SUSPENDED)


def test_admin_is_created_by_command_not_by_sign_up(db: Session) -> None:
    member = make_user(db, email="promote@example.com")
    assert not member.is_admin
    promoted = accounts.do_create_admin(
        db, email="promote@example.com", password=PASSWORD, display_name="x"
    )
    assert promoted.id == member.id and promoted.is_admin
    fresh = accounts.do_create_admin(
        db, email="root@example.com", password=PASSWORD, display_name="Root"
    )
    assert fresh.is_admin


def test_onboarding_validates_and_records_completion(db: Session) -> None:
    user = make_user(db, onboarded=False)
    with pytest.raises(ValidationFailed) as err:
        accounts.do_complete_onboarding(
            db, actor=user, bio="hi", languages=["English"], timezone="Mars/Olympus"
        )
    assert err.value.field == "timezone"
    with pytest.raises(ValidationFailed) as err:
        accounts.do_complete_onboarding(db, actor=user, bio="hi", languages=[], timezone="UTC")
    assert err.value.field == "languages"
    db.rollback()
    fresh = db.get(User, user.id)
    assert fresh is not None and fresh.onboarded_at is None
    accounts.do_complete_onboarding(
        db,
        actor=fresh,
        bio="<b>hi</b>",
        languages=["english", "Spanish"],
        timezone="America/Los_Angeles",
    )
    db.commit()
    assert (
        fresh.is_onboarded
        and fresh.languages == ["English", "Spanish"]
        and fresh.bio == "<b>hi</b>"
    )


def test_referral_code_from_the_link_is_recorded(db: Session) -> None:
    maya = make_user(db, name="Maya")
    invited = accounts.do_sign_up(
        db,
        email="inv@example.com",
        password=PASSWORD,
        display_name="Inv",
        referral_code=maya.referral_code,
    )
    assert invited.referred_by_id == maya.id
    nobody = accounts.do_sign_up(
        db,
        email="inv2@example.com",
        password=PASSWORD,
        display_name="Inv",
        referral_code="forged-code",
    )
    assert nobody.referred_by_id is None
