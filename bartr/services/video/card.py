"""What the session page's video card and the room page say to one member.

`call_card` never raises for a participant: it turns every state of the call into a line
of words (and whether Join is lit). Attendance is named in the viewer's zone, the viewer
first: "You: 14:02–14:58 · Maya: 14:00–14:58".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bartr.models.accounts import User
from bartr.models.sessions import Side, SkillSession
from bartr.services.errors import NotAllowed
from bartr.services.sessions import rules
from bartr.services.sessions.store import get_session, get_user
from bartr.services.sessions.times import now_utc, zone
from bartr.services.video.attendance import Visit, visits
from bartr.services.video.tokens import (
    NOT_CONFIGURED,
    STRANGER,
    check_can_join,
    local_time_phrase,
)
from bartr.services.video.window import CallRules, call_window


@dataclass(frozen=True)
class CallCard:
    enabled: bool  # video calls are configured on this server
    can_join: bool  # the Join button is lit
    note: str  # why not, or until when
    attendance: str  # "" before anyone joined
    opens_at: datetime | None
    closes_at: datetime | None
    ends_at: datetime | None


def _first_name(user: User) -> str:
    return (user.display_name or "").split(" ")[0] or user.display_name


def _span(visit: Visit, tz: str) -> str:
    start = visit.first_join_at.astimezone(zone(tz))
    if visit.in_room_since is not None:
        return f"{start:%H:%M}–now"
    end = visit.last_leave_at.astimezone(zone(tz)) if visit.last_leave_at else None
    return f"{start:%H:%M}–{end:%H:%M}" if end else f"{start:%H:%M}"


def attendance_line(db: Session, session: SkillSession, viewer: User) -> str:
    found = visits(db, session)
    if not found:
        return ""
    mine = rules.side_of(session, viewer)
    order = [mine] if mine is not None else []
    order += [s for s in (Side.TEACHER, Side.LEARNER) if s not in order]
    parts: list[str] = []
    for side in order:
        visit = found.get(side)
        if visit is None:
            continue
        who = "You" if side == mine else _first_name(get_user(db, visit.user_id))
        parts.append(f"{who}: {_span(visit, viewer.timezone)}")
    return " · ".join(parts)


def call_card(
    db: Session,
    *,
    actor: User,
    session_id: int,
    enabled: bool,
    now: datetime | None = None,
    call_rules: CallRules | None = None,
) -> CallCard:
    now = now_utc(now)
    call_rules = call_rules or CallRules.from_settings()
    session = get_session(db, session_id)
    window = call_window(session, call_rules)
    attendance = attendance_line(db, session, actor)
    opens = window.opens_at if window else None
    closes = window.closes_at if window else None

    def card(can_join: bool, note: str) -> CallCard:
        return CallCard(enabled, can_join, note, attendance, opens, closes, session.ends_at)

    if not enabled:
        return card(False, NOT_CONFIGURED)
    try:
        check_can_join(session, actor=actor, now=now, call_rules=call_rules)
    except NotAllowed as refusal:
        return card(False, refusal.message)
    assert closes is not None
    return card(True, f"Open now, until {local_time_phrase(closes, now, actor.timezone)}.")


def room_heading(db: Session, *, actor: User, session_id: int) -> tuple[str, str]:
    """(skill title, the other person's name) for the room page; participants only."""
    session = get_session(db, session_id)
    side = rules.side_of(session, actor)
    if side is None:
        raise NotAllowed(STRANGER)
    other_id = session.learner_id if side == Side.TEACHER else session.teacher_id
    return session.skill_title, get_user(db, other_id).display_name
