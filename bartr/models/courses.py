"""Private course content: one course per teach skill, an ordered list of items.

A `Course` belongs to a teacher and one of their teach skills; its `CourseItem`s are
video lectures (mp4, webm) and PDF notes whose bytes live in the file storage under a
random key (`storage_key`), never in a public web root. Deleting is soft: `deleted_at`
hides a course or an item from everyone but admins, and the file stays until
`purge-deleted` removes it (`purged_at`). Rules live in services/courses*.py.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Index
from sqlmodel import Field, SQLModel

from bartr.models.base import UTCDateTime, utcnow


class ItemKind(StrEnum):
    VIDEO = "video"
    PDF = "pdf"


class Course(SQLModel, table=True):
    __tablename__ = "courses"
    __table_args__ = (
        Index("ix_courses_teacher", "teacher_id", "deleted_at"),
        Index("ix_courses_skill", "skill_id", "deleted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    teacher_id: int = Field(foreign_key="users.id")
    # No foreign key, like sessions: a course outlives edits to its skill.
    skill_id: int
    title: str = Field(max_length=120)
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deleted_by_id: int | None = Field(default=None, foreign_key="users.id")


class CourseItem(SQLModel, table=True):
    __tablename__ = "course_items"
    __table_args__ = (
        CheckConstraint("kind IN ('video', 'pdf')", name="ck_course_items_kind"),
        CheckConstraint("size_bytes > 0", name="ck_course_items_size"),
        Index("ix_course_items_course_position", "course_id", "deleted_at", "position"),
        Index("ix_course_items_deleted", "deleted_at", "purged_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="courses.id")
    position: int = 0
    kind: str = Field(max_length=8)
    title: str = Field(max_length=120)
    # The uploader's file name, cleaned for display (never used as a path).
    original_name: str = Field(default="", max_length=160)
    content_type: str = Field(max_length=40)
    size_bytes: int = Field(sa_type=BigInteger)
    storage_key: str = Field(max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deleted_by_id: int | None = Field(default=None, foreign_key="users.id")
    # Set when purge-deleted removed the file; the row stays for the audit trail.
    purged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
