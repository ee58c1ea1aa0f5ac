"""Profiles: categories, skills (teach / learn), weekly availability and teacher stats.

Derived tables kept in step by the service layer (never edited by hand):
- `skill_terms`: the normalised tags and title words of every active skill, used for the
  marketplace tag filter, tag suggestions and barter matching (see services/profiles.py).
- `availability_bitmaps`: each member's weekly availability as a UTC bitmap of 30-minute
  slots, for the "free when I am" filter and the "free at the same times" match reason.

The full-text index (PostgreSQL tsvector column + GIN, SQLite FTS5 table) is DDL that
`create_all` cannot express; it lives in services/search_index.py, which attaches it to
the `skill_terms` table's after_create event (models never import services).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from bartr.models.base import UTCDateTime, utcnow


class SkillKind(StrEnum):
    TEACH = "teach"
    LEARN = "learn"


class SkillLevel(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    EXPERT = "expert"


class Category(SQLModel, table=True):
    __tablename__ = "categories"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=40, unique=True, index=True)
    name: str = Field(max_length=60)
    position: int = 0
    active: bool = True


class Skill(SQLModel, table=True):
    """Something a member teaches or wants to learn.

    `sort_rating` / `sort_trust` copy the teacher's stats (0 when there are none yet) so
    the marketplace can sort 100k skills by an index; `teacher_stats` is the source.
    """

    __tablename__ = "skills"
    __table_args__ = (
        Index("ix_skills_user_kind", "user_id", "kind", "active"),
        # One index per marketplace sort, alone and within a category, so a first page is
        # an index walk that stops after 25 rows (level / language / tags filter on the way).
        Index("ix_skills_browse_newest", "kind", "active", "created_at", "id"),
        Index("ix_skills_browse_trust", "kind", "active", "sort_trust", "created_at", "id"),
        Index(
            "ix_skills_browse_rating", "kind", "active", "sort_rating", "sort_rating_count", "id"
        ),
        Index("ix_skills_category_newest", "kind", "active", "category_id", "created_at"),
        Index(
            "ix_skills_category_trust", "kind", "active", "category_id", "sort_trust", "created_at"
        ),
        Index(
            "ix_skills_category_rating",
            "kind",
            "active",
            "category_id",
            "sort_rating",
            "sort_rating_count",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    kind: str = Field(max_length=8)
    category_id: int = Field(foreign_key="categories.id")
    title: str = Field(max_length=80)
    level: str = Field(default=SkillLevel.BEGINNER, max_length=16)
    description: str = Field(default="", max_length=2000)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    active: bool = True
    sort_rating: float = 0.0
    sort_rating_count: int = 0
    sort_trust: float = 0.0


class SkillTerm(SQLModel, table=True):
    """One normalised tag (is_tag) or significant title/tag word of an active skill."""

    __tablename__ = "skill_terms"
    __table_args__ = (
        Index(
            "ix_skill_terms_lookup", "term", "is_tag", "kind", "category_id", "user_id", "skill_id"
        ),
        Index("ix_skill_terms_user", "user_id", "kind"),
    )

    skill_id: int = Field(foreign_key="skills.id", primary_key=True, ondelete="CASCADE")
    term: str = Field(max_length=40, primary_key=True)
    is_tag: bool = Field(primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    kind: str = Field(max_length=8)
    category_id: int = Field(foreign_key="categories.id")


class AvailabilityWindow(SQLModel, table=True):
    """A weekly window in the owner's own wall-clock time.

    weekday 0 = Monday; minutes from local midnight, end exclusive, end <= 1440.
    Stored as local times plus the IANA zone so a 09:00 window stays 09:00 across DST.
    """

    __tablename__ = "availability_windows"
    __table_args__ = (Index("ix_availability_user", "user_id", "weekday"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    weekday: int
    start_minute: int
    end_minute: int
    timezone: str = Field(max_length=64)


class AvailabilityBitmap(SQLModel, table=True):
    """Weekly availability as 336 bits (30-minute UTC slots from Monday 00:00 UTC).

    Split over six signed 64-bit words so SQL can test an overlap with `&`.
    `week_of` is the Monday (UTC) of the week the bitmap was computed for: DST moves a
    window by an hour twice a year, so bitmaps are refreshed weekly
    (services.availability.refresh_bitmaps).
    """

    __tablename__ = "availability_bitmaps"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    week_of: date
    w0: int = Field(default=0, sa_type=BigInteger)
    w1: int = Field(default=0, sa_type=BigInteger)
    w2: int = Field(default=0, sa_type=BigInteger)
    w3: int = Field(default=0, sa_type=BigInteger)
    w4: int = Field(default=0, sa_type=BigInteger)
    w5: int = Field(default=0, sa_type=BigInteger)


class TeacherStats(SQLModel, table=True):
    """Rating and trust per member, computed by services/trust.py from their events.

    No row means "new": (rating_avg, rating_count, trust_score) = (None, 0, None).
    Write it through services.trust.do_record_teacher_stats so skills' sort copies follow.
    `sessions_taught`, `bayes_rating` and `last_upheld_report_at` are the badge inputs;
    `breakdown` is the one-line explanation shown on hover.
    """

    __tablename__ = "teacher_stats"
    user_id: int = Field(foreign_key="users.id", primary_key=True)
    rating_avg: float | None = None
    rating_count: int = 0
    trust_score: float | None = None
    sessions_taught: int = 0
    bayes_rating: float | None = None
    last_upheld_report_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    breakdown: str = Field(default="", max_length=300)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
