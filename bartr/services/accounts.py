"""Sign-up, login, logout, onboarding and roles.

Tokens are 256 random bits handed to the browser once; only their SHA-256 is stored.
Errors for bad credentials never say whether the email exists.

bcrypt takes ~0.2 s at cost 12, so login and sign-up come in steps the caller runs in a
worker thread: a read (`check_login_allowed`, `check_sign_up`), the slow password work with
no transaction open (`password_matches`, `passwords.hash_password`), then one short write
(`do_finish_login`, `do_sign_up(password_hash=...)`). `do_login` chains the steps for
callers that have no event loop to protect (CLI, tests).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from bartr.models.accounts import AuthSession, LoginThrottle, Role, User, UserStatus
from bartr.models.base import utcnow
from bartr.services import passwords
from bartr.services.errors import (
    AuthenticationFailed,
    Conflict,
    NotAllowed,
    NotFound,
    TooManyAttempts,
    ValidationFailed,
)
from bartr.services.languages import clean_languages
from bartr.services.session_keys import hash_token
from bartr.services.validation import clean_email, clean_text, clean_timezone
from bartr.settings import get_settings

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_COMMON = {"password12", "1234567890", "qwertyuiop", "password123", "iloveyou12", "letmein123"}


@dataclass(frozen=True)
class LoginResult:
    user: User
    token: str
    expires_at: datetime


__all__ = ["hash_token"]  # re-exported: callers hash tokens through accounts


def check_password_strength(password: str, *, email: str = "") -> None:
    if not password or not password.strip():
        raise ValidationFailed("Choose a password.", field="password")
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(
            f"Use at least {MIN_PASSWORD} characters; a short phrase is easiest to remember.",
            field="password",
        )
    if len(password) > MAX_PASSWORD:
        raise ValidationFailed(f"Use at most {MAX_PASSWORD} characters.", field="password")
    lowered = password.lower()
    if lowered in _COMMON or len(set(password)) < 4 or (email and lowered == email.lower()):
        raise ValidationFailed("This password is too easy to guess.", field="password")


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:24] or "member"


def _unique_handle(db: Session, display_name: str) -> str:
    base = _slug(display_name)
    candidate = base
    while db.exec(select(User.id).where(User.handle == candidate)).first() is not None:
        candidate = f"{base}-{secrets.token_hex(2)}"
    return candidate


def new_referral_code() -> str:
    return secrets.token_urlsafe(9)


def find_by_referral_code(db: Session, code: str | None) -> User | None:
    code = (code or "").strip()
    if not code or len(code) > 32:
        return None
    user = db.exec(select(User).where(User.referral_code == code)).first()
    if user is None or user.status != UserStatus.ACTIVE:
        return None
    return user


def check_sign_up(db: Session, *, email: str, password: str, display_name: str) -> tuple[str, str]:
    """The sign-up form's checks, no writes and no bcrypt: (clean email, clean name)."""
    clean = clean_email(email)
    name = clean_text(display_name, field="display_name", label="Display name", max_length=60)
    check_password_strength(password, email=clean)
    if db.exec(select(User.id).where(User.email == clean)).first() is not None:
        raise Conflict("An account with this email already exists. Log in instead.", field="email")
    return clean, name


def do_sign_up(
    db: Session,
    *,
    email: str,
    password: str,
    display_name: str,
    referral_code: str | None = None,
    role: Role = Role.MEMBER,
    password_hash: str | None = None,
) -> User:
    """Create a member. Admins are only created by the CLI (role is not a form field).

    `password_hash`: the password already hashed by the caller outside the transaction
    (`passwords.hash_password(password)` in a thread); without it, it is hashed here.
    """
    clean, name = check_sign_up(db, email=email, password=password, display_name=display_name)
    referrer = find_by_referral_code(db, referral_code)
    user = User(
        email=clean,
        password_hash=password_hash or passwords.hash_password(password),
        display_name=name,
        handle=_unique_handle(db, name),
        role=role,
        referral_code=new_referral_code(),
        referred_by_id=referrer.id if referrer else None,
    )
    db.add(user)
    db.flush()
    return user


def _throttle_row(db: Session, email: str) -> LoginThrottle:
    row = db.get(LoginThrottle, email)
    if row is None:
        row = LoginThrottle(email=email)
        db.add(row)
    return row


@dataclass(frozen=True)
class LoginAttempt:
    """What the slow password check needs, read before it (no transaction held during it)."""

    key: str
    password_hash: str | None  # None: no such account (the check burns the same time)


def _lock_message(locked_until: datetime, now: datetime) -> str:
    minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
    return f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes > 1 else ''}."


def check_login_allowed(
    db: Session, *, email: str, password: str, now: datetime | None = None
) -> LoginAttempt:
    """Step 1 (read only): refuse empty input and locked emails; fetch the stored hash."""
    now = now or utcnow()
    key = (email or "").strip().lower()[:254]
    if not key or not password:
        raise AuthenticationFailed("Enter your email and password.")
    throttle = db.get(LoginThrottle, key)
    if throttle is not None and throttle.locked_until and throttle.locked_until > now:
        raise TooManyAttempts(_lock_message(throttle.locked_until, now))
    user = db.exec(select(User).where(User.email == key)).first()
    return LoginAttempt(key=key, password_hash=user.password_hash if user else None)


def password_matches(attempt: LoginAttempt, password: str) -> bool:
    """Step 2 (slow, no database): bcrypt, or the same time spent for an unknown email."""
    if attempt.password_hash is None:
        passwords.burn_time()
        return False
    return passwords.verify_password(password[:MAX_PASSWORD], attempt.password_hash)


def do_finish_login(
    db: Session, *, attempt: LoginAttempt, ok: bool, now: datetime | None = None
) -> LoginResult:
    """Step 3 (one short write): count a failure or open a session.

    A failure is recorded in the throttle table *and then* raised; the caller commits the
    unit of work even on `AuthenticationFailed` so the count persists.
    """
    settings = get_settings()
    now = now or utcnow()
    throttle = _throttle_row(db, attempt.key)
    if throttle.locked_until and throttle.locked_until > now:
        raise TooManyAttempts(_lock_message(throttle.locked_until, now))
    user = db.exec(select(User).where(User.email == attempt.key)).first()
    # The password changed between the check and now: the check proved nothing.
    if user is not None and user.password_hash != attempt.password_hash:
        ok = False
    if not ok or user is None:
        throttle.failures += 1
        throttle.updated_at = now
        if throttle.failures >= settings.login_max_failures:
            throttle.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            throttle.failures = 0
        db.flush()
        raise AuthenticationFailed("That email and password don't match an account.")
    if (
        user.status == UserStatus.SUSPENDED
        and user.suspended_until is not None
        and user.suspended_until <= now
    ):
        from bartr.services import moderation_actions

        moderation_actions.lift_expired_suspensions(db, now=now)
        db.refresh(user)
    if user.status == UserStatus.SUSPENDED:
        until = f" until {user.suspended_until:%d %b %Y, %H:%M} UTC" if user.suspended_until else ""
        raise NotAllowed(
            f"This account is suspended{until}. Contact support if you think this is wrong."
        )
    if user.status == UserStatus.BANNED:
        raise NotAllowed("This account is closed. Contact support if you think this is wrong.")
    if user.status == UserStatus.DELETED:
        raise AuthenticationFailed("That email and password don't match an account.")
    throttle.failures = 0
    throttle.locked_until = None
    return open_session_for(db, user, now=now)


def do_login(db: Session, *, email: str, password: str, now: datetime | None = None) -> LoginResult:
    """The three steps in one, for callers with no event loop to protect (CLI, tests)."""
    attempt = check_login_allowed(db, email=email, password=password, now=now)
    ok = password_matches(attempt, password)
    return do_finish_login(db, attempt=attempt, ok=ok, now=now)


def user_for_token_hash(
    db: Session, token_hash: str | None, *, now: datetime | None = None
) -> User | None:
    """The member of a session known by its token's hash (what the socket sees)."""
    if not token_hash or len(token_hash) != 64:
        return None
    now = now or utcnow()
    row = db.exec(select(AuthSession).where(AuthSession.token_hash == token_hash)).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = db.get(User, row.user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        return None
    return user


def open_session_for(db: Session, user: User, *, now: datetime | None = None) -> LoginResult:
    """A session right after sign-up (the password was just set; no check needed)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=get_settings().session_ttl_hours)
    db.add(
        AuthSession(
            user_id=user.id or 0, token_hash=hash_token(token), expires_at=expires, created_at=now
        )
    )
    db.flush()
    return LoginResult(user=user, token=token, expires_at=expires)


def user_for_token(db: Session, token: str | None, *, now: datetime | None = None) -> User | None:
    """The member a browser token belongs to, or None if forged, expired, revoked or suspended."""
    if not token or len(token) > 128:
        return None
    return user_for_token_hash(db, hash_token(token), now=now)


def do_logout(db: Session, *, token: str | None, now: datetime | None = None) -> None:
    if not token or len(token) > 128:
        return
    do_logout_session(db, token_hash=hash_token(token), now=now)


def do_logout_session(db: Session, *, token_hash: str, now: datetime | None = None) -> None:
    """Revoke the one session known by its token's hash (log out from the socket)."""
    if not token_hash:
        return
    db.exec(
        update(AuthSession)
        .where(col(AuthSession.token_hash) == token_hash, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=now or utcnow())
    )


def do_logout_everywhere(db: Session, *, actor: User, now: datetime | None = None) -> int:
    result = db.exec(
        update(AuthSession)
        .where(col(AuthSession.user_id) == actor.id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=now or utcnow())
    )
    return int(result.rowcount or 0)


def do_complete_onboarding(
    db: Session, *, actor: User, bio: str, languages: list[str] | str, timezone: str
) -> User:
    """Record the member's basics and mark onboarding complete (rewards are granted once)."""
    actor.bio = clean_text(
        bio, field="bio", label="Bio", max_length=2000, required=False, multiline=True
    )
    actor.languages = clean_languages(languages)
    actor.timezone = clean_timezone(timezone)
    first_time = actor.onboarded_at is None
    if first_time:
        actor.onboarded_at = utcnow()
    db.add(actor)
    db.flush()
    if first_time:
        from bartr.services import rewards

        rewards.grant_onboarding_rewards(db, user=actor)
    return actor


def do_create_admin(db: Session, *, email: str, password: str, display_name: str) -> User:
    """CLI only. Promotes an existing account or creates a new admin."""
    clean = clean_email(email)
    existing = db.exec(select(User).where(User.email == clean)).first()
    if existing is not None:
        existing.role = Role.ADMIN
        db.add(existing)
        db.flush()
        return existing
    return do_sign_up(
        db, email=clean, password=password, display_name=display_name, role=Role.ADMIN
    )


def do_set_status(db: Session, *, actor: User, user_id: int, status: UserStatus) -> User:
    if not actor.is_admin:
        raise NotAllowed("Only admins can suspend or restore members.")
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such member.")
    if user.id == actor.id:
        raise NotAllowed("You cannot suspend yourself.")
    user.status = status
    db.add(user)
    if status == UserStatus.SUSPENDED:
        db.exec(
            update(AuthSession)
            .where(col(AuthSession.user_id) == user.id, col(AuthSession.revoked_at).is_(None))
            .values(revoked_at=utcnow())
        )
    db.flush()
    return user


def get_user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such member.")
    return user


def find_by_handle(db: Session, handle: str | None) -> User | None:
    """The member with this handle ('@' optional), or None; deleted accounts are not found."""
    key = (handle or "").strip().lstrip("@").lower()[:40]
    if not key:
        return None
    user = db.exec(select(User).where(User.handle == key)).first()
    return None if user is None or user.status == UserStatus.DELETED else user
