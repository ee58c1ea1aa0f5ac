"""The session pinned at the top of a chat thread: the pair's next (or current) session.

A conversation is between two members; when they have a scheduled session that has not
finished (its call window still open, or still ahead), the thread shows it on top: the
skill, the time in the viewer's zone, the status, and "Join" while the call is open. Only
the two members of the conversation may ask (`messages.get_conversation` checks it); the
session found is always one of theirs together, whichever of them teaches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, and_, col, or_, select

from bartr.models.accounts import User
from bartr.models.sessions import SessionState, SkillSession
from bartr.services import messages
from bartr.services.sessions.labels import STATE_LABELS
from bartr.services.sessions.times import now_utc, zone
from bartr.services.video.window import CallRules, call_window


@dataclass(frozen=True)
class PinnedSession:
    session_id: int
    skill_title: str
    state: str  # the status chip's colour key ("scheduled")
    state_label: str  # "Scheduled", or "In progress" between its start and end
    when: str  # "Thu 10 Jan, 10:00–11:00 (Europe/Berlin)": the viewer's zone
    i_teach: bool
    can_join: bool  # video is on and the call window is open now


def _when(starts_at: datetime, ends_at: datetime, tz: str, now: datetime) -> str:
    start, end, today = (t.astimezone(zone(tz)) for t in (starts_at, ends_at, now))
    if start.date() == today.date():
        day = "Today"
    elif (start.date() - today.date()).days == 1:
        day = "Tomorrow"
    else:
        day = f"{start:%a} {start.day} {start:%b}"
    return f"{day}, {start:%H:%M}–{end:%H:%M} ({tz or 'UTC'})"


def pinned_session(
    db: Session,
    *,
    actor: User,
    conversation_id: int,
    video_enabled: bool,
    now: datetime | None = None,
    call_rules: CallRules | None = None,
) -> PinnedSession | None:
    """The pair's scheduled session that is next or under way, or None.

    "Under way" lasts until its call window closes (the end plus `close_after`), so the
    card keeps its Join button as long as the room does. NotFound for a stranger.
    """
    now = now_utc(now)
    rules = call_rules or CallRules.from_settings()
    conversation = messages.get_conversation(db, actor=actor, conversation_id=conversation_id)
    a, b = conversation.member_a_id, conversation.member_b_id
    row = db.exec(
        select(SkillSession)
        .where(
            or_(
                and_(col(SkillSession.teacher_id) == a, col(SkillSession.learner_id) == b),
                and_(col(SkillSession.teacher_id) == b, col(SkillSession.learner_id) == a),
            ),
            col(SkillSession.state) == SessionState.SCHEDULED.value,
            col(SkillSession.ends_at) > now - rules.close_after,
        )
        .order_by(col(SkillSession.starts_at), col(SkillSession.id))
        .limit(1)
    ).first()
    if row is None or row.starts_at is None or row.ends_at is None:
        return None
    window = call_window(row, rules)
    started = row.starts_at <= now < row.ends_at
    return PinnedSession(
        session_id=row.id or 0,
        skill_title=row.skill_title,
        state=SessionState.SCHEDULED.value,
        state_label="In progress" if started else STATE_LABELS[SessionState.SCHEDULED],
        when=_when(row.starts_at, row.ends_at, actor.timezone, now),
        i_teach=row.teacher_id == actor.id,
        can_join=bool(video_enabled and window is not None and window.is_open(now)),
    )
