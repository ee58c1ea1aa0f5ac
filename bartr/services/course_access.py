"""Who may see a course's files, checked on every download and every handler.

A course is locked by default. It opens to
- its teacher,
- a learner whose request for that teacher's skill was accepted: a session of the pair
  for the course's skill that is scheduled, completed or disputed (or, mid-reschedule,
  was scheduled before), and
- an admin (handling a report).
Soft-deleted courses and items are hidden from everyone but admins, the teacher included.
A refusal says NotFound, never "exists but locked", unless the caller may see the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists
from sqlmodel import Session, col, select

from bartr.models.accounts import User
from bartr.models.courses import Course, CourseItem
from bartr.models.sessions import SessionEvent, SessionState, SkillSession
from bartr.services.errors import NotFound

# States in which the teacher has said yes to this learner.
ACCEPTED_STATES = (SessionState.SCHEDULED, SessionState.COMPLETED, SessionState.DISPUTED)


@dataclass(frozen=True)
class Access:
    """What the viewer may do with one course."""

    can_view_list: bool  # titles, sizes, kinds (locked items included)
    unlocked: bool  # may open the files
    is_teacher: bool
    is_admin: bool
    reason: str  # why it is locked, in words for the viewer ("" when unlocked)


def learner_accepted(db: Session, *, learner_id: int, teacher_id: int, skill_id: int) -> bool:
    """True when the teacher accepted a request of this learner for this skill."""
    base = (
        SkillSession.learner_id == learner_id,
        SkillSession.teacher_id == teacher_id,
        SkillSession.skill_id == skill_id,
    )
    accepted = select(SkillSession.id).where(*base, col(SkillSession.state).in_(ACCEPTED_STATES))
    if db.exec(accepted.limit(1)).first() is not None:
        return True
    # A scheduled session being rescheduled stays accepted.
    was_scheduled = exists().where(
        col(SessionEvent.session_id) == col(SkillSession.id),
        col(SessionEvent.to_state) == SessionState.SCHEDULED,
    )
    rescheduling = select(SkillSession.id).where(
        *base, SkillSession.state == SessionState.RESCHEDULE_PROPOSED, was_scheduled
    )
    return db.exec(rescheduling.limit(1)).first() is not None


def access_for(db: Session, *, viewer: User | None, course: Course, teacher: User) -> Access:
    """The viewer's access to a course that is not deleted (deleted ones: admins only)."""
    is_admin = bool(viewer and viewer.is_admin)
    is_teacher = viewer is not None and viewer.id == course.teacher_id
    if course.deleted_at is not None and not is_admin:
        return Access(False, False, is_teacher, False, "This course was removed.")
    if is_admin or is_teacher:
        return Access(True, True, is_teacher, is_admin, "")
    first = teacher.display_name.split(" ")[0] or teacher.display_name
    if viewer is None:
        return Access(True, False, False, False, f"Log in and book {first} to unlock.")
    if learner_accepted(
        db, learner_id=viewer.id or 0, teacher_id=course.teacher_id, skill_id=course.skill_id
    ):
        return Access(True, True, False, False, "")
    return Access(True, False, False, False, f"Unlocks when {first} accepts your request.")


def get_course(db: Session, course_id: int, *, viewer: User | None) -> Course:
    """A course the viewer may see listed (admins also see deleted ones)."""
    course = db.get(Course, course_id)
    if course is None or (course.deleted_at is not None and not (viewer and viewer.is_admin)):
        raise NotFound("That course does not exist.")
    return course


def check_can_edit(db: Session, *, actor: User | None, course_id: int) -> Course:
    """Only the teacher edits a live course (admins restore, they don't edit)."""
    course = db.get(Course, course_id)
    if actor is None or course is None or course.deleted_at is not None:
        raise NotFound("That course does not exist.")
    if course.teacher_id != actor.id:
        raise NotFound("That course does not exist.")
    return course


def check_can_open(db: Session, *, actor: User | None, item_id: int) -> tuple[CourseItem, Course]:
    """The item and its course, if the actor may open the file now; NotFound otherwise.

    One answer for "no such item", "deleted" and "locked": a URL tried by a stranger or
    a logged-out browser learns nothing.
    """
    missing = NotFound("That file does not exist or is not available to you.")
    if actor is None:
        raise missing
    item = db.get(CourseItem, item_id)
    if item is None or item.purged_at is not None:
        raise missing
    course = db.get(Course, item.course_id)
    if course is None:
        raise missing
    if actor.is_admin:
        return item, course
    if item.deleted_at is not None or course.deleted_at is not None:
        raise missing
    if course.teacher_id == actor.id:
        return item, course
    if learner_accepted(
        db, learner_id=actor.id or 0, teacher_id=course.teacher_id, skill_id=course.skill_id
    ):
        return item, course
    raise missing
