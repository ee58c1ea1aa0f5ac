"""Courses and their files: who may open what, soft delete and restore, order, purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from bartr.models.base import utcnow
from bartr.models.courses import CourseItem
from bartr.services import course_access, course_items, courses
from bartr.services.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from tests.doubles import MemoryStorage
from tests.factories import make_user
from tests.services.course_factories import ALLOWED, MP4, PDF, ROLES, add_file, make_world
from tests.services.session_factories import make_skill


@pytest.fixture
def storage() -> MemoryStorage:
    return MemoryStorage()


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix_for_opening_files(db: Session, storage: MemoryStorage, role: str) -> None:
    world = make_world(db, storage)
    viewer = world.members[role]
    for item in (world.pdf, world.video):
        if role in ALLOWED:
            got, _ = course_access.check_can_open(db, actor=viewer, item_id=item.id or 0)
            assert got.id == item.id
        else:
            with pytest.raises(NotFound):
                course_access.check_can_open(db, actor=viewer, item_id=item.id or 0)
    view = courses.course_view(db, viewer=viewer, course_id=world.course.id or 0)
    assert view.unlocked is (role in ALLOWED)
    # Locked or not, the list shows titles: what there is, and what unlocks it.
    assert [i.title for i in view.items] == ["Lesson 1 notes", "lesson-1"]
    if role in ("requested", "declined", "cancelled", "stranger"):
        assert (
            view.lock_reason
            == f"Unlocks when {world.teacher.display_name.split()[0]} accepts your request."
        )


def test_only_own_teach_skill_and_one_course_per_skill(db: Session) -> None:
    teacher, other = make_user(db), make_user(db)
    skill = make_skill(db, teacher)
    with pytest.raises(NotAllowed):
        courses.do_create_course(db, actor=other, skill_id=skill, title="Mine now")
    learn = make_skill(db, teacher, kind="learn")
    with pytest.raises(NotAllowed):
        courses.do_create_course(db, actor=teacher, skill_id=learn, title="Learning")
    with pytest.raises(ValidationFailed):
        courses.do_create_course(db, actor=teacher, skill_id=skill, title="   ")
    courses.do_create_course(db, actor=teacher, skill_id=skill, title="Course")
    with pytest.raises(Conflict):
        courses.do_create_course(db, actor=teacher, skill_id=skill, title="Another")


def test_soft_deleted_item_is_refused_to_learners_and_restorable_by_admins(
    db: Session, storage: MemoryStorage
) -> None:
    world = make_world(db, storage)
    learner, admin = world.members["accepted"], world.members["admin"]
    assert learner is not None and admin is not None
    with pytest.raises(NotFound):  # only the teacher deletes
        course_items.do_delete_item(db, actor=learner, item_id=world.pdf.id or 0)
    course_items.do_delete_item(db, actor=world.teacher, item_id=world.pdf.id or 0)
    db.commit()
    for viewer in (learner, world.teacher):
        with pytest.raises(NotFound):
            course_access.check_can_open(db, actor=viewer, item_id=world.pdf.id or 0)
        titles = [
            i.title
            for i in courses.course_view(db, viewer=viewer, course_id=world.course.id or 0).items
        ]
        assert titles == ["lesson-1"]
    # The file is kept; the admin still opens it and can restore it.
    assert storage.size(world.pdf.storage_key) == len(PDF)
    course_access.check_can_open(db, actor=admin, item_id=world.pdf.id or 0)
    with pytest.raises(NotAllowed):
        course_items.do_restore_item(db, actor=world.teacher, item_id=world.pdf.id or 0)
    rows = course_items.deleted_for_admin(db, actor=admin)
    assert [(r.kind, r.id) for r in rows] == [("item", world.pdf.id)]
    course_items.do_restore_item(db, actor=admin, item_id=world.pdf.id or 0)
    db.commit()
    course_access.check_can_open(db, actor=learner, item_id=world.pdf.id or 0)


def test_soft_deleted_course_hides_everything_until_restored(
    db: Session, storage: MemoryStorage
) -> None:
    world = make_world(db, storage)
    learner, admin = world.members["accepted"], world.members["admin"]
    assert learner is not None and admin is not None
    with pytest.raises(NotFound):
        courses.do_delete_course(db, actor=learner, course_id=world.course.id or 0)
    courses.do_delete_course(db, actor=world.teacher, course_id=world.course.id or 0)
    db.commit()
    assert courses.cards_for_teacher(db, viewer=learner, teacher_id=world.teacher.id or 0) == []
    for viewer in (learner, world.teacher, None):
        with pytest.raises(NotFound):
            courses.course_view(db, viewer=viewer, course_id=world.course.id or 0)
        with pytest.raises(NotFound):
            course_access.check_can_open(db, actor=viewer, item_id=world.video.id or 0)
    assert courses.course_view(db, viewer=admin, course_id=world.course.id or 0).deleted
    with pytest.raises(NotAllowed):
        courses.do_restore_course(db, actor=world.teacher, course_id=world.course.id or 0)
    courses.do_restore_course(db, actor=admin, course_id=world.course.id or 0)
    db.commit()
    course_access.check_can_open(db, actor=learner, item_id=world.video.id or 0)


def test_reorder_rename_and_cards(db: Session, storage: MemoryStorage) -> None:
    world = make_world(db, storage)
    third = add_file(db, storage, world.teacher, world.course.id or 0, PDF, "extra.pdf")
    order = course_items.do_move_item(db, actor=world.teacher, item_id=third.id or 0, offset=-1)
    assert order == [world.pdf.id, third.id, world.video.id]
    course_items.do_move_item(db, actor=world.teacher, item_id=world.pdf.id or 0, offset=-1)
    course_items.do_rename_item(db, actor=world.teacher, item_id=third.id or 0, title=" Verbs ")
    db.commit()
    view = courses.course_view(db, viewer=world.teacher, course_id=world.course.id or 0)
    assert [i.title for i in view.items] == ["Lesson 1 notes", "Verbs", "lesson-1"]
    stranger = world.members["stranger"]
    assert stranger is not None
    with pytest.raises(NotFound):
        course_items.do_move_item(db, actor=stranger, item_id=third.id or 0, offset=1)
    with pytest.raises(ValidationFailed):
        course_items.do_reorder(
            db, actor=world.teacher, course_id=world.course.id or 0, item_ids=[third.id or 0]
        )
    (card,) = courses.cards_for_teacher(db, viewer=stranger, teacher_id=world.teacher.id or 0)
    assert (card.pdfs, card.videos, card.unlocked) == (2, 1, False)


def test_purge_removes_old_deleted_files_only(db: Session, storage: MemoryStorage) -> None:
    world = make_world(db, storage)
    now = utcnow()
    course_items.do_delete_item(
        db, actor=world.teacher, item_id=world.pdf.id or 0, now=now - timedelta(days=40)
    )
    course_items.do_delete_item(
        db, actor=world.teacher, item_id=world.video.id or 0, now=now - timedelta(days=3)
    )
    db.commit()
    assert course_items.purge_deleted(db, storage=storage, days=30, now=now) == 1
    db.commit()
    assert storage.size(world.pdf.storage_key) is None
    assert storage.size(world.video.storage_key) == len(MP4)
    admin = world.members["admin"]
    assert admin is not None
    with pytest.raises(NotFound):
        course_items.do_restore_item(db, actor=admin, item_id=world.pdf.id or 0)
    assert course_items.purge_deleted(db, storage=storage, days=30, now=now) == 0
    row = db.get(CourseItem, world.pdf.id)
    assert row is not None and row.purged_at is not None
