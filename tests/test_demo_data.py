"""The first-run demo community is valid data and seeding twice changes nothing."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bartr import demo_data
from bartr.models.accounts import User
from bartr.models.sessions import SkillSession
from bartr.services import ledger


def test_seed_is_idempotent_and_keeps_the_ledger_balanced(sqlite_engine: Engine) -> None:
    first = demo_data.seed()
    assert "members" in first
    again = demo_data.seed()
    assert "nothing changed" in again
    with Session(sqlite_engine) as db:
        assert db.exec(select(func.count()).select_from(User)).one() == len(demo_data.PEOPLE)
        completed = db.exec(
            select(func.count()).select_from(SkillSession).where(SkillSession.state == "completed")
        ).one()
        assert completed >= 5
        assert ledger.check_invariants(db) == []


def test_demo_stars_and_scores_are_computed_from_real_ratings(sqlite_engine: Engine) -> None:
    from bartr.models.profiles import TeacherStats
    from bartr.models.trust import Rating
    from bartr.services import trust

    demo_data.seed()
    with Session(sqlite_engine) as db:
        stats = db.exec(select(TeacherStats)).all()
        rated = [s for s in stats if s.rating_count]
        assert len(rated) >= 10
        for row in rated:
            published = db.exec(
                select(func.count())
                .select_from(Rating)
                .where(Rating.ratee_id == row.user_id, Rating.rater_side == "learner")
            ).one()
            assert row.rating_count == published  # every review counted, none invented
        badges = {
            badge
            for row in stats
            for badge in trust.badges_for(
                trust.stats_view(row), member_since=db.get(User, row.user_id).created_at
            )
        }
        assert trust.TRUSTED_TEACHER in badges
