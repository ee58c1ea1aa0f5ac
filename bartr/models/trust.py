"""Ratings after completed sessions, and the teacher's public reply.

One row per rater per session (`uq_ratings_session_rater`). The learner rates the teacher
(`rater_side = "learner"`: counts toward the teacher's stars and trust score); the teacher
may rate the learner (`"teacher"`). Double-blind: `visible_from` is when the rating becomes
public, first set to completion + 7 days and moved to the second rating's time when the
other side rates too; `published_at` is set once the teacher's stats have counted it (at
once when both rated, otherwise by the periodic sweep). Members report reviews through
services/reports.py ("review" target); an admin's removal sets `removed_at`.
See services/ratings.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bartr.models.base import UTCDateTime, utcnow


class Rating(SQLModel, table=True):
    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("session_id", "rater_id", name="uq_ratings_session_rater"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="ck_ratings_stars"),
        CheckConstraint("rater_id <> ratee_id", name="ck_ratings_parties"),
        CheckConstraint("rater_side IN ('learner', 'teacher')", name="ck_ratings_side"),
        # Reviews of a teacher (profile, stats) by publication time.
        Index("ix_ratings_ratee_side_visible", "ratee_id", "rater_side", "visible_from"),
        # The publishing sweep: visible now but not yet counted.
        Index("ix_ratings_unpublished", "published_at", "visible_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="skill_sessions.id")
    rater_id: int = Field(foreign_key="users.id", index=True)
    ratee_id: int = Field(foreign_key="users.id")
    rater_side: str = Field(max_length=16)
    stars: int
    text: str = Field(max_length=1000)
    prompts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    skill_title: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    visible_from: datetime = Field(sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reply: str | None = Field(default=None, max_length=1000)
    reply_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when an admin removes the review after a report (soft: restorable); a removed
    # rating is shown nowhere and counts for nothing.
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
