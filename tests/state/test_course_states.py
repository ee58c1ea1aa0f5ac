"""Course handlers driven directly, as any client could call them over the socket: the access
matrix (teacher, accepted, completed, disputed, requested, declined, cancelled, stranger,
admin, logged out) for viewing, opening, editing and restoring."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from reflex.istate.data import RouterData
from reflex_base import constants
from sqlalchemy import Engine
from sqlmodel import Session

from bartr.adapters import registry
from bartr.models.accounts import User
from bartr.models.courses import Course, CourseItem
from bartr.services import accounts
from bartr.state.admin_content import AdminContentState
from bartr.state.course_page import CoursePageState
from bartr.state.my_courses import MyCoursesState
from tests.doubles import MemoryStorage
from tests.factories import sign_in
from tests.services.course_factories import ALLOWED, ROLES, World, make_world


def _state(cls: type, user: User | None, db: Session, path: str) -> Any:
    state = cls(_reflex_internal_init=True)
    state.router = RouterData.from_router_data(
        {constants.RouteVar.ORIGIN: path, constants.RouteVar.HEADERS: {"origin": "http://t"}}
    )
    sign_in(state, accounts.open_session_for(db, user).token if user else "")
    db.commit()
    return state


def _drive(result: Any) -> list[Any]:
    if result is None:
        return []
    if isinstance(result, Iterable) and not isinstance(result, (str, bytes)):
        return [item for item in result if item is not None]
    return [result]


@pytest.fixture
def world(sqlite_engine: Engine) -> Any:
    store = MemoryStorage()
    registry.override("storage", store)
    with Session(sqlite_engine, expire_on_commit=False) as db:
        yield make_world(db, store), db
    registry.override("storage", None)


def _fresh(db: Session, model: type, row_id: int) -> Any:
    db.expire_all()
    return db.get(model, row_id)


@pytest.mark.parametrize("role", ROLES)
def test_course_page_handlers_follow_the_access_matrix(world: Any, role: str) -> None:
    w, db = world
    assert isinstance(w, World)
    user = w.members[role]
    path = f"/courses/{w.course.id}"
    state = _state(CoursePageState, user, db, path)
    _drive(CoursePageState.load.fn(state))
    if role == "anonymous":
        assert state.items == [] or not state.unlocked
    else:
        assert state.load_error == ""
        assert [i.title for i in state.items] == ["Lesson 1 notes", "lesson-1"]
        assert state.unlocked is (role in ALLOWED)
        # The way back to the teacher: their profile and their conversation.
        handle = state.teacher_url.removeprefix("/u/")
        assert handle and state.message_url == f"/messages?to={handle}"
        # Locked viewers never get a file URL.
        assert all((i.src != "") is (role in ALLOWED) for i in state.items)
    _drive(CoursePageState.open_item.fn(state, w.video.id))
    assert (state.current_id == w.video.id) is (role in ALLOWED and role != "anonymous")

    # Only the teacher edits; everyone else changes nothing, whatever they send.
    _drive(CoursePageState.move.fn(state, w.video.id, -1))
    _drive(CoursePageState.delete_item.fn(state, w.pdf.id))
    state.f_title, state.f_description = "Hijacked", ""
    _drive(CoursePageState.save_details.fn(state))
    _drive(CoursePageState.delete_course.fn(state))
    pdf, video = _fresh(db, CourseItem, w.pdf.id), _fresh(db, CourseItem, w.video.id)
    course = _fresh(db, Course, w.course.id)
    if role == "teacher":
        assert video.position < pdf.position
        assert pdf.deleted_at is not None
        assert course.title == "Hijacked" and course.deleted_at is not None
    else:
        assert pdf.position < video.position and pdf.deleted_at is None
        assert course.title == "Spanish from zero" and course.deleted_at is None


@pytest.mark.parametrize("role", ["teacher", "admin", "accepted", "stranger", "anonymous"])
def test_only_admins_restore(world: Any, role: str) -> None:
    w, db = world
    teacher_state = _state(CoursePageState, w.teacher, db, f"/courses/{w.course.id}")
    _drive(CoursePageState.load.fn(teacher_state))
    _drive(CoursePageState.delete_item.fn(teacher_state, w.pdf.id))
    assert _fresh(db, CourseItem, w.pdf.id).deleted_at is not None
    state = _state(AdminContentState, w.members[role], db, "/admin")
    AdminContentState.load.fn(state)
    assert (len(state.deleted) == 1) is (role == "admin")
    _drive(AdminContentState.restore.fn(state, "File", w.pdf.id))
    assert (_fresh(db, CourseItem, w.pdf.id).deleted_at is None) is (role == "admin")


def test_create_course_only_for_own_teach_skill(world: Any) -> None:
    w, db = world
    other = w.members["stranger"]
    state = _state(MyCoursesState, other, db, "/courses")
    _drive(MyCoursesState.load.fn(state))
    assert state.rows == []
    state.dialog_skill_id, state.f_title = w.skill_id, "Not mine"
    _drive(MyCoursesState.create.fn(state))
    assert "skill you teach" in state.form_error
    mine = _state(MyCoursesState, w.teacher, db, "/courses")
    _drive(MyCoursesState.load.fn(mine))
    assert [(r.skill_id, r.course_id) for r in mine.rows] == [(w.skill_id, w.course.id)]
