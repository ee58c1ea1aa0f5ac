"""Conversations between two members, their messages, notifications and email preferences.

One `conversations` row per pair of members (the lower user id is always `member_a_id`, so a
pair can only have one row). Read and delivery marks are the id of the last message each side
has read / received, kept on the conversation: unread = messages from the other side with a
larger id. Messages are append-only and paged by id (keyset), never by OFFSET.

A notification is one line in a member's notification centre. Stored notifications carry
kinds, ids and integers, never prose: the text is written when it is shown, in the viewer's
language and time zone. New messages fold into one unread notification per conversation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bartr.models.base import UTCDateTime, utcnow

MAX_MESSAGE_CHARS = 4000


class Conversation(SQLModel, table=True):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("member_a_id", "member_b_id", name="uq_conversation_pair"),
        CheckConstraint("member_a_id < member_b_id", name="ck_conversation_pair_order"),
        Index("ix_conversations_a_activity", "member_a_id", "last_message_id"),
        Index("ix_conversations_b_activity", "member_b_id", "last_message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_a_id: int = Field(foreign_key="users.id")
    member_b_id: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_message_id: int | None = Field(default=None)
    last_message_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Marks per side: the id of the last message that side has received / read.
    a_delivered_id: int = 0
    a_read_id: int = 0
    b_delivered_id: int = 0
    b_read_id: int = 0


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_conversation_id", "conversation_id", "id"),
        Index("ix_messages_sender_created", "sender_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id")
    sender_id: int = Field(foreign_key="users.id")
    body: str = Field(max_length=MAX_MESSAGE_CHARS)
    # The session this message was written about (sent from the session page), if any.
    session_id: int | None = Field(default=None, foreign_key="skill_sessions.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Set when an admin removes the message after a report (soft: restorable). The pair
    # then reads "Removed by a moderator" in its place; the admin still sees the text.
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id", "user_id", "id"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    kind: str = Field(max_length=32)
    # Who caused it (the other member, an admin), when someone did.
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    # What it is about: a session id, a conversation id or a ledger transaction id (by kind).
    subject_id: int | None = None
    # Credits (minor units) for money kinds; messages folded in for message kinds.
    amount: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    emailed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationPreference(SQLModel, table=True):
    """What a member wants by email; no row means the defaults (services/notifications.py)."""

    __tablename__ = "notification_preferences"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    email_kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    daily_digest: bool = True
    last_digest_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
