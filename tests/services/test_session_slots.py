"""The request page's slot list never offers a time that is already booked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from bartr.services import sessions
from bartr.services.errors import NotAllowed, NotFound
from tests.services.session_factories import T0, make_pair, scheduled


def test_booked_times_of_teacher_and_learner_are_left_out(db: Session) -> None:
    pair = make_pair(db)
    before = sessions.free_start_times(
        db,
        teacher_id=pair.teacher.id or 0,
        learner_id=pair.learner.id or 0,
        after=T0,
        duration_minutes=60,
        limit=200,
        horizon_days=7,
    )
    taken = before[5]
    scheduled(db, pair, start=taken)
    after = sessions.free_start_times(
        db,
        teacher_id=pair.teacher.id or 0,
        learner_id=pair.learner.id or 0,
        after=T0,
        duration_minutes=60,
        limit=200,
        horizon_days=7,
    )
    assert taken not in after
    # Starts whose hour would run into the booked one are gone too; others stay.
    assert taken - timedelta(minutes=30) not in after
    assert taken - timedelta(minutes=60) in after


def test_request_options_explain_why_a_skill_cannot_be_booked(db: Session) -> None:
    pair = make_pair(db)
    skill, teacher = sessions.request_options(db, actor=pair.learner, skill_id=pair.skill_id)
    assert skill.id == pair.skill_id and teacher.id == pair.teacher.id
    with pytest.raises(NotFound):
        sessions.request_options(db, actor=pair.learner, skill_id=0)
    with pytest.raises(NotAllowed):
        sessions.request_options(db, actor=pair.teacher, skill_id=pair.skill_id)


def test_a_cards_next_free_is_the_request_pages_first_slot(db: Session) -> None:
    """The card once said "Today 00:30" while the page's first slot was 01:30."""
    from bartr.services import availability, marketplace

    pair = make_pair(db)
    now = T0 + timedelta(minutes=10)  # 08:10: the next :00/:30 is inside the booking lead

    def page_first() -> object:
        return sessions.free_start_times(
            db,
            teacher_id=pair.teacher.id or 0,
            learner_id=pair.learner.id or 0,
            after=availability.earliest_bookable(now),
            duration_minutes=60,
            limit=1,
        )[0]

    def card_next() -> object:
        page = marketplace.search(db, viewer=pair.learner, now=now)
        return next(c for c in page.items if c.teacher_id == pair.teacher.id).next_free_slot

    assert card_next() == page_first() >= now + availability.BOOKING_LEAD
    # Someone else books the teacher's first free hour: both move on, together.
    other = make_pair(db, teacher=pair.teacher)
    scheduled(db, other, start=page_first(), now=now)  # type: ignore[arg-type]
    assert card_next() == page_first()
    # The viewer's own booked hour (with another teacher) is not offered either.
    elsewhere = make_pair(db)
    elsewhere.learner = pair.learner
    scheduled(db, elsewhere, start=page_first(), now=now)  # type: ignore[arg-type]
    assert card_next() == page_first()
