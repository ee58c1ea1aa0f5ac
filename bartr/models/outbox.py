"""Emails waiting to be sent: written in the transaction of the event they are about.

The background sender (bartr/background.py) claims due rows, hands each to the mail
adapter outside any transaction and records the outcome; see bartr/services/outbox.py.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from bartr.models.base import UTCDateTime, utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt (next_attempt_at)
    SENDING = "sending"  # claimed by a sender until claimed_until
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt


class OutboxEmail(SQLModel, table=True):
    __tablename__ = "outbox_emails"
    __table_args__ = (Index("ix_outbox_emails_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    text_body: str = Field(sa_column=Column(Text, nullable=False))
    html_body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Same key, same email: a second enqueue with it does nothing.
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    # Signed one-click unsubscribe URL (RFC 8058 headers) for notification and digest mail.
    list_unsubscribe: str | None = Field(default=None, max_length=500)
    status: str = Field(default=OutboxStatus.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
