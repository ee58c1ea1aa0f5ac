"""Video calls: LiveKit's webhook events (each recorded once) and attendance per member.

`livekit_events` keeps every verified webhook delivery by LiveKit's event id, so a replay
changes nothing; participant events also keep the room, the identity and LiveKit's own
timestamp, which is what attendance is computed from (in time order, whatever order they
arrived in). `session_attendance` is that computation, one row per session and member:
first join, last leave, seconds present, and since when an unclosed visit is running.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bartr.models.base import UTCDateTime, utcnow


class LiveKitEvent(SQLModel, table=True):
    __tablename__ = "livekit_events"
    __table_args__ = (Index("ix_livekit_events_room_identity", "room", "identity"),)

    id: str = Field(primary_key=True, max_length=64)  # LiveKit's event id (EV_...)
    event: str = Field(max_length=40)  # participant_joined, participant_left, room_finished...
    room: str = Field(default="", max_length=64)
    identity: str = Field(default="", max_length=64)
    at: datetime = Field(sa_type=UTCDateTime)  # LiveKit's created_at
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SessionAttendance(SQLModel, table=True):
    __tablename__ = "session_attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_session_attendance_member"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="skill_sessions.id", index=True)
    user_id: int = Field(foreign_key="users.id")
    first_join_at: datetime = Field(sa_type=UTCDateTime)
    last_leave_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    seconds_present: int = Field(default=0)  # closed visits only
    in_room_since: datetime | None = Field(default=None, sa_type=UTCDateTime)  # open visit
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
