"""Single-use secrets mailed to a member (password reset, email verification).

The raw token exists only in the link of the email; the table keeps its SHA-256. Using a
token is one conditional UPDATE (`used_at IS NULL AND expires_at > now`), so of two
requests racing with the same link exactly one succeeds, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select, update

from bartr.models.accounts import EmailToken, EmailTokenPurpose, User, UserStatus
from bartr.models.base import utcnow

MAX_TOKEN_CHARS = 128  # anything longer is not one of ours (bounds what a visitor can send)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(
    db: Session, *, user: User, purpose: EmailTokenPurpose, ttl: timedelta, now: datetime
) -> str:
    """A new token for `user`; returns the raw value (put it in the email, nowhere else)."""
    token = secrets.token_urlsafe(32)
    db.add(
        EmailToken(
            user_id=user.id or 0,
            purpose=purpose.value,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + ttl,
        )
    )
    db.flush()
    return token


def issued_since(db: Session, *, user_id: int, purpose: EmailTokenPurpose, since: datetime) -> int:
    """How many tokens of `purpose` were issued to `user_id` since `since` (rate limits)."""
    return int(
        db.exec(
            select(func.count())
            .select_from(EmailToken)
            .where(
                EmailToken.user_id == user_id,
                EmailToken.purpose == purpose.value,
                col(EmailToken.created_at) >= since,
            )
        ).one()
    )


def last_issued_at(db: Session, *, user_id: int, purpose: EmailTokenPurpose) -> datetime | None:
    return db.exec(
        select(EmailToken.created_at)
        .where(EmailToken.user_id == user_id, EmailToken.purpose == purpose.value)
        .order_by(col(EmailToken.created_at).desc())
        .limit(1)
    ).first()


def _usable(token: str | None) -> bool:
    return bool(token) and len(token or "") <= MAX_TOKEN_CHARS


def peek(
    db: Session, *, token: str | None, purpose: EmailTokenPurpose, now: datetime | None = None
) -> User | None:
    """The active member a still-valid token belongs to, without using it up."""
    if not _usable(token):
        return None
    now = now or utcnow()
    row = db.exec(
        select(EmailToken).where(EmailToken.token_hash == hash_token(token or ""))
    ).first()
    if (
        row is None
        or row.purpose != purpose.value
        or row.used_at is not None
        or row.expires_at <= now
    ):
        return None
    user = db.get(User, row.user_id)
    return user if user is not None and user.status == UserStatus.ACTIVE else None


def consume(
    db: Session, *, token: str | None, purpose: EmailTokenPurpose, now: datetime | None = None
) -> User | None:
    """Use a token up: the member it belongs to, or None if unknown, used, expired or
    for another purpose. A second call with the same token always returns None."""
    if not _usable(token):
        return None
    now = now or utcnow()
    digest = hash_token(token or "")
    result = db.exec(
        update(EmailToken)
        .where(
            col(EmailToken.token_hash) == digest,
            col(EmailToken.purpose) == purpose.value,
            col(EmailToken.used_at).is_(None),
            col(EmailToken.expires_at) > now,
        )
        .values(used_at=now)
    )
    if result.rowcount != 1:
        return None
    user_id = db.exec(select(EmailToken.user_id).where(EmailToken.token_hash == digest)).one()
    user = db.get(User, user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        return None
    return user


def retire_all(db: Session, *, user_id: int, purpose: EmailTokenPurpose, now: datetime) -> None:
    """Every other outstanding token of `purpose` stops working (after a reset, a verify)."""
    db.exec(
        update(EmailToken)
        .where(
            col(EmailToken.user_id) == user_id,
            col(EmailToken.purpose) == purpose.value,
            col(EmailToken.used_at).is_(None),
        )
        .values(used_at=now)
    )
