"""Messages and course items as report targets (services/reports.py's registry).

- A message can be reported by the other member of its conversation (only the pair sees
  it; anyone else is told it does not exist). The admin sees it with the messages around
  it (`CONTEXT_AROUND` before and after, the removed ones included, as written). Removing
  it sets `messages.removed_at`: the pair then read "Removed by a moderator" in its place.
- A course item can be reported by anyone who can see its course listed (the course page
  lists every item's title). The responsible member is the course's teacher. Removing it
  is the course's own soft delete (hidden at once, restorable by an admin until purged).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.models.courses import Course, CourseItem
from bartr.models.messaging import Conversation, Message
from bartr.services import reports

CONTEXT_AROUND = 5  # messages shown before and after the reported one

ContextLines = list[tuple[datetime, str, str, bool]]


# --------------------------------------------------------------------------- messages


def _live_message(db: Session, message_id: int) -> Message | None:
    message = db.get(Message, message_id)
    return message if message is not None and message.removed_at is None else None


def _load_message(db: Session, message_id: int) -> reports.Target | None:
    message = _live_message(db, message_id)
    if message is None:
        return None
    sender = db.get(User, message.sender_id)
    name = sender.display_name if sender else "a member"
    return reports.Target(
        kind="message", id=message_id, subject_id=message.sender_id, label=f"Message from {name}"
    )


def _message_visible_to(db: Session, message_id: int, viewer_id: int) -> bool:
    message = db.get(Message, message_id)
    conversation = db.get(Conversation, message.conversation_id) if message else None
    return conversation is not None and viewer_id in (
        conversation.member_a_id,
        conversation.member_b_id,
    )


def _remove_message(db: Session, message_id: int) -> None:
    message = _live_message(db, message_id)
    if message is not None:
        message.removed_at = utcnow()
        db.add(message)
        db.flush()


def _restore_message(db: Session, message_id: int) -> int | None:
    message = db.get(Message, message_id)
    if message is None:
        return None
    message.removed_at = None
    db.add(message)
    db.flush()
    return message.sender_id


def _message_context(db: Session, message_id: int) -> ContextLines:
    """The reported message with the ones just before and after it, oldest first."""
    message = db.get(Message, message_id)
    if message is None:
        return []
    same = Message.conversation_id == message.conversation_id
    before = db.exec(
        select(Message)
        .where(same, col(Message.id) < message_id)
        .order_by(col(Message.id).desc())
        .limit(CONTEXT_AROUND)
    ).all()
    after = db.exec(
        select(Message)
        .where(same, col(Message.id) > message_id)
        .order_by(col(Message.id))
        .limit(CONTEXT_AROUND)
    ).all()
    rows = [*reversed(before), message, *after]
    names = {
        u.id: u.display_name
        for u in db.exec(select(User).where(col(User.id).in_({m.sender_id for m in rows}))).all()
    }
    return [
        (
            m.created_at,
            names.get(m.sender_id, "?"),
            m.body + (" (removed)" if m.removed_at is not None else ""),
            m.id == message_id,
        )
        for m in rows
    ]


reports.register_target(
    "message",
    noun="message",
    load=_load_message,
    remove=_remove_message,
    restore=_restore_message,
    context=_message_context,
    visible_to=_message_visible_to,
)


# --------------------------------------------------------------------------- course items


def _item_and_course(db: Session, item_id: int) -> tuple[CourseItem, Course] | None:
    item = db.get(CourseItem, item_id)
    course = db.get(Course, item.course_id) if item is not None else None
    if item is None or course is None:
        return None
    return item, course


def _load_course_item(db: Session, item_id: int) -> reports.Target | None:
    found = _item_and_course(db, item_id)
    if found is None:
        return None
    item, course = found
    if item.deleted_at is not None or item.purged_at is not None or course.deleted_at is not None:
        return None
    return reports.Target(
        kind="course_item",
        id=item_id,
        subject_id=course.teacher_id,
        label=f"Course item in {course.title}",
    )


def _remove_course_item(db: Session, item_id: int) -> None:
    found = _item_and_course(db, item_id)
    if found is not None and found[0].deleted_at is None:
        item = found[0]
        item.deleted_at = utcnow()
        db.add(item)
        db.flush()


def _restore_course_item(db: Session, item_id: int) -> int | None:
    found = _item_and_course(db, item_id)
    if found is None or found[0].purged_at is not None:
        return None
    item, course = found
    item.deleted_at, item.deleted_by_id = None, None
    db.add(item)
    db.flush()
    return course.teacher_id


def _course_item_context(db: Session, item_id: int) -> ContextLines:
    found = _item_and_course(db, item_id)
    if found is None:
        return []
    item, course = found
    teacher = db.get(User, course.teacher_id)
    name = teacher.display_name if teacher else "?"
    size = f"{item.size_bytes / 1_000_000:.1f} MB"
    state = " (removed)" if item.deleted_at is not None else ""
    return [
        (course.created_at, name, f"Course “{course.title}”: {course.description}", False),
        (
            item.created_at,
            name,
            f"{item.kind.upper()} “{item.title}” ({item.original_name}, {size}){state}",
            True,
        ),
    ]


reports.register_target(
    "course_item",
    noun="course item",
    load=_load_course_item,
    remove=_remove_course_item,
    restore=_restore_course_item,
    context=_course_item_context,
)
