"""The Teacher Trust Score: hypothesis properties of the pure function, badges, recompute."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from bartr.models.profiles import Skill
from bartr.services import ratings, sessions, trust
from bartr.services.trust import (
    REPORT_DISMISSED,
    REPORT_OPEN,
    REPORT_UPHELD,
    RatingEvent,
    ReportEvent,
    TeacherStatsView,
    TrustInputs,
    age_weight,
    badges_for,
    trust_score,
)
from tests.services.session_factories import T0, make_pair, scheduled

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
ages = st.integers(min_value=0, max_value=3 * 365 * 24).map(lambda h: NOW - timedelta(hours=h))
rating_events = st.builds(RatingEvent, stars=st.integers(1, 5), at=ages)
reports = st.builds(
    ReportEvent, outcome=st.sampled_from([REPORT_OPEN, REPORT_UPHELD, REPORT_DISMISSED]), at=ages
)
inputs = st.builds(
    TrustInputs,
    ratings=st.lists(rating_events, max_size=40).map(tuple),
    completed=st.lists(ages, max_size=60).map(tuple),
    teacher_cancellations=st.lists(ages, max_size=10).map(tuple),
    reports=st.lists(reports, max_size=5).map(tuple),
)
PROPERTY = settings(max_examples=150, deadline=None)


def score(i: TrustInputs) -> float:
    return trust_score(i, now=NOW).score


@PROPERTY
@given(inputs)
def test_always_between_0_and_100(i: TrustInputs) -> None:
    assert 0.0 <= score(i) <= 100.0


@PROPERTY
@given(inputs, ages)
def test_a_five_star_rating_never_lowers_it(i: TrustInputs, at: datetime) -> None:
    assert score(replace(i, ratings=(*i.ratings, RatingEvent(5, at)))) >= score(i)


@PROPERTY
@given(inputs, ages)
def test_a_teacher_cancellation_never_raises_it(i: TrustInputs, at: datetime) -> None:
    more = replace(i, teacher_cancellations=(*i.teacher_cancellations, at))
    assert score(more) <= score(i)


@PROPERTY
@given(inputs, ages)
def test_an_upheld_report_never_raises_it(i: TrustInputs, at: datetime) -> None:
    assert score(replace(i, reports=(*i.reports, ReportEvent(REPORT_UPHELD, at)))) <= score(i)


@PROPERTY
@given(inputs, st.lists(ages, min_size=1, max_size=20))
def test_more_completed_sessions_never_lower_it(i: TrustInputs, more: list[datetime]) -> None:
    assert score(replace(i, completed=(*i.completed, *more))) >= score(i)


@PROPERTY
@given(inputs, ages)
def test_a_dismissed_report_changes_nothing(i: TrustInputs, at: datetime) -> None:
    with_dismissed = replace(i, reports=(*i.reports, ReportEvent(REPORT_DISMISSED, at)))
    assert trust_score(with_dismissed, now=NOW).score == score(i)


@PROPERTY
@given(st.floats(0, 5000), st.floats(0, 5000))
def test_an_events_weight_never_grows_with_age(a: float, b: float) -> None:
    young, old = sorted((a, b))
    w_young = age_weight(NOW - timedelta(days=young), NOW)
    w_old = age_weight(NOW - timedelta(days=old), NOW)
    assert 0 < w_old <= w_young <= 1


def test_half_life_and_bayesian_average() -> None:
    assert age_weight(NOW - timedelta(days=180), NOW) == 0.5
    assert age_weight(NOW + timedelta(days=3), NOW) == 1.0  # a clock-skewed event counts as new
    one_five = trust_score(TrustInputs(ratings=(RatingEvent(5, NOW),)), now=NOW)
    fifty = TrustInputs(ratings=tuple(RatingEvent(5 if k % 10 else 4, NOW) for k in range(50)))
    assert trust_score(fifty, now=NOW).bayes_rating > one_five.bayes_rating  # 4.9 x 50 wins
    assert round(one_five.bayes_rating, 2) == 4.25


def test_an_old_bad_month_fades() -> None:
    steady = tuple(NOW - timedelta(days=d) for d in range(0, 300, 10))
    recent = TrustInputs(completed=steady, teacher_cancellations=(NOW - timedelta(days=5),) * 3)
    old = replace(recent, teacher_cancellations=(NOW - timedelta(days=730),) * 3)
    assert score(old) > score(recent)


def test_breakdown_reads_as_one_line() -> None:
    result = trust_score(
        TrustInputs(
            ratings=tuple(RatingEvent(5 if k % 3 else 4, NOW) for k in range(23)),
            completed=(NOW,) * 41,
            teacher_cancellations=(NOW,),
        ),
        now=NOW,
    )
    assert result.breakdown.startswith("Rating 4.7 from 23 reviews +")
    assert "41 sessions +" in result.breakdown and "cancellations 2% \u22124" in result.breakdown
    assert [c.key for c in result.components] == ["rating", "sessions", "cancellations", "reports"]
    assert trust.how_to_raise(result, review_count=23)


# --- badges --------------------------------------------------------------------------------

JOINED_LONG_AGO = NOW - timedelta(days=400)
STRONG = TeacherStatsView(
    rating_avg=4.9, rating_count=20, trust_score=85, sessions_taught=12, bayes_rating=4.8
)


def test_trusted_teacher_criteria() -> None:
    assert badges_for(STRONG, member_since=JOINED_LONG_AGO, now=NOW) == [trust.TRUSTED_TEACHER]
    for weaker in (
        replace(STRONG, trust_score=79.9),
        replace(STRONG, sessions_taught=9),
        replace(STRONG, last_upheld_report_at=NOW - timedelta(days=30)),
    ):
        assert trust.TRUSTED_TEACHER not in badges_for(
            weaker, member_since=JOINED_LONG_AGO, now=NOW
        )
    cleared = replace(STRONG, last_upheld_report_at=NOW - timedelta(days=91))
    assert trust.TRUSTED_TEACHER in badges_for(cleared, member_since=JOINED_LONG_AGO, now=NOW)


def test_rising_mentor_criteria_and_loss() -> None:
    rising = TeacherStatsView(4.8, 3, 60, sessions_taught=3, bayes_rating=4.5)
    joined = NOW - timedelta(days=60)
    assert badges_for(rising, member_since=joined, now=NOW) == [trust.RISING_MENTOR]
    assert badges_for(replace(rising, sessions_taught=2), member_since=joined, now=NOW) == []
    assert badges_for(replace(rising, bayes_rating=4.49), member_since=joined, now=NOW) == []
    # lost when the member is no longer new
    assert badges_for(rising, member_since=NOW - timedelta(days=91), now=NOW) == []


def test_new_member_badge_and_tooltips() -> None:
    fresh = badges_for(trust.NEW_STATS, member_since=NOW - timedelta(days=3), now=NOW)
    assert fresh == [trust.NEW_MEMBER]
    for badge in (trust.TRUSTED_TEACHER, trust.RISING_MENTOR, trust.NEW_MEMBER):
        assert trust.badge_tooltip(badge)


# --- recompute on change -----------------------------------------------------------------


def _complete(db: Session, start: datetime, pair) -> int:  # type: ignore[no-untyped-def]
    session = scheduled(db, pair, start=start)
    end = start + timedelta(minutes=60)
    sessions.do_mark_complete(db, actor=pair.teacher, session_id=session.id, now=end)
    sessions.do_confirm_complete(db, actor=pair.learner, session_id=session.id, now=end)
    db.commit()
    return session.id


def test_completion_and_cancellation_update_stats_in_the_same_transaction(db: Session) -> None:
    pair = make_pair(db)
    assert trust.stats_for(db, pair.teacher.id) == trust.NEW_STATS
    first = _complete(db, T0 + timedelta(days=3), pair)
    after_one = trust.stats_for(db, pair.teacher.id)
    assert after_one.sessions_taught == 1 and after_one.trust_score is not None
    assert after_one.rating_count == 0  # nobody rated yet
    skill = db.get(Skill, pair.skill_id)
    db.refresh(skill)
    assert skill.sort_trust == after_one.trust_score  # the marketplace copy followed
    ratings.do_rate(
        db, actor=pair.learner, session_id=first, stars=5,
        text="Great first lesson, thanks!", now=T0 + timedelta(days=3, hours=2),
    )  # fmt: skip
    db.commit()
    later = scheduled(db, pair, start=T0 + timedelta(days=5))
    sessions.do_cancel(
        db, actor=pair.teacher, session_id=later.id, reason="Sick", now=T0 + timedelta(days=4)
    )
    db.commit()
    after_cancel = trust.stats_for(db, pair.teacher.id)
    assert after_cancel.trust_score is not None
    assert after_cancel.trust_score < after_one.trust_score
    assert "cancellations 50%" in after_cancel.breakdown


def test_daily_decay_job_lowers_old_scores(db: Session) -> None:
    from bartr import background

    assert "trust decay" in {job.name for job in background.registered()}
    assert "rating publication" in {job.name for job in background.registered()}
    pair = make_pair(db)
    _complete(db, T0 + timedelta(days=3), pair)
    before = trust.stats_for(db, pair.teacher.id).trust_score
    db.commit()
    a_year_later = T0 + timedelta(days=365)
    assert background.decay_trust_scores(a_year_later)["trust_scores_recomputed"] >= 1
    db.expire_all()
    after = trust.stats_for(db, pair.teacher.id).trust_score
    # a year on, the session weighs a quarter: fewer session points
    assert after is not None and before is not None and after < before


def test_reports_change_the_score_by_outcome(db: Session) -> None:
    from bartr.models.accounts import Role
    from bartr.services import moderation_actions, reports
    from tests.factories import make_user

    pair = make_pair(db)
    _complete(db, T0 + timedelta(days=3), pair)
    clean = trust.stats_for(db, pair.teacher.id).trust_score
    reporter, admin = make_user(db), make_user(db, role=Role.ADMIN)
    first = reports.do_report(
        db, actor=reporter, kind="member", target_id=pair.teacher.id, reason="spam"
    )
    db.commit()
    open_one = trust.stats_for(db, pair.teacher.id).trust_score
    assert open_one < clean  # an open report weighs a little
    moderation_actions.do_dismiss(db, actor=admin, report_id=first.id, note="Not spam")
    db.commit()
    assert trust.stats_for(db, pair.teacher.id).trust_score == clean  # dismissed: nothing
    second = reports.do_report(
        db, actor=pair.learner, kind="member", target_id=pair.teacher.id, reason="harassment"
    )
    moderation_actions.do_warn(
        db, actor=admin, member_id=pair.teacher.id, note="Be kind", report_id=second.id
    )
    db.commit()
    upheld = trust.stats_for(db, pair.teacher.id)
    assert upheld.trust_score < open_one and upheld.last_upheld_report_at is not None
