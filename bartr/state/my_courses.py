"""/courses: the teacher's teach skills, each with its course or a button to start one."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import reflex as rx

from bartr import routes
from bartr.db import read_session
from bartr.services import courses
from bartr.services.errors import DomainError
from bartr.state.auth import GENERIC_ERROR, AuthState, log


@dataclasses.dataclass(frozen=True)
class SkillCourseVM:
    skill_id: int
    skill_title: str
    course_id: int
    course_title: str
    summary: str
    url: str


class MyCoursesState(AuthState):
    loading: bool = True
    load_error: str = ""
    rows: list[SkillCourseVM] = []
    # The "new course" dialog.
    dialog_skill_id: int = 0
    f_title: str = ""
    f_description: str = ""
    form_error: str = ""

    def _reload(self) -> None:
        with read_session() as db:
            user = self._require_user(db)
            rows = courses.my_teach_skills(db, actor=user)
        self.rows = [
            SkillCourseVM(
                skill_id=r.skill_id,
                skill_title=r.skill_title,
                course_id=r.course_id,
                course_title=r.course_title,
                summary=f"{r.items} file{'' if r.items == 1 else 's'}",
                url=routes.course(r.course_id) if r.course_id else "",
            )
            for r in rows
        ]

    @rx.event
    def load(self) -> Iterator[Any]:
        self.loading, self.load_error = True, ""
        yield
        try:
            self._reload()
        except DomainError as exc:
            self.load_error = exc.message
        except Exception:
            log.exception("my courses")
            self.load_error = GENERIC_ERROR
        self.loading = False

    @rx.event
    def start(self, skill_id: int, skill_title: str) -> None:
        self.dialog_skill_id, self.f_title, self.f_description = skill_id, skill_title, ""
        self.form_error = ""

    @rx.event
    def close(self) -> None:
        self.dialog_skill_id = 0

    @rx.event
    def set_f_title(self, value: str) -> None:
        self.f_title = value

    @rx.event
    def set_f_description(self, value: str) -> None:
        self.f_description = value

    @rx.event
    def create(self) -> Any:
        skill_id, title, text = self.dialog_skill_id, self.f_title, self.f_description
        course = self._run(
            lambda db, u: courses.do_create_course(
                db, actor=u, skill_id=skill_id, title=title, description=text
            ),
            on_error=lambda e: setattr(self, "form_error", e.message),
        )
        if course is None:
            return None
        self.dialog_skill_id = 0
        return rx.redirect(routes.course(course.id or 0))
