"""Calendar files: one .ics per scheduled session and a personal subscription feed.

Times are written in UTC with the `Z` suffix (`DTSTART:20300310T100000Z`). An instant in
UTC is unambiguous, needs no VTIMEZONE block, and every calendar shows it in its owner's
own zone, so the teacher in Kolkata and the learner in Los Angeles import the same
instant even across a DST change.

The UID is stable per session (`session-<id>@bartr`) and SEQUENCE grows with each round of
rescheduling, so re-importing or a feed refresh updates the event instead of duplicating it.

The personal feed is reached by a secret token in its URL (`User.calendar_token`, 256 bits
from `secrets`): rotating it cuts off every old subscription. An unknown token is NotFound.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import or_
from sqlmodel import Session, col, select

from bartr.models.accounts import User, UserStatus
from bartr.models.base import utcnow
from bartr.models.sessions import SessionState, SkillSession
from bartr.services import sessions
from bartr.services.credits import format_credits
from bartr.services.errors import InvalidTransition, NotAllowed, NotFound
from bartr.settings import get_settings

PRODID = "-//BARTR//Sessions//EN"
# Past sessions kept in the feed, so a calendar still shows what happened recently.
FEED_PAST_DAYS = 90
TOKEN_MAX = 64


def session_uid(session_id: int) -> str:
    return f"session-{session_id}@bartr"


def _calendar(name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _event(session: SkillSession, *, other: User, stamp: datetime) -> Event:
    assert session.starts_at is not None and session.ends_at is not None
    url = f"{get_settings().public_url.rstrip('/')}/sessions/{session.id}"
    event = Event()
    event.add("uid", session_uid(session.id or 0))
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", f"BARTR: {session.skill_title} with {other.display_name}")
    event.add(
        "description",
        f"{session.duration_minutes}-minute session "
        f"({format_credits(session.cost)} credits). Join and manage it at {url}",
    )
    event.add("url", url)
    event.add("sequence", session.proposal_round)
    event.add("last-modified", session.updated_at)
    cancelled = session.state in (SessionState.CANCELLED, SessionState.DECLINED)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _other_party(db: Session, session: SkillSession, user_id: int) -> User:
    other_id = session.learner_id if session.teacher_id == user_id else session.teacher_id
    other = db.get(User, other_id)
    if other is None:
        raise NotFound("No such member.")
    return other


def session_ics(db: Session, *, actor: User, session_id: int, now: datetime | None = None) -> bytes:
    """An .ics with the one scheduled session, for one of its two participants."""
    session = sessions.get_session(db, session_id)
    if sessions.side_of(session, actor) is None:
        raise NotAllowed("Only the two people in this session can add it to a calendar.")
    if session.state != SessionState.SCHEDULED or session.starts_at is None:
        raise InvalidTransition("Only a scheduled session can be added to a calendar.")
    cal = _calendar()
    cal.add_component(
        _event(session, other=_other_party(db, session, actor.id or 0), stamp=now or utcnow())
    )
    return bytes(cal.to_ical())


def _user_for_token(db: Session, token: str | None) -> User:
    token = (token or "").strip()
    if not token or len(token) > TOKEN_MAX:
        raise NotFound("This calendar link is not valid any more.")
    user = db.exec(select(User).where(User.calendar_token == token)).first()
    if user is None or user.status != UserStatus.ACTIVE:
        raise NotFound("This calendar link is not valid any more.")
    return user


def feed_ics(db: Session, *, token: str, now: datetime | None = None) -> bytes:
    """The member's personal feed: every scheduled session, and those of the last 90 days
    that took place (completed, no-show, disputed)."""
    now = now or utcnow()
    user = _user_for_token(db, token)
    uid = user.id or 0
    recent = [SessionState.COMPLETED.value, SessionState.NO_SHOW.value, SessionState.DISPUTED]
    rows = db.exec(
        select(SkillSession)
        .where(
            or_(col(SkillSession.teacher_id) == uid, col(SkillSession.learner_id) == uid),
            col(SkillSession.starts_at).is_not(None),
            or_(
                col(SkillSession.state) == SessionState.SCHEDULED,
                (col(SkillSession.state).in_(recent))
                & (col(SkillSession.starts_at) >= now - timedelta(days=FEED_PAST_DAYS)),
            ),
        )
        .order_by(col(SkillSession.starts_at))
    ).all()
    others = {
        u.id: u
        for u in db.exec(
            select(User).where(
                col(User.id).in_(
                    {s.learner_id if s.teacher_id == uid else s.teacher_id for s in rows}
                )
            )
        ).all()
    }
    cal = _calendar("BARTR sessions")
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for s in rows:
        other = others[s.learner_id if s.teacher_id == uid else s.teacher_id]
        cal.add_component(_event(s, other=other, stamp=now))
    return bytes(cal.to_ical())


def do_rotate_calendar_token(db: Session, *, actor: User) -> str:
    """A new secret for the actor's feed; the old link stops working at once."""
    user = db.get(User, actor.id)
    if user is None:
        raise NotFound("No such member.")
    token = secrets.token_urlsafe(32)
    user.calendar_token = token
    db.add(user)
    db.flush()
    actor.calendar_token = token
    return token


def do_revoke_calendar_token(db: Session, *, actor: User) -> None:
    user = db.get(User, actor.id)
    if user is None:
        raise NotFound("No such member.")
    user.calendar_token = None
    db.add(user)
    db.flush()
    actor.calendar_token = None
