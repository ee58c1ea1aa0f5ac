"""Admin: soft-deleted courses and course files, restorable until purged."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from bartr import routes
from bartr.db import read_session
from bartr.services import course_items, courses
from bartr.services.errors import DomainError
from bartr.state.auth import AuthState


@dataclasses.dataclass(frozen=True)
class DeletedVM:
    kind: str
    id: int
    title: str
    teacher: str
    when: str
    url: str


class AdminContentState(AuthState):
    deleted: list[DeletedVM] = []
    content_error: str = ""

    def _reload(self) -> None:
        with read_session() as db:
            user = self._require_user(db)
            rows = course_items.deleted_for_admin(db, actor=user)
        self.deleted = [
            DeletedVM(
                kind="Course" if r.kind == "course" else "File",
                id=r.id,
                title=r.title,
                teacher=r.teacher_name,
                when=f"{r.deleted_at:%d %b %Y}",
                url=routes.course(r.id) if r.kind == "course" else "",
            )
            for r in rows
        ]

    @rx.event
    def load(self) -> None:
        self.content_error = ""
        try:
            self._reload()
        except DomainError as exc:
            self.content_error = exc.message

    @rx.event
    def restore(self, kind: str, row_id: int) -> Any:
        def act(db: Any, user: Any) -> Any:
            if kind == "Course":
                return courses.do_restore_course(db, actor=user, course_id=row_id)
            return course_items.do_restore_item(db, actor=user, item_id=row_id)

        self.content_error = ""
        done = self._run(act, on_error=lambda e: setattr(self, "content_error", e.message))
        if done is None:
            return None
        self._reload()
        return rx.toast.success(f"{kind} restored.")
