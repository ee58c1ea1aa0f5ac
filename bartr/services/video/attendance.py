"""LiveKit's room events, recorded once each, and the attendance they add up to.

A verified webhook is stored by LiveKit's event id before anything else (a replay, or two
deliveries racing, change nothing). Attendance is then *recomputed* from every stored
join/leave of that member in that room, in LiveKit's time order: so a "left" that arrives
before its "joined" is simply read in its place once both are here. `room_finished` closes
whatever visit is still open; the completion rules may run (`completion.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from bartr.adapters.video import InvalidWebhook, RoomEvent, VideoGateway
from bartr.models.sessions import Side, SkillSession
from bartr.models.video import LiveKitEvent, SessionAttendance
from bartr.services.errors import BadSignature
from bartr.services.sessions.store import lock_session
from bartr.services.sessions.times import now_utc

JOINED, LEFT, FINISHED = "participant_joined", "participant_left", "room_finished"
_ORDER = {JOINED: 0, LEFT: 1, FINISHED: 2}  # same second: a join reads before a leave


@dataclass(frozen=True)
class Visit:
    """One member's presence in a session's call."""

    user_id: int
    side: Side
    first_join_at: datetime
    last_leave_at: datetime | None
    seconds_present: int  # closed visits
    in_room_since: datetime | None  # a visit with no leave yet

    def seconds_until(self, moment: datetime) -> int:
        """Seconds present, counting an open visit up to `moment`."""
        extra = 0
        if self.in_room_since is not None and moment > self.in_room_since:
            extra = int((moment - self.in_room_since).total_seconds())
        return self.seconds_present + extra

    def evidence(self, moment: datetime) -> dict[str, Any]:
        return {
            "first_join": self.first_join_at.isoformat(),
            "last_leave": self.last_leave_at.isoformat() if self.last_leave_at else None,
            "seconds": self.seconds_until(moment),
        }


def session_for_room(db: Session, room: str) -> SkillSession | None:
    if not room:
        return None
    return db.exec(select(SkillSession).where(SkillSession.video_room == room)).first()


def _side(session: SkillSession, identity: str) -> tuple[int, Side] | None:
    if identity == str(session.teacher_id):
        return session.teacher_id, Side.TEACHER
    if identity == str(session.learner_id):
        return session.learner_id, Side.LEARNER
    return None


def recompute(db: Session, session: SkillSession, user_id: int, *, now: datetime) -> None:
    """Rebuild one member's attendance row from every stored event of the room."""
    assert session.video_room is not None
    events = db.exec(
        select(LiveKitEvent).where(
            LiveKitEvent.room == session.video_room,
            or_(
                col(LiveKitEvent.event) == FINISHED,
                (col(LiveKitEvent.identity) == str(user_id))
                & col(LiveKitEvent.event).in_([JOINED, LEFT]),
            ),
        )
    ).all()
    events = sorted(events, key=lambda e: (e.at, _ORDER.get(e.event, 3), e.id))
    depth, since = 0, None
    first_join: datetime | None = None
    last_leave: datetime | None = None
    seconds = 0
    for e in events:
        if e.event == JOINED:
            first_join = first_join or e.at
            if depth == 0:
                since = e.at
            depth += 1
        elif depth > 0 and since is not None:  # a leave (or the room's end) closes a visit
            depth = 0 if e.event == FINISHED else depth - 1
            if depth == 0:
                seconds += int((e.at - since).total_seconds())
                last_leave, since = e.at, None
    if first_join is None:
        return
    row = db.exec(
        select(SessionAttendance).where(
            SessionAttendance.session_id == session.id, SessionAttendance.user_id == user_id
        )
    ).first() or SessionAttendance(
        session_id=session.id or 0, user_id=user_id, first_join_at=first_join
    )
    row.first_join_at, row.last_leave_at = first_join, last_leave
    row.seconds_present, row.in_room_since = seconds, since
    row.updated_at = now
    db.add(row)
    db.flush()


def visits(db: Session, session: SkillSession) -> dict[Side, Visit]:
    """Who was in the session's call, by side (a side that never joined is absent)."""
    rows = db.exec(
        select(SessionAttendance).where(SessionAttendance.session_id == session.id)
    ).all()
    out: dict[Side, Visit] = {}
    for row in rows:
        side = Side.TEACHER if row.user_id == session.teacher_id else Side.LEARNER
        out[side] = Visit(
            user_id=row.user_id,
            side=side,
            first_join_at=row.first_join_at,
            last_leave_at=row.last_leave_at,
            seconds_present=row.seconds_present,
            in_room_since=row.in_room_since,
        )
    return out


def _record(db: Session, event: RoomEvent, now: datetime) -> bool:
    """Store the event under its id; False when it was already there (a replay)."""
    if db.get(LiveKitEvent, event.id[:64]) is not None:
        return False
    at = datetime.fromtimestamp(event.created_at, UTC) if event.created_at > 0 else now
    try:
        with db.begin_nested():
            db.add(
                LiveKitEvent(
                    id=event.id[:64],
                    event=event.event[:40],
                    room=event.room[:64],
                    identity=event.identity[:64],
                    at=at,
                    received_at=now,
                )
            )
            db.flush()
    except IntegrityError:
        return False  # the same event is being handled by a concurrent delivery
    return True


def handle_webhook(
    db: Session,
    *,
    body: str,
    authorization: str,
    gateway: VideoGateway,
    now: datetime | None = None,
) -> str:
    """Verify, record once and apply one LiveKit webhook; returns what was done."""
    from bartr.services.video import completion  # the rules read what this module writes

    try:
        event = gateway.verify_webhook(body, authorization.removeprefix("Bearer ").strip())
    except InvalidWebhook as exc:
        raise BadSignature("This webhook is not signed by our LiveKit project.") from exc
    now = now_utc(now)
    if not event.id:
        return "ignored"
    if not _record(db, event, now):
        return "duplicate"
    found = session_for_room(db, event.room)
    if found is None:
        return "unknown room"
    # One delivery at a time per session (row lock on PostgreSQL; SQLite's writer lock):
    # two members joining at once must not both create the attendance rows.
    session = lock_session(db, found.id or 0)
    if event.event in (JOINED, LEFT):
        member = _side(session, event.identity)
        if member is None:
            return "ignored"
        recompute(db, session, member[0], now=now)
        return "attendance"
    if event.event == FINISHED:
        for user_id in (session.teacher_id, session.learner_id):
            recompute(db, session, user_id, now=now)
        final = session.ends_at is not None and now >= session.ends_at
        return completion.apply_call_rules(db, session_id=session.id or 0, now=now, final=final)
    return "ignored"
