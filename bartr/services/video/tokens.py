"""Who may enter a session's call, when, and the short-lived pass LiveKit accepts.

Only the learner and the teacher of a scheduled session, only inside its window (from
`open_before` before the start to `close_after` after the end), only for that session's
room. Every refusal says why in the member's own words and zone ("The call opens at 14:50
your time"); admins are refused like strangers (a call is private to the pair).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bartr.adapters.video import VideoGateway
from bartr.models.accounts import User
from bartr.models.sessions import SessionState, SkillSession
from bartr.services.errors import NotAllowed
from bartr.services.sessions import rules
from bartr.services.sessions.store import get_session
from bartr.services.sessions.times import now_utc, zone
from bartr.services.video.window import CallRules, CallWindow, call_window

NOT_CONFIGURED = "Video calls are not set up on this server yet: meet as you agreed instead."
STRANGER = "Only the two people in this session can join its call."
_CLOSED: dict[SessionState, str] = {
    SessionState.REQUESTED: "No time is agreed yet, so there is no call to join.",
    SessionState.RESCHEDULE_PROPOSED: "A new time is being agreed, so there is no call to join.",
    SessionState.COMPLETED: "This session is completed, so its call is closed.",
    SessionState.CANCELLED: "This session was cancelled, so there is no call to join.",
    SessionState.DECLINED: "This request was declined, so there is no call to join.",
    SessionState.EXPIRED: "This request lapsed, so there is no call to join.",
    SessionState.NO_SHOW: "This session was closed as a no-show, so its call is closed.",
    SessionState.DISPUTED: "This session is in dispute, so its call is closed.",
}


@dataclass(frozen=True)
class RoomPass:
    """What the room page needs to connect: the server URL and a token for one room."""

    url: str
    token: str
    room: str
    identity: str
    name: str
    expires_at: datetime


def local_time_phrase(when: datetime, now: datetime, timezone: str | None) -> str:
    """'14:50 your time', with the day when it is not today in that zone."""
    tz = zone(timezone)
    local, today = when.astimezone(tz), now.astimezone(tz)
    if local.date() == today.date():
        return f"{local:%H:%M} your time"
    if (local.date() - today.date()).days == 1:
        return f"{local:%H:%M} your time tomorrow"
    return f"{local:%H:%M} your time on {local:%a} {local.day} {local:%b}"


def check_can_join(
    session: SkillSession, *, actor: User, now: datetime, call_rules: CallRules
) -> CallWindow:
    """The open window `actor` may join now, or `NotAllowed` saying why not."""
    if rules.side_of(session, actor) is None:
        raise NotAllowed(STRANGER)
    state = SessionState(session.state)
    window = call_window(session, call_rules)
    if state != SessionState.SCHEDULED or window is None:
        raise NotAllowed(_CLOSED.get(state, "There is no call to join for this session."))
    if now < window.opens_at:
        raise NotAllowed(
            f"The call opens at {local_time_phrase(window.opens_at, now, actor.timezone)}, "
            f"{int(call_rules.open_before.total_seconds() // 60)} minutes before the start."
        )
    if now >= window.closes_at:
        raise NotAllowed(
            f"The call closed at {local_time_phrase(window.closes_at, now, actor.timezone)}, "
            f"{int(call_rules.close_after.total_seconds() // 60)} minutes after the end."
        )
    return window


def issue_room_pass(
    db: Session,
    *,
    actor: User,
    session_id: int,
    gateway: VideoGateway | None,
    now: datetime | None = None,
    call_rules: CallRules | None = None,
) -> RoomPass:
    """A token for this session's room, valid no longer than the window stays open."""
    if gateway is None:
        raise NotAllowed(NOT_CONFIGURED)
    now = now_utc(now)
    call_rules = call_rules or CallRules.from_settings()
    session = get_session(db, session_id)
    window = check_can_join(session, actor=actor, now=now, call_rules=call_rules)
    if session.video_room is None:  # rows older than the room column (the migration fills them)
        raise NotAllowed("This session has no call room; ask support to look at it.")
    ttl = max(window.closes_at - now, timedelta(seconds=1))
    identity = str(actor.id)
    token = gateway.room_token(
        room=session.video_room, identity=identity, name=actor.display_name, ttl=ttl
    )
    return RoomPass(
        url=gateway.url,
        token=token,
        room=session.video_room,
        identity=identity,
        name=actor.display_name,
        expires_at=now + ttl,
    )
