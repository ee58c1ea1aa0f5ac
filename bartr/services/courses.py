"""Courses: one per teach skill, created, edited and (softly) deleted by their teacher.

Reading: `course_view` (the course page), `cards_for_teacher` (profile),
`card_for_session` (session page) decorate each course with the viewer's access
(services/course_access.py), so a locked course still shows its titles and what unlocks
it. Items are managed in services/course_items.py; files in services/course_files.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.models.courses import Course, CourseItem
from bartr.models.profiles import Skill, SkillKind
from bartr.models.sessions import SkillSession
from bartr.services import course_access
from bartr.services.errors import Conflict, NotAllowed, NotFound, ValidationFailed

MAX_TITLE = 120
MAX_DESCRIPTION = 2000


@dataclass(frozen=True)
class ItemView:
    id: int
    kind: str  # video | pdf
    title: str
    original_name: str
    size_label: str
    content_type: str
    position: int
    deleted: bool


@dataclass(frozen=True)
class CourseView:
    id: int
    title: str
    description: str
    skill_id: int
    skill_title: str
    teacher_id: int
    teacher_name: str
    teacher_handle: str
    items: list[ItemView]
    unlocked: bool
    is_teacher: bool
    is_admin: bool
    lock_reason: str
    deleted: bool


@dataclass(frozen=True)
class CourseCard:
    id: int
    title: str
    skill_title: str
    teacher_name: str
    videos: int
    pdfs: int
    unlocked: bool
    lock_reason: str


def size_label(n: int) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    return f"{max(1, round(n / 1024))} KB"


def _clean(title: str, description: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    description = (description or "").strip()
    if not title:
        raise ValidationFailed("Give the course a title.", field="title")
    if len(title) > MAX_TITLE:
        raise ValidationFailed(f"Keep the title under {MAX_TITLE} characters.", field="title")
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(
            f"Keep the description under {MAX_DESCRIPTION} characters.", field="description"
        )
    return title, description


def live_course_for_skill(db: Session, skill_id: int) -> Course | None:
    return db.exec(
        select(Course).where(Course.skill_id == skill_id, col(Course.deleted_at).is_(None))
    ).first()


def do_create_course(
    db: Session, *, actor: User, skill_id: int, title: str, description: str = ""
) -> Course:
    """A new course for one of the actor's own active teach skills (one course per skill)."""
    skill = db.get(Skill, skill_id)
    if (
        skill is None
        or skill.user_id != actor.id
        or skill.kind != SkillKind.TEACH
        or not skill.active
    ):
        raise NotAllowed("You can add a course only to a skill you teach.")
    title, description = _clean(title, description)
    if live_course_for_skill(db, skill_id) is not None:
        raise Conflict("That skill already has a course; add your files to it.")
    course = Course(
        teacher_id=actor.id or 0, skill_id=skill_id, title=title, description=description
    )
    db.add(course)
    db.flush()
    return course


def do_update_course(
    db: Session, *, actor: User, course_id: int, title: str, description: str
) -> Course:
    course = course_access.check_can_edit(db, actor=actor, course_id=course_id)
    course.title, course.description = _clean(title, description)
    course.updated_at = utcnow()
    db.add(course)
    db.flush()
    return course


def do_delete_course(
    db: Session, *, actor: User, course_id: int, now: datetime | None = None
) -> Course:
    """Soft delete: hidden at once from everyone but admins; files stay until purged."""
    course = course_access.check_can_edit(db, actor=actor, course_id=course_id)
    course.deleted_at = now or utcnow()
    course.deleted_by_id = actor.id
    db.add(course)
    db.flush()
    return course


def do_restore_course(db: Session, *, actor: User, course_id: int) -> Course:
    """Admins only; refused while the skill has another live course."""
    if not actor.is_admin:
        raise NotAllowed("Only admins can restore deleted courses.")
    course = db.get(Course, course_id)
    if course is None or course.deleted_at is None:
        raise NotFound("That course is not deleted.")
    if live_course_for_skill(db, course.skill_id) is not None:
        raise Conflict("The teacher made a new course for that skill; delete it first.")
    course.deleted_at = None
    course.deleted_by_id = None
    course.updated_at = utcnow()
    db.add(course)
    db.flush()
    return course


def _items(db: Session, course_id: int, *, with_deleted: bool) -> list[CourseItem]:
    query = select(CourseItem).where(
        CourseItem.course_id == course_id, col(CourseItem.purged_at).is_(None)
    )
    if not with_deleted:
        query = query.where(col(CourseItem.deleted_at).is_(None))
    return list(db.exec(query.order_by(col(CourseItem.position), col(CourseItem.id))).all())


def _item_view(item: CourseItem) -> ItemView:
    return ItemView(
        id=item.id or 0,
        kind=item.kind,
        title=item.title,
        original_name=item.original_name,
        size_label=size_label(item.size_bytes),
        content_type=item.content_type,
        position=item.position,
        deleted=item.deleted_at is not None,
    )


def course_view(db: Session, *, viewer: User | None, course_id: int) -> CourseView:
    """The course page: every live item's title (locked or not) and the viewer's access."""
    course = course_access.get_course(db, course_id, viewer=viewer)
    teacher = db.get(User, course.teacher_id)
    skill = db.get(Skill, course.skill_id)
    if teacher is None:
        raise NotFound("That course does not exist.")
    access = course_access.access_for(db, viewer=viewer, course=course, teacher=teacher)
    items = _items(db, course.id or 0, with_deleted=access.is_admin)
    return CourseView(
        id=course.id or 0,
        title=course.title,
        description=course.description,
        skill_id=course.skill_id,
        skill_title=skill.title if skill else "",
        teacher_id=course.teacher_id,
        teacher_name=teacher.display_name,
        teacher_handle=teacher.handle,
        items=[_item_view(i) for i in items],
        unlocked=access.unlocked,
        is_teacher=access.is_teacher,
        is_admin=access.is_admin,
        lock_reason=access.reason,
        deleted=course.deleted_at is not None,
    )


def _cards(db: Session, viewer: User | None, courses: list[Course]) -> list[CourseCard]:
    if not courses:
        return []
    ids = [c.id for c in courses]
    counts: dict[tuple[int, str], int] = {}
    rows = db.exec(
        select(CourseItem.course_id, CourseItem.kind, func.count())
        .where(
            col(CourseItem.course_id).in_(ids),
            col(CourseItem.deleted_at).is_(None),
            col(CourseItem.purged_at).is_(None),
        )
        .group_by(col(CourseItem.course_id), col(CourseItem.kind))
    ).all()
    for course_id, kind, n in rows:
        counts[(course_id, kind)] = n
    skills = {
        s.id: s.title
        for s in db.exec(select(Skill).where(col(Skill.id).in_([c.skill_id for c in courses])))
    }
    cards = []
    for course in courses:
        teacher = db.get(User, course.teacher_id)
        if teacher is None:
            continue
        access = course_access.access_for(db, viewer=viewer, course=course, teacher=teacher)
        cards.append(
            CourseCard(
                id=course.id or 0,
                title=course.title,
                skill_title=skills.get(course.skill_id, ""),
                teacher_name=teacher.display_name,
                videos=counts.get((course.id or 0, "video"), 0),
                pdfs=counts.get((course.id or 0, "pdf"), 0),
                unlocked=access.unlocked,
                lock_reason=access.reason,
            )
        )
    return cards


def cards_for_teacher(db: Session, *, viewer: User | None, teacher_id: int) -> list[CourseCard]:
    """The teacher's live courses, for their profile."""
    courses = db.exec(
        select(Course)
        .where(Course.teacher_id == teacher_id, col(Course.deleted_at).is_(None))
        .order_by(col(Course.created_at))
    ).all()
    return _cards(db, viewer, list(courses))


def card_for_session(db: Session, *, viewer: User, session_id: int) -> CourseCard | None:
    """The course of a session's skill, for its two participants (and admins)."""
    session = db.get(SkillSession, session_id)
    if session is None:
        return None
    if viewer.id not in (session.teacher_id, session.learner_id) and not viewer.is_admin:
        return None
    course = live_course_for_skill(db, session.skill_id)
    if course is None or course.teacher_id != session.teacher_id:
        return None
    cards = _cards(db, viewer, [course])
    return cards[0] if cards else None


@dataclass(frozen=True)
class TeachSkillCourse:
    skill_id: int
    skill_title: str
    course_id: int  # 0 when the skill has no course yet
    course_title: str
    items: int


def my_teach_skills(db: Session, *, actor: User) -> list[TeachSkillCourse]:
    """The actor's teach skills, each with its live course if there is one."""
    skills = db.exec(
        select(Skill)
        .where(Skill.user_id == actor.id, Skill.kind == SkillKind.TEACH, col(Skill.active))
        .order_by(col(Skill.created_at))
    ).all()
    result = []
    for skill in skills:
        course = live_course_for_skill(db, skill.id or 0)
        n = len(_items(db, course.id or 0, with_deleted=False)) if course else 0
        result.append(
            TeachSkillCourse(
                skill_id=skill.id or 0,
                skill_title=skill.title,
                course_id=(course.id or 0) if course else 0,
                course_title=course.title if course else "",
                items=n,
            )
        )
    return result
