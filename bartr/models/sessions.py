"""Teaching sessions: a request, its proposed times, and the history of every transition.

`skill_sessions` holds one row per session with its current state; `session_proposals`
holds the start times on offer (one row per time, grouped by negotiation round: the
current round's times are the open choices); `session_events` is the append-only
timeline (who fired which transition, when, from which state to which).

The rules that move a session between states live in `services/sessions/rules.py`
(the `TRANSITIONS` table); the credit policy in `services/sessions/policy.py`. All datetimes are aware UTC.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bartr.models.base import UTCDateTime, utcnow


class SessionState(StrEnum):
    REQUESTED = "requested"
    RESCHEDULE_PROPOSED = "reschedule_proposed"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    EXPIRED = "expired"
    NO_SHOW = "no_show"
    DISPUTED = "disputed"


# Waiting for the other side to pick one of the proposed times.
OPEN_STATES = frozenset({SessionState.REQUESTED, SessionState.RESCHEDULE_PROPOSED})
# Nothing more can happen; the session's escrow is empty.
TERMINAL_STATES = frozenset(
    {
        SessionState.COMPLETED,
        SessionState.CANCELLED,
        SessionState.DECLINED,
        SessionState.EXPIRED,
        SessionState.NO_SHOW,
    }
)


class Side(StrEnum):
    """A participant's role in one session."""

    LEARNER = "learner"
    TEACHER = "teacher"


class DisputeResolution(StrEnum):
    TEACHER = "teacher"  # the teacher is paid in full
    LEARNER = "learner"  # the learner gets everything back
    SPLIT = "split"  # half each


ALLOWED_DURATIONS = (30, 60, 90, 120)


def new_video_room() -> str:
    """A LiveKit room name nobody can derive from the session's id (128 random bits)."""
    return "bartr-" + secrets.token_hex(16)


_STATES_SQL = ", ".join(f"'{s.value}'" for s in SessionState)


class SkillSession(SQLModel, table=True):
    __tablename__ = "skill_sessions"
    __table_args__ = (
        CheckConstraint(f"state IN ({_STATES_SQL})", name="ck_skill_sessions_state"),
        CheckConstraint("duration_minutes IN (30, 60, 90, 120)", name="ck_skill_sessions_duration"),
        CheckConstraint("cost >= 0", name="ck_skill_sessions_cost"),
        CheckConstraint("teacher_id <> learner_id", name="ck_skill_sessions_parties"),
        CheckConstraint("starts_at IS NULL OR ends_at > starts_at", name="ck_skill_sessions_times"),
        # "My sessions" pages and the overlap check: by participant, state, time.
        Index("ix_skill_sessions_teacher_state_start", "teacher_id", "state", "starts_at"),
        Index("ix_skill_sessions_learner_state_start", "learner_id", "state", "starts_at"),
        # The periodic job: open requests by expiry, scheduled sessions by end.
        Index("ix_skill_sessions_state_expires", "state", "expires_at"),
        Index("ix_skill_sessions_state_ends", "state", "ends_at"),
        # Webhooks find their session by room name.
        Index("uq_skill_sessions_video_room", "video_room", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    # No foreign key to `skills`: a session outlives edits to (or removal of) the skill,
    # and `skill_title` keeps what was booked.
    skill_id: int = Field(index=True)
    skill_title: str = Field(default="", max_length=120)
    teacher_id: int = Field(foreign_key="users.id")
    learner_id: int = Field(foreign_key="users.id")
    duration_minutes: int
    cost: int  # minor units held in the session's escrow while the session is live
    state: str = Field(default=SessionState.REQUESTED, max_length=24)
    # Who made the open (or the last) proposal of times.
    proposed_by: str = Field(default=Side.LEARNER, max_length=16)
    proposal_round: int = Field(default=1)
    # Set when a time is agreed; cleared again while a reschedule is being negotiated.
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message: str = Field(default="", max_length=1000)
    # While open: when the request lapses unanswered. None otherwise.
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    teacher_marked_complete_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A pending no-show report: which side reported the other absent, and when.
    no_show_reported_by: str | None = Field(default=None, max_length=16)
    no_show_reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    disputed_by_id: int | None = Field(default=None, foreign_key="users.id")
    resolution: str | None = Field(default=None, max_length=16)
    cancelled_by: int | None = Field(default=None, foreign_key="users.id")
    cancel_reason: str | None = Field(default=None, max_length=500)
    # Set once the "starts within the hour" reminder hooks ran for the agreed time.
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The session's LiveKit room (random; tokens name it, webhooks are matched by it) and
    # when the completion rules last read its attendance once the join window had closed.
    video_room: str | None = Field(default_factory=new_video_room, max_length=40)
    video_checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SessionProposal(SQLModel, table=True):
    """One proposed start time. The rows of the session's current round are open choices."""

    __tablename__ = "session_proposals"
    __table_args__ = (
        UniqueConstraint("session_id", "round", "starts_at", name="uq_session_proposals_time"),
        Index("ix_session_proposals_session_round", "session_id", "round"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="skill_sessions.id")
    round: int
    proposed_by_id: int = Field(foreign_key="users.id")
    starts_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SessionEvent(SQLModel, table=True):
    """One transition in a session's life (append-only). `actor_id` is None for the system.

    `data` holds the facts of the transition as JSON, never prose: instants as ISO 8601
    UTC strings, amounts as integer minor units (keys: `times`, `starts_at`, `instead_of`,
    `held`, `to_teacher`, `to_learner`, `absent`, `resolution`); pages word them in the
    viewer's zone. `note` holds only what a person wrote (a reason, a note). Rows written
    before `data` existed (NULL) carry the whole story in `note`, in UTC.
    """

    __tablename__ = "session_events"
    __table_args__ = (Index("ix_session_events_session_at", "session_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="skill_sessions.id")
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    action: str = Field(max_length=32)
    from_state: str = Field(max_length=24)
    to_state: str = Field(max_length=24)
    note: str = Field(default="", max_length=500)
    data: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
