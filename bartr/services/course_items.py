"""Course items: add an uploaded file, rename, reorder, soft delete, admin restore, purge.

Every function takes the acting user and checks it here (handlers can be called by any
client). Files are stored before the row is written (services/course_files.py); when
the row is refused, the caller deletes the stored file again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, or_, select

from bartr.adapters.storage import FileStorage, StorageError
from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.models.courses import Course, CourseItem
from bartr.services import course_access
from bartr.services.course_files import StoredFile, title_from_name
from bartr.services.errors import NotAllowed, NotFound, ValidationFailed

MAX_ITEMS = 200


def check_can_upload(db: Session, *, actor: User | None, course_id: int) -> Course:
    """The teacher's own live course with room for one more item."""
    course = course_access.check_can_edit(db, actor=actor, course_id=course_id)
    count = db.exec(
        select(func.count())
        .select_from(CourseItem)
        .where(CourseItem.course_id == course_id, col(CourseItem.deleted_at).is_(None))
    ).one()
    if count >= MAX_ITEMS:
        raise ValidationFailed(f"A course holds at most {MAX_ITEMS} files.", field="file")
    return course


def do_add_item(db: Session, *, actor: User, course_id: int, stored: StoredFile) -> CourseItem:
    """Record an uploaded file as the course's last item."""
    course = check_can_upload(db, actor=actor, course_id=course_id)
    last = db.exec(
        select(func.max(CourseItem.position)).where(CourseItem.course_id == course_id)
    ).one()
    item = CourseItem(
        course_id=course.id or 0,
        position=(last or 0) + 1,
        kind=stored.kind,
        title=title_from_name(stored.display_name),
        original_name=stored.display_name,
        content_type=stored.content_type,
        size_bytes=stored.size,
        storage_key=stored.key,
    )
    db.add(item)
    course.updated_at = utcnow()
    db.add(course)
    db.flush()
    return item


def _own_live_item(db: Session, actor: User, item_id: int) -> tuple[CourseItem, Course]:
    item = db.get(CourseItem, item_id)
    if item is None or item.deleted_at is not None:
        raise NotFound("That file does not exist.")
    course = course_access.check_can_edit(db, actor=actor, course_id=item.course_id)
    return item, course


def do_rename_item(db: Session, *, actor: User, item_id: int, title: str) -> CourseItem:
    item, _ = _own_live_item(db, actor, item_id)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationFailed("Give the file a title.", field="title")
    if len(title) > 120:
        raise ValidationFailed("Keep the title under 120 characters.", field="title")
    item.title = title
    db.add(item)
    db.flush()
    return item


def do_move_item(db: Session, *, actor: User, item_id: int, offset: int) -> list[int]:
    """Move an item up (-1) or down (+1); returns the new order of item ids."""
    if offset not in (-1, 1):
        raise ValidationFailed("Move one place at a time.")
    item, course = _own_live_item(db, actor, item_id)
    items = list(
        db.exec(
            select(CourseItem)
            .where(CourseItem.course_id == course.id, col(CourseItem.deleted_at).is_(None))
            .order_by(col(CourseItem.position), col(CourseItem.id))
        ).all()
    )
    at = next(i for i, it in enumerate(items) if it.id == item.id)
    to = at + offset
    if 0 <= to < len(items):
        items[at], items[to] = items[to], items[at]
    return do_reorder(
        db, actor=actor, course_id=course.id or 0, item_ids=[i.id or 0 for i in items]
    )


def do_reorder(db: Session, *, actor: User, course_id: int, item_ids: list[int]) -> list[int]:
    """Set the order of the course's live items (every one of them, each once)."""
    course_access.check_can_edit(db, actor=actor, course_id=course_id)
    items = {
        i.id or 0: i
        for i in db.exec(
            select(CourseItem).where(
                CourseItem.course_id == course_id, col(CourseItem.deleted_at).is_(None)
            )
        ).all()
    }
    if sorted(item_ids) != sorted(items):
        raise ValidationFailed("The list changed meanwhile; reload and try again.")
    for position, item_id in enumerate(item_ids, start=1):
        items[item_id].position = position
        db.add(items[item_id])
    db.flush()
    return item_ids


def do_delete_item(
    db: Session, *, actor: User, item_id: int, now: datetime | None = None
) -> CourseItem:
    """Soft delete by the teacher: hidden at once from everyone but admins."""
    item, _ = _own_live_item(db, actor, item_id)
    item.deleted_at = now or utcnow()
    item.deleted_by_id = actor.id
    db.add(item)
    db.flush()
    return item


def do_restore_item(db: Session, *, actor: User, item_id: int) -> CourseItem:
    if not actor.is_admin:
        raise NotAllowed("Only admins can restore deleted files.")
    item = db.get(CourseItem, item_id)
    if item is None or item.deleted_at is None:
        raise NotFound("That file is not deleted.")
    if item.purged_at is not None:
        raise NotFound("That file was purged; it cannot come back.")
    item.deleted_at = None
    item.deleted_by_id = None
    db.add(item)
    db.flush()
    return item


@dataclass(frozen=True)
class DeletedRow:
    kind: str  # course | item
    id: int
    title: str
    teacher_name: str
    deleted_at: datetime


def deleted_for_admin(db: Session, *, actor: User, limit: int = 100) -> list[DeletedRow]:
    """Soft-deleted courses and files an admin may restore (newest first)."""
    if not actor.is_admin:
        raise NotAllowed("Only admins can see deleted content.")
    rows: list[DeletedRow] = []
    courses = db.exec(
        select(Course, User)
        .join(User, col(User.id) == Course.teacher_id)
        .where(col(Course.deleted_at).is_not(None))
        .order_by(col(Course.deleted_at).desc())
        .limit(limit)
    ).all()
    for course, teacher in courses:
        rows.append(
            DeletedRow("course", course.id or 0, course.title, teacher.display_name,
                       course.deleted_at or utcnow())
        )  # fmt: skip
    items = db.exec(
        select(CourseItem, Course, User)
        .join(Course, col(Course.id) == CourseItem.course_id)
        .join(User, col(User.id) == Course.teacher_id)
        .where(col(CourseItem.deleted_at).is_not(None), col(CourseItem.purged_at).is_(None))
        .order_by(col(CourseItem.deleted_at).desc())
        .limit(limit)
    ).all()
    for item, course, teacher in items:
        rows.append(
            DeletedRow("item", item.id or 0, f"{item.title} ({course.title})",
                       teacher.display_name, item.deleted_at or utcnow())
        )  # fmt: skip
    return sorted(rows, key=lambda r: r.deleted_at, reverse=True)[:limit]


def purge_deleted(
    db: Session, *, storage: FileStorage, days: int, now: datetime | None = None
) -> int:
    """Remove the files of items deleted (alone or with their course) over `days` ago.

    Rows stay, marked `purged_at`, so the history is kept and nothing can restore a file
    that is gone. Deleting a missing file is fine, so a re-run after a crash is safe.
    """
    if days < 0:
        raise ValidationFailed("Days must be zero or more.")
    cutoff = (now or utcnow()) - timedelta(days=days)
    stale = db.exec(
        select(CourseItem)
        .join(Course, col(Course.id) == CourseItem.course_id)
        .where(
            col(CourseItem.purged_at).is_(None),
            or_(col(CourseItem.deleted_at) <= cutoff, col(Course.deleted_at) <= cutoff),
        )
    ).all()
    purged = 0
    for item in stale:
        try:
            storage.delete(item.storage_key)
        except StorageError:
            continue  # try again on the next run
        item.purged_at = now or utcnow()
        if item.deleted_at is None:
            item.deleted_at = item.purged_at
        db.add(item)
        purged += 1
    db.flush()
    return purged
