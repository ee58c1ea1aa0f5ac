"""The rating card, the teacher's reply and the trust editor, driven through their handlers
as the socket would call them (any client can call any handler: the services check)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from reflex.istate.data import ReflexURL
from sqlalchemy import Engine
from sqlmodel import Session, select

from bartr.models.base import utcnow
from bartr.models.trust import Rating
from bartr.services import accounts, sessions
from bartr.state.profile_view import ProfileViewState
from bartr.state.rating import RatingState
from bartr.state.trust_editor import TrustEditorState
from tests.factories import events_of, make_user
from tests.services.session_factories import make_pair


@pytest.fixture
def db(sqlite_engine: Engine) -> Iterator[Session]:
    with Session(sqlite_engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


@pytest.fixture
def as_member(make_state: Callable, db: Session) -> Callable:
    def make(state_cls: type, user: Any, path: str = "/") -> Any:
        token = accounts.open_session_for(db, user).token if user is not None else ""
        db.commit()
        state = make_state(state_cls, token)
        state.router = dataclasses.replace(state.router, url=ReflexURL(f"http://localhost{path}"))
        return state

    return make


def _run(handler: Any, state: Any, *args: Any) -> list[Any]:
    return events_of(handler.fn(state, *args))


def _completed(db: Session) -> tuple[Any, int]:
    pair = make_pair(db)
    asked = utcnow() - timedelta(days=3)
    start = (asked + timedelta(hours=4)).replace(minute=0, second=0, microsecond=0)
    booked = sessions.do_request_session(
        db, actor=pair.learner, skill_id=pair.skill_id, duration_minutes=60,
        start_times=[start], now=asked,
    )  # fmt: skip
    sessions.do_accept(db, actor=pair.teacher, session_id=booked.id, starts_at=start, now=asked)
    end = start + timedelta(minutes=60)
    sessions.do_mark_complete(db, actor=pair.teacher, session_id=booked.id, now=end)
    sessions.do_confirm_complete(db, actor=pair.learner, session_id=booked.id, now=end)
    db.commit()
    return pair, booked.id


def test_rate_then_edit_through_the_card(as_member: Callable, db: Session) -> None:
    pair, sid = _completed(db)
    card = as_member(RatingState, pair.learner, f"/sessions/{sid}")
    _run(RatingState.load, card)
    assert card.shown and card.can_rate and card.must_rate
    assert "Clear explanations" in card.prompts
    _run(RatingState.toggle_prompt, card, "Patient")
    _run(RatingState.toggle_prompt, card, "Not a prompt")  # ignored
    assert card.chosen == ["Patient"] and card.text == "Patient. "
    _run(RatingState.submit, card)  # no stars yet: refused next to the stars
    assert card.field == "stars" and not card.has_mine
    _run(RatingState.set_stars, card, 4)
    _run(RatingState.set_text, card, "Patient and well prepared, thanks.")
    _run(RatingState.submit, card)
    assert card.error == "" and card.has_mine and card.my_stars == 4 and not card.can_rate
    assert card.my_edit_note.startswith("You can change it")
    _run(RatingState.start_edit, card)
    _run(RatingState.set_stars, card, 5)
    _run(RatingState.submit, card)
    assert card.my_stars == 5 and not card.editing
    assert db.exec(select(Rating.stars)).all() == [5]


def test_a_stranger_sees_no_card_and_cannot_rate(as_member: Callable, db: Session) -> None:
    _pair, sid = _completed(db)
    stranger = make_user(db)
    card = as_member(RatingState, stranger, f"/sessions/{sid}")
    _run(RatingState.load, card)
    assert not card.shown
    card._rating_sid = sid  # a crafted call over the socket
    card.stars, card.text = 1, "Pretending to have been there."
    _run(RatingState.submit, card)
    assert "Only the two people" in card.error
    assert db.exec(select(Rating)).all() == []


def test_reply_and_trust_editor(as_member: Callable, db: Session) -> None:
    pair, sid = _completed(db)
    learner_card = as_member(RatingState, pair.learner, f"/sessions/{sid}")
    _run(RatingState.load, learner_card)
    learner_card.stars, learner_card.text = 5, "Wonderful teacher, very clear."
    _run(RatingState.submit, learner_card)
    teacher_card = as_member(RatingState, pair.teacher, f"/sessions/{sid}")
    _run(RatingState.load, teacher_card)
    teacher_card.stars, teacher_card.text = 5, "A keen and curious learner."
    _run(RatingState.submit, teacher_card)
    assert teacher_card.has_theirs and teacher_card.their_stars == 5

    profile = as_member(ProfileViewState, pair.teacher, f"/u/{pair.teacher.handle}")
    _run(ProfileViewState.load, profile)
    assert profile.review_count == 1 and profile.reviews[0].can_reply
    assert profile.trust_line.startswith("Rating 5.0 from 1 review")
    _run(ProfileViewState.open_reply, profile, profile.reviews[0].id)
    _run(ProfileViewState.set_reply_text, profile, "Grazie, see you soon!")
    _run(ProfileViewState.send_reply, profile)
    assert profile.reviews[0].reply == "Grazie, see you soon!" and not profile.reviews[0].can_reply
    # the learner cannot reply to a review of someone else, even by calling the handler
    visitor = as_member(ProfileViewState, pair.learner, f"/u/{pair.teacher.handle}")
    _run(ProfileViewState.load, visitor)
    assert not visitor.reviews[0].can_reply
    visitor.reply_for, visitor.reply_text = visitor.reviews[0].id, "Sneaky"
    _run(ProfileViewState.send_reply, visitor)
    assert visitor.reply_error

    editor = as_member(TrustEditorState, pair.teacher, "/profile")
    _run(TrustEditorState.load, editor)
    assert editor.has_score and editor.score
    assert [c.label.split()[0] for c in editor.components] == [
        "Rating", "1", "Cancellations", "Reports",
    ]  # fmt: skip
    assert editor.tips
