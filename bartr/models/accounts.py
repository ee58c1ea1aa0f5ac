"""Members, their login sessions and login throttling."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from bartr.models.base import UTCDateTime, utcnow


class Role(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"


class UserStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # until `suspended_until` (None: until an admin lifts it)
    BANNED = "banned"
    DELETED = "deleted"  # the member deleted their account; personal data anonymised


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    # Stored lower-cased: two emails differing only in case are the same account.
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=100)
    display_name: str = Field(max_length=60)
    handle: str = Field(max_length=40, unique=True, index=True)
    role: str = Field(default=Role.MEMBER, max_length=16)
    status: str = Field(default=UserStatus.ACTIVE, max_length=16)
    bio: str = Field(default="", max_length=2000)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    timezone: str = Field(default="UTC", max_length=64)
    avatar_path: str | None = Field(default=None, max_length=255)
    referral_code: str = Field(max_length=32, unique=True, index=True)
    referred_by_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    onboarded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when the member opens the link mailed to them (verification is not wired yet).
    email_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Personal calendar feed secret (random, revocable).
    calendar_token: str | None = Field(default=None, max_length=64, unique=True)
    suspended_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_onboarded(self) -> bool:
        return self.onboarded_at is not None


class AuthSession(SQLModel, table=True):
    """A login. Only the SHA-256 of the token is stored, so a database leak logs nobody in."""

    __tablename__ = "auth_sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginThrottle(SQLModel, table=True):
    """Failed login count per email; locks the email for a while after too many."""

    __tablename__ = "login_throttles"

    email: str = Field(max_length=254, primary_key=True)
    failures: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EmailTokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"


class EmailToken(SQLModel, table=True):
    """A single-use secret mailed to a member (verification, password reset).

    Only its SHA-256 is stored: the link in the mail is the only copy of the secret.
    """

    __tablename__ = "email_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    purpose: str = Field(max_length=32)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
