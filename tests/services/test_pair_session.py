"""The session pinned above a chat thread: the pair's next or current scheduled session,
shown only to the two members, in the viewer's zone, with Join while the call is open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from bartr.services import messages, pair_session, sessions
from bartr.services.errors import NotFound
from bartr.services.video.window import CallRules
from tests.factories import make_user
from tests.services.session_factories import T0, make_pair, scheduled

RULES = CallRules(open_before=timedelta(minutes=10), close_after=timedelta(minutes=30))


def _pin(db: Session, actor, cid: int, now, video: bool = True):  # type: ignore[no-untyped-def]
    return pair_session.pinned_session(
        db, actor=actor, conversation_id=cid, video_enabled=video, now=now, call_rules=RULES
    )


def test_the_pairs_next_session_in_the_viewers_zone_for_the_two_members_only(
    db: Session,
) -> None:
    pair = make_pair(db, teacher_tz="Europe/Berlin", learner_tz="America/New_York")
    cid = (
        messages.do_open_conversation(db, actor=pair.learner, other_id=pair.teacher.id or 0).id or 0
    )
    db.commit()
    assert _pin(db, pair.learner, cid, T0) is None  # nothing scheduled yet

    later = scheduled(db, pair, start=T0 + timedelta(days=5, hours=2))
    sooner = scheduled(db, pair, start=T0 + timedelta(days=2, hours=2))
    mine = _pin(db, pair.learner, cid, T0)
    assert mine is not None and mine.session_id == sooner.id != later.id
    assert mine.state_label == "Scheduled" and not mine.i_teach and not mine.can_join
    # Wed 9 Jan 10:00 UTC: 05:00 in New York, 11:00 in Berlin.
    assert mine.when == "Wed 9 Jan, 05:00–06:00 (America/New_York)"
    theirs = _pin(db, pair.teacher, cid, T0)
    assert theirs is not None and theirs.i_teach
    assert theirs.when == "Wed 9 Jan, 11:00–12:00 (Europe/Berlin)"

    stranger = make_user(db)
    db.commit()
    with pytest.raises(NotFound):
        _pin(db, stranger, cid, T0)


def test_join_while_the_call_window_is_open_and_gone_once_it_closes(db: Session) -> None:
    pair = make_pair(db)
    cid = (
        messages.do_open_conversation(db, actor=pair.learner, other_id=pair.teacher.id or 0).id or 0
    )
    start = T0 + timedelta(days=1, hours=2)
    session = scheduled(db, pair, start=start)

    before = _pin(db, pair.learner, cid, start - timedelta(minutes=11))
    assert before is not None and not before.can_join
    opening = _pin(db, pair.learner, cid, start - timedelta(minutes=10))
    assert opening is not None and opening.can_join and opening.state_label == "Scheduled"
    assert opening.when.startswith("Today, ")
    during = _pin(db, pair.learner, cid, start + timedelta(minutes=20))
    assert during is not None and during.can_join and during.state_label == "In progress"
    no_video = _pin(db, pair.learner, cid, start + timedelta(minutes=20), video=False)
    assert no_video is not None and not no_video.can_join
    # After the end the card stays while the room is open, then goes.
    assert _pin(db, pair.learner, cid, start + timedelta(minutes=60 + 29)) is not None
    assert _pin(db, pair.learner, cid, start + timedelta(minutes=60 + 30)) is None
    assert session.id is not None


def test_a_cancelled_session_or_another_pairs_session_is_not_pinned(db: Session) -> None:
    pair = make_pair(db)
    other = make_pair(db, teacher=pair.teacher)  # the same teacher with someone else
    cid = (
        messages.do_open_conversation(db, actor=pair.learner, other_id=pair.teacher.id or 0).id or 0
    )
    scheduled(db, other, start=T0 + timedelta(days=1, hours=2))
    mine = scheduled(db, pair, start=T0 + timedelta(days=3, hours=2))
    sessions.do_cancel(db, actor=pair.learner, session_id=mine.id or 0, now=T0)
    db.commit()
    assert _pin(db, pair.learner, cid, T0) is None
    assert _pin(db, pair.teacher, cid, T0) is None
