"""Ratings: the gate, one per rater, the edit window, who may rate, double-blind publishing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from bartr.models.trust import Rating
from bartr.services import ratings, sessions, trust
from bartr.services.errors import (
    Conflict,
    NotAllowed,
    NotFound,
    RatingRequired,
    ValidationFailed,
)
from tests.factories import make_user
from tests.services.session_factories import T0, Pair, make_pair, scheduled

START = T0 + timedelta(days=3)
END = START + timedelta(minutes=60)
TEXT = "Clear and patient, thank you!"


def _completed(db: Session, pair: Pair, start: datetime = START) -> int:
    session = scheduled(db, pair, start=start)
    end = start + timedelta(minutes=60)
    sessions.do_mark_complete(db, actor=pair.teacher, session_id=session.id, now=end)
    sessions.do_confirm_complete(db, actor=pair.learner, session_id=session.id, now=end)
    db.commit()
    return session.id


def _count(db: Session) -> int:
    return len(db.exec(select(Rating)).all())


def test_the_gate_refuses_a_new_request_until_the_learner_rated(db: Session) -> None:
    pair = make_pair(db)
    first = _completed(db, pair)
    with pytest.raises(RatingRequired) as refused:
        sessions.do_request_session(
            db, actor=pair.learner, skill_id=pair.skill_id, duration_minutes=60,
            start_times=[END + timedelta(days=2)], now=END + timedelta(hours=1),
        )  # fmt: skip
    assert refused.value.session_id == first
    assert "Rate your session with" in refused.value.message
    db.rollback()
    # the request page refuses too, before the form is filled
    with pytest.raises(RatingRequired):
        sessions.request_options(db, actor=pair.learner, skill_id=pair.skill_id)
    # the teacher is not blocked by not rating the learner
    assert ratings.pending_for(db, actor=pair.teacher)[0].required is False
    ratings.do_rate(db, actor=pair.learner, session_id=first, stars=5, text=TEXT, now=END)
    db.commit()
    booked = sessions.do_request_session(
        db, actor=pair.learner, skill_id=pair.skill_id, duration_minutes=60,
        start_times=[END + timedelta(days=2)], now=END + timedelta(hours=1),
    )  # fmt: skip
    assert booked.id


def test_one_rating_per_rater_per_session(db: Session) -> None:
    pair = make_pair(db)
    sid = _completed(db, pair)
    ratings.do_rate(db, actor=pair.learner, session_id=sid, stars=4, text=TEXT, now=END)
    db.commit()
    with pytest.raises(Conflict):
        ratings.do_rate(db, actor=pair.learner, session_id=sid, stars=5, text=TEXT, now=END)
    db.rollback()
    assert _count(db) == 1


def test_validation(db: Session) -> None:
    pair = make_pair(db)
    sid = _completed(db, pair)
    for stars, text in ((0, TEXT), (6, TEXT), (5, "Great!"), (5, "   ")):
        with pytest.raises(ValidationFailed):
            ratings.do_rate(db, actor=pair.learner, session_id=sid, stars=stars, text=text)
    rating = ratings.do_rate(
        db, actor=pair.learner, session_id=sid, stars=5, text=TEXT,
        prompts=["Patient", "Made up", "Clear explanations"], now=END,
    )  # fmt: skip
    assert rating.prompts == ["Clear explanations", "Patient"]  # known prompts only, in order


def test_strangers_and_unfinished_sessions_cannot_be_rated(db: Session) -> None:
    pair = make_pair(db)
    stranger = make_user(db)
    upcoming = scheduled(db, pair, start=START + timedelta(days=2))
    sid = _completed(db, pair)
    with pytest.raises(NotAllowed):
        ratings.do_rate(db, actor=stranger, session_id=sid, stars=1, text=TEXT, now=END)
    with pytest.raises(NotAllowed):
        ratings.do_rate(db, actor=pair.learner, session_id=upcoming.id, stars=5, text=TEXT)
    with pytest.raises(NotFound):
        ratings.do_rate(db, actor=pair.learner, session_id=99999, stars=5, text=TEXT)
    db.rollback()
    assert _count(db) == 0


def test_the_wrong_side_cannot_edit_or_reply(db: Session) -> None:
    pair = make_pair(db)
    sid = _completed(db, pair)
    by_learner = ratings.do_rate(
        db, actor=pair.learner, session_id=sid, stars=2, text=TEXT, now=END
    )
    by_teacher = ratings.do_rate(
        db, actor=pair.teacher, session_id=sid, stars=5, text=TEXT, now=END
    )
    db.commit()
    assert by_learner.ratee_id == pair.teacher.id and by_teacher.ratee_id == pair.learner.id
    with pytest.raises(NotAllowed):  # the teacher cannot touch the learner's rating
        ratings.do_edit_rating(
            db, actor=pair.teacher, rating_id=by_learner.id, stars=5, text=TEXT, now=END
        )
    with pytest.raises(NotAllowed):  # only the reviewed teacher replies, to reviews of them
        ratings.do_reply(db, actor=pair.learner, rating_id=by_learner.id, text="No", now=END)
    with pytest.raises(NotAllowed):
        ratings.do_reply(db, actor=pair.teacher, rating_id=by_teacher.id, text="Hm", now=END)
    ratings.do_reply(db, actor=pair.teacher, rating_id=by_learner.id, text="Thanks!", now=END)
    with pytest.raises(Conflict):  # one reply per review
        ratings.do_reply(db, actor=pair.teacher, rating_id=by_learner.id, text="Again", now=END)
    db.commit()
    assert db.get(Rating, by_learner.id).stars == 2


def test_edit_window_is_24_hours_while_hidden(db: Session) -> None:
    pair = make_pair(db)
    sid = _completed(db, pair)
    rating = ratings.do_rate(db, actor=pair.learner, session_id=sid, stars=3, text=TEXT, now=END)
    db.commit()
    ratings.do_edit_rating(
        db, actor=pair.learner, rating_id=rating.id, stars=4, text="Better on reflection.",
        now=END + timedelta(hours=23),
    )  # fmt: skip
    db.commit()
    assert db.get(Rating, rating.id).stars == 4
    with pytest.raises(NotAllowed):
        ratings.do_edit_rating(
            db, actor=pair.learner, rating_id=rating.id, stars=5, text=TEXT,
            now=END + timedelta(hours=24, seconds=1),
        )  # fmt: skip
    db.rollback()
    assert db.get(Rating, rating.id).stars == 4


def test_a_published_rating_is_final(db: Session) -> None:
    pair = make_pair(db)
    sid = _completed(db, pair)
    mine = ratings.do_rate(db, actor=pair.learner, session_id=sid, stars=3, text=TEXT, now=END)
    ratings.do_rate(db, actor=pair.teacher, session_id=sid, stars=5, text=TEXT, now=END)
    db.commit()
    with pytest.raises(NotAllowed):  # both rated: published, no retaliation by editing
        ratings.do_edit_rating(
            db, actor=pair.learner, rating_id=mine.id, stars=1, text=TEXT, now=END
        )


def test_double_blind_until_both_rated(db: Session) -> None:
    pair = make_pair(db)
    sid = _completed(db, pair)
    session = sessions.get_session(db, sid)
    ratings.do_rate(db, actor=pair.learner, session_id=sid, stars=4, text=TEXT, now=END)
    db.commit()
    later = END + timedelta(hours=2)
    # nobody sees it yet: not the teacher, not the public profile, not the stats
    teacher_view = ratings.session_ratings(db, session=session, viewer=pair.teacher, now=later)
    assert teacher_view.theirs is None and teacher_view.can_rate
    assert ratings.reviews_for(db, teacher_id=pair.teacher.id, now=later).count == 0
    assert trust.stats_for(db, pair.teacher.id).rating_count == 0
    learner_view = ratings.session_ratings(db, session=session, viewer=pair.learner, now=later)
    assert learner_view.mine is not None and not learner_view.mine.published
    # the teacher rates: both are public at once, and the stats count the review
    ratings.do_rate(db, actor=pair.teacher, session_id=sid, stars=5, text=TEXT, now=later)
    db.commit()
    teacher_view = ratings.session_ratings(db, session=session, viewer=pair.teacher, now=later)
    assert teacher_view.theirs is not None and teacher_view.theirs.stars == 4
    summary = ratings.reviews_for(db, teacher_id=pair.teacher.id, now=later)
    assert summary.count == 1 and summary.distribution[4] == 1
    assert summary.reviews[0].learner_first_name == pair.learner.display_name.split()[0]
    stats = trust.stats_for(db, pair.teacher.id)
    assert (stats.rating_avg, stats.rating_count) == (4.0, 1)


def test_double_blind_ends_after_7_days(db: Session) -> None:
    pair = make_pair(db)
    sid = _completed(db, pair)
    session = sessions.get_session(db, sid)
    ratings.do_rate(db, actor=pair.learner, session_id=sid, stars=5, text=TEXT, now=END)
    db.commit()
    almost = END + timedelta(days=7) - timedelta(minutes=1)
    assert ratings.reviews_for(db, teacher_id=pair.teacher.id, now=almost).count == 0
    assert ratings.publish_due(db, now=almost) == 0
    after = END + timedelta(days=7, minutes=1)  # the clock moves on
    assert ratings.reviews_for(db, teacher_id=pair.teacher.id, now=after).count == 1
    teacher_view = ratings.session_ratings(db, session=session, viewer=pair.teacher, now=after)
    assert teacher_view.theirs is not None
    # the sweep counts it in the teacher's stats, once
    assert ratings.publish_due(db, now=after) == 1
    assert ratings.publish_due(db, now=after) == 0
    db.commit()
    assert trust.stats_for(db, pair.teacher.id).rating_count == 1


def test_pending_prompts(db: Session) -> None:
    pair = make_pair(db)
    sid = _completed(db, pair)
    [learner_side] = ratings.pending_for(db, actor=pair.learner)
    assert learner_side.session_id == sid and learner_side.required
    assert learner_side.other_name == pair.teacher.display_name.split()[0]
    ratings.do_rate(db, actor=pair.learner, session_id=sid, stars=5, text=TEXT, now=END)
    db.commit()
    assert ratings.pending_for(db, actor=pair.learner) == []


def test_a_reported_review_removed_by_an_admin_counts_nowhere(db: Session) -> None:
    from bartr.models.accounts import Role
    from bartr.services import moderation_actions, reports

    pair = make_pair(db)
    sid = _completed(db, pair)
    review = ratings.do_rate(db, actor=pair.learner, session_id=sid, stars=1, text=TEXT, now=END)
    ratings.do_rate(db, actor=pair.teacher, session_id=sid, stars=5, text=TEXT, now=END)
    db.commit()
    assert trust.stats_for(db, pair.teacher.id).rating_count == 1
    report = reports.do_report(
        db, actor=pair.teacher, kind="review", target_id=review.id, reason="harassment"
    )
    admin = make_user(db, role=Role.ADMIN)
    moderation_actions.do_remove_content(
        db, actor=admin, kind="review", target_id=review.id, note="Abusive", report_id=report.id
    )
    db.commit()
    assert ratings.reviews_for(db, teacher_id=pair.teacher.id).count == 0
    assert trust.stats_for(db, pair.teacher.id).rating_count == 0
    # the learner's upheld report history is theirs, not the teacher's
    assert trust.reports_received(db, pair.learner.id).upheld == 1
    assert trust.reports_received(db, pair.teacher.id).upheld == 0
