"""Account flows that go through the member's mailbox: sign-up, verification, password reset.

- Sign-up answers the same for a new and an already registered address: a new address
  gets an account and a verification link; a registered one gets an email telling its
  owner that someone tried to sign up with it (log in or reset instead). Nothing on the
  page, in timing beyond a few milliseconds, or in the reply tells the two apart.
- Verification: a link valid 48 hours, resendable (at most once a minute, 5 a day). Until
  it is used the member sees a banner; their referrer's reward waits for it.
- Password reset: asking always gets the same answer; a known, active member gets a link
  valid 30 minutes (at most 3 a hour). Using it sets the new password, uses up every other
  reset link and logs every session of the account out.

Emails are written to the outbox in the caller's transaction (bartr/services/outbox.py).
Password hashing (bcrypt) is the caller's job, off the event loop and before the
transaction: these functions take the finished hash.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from bartr import routes
from bartr.models.accounts import AuthSession, EmailTokenPurpose, LoginThrottle, User, UserStatus
from bartr.models.base import utcnow
from bartr.services import accounts, email_tokens, outbox, rewards
from bartr.services.errors import TooManyAttempts, ValidationFailed
from bartr.services.mail_content import absolute, compose
from bartr.services.validation import clean_email, clean_text

RESET_TTL = timedelta(minutes=30)
VERIFY_TTL = timedelta(hours=48)
MAX_RESETS_PER_HOUR = 3
RESEND_INTERVAL = timedelta(seconds=60)
MAX_VERIFICATIONS_PER_DAY = 5

RESET = EmailTokenPurpose.RESET_PASSWORD
VERIFY = EmailTokenPurpose.VERIFY_EMAIL

INVALID_LINK = "This link has expired or was already used. Ask for a new one."


# --------------------------------------------------------------------------- sign-up


def check_sign_up(*, email: str, password: str, display_name: str) -> str:
    """Validate the form before any hashing; returns the cleaned email.

    The rules do not depend on whether the address is registered.
    """
    clean = clean_email(email)
    clean_text(display_name, field="display_name", label="Display name", max_length=60)
    accounts.check_password_strength(password, email=clean)
    return clean


def do_sign_up(
    db: Session,
    *,
    email: str,
    password: str,
    password_hash: str,
    display_name: str,
    referral_code: str | None = None,
    now: datetime | None = None,
) -> User | None:
    """Create an unverified member and mail the verification link, or, when the address is
    already registered, mail its owner instead. Returns the new member (None otherwise):
    the caller must answer the same either way ("check your inbox")."""
    now = now or utcnow()
    clean = check_sign_up(email=email, password=password, display_name=display_name)
    existing = db.exec(select(User).where(User.email == clean)).first()
    if existing is not None:
        _mail_sign_up_attempt(db, user=existing, now=now)
        return None
    user = accounts.do_sign_up(
        db,
        email=clean,
        password=password,
        password_hash=password_hash,
        display_name=display_name,
        referral_code=referral_code,
    )
    send_verification(db, user=user, now=now)
    return user


def _mail_sign_up_attempt(db: Session, *, user: User, now: datetime) -> None:
    """Tell a registered address someone signed up with it (at most once a day)."""
    if user.status in (UserStatus.DELETED, UserStatus.BANNED):
        return
    mail = compose(
        subject="Someone tried to create a BARTR account with your email",
        greeting=f"Hello {user.display_name},",
        paragraphs=[
            "Someone (probably you) just tried to create a BARTR account with this email "
            "address. You already have an account, so nothing was created.",
            "If it was you, log in instead. Forgot your password? You can choose a new one.",
            "If it wasn't you, you can ignore this email: your account is unchanged.",
        ],
        action=("Log in", absolute(routes.LOGIN)),
        footer=[f"Forgot your password? {absolute(routes.FORGOT_PASSWORD)}"],
    )
    outbox.enqueue(
        db,
        to=user.email,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        dedupe_key=f"signup-attempt:{user.id}:{now:%Y-%m-%d}",
    )


# --------------------------------------------------------------------------- verification


def send_verification(db: Session, *, user: User, now: datetime | None = None) -> None:
    """Issue a verification token and queue its email (no rate limit: callers apply it)."""
    now = now or utcnow()
    token = email_tokens.issue(db, user=user, purpose=VERIFY, ttl=VERIFY_TTL, now=now)
    link = absolute(routes.verify_email_link(token))
    mail = compose(
        subject="Confirm your email for BARTR",
        greeting=f"Welcome to BARTR, {user.display_name}!",
        paragraphs=[
            "Please confirm that this is your email address. It keeps your account "
            "recoverable, and it's when the friend who invited you (if anyone did) earns "
            "their invite reward, once you have also finished setting up your profile.",
            "The link works for 48 hours.",
        ],
        action=("Confirm my email", link),
        footer=["Didn't sign up for BARTR? Ignore this email and nothing happens."],
    )
    outbox.enqueue(db, to=user.email, subject=mail.subject, text=mail.text, html=mail.html)


def do_resend_verification(db: Session, *, actor: User, now: datetime | None = None) -> None:
    """The banner's "Send the link again" (rate limited per member)."""
    now = now or utcnow()
    if actor.email_verified_at is not None:
        raise ValidationFailed("Your email is already confirmed.")
    last = email_tokens.last_issued_at(db, user_id=actor.id or 0, purpose=VERIFY)
    if last is not None and now - last < RESEND_INTERVAL:
        raise TooManyAttempts("We just sent a link. Wait a minute before asking for another.")
    sent_today = email_tokens.issued_since(
        db, user_id=actor.id or 0, purpose=VERIFY, since=now - timedelta(days=1)
    )
    if sent_today >= MAX_VERIFICATIONS_PER_DAY:
        raise TooManyAttempts("We've sent several links today. Try again tomorrow.")
    send_verification(db, user=actor, now=now)


def do_verify_email(db: Session, *, token: str | None, now: datetime | None = None) -> User:
    """Use a verification link; grants the referrer's reward if onboarding is done too."""
    now = now or utcnow()
    user = email_tokens.consume(db, token=token, purpose=VERIFY, now=now)
    if user is None:
        raise ValidationFailed(INVALID_LINK)
    mark_verified(db, user=user, now=now)
    return user


def mark_verified(db: Session, *, user: User, now: datetime) -> None:
    """The member proved they read this mailbox (a verification or reset link)."""
    email_tokens.retire_all(db, user_id=user.id or 0, purpose=VERIFY, now=now)
    if user.email_verified_at is None:
        user.email_verified_at = now
        db.add(user)
        db.flush()
    rewards.grant_referral_if_due(db, user=user)


# --------------------------------------------------------------------------- password reset


def request_password_reset(db: Session, *, email: str, now: datetime | None = None) -> None:
    """Mail a reset link to a known, active member. Returns nothing, raises nothing for an
    unknown address: the page says the same either way."""
    now = now or utcnow()
    key = (email or "").strip().lower()[:254]
    user = db.exec(select(User).where(User.email == key)).first() if key else None
    if user is None or user.status != UserStatus.ACTIVE:
        return
    recent = email_tokens.issued_since(
        db, user_id=user.id or 0, purpose=RESET, since=now - timedelta(hours=1)
    )
    if recent >= MAX_RESETS_PER_HOUR:
        return  # enough links are on their way; flooding a mailbox helps nobody
    token = email_tokens.issue(db, user=user, purpose=RESET, ttl=RESET_TTL, now=now)
    mail = compose(
        subject="Reset your BARTR password",
        greeting=f"Hello {user.display_name},",
        paragraphs=[
            "Someone (probably you) asked to reset the password of your BARTR account.",
            "The link works once, for 30 minutes. Choosing a new password logs your "
            "account out on every device.",
        ],
        action=("Choose a new password", absolute(routes.reset_password_link(token))),
        footer=["Didn't ask for this? Ignore this email: your password stays as it is."],
    )
    outbox.enqueue(db, to=user.email, subject=mail.subject, text=mail.text, html=mail.html)


def reset_link_is_valid(db: Session, *, token: str | None, now: datetime | None = None) -> bool:
    return email_tokens.peek(db, token=token, purpose=RESET, now=now) is not None


def do_reset_password(
    db: Session,
    *,
    token: str | None,
    password: str,
    password_hash: str,
    now: datetime | None = None,
) -> User:
    """Set a new password with a reset link: single use; every session is logged out."""
    now = now or utcnow()
    user = email_tokens.peek(db, token=token, purpose=RESET, now=now)
    if user is None:
        raise ValidationFailed(INVALID_LINK)
    accounts.check_password_strength(password, email=user.email)
    user = email_tokens.consume(db, token=token, purpose=RESET, now=now)
    if user is None:  # used by a concurrent request a moment ago
        raise ValidationFailed(INVALID_LINK)
    user.password_hash = password_hash
    db.add(user)
    email_tokens.retire_all(db, user_id=user.id or 0, purpose=RESET, now=now)
    db.exec(
        update(AuthSession)
        .where(col(AuthSession.user_id) == user.id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    throttle = db.get(LoginThrottle, user.email)
    if throttle is not None:  # the owner proved who they are: lift a lockout
        throttle.failures, throttle.locked_until = 0, None
        db.add(throttle)
    mark_verified(db, user=user, now=now)  # the link reached this mailbox
    return user
