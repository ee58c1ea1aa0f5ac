"""Factories for course tests: a teacher's course with a PDF and a video, and one member for
every row of the access matrix, each brought into its situation through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from bartr.adapters.storage import FileStorage
from bartr.models.accounts import Role, User
from bartr.models.courses import Course, CourseItem
from bartr.models.sessions import SessionState, SkillSession
from bartr.services import course_files, course_items, courses, sessions
from tests.factories import make_user
from tests.services.session_factories import T0, Pair, fund, make_pair, request, scheduled

# The smallest files each sniffer accepts, padded to a realistic shape.
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" + b"x" * 2000 + b"\n%%EOF\n"
PDF_WITH_JS = (
    b"%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    b" endobj\n%%EOF\n"
)
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + bytes(range(256)) * 40
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    b"\x42\x82\x84webm\x42\x87\x81\x02\x42\x85\x81\x02" + b"\x00" * 4000
)

ROLES = (
    "teacher",
    "accepted",
    "completed",
    "disputed",
    "requested",
    "declined",
    "cancelled",
    "stranger",
    "admin",
    "anonymous",
)
ALLOWED = {"teacher", "accepted", "completed", "disputed", "admin"}


@dataclass
class World:
    teacher: User
    skill_id: int
    course: Course
    pdf: CourseItem
    video: CourseItem
    members: dict[str, User | None]


def add_file(
    db: Session, storage: FileStorage, actor: User, course_id: int, data: bytes, name: str
) -> CourseItem:
    stored = course_files.store_upload(storage, [data], course_id=course_id, filename=name)
    item = course_items.do_add_item(db, actor=actor, course_id=course_id, stored=stored)
    db.commit()
    return item


def _learner_in(db: Session, teacher: User, skill_id: int, situation: str, slot: int) -> User:
    learner = make_user(db)
    fund(db, learner, 600)
    db.commit()
    pair = Pair(teacher=teacher, learner=learner, skill_id=skill_id)
    start = T0 + timedelta(days=3, hours=2 * slot)
    if situation == "requested":
        request(db, pair, times=[start])
    elif situation == "declined":
        s = request(db, pair, times=[start])
        sessions.do_decline(db, actor=teacher, session_id=s.id or 0, now=T0)
    elif situation == "cancelled":
        s = scheduled(db, pair, start=start)
        sessions.do_cancel(db, actor=learner, session_id=s.id or 0, now=T0)
    else:
        s = scheduled(db, pair, start=start)
        if situation in ("completed", "disputed"):
            row = db.get(SkillSession, s.id)
            assert row is not None
            row.state = (
                SessionState.COMPLETED if situation == "completed" else SessionState.DISPUTED
            )
            db.add(row)
    db.commit()
    return learner


def make_world(db: Session, storage: FileStorage) -> World:
    pair = make_pair(db, learner_credits=0)
    teacher = pair.teacher
    course = courses.do_create_course(
        db, actor=teacher, skill_id=pair.skill_id, title="Spanish from zero", description="Notes"
    )
    db.commit()
    pdf = add_file(db, storage, teacher, course.id or 0, PDF, "Lesson 1 notes.pdf")
    video = add_file(db, storage, teacher, course.id or 0, MP4, "lesson-1.mp4")
    members: dict[str, User | None] = {"teacher": teacher, "anonymous": None}
    situations = ("accepted", "completed", "disputed", "requested", "declined", "cancelled")
    for slot, situation in enumerate(situations):
        members[situation] = _learner_in(db, teacher, pair.skill_id, situation, slot)
    members["stranger"] = make_user(db)
    members["admin"] = make_user(db, role=Role.ADMIN)
    return World(teacher, pair.skill_id, course, pdf, video, members)
