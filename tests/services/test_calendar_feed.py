"""Calendar files for one session and the personal feed behind a secret token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlmodel import Session

from bartr.models.accounts import Role
from bartr.services import calendar_feed, sessions
from bartr.services.errors import InvalidTransition, NotAllowed, NotFound
from tests.factories import make_user
from tests.services.session_factories import T0, make_pair, request, scheduled

H = timedelta(hours=1)
START = T0 + timedelta(days=3, hours=2)


def _events(ics: bytes) -> list:  # type: ignore[type-arg]
    return Calendar.from_ical(ics).walk("VEVENT")


def test_session_ics(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START, duration=90)
    ics = calendar_feed.session_ics(db, actor=pair.learner, session_id=s.id, now=T0)
    (event,) = _events(ics)
    assert str(event["uid"]) == f"session-{s.id}@bartr"
    assert event.decoded("dtstart") == START
    assert event.decoded("dtend") == START + 90 * timedelta(minutes=1)
    assert b"DTSTART:20300110T100000Z" in ics
    title = sessions.get_session(db, s.id).skill_title
    assert str(event["summary"]) == f"BARTR: {title} with {pair.teacher.display_name}"
    teacher_ics = calendar_feed.session_ics(db, actor=pair.teacher, session_id=s.id, now=T0)
    (other,) = _events(teacher_ics)
    assert str(other["summary"]).endswith(f"with {pair.learner.display_name}")
    assert str(other["uid"]) == str(event["uid"])


def test_session_ics_refusals(db: Session) -> None:
    pair = make_pair(db)
    s = request(db, pair, times=[START])
    with pytest.raises(InvalidTransition, match="scheduled"):
        calendar_feed.session_ics(db, actor=pair.learner, session_id=s.id)
    for outsider in (make_user(db), make_user(db, role=Role.ADMIN)):
        with pytest.raises(NotAllowed):
            calendar_feed.session_ics(db, actor=outsider, session_id=s.id)
    with pytest.raises(NotFound):
        calendar_feed.session_ics(db, actor=pair.learner, session_id=987654)


def test_feed_uid_stable_across_reschedule_and_token_rotation(db: Session) -> None:
    pair = make_pair(db)
    s = scheduled(db, pair, start=START)
    pending = request(db, pair, times=[START + 5 * H])
    token = calendar_feed.do_rotate_calendar_token(db, actor=pair.learner)
    db.commit()
    assert len(token) >= 43
    feed = calendar_feed.feed_ics(db, token=token, now=T0)
    (event,) = _events(feed)  # the open request is not in the calendar
    assert str(event["uid"]) == f"session-{s.id}@bartr" and pending.id != s.id
    # Moved: same UID, higher SEQUENCE, new time.
    new = START + timedelta(days=2)
    sessions.do_propose_reschedule(
        db, actor=pair.teacher, session_id=s.id, start_times=[new], now=T0 + H
    )
    sessions.do_accept(db, actor=pair.learner, session_id=s.id, starts_at=new, now=T0 + 2 * H)
    db.commit()
    (moved,) = _events(calendar_feed.feed_ics(db, token=token, now=T0 + 2 * H))
    assert str(moved["uid"]) == str(event["uid"])
    assert moved.decoded("dtstart") == new and int(moved["sequence"]) > int(event["sequence"])
    # Rotating cuts off the old link; unknown tokens are NotFound.
    new_token = calendar_feed.do_rotate_calendar_token(db, actor=pair.learner)
    db.commit()
    assert new_token != token
    for bad in (token, "", "x" * 200, "nope"):
        with pytest.raises(NotFound):
            calendar_feed.feed_ics(db, token=bad)
    assert _events(calendar_feed.feed_ics(db, token=new_token, now=T0))
    calendar_feed.do_revoke_calendar_token(db, actor=pair.learner)
    with pytest.raises(NotFound):
        calendar_feed.feed_ics(db, token=new_token)
