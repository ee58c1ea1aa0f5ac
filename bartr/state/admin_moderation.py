"""Admin: edit the category taxonomy and settle disputed sessions."""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr.db import read_session
from bartr.services import categories, moderation
from bartr.services.credits import format_credits
from bartr.services.errors import DomainError
from bartr.state.auth import AuthState


class AdminModerationState(AuthState):
    categories: list[dict[str, Any]] = []
    disputes: list[dict[str, Any]] = []
    new_category: str = ""
    category_error: str = ""
    dispute_error: str = ""
    loaded: bool = False

    def _reload(self) -> None:
        with read_session() as db:
            user = self._require_user(db)
            cats = categories.list_categories(db, include_inactive=True)
            rows = moderation.open_disputes(db, actor=user)
        self.categories = [
            {"id": c.id, "name": c.name, "slug": c.slug, "active": c.active} for c in cats
        ]
        self.disputes = [
            {
                "id": d.session_id,
                "title": d.skill_title,
                "teacher": d.teacher_name,
                "learner": d.learner_name,
                "cost": format_credits(d.cost),
                "by": d.disputed_by,
            }
            for d in rows
        ]
        self.loaded = True

    @rx.event
    def load(self) -> None:
        self.category_error = self.dispute_error = ""
        try:
            self._reload()
        except DomainError as exc:
            self.dispute_error = exc.message

    @rx.event
    def set_new_category(self, value: str) -> None:
        self.new_category = value[:200]

    def _category_error(self, exc: DomainError) -> None:
        self.category_error = exc.message

    @rx.event
    def add_category(self) -> Any:
        self.category_error = ""
        name = self.new_category
        done = self._run(
            lambda db, user: categories.do_create_category(db, actor=user, name=name),
            on_error=self._category_error,
        )
        if done is None:
            return None
        self.new_category = ""
        self._reload()
        return rx.toast.success(f"Category “{done.name}” added.")

    @rx.event
    def toggle_category(self, category_id: int, active: bool) -> Any:
        self.category_error = ""
        done = self._run(
            lambda db, user: categories.do_set_category_active(
                db, actor=user, category_id=int(category_id), active=bool(active)
            ),
            on_error=self._category_error,
        )
        if done is not None:
            self._reload()
        return None

    @rx.event
    def rename_category(self, category_id: int, name: str) -> Any:
        self.category_error = ""
        done = self._run(
            lambda db, user: categories.do_rename_category(
                db, actor=user, category_id=int(category_id), name=str(name)
            ),
            on_error=self._category_error,
        )
        if done is not None:
            self._reload()
            return rx.toast.success("Category renamed.")
        return None

    @rx.event
    def resolve(self, session_id: int, resolution: str) -> Any:
        self.dispute_error = ""

        def on_error(exc: DomainError) -> None:
            self.dispute_error = exc.message

        done = self._run(
            lambda db, user: moderation.do_settle_dispute(
                db, actor=user, session_id=int(session_id), resolution=str(resolution)
            ),
            on_error=on_error,
        )
        if done is None:
            return None
        self._reload()
        return rx.toast.success(f"Session #{session_id} settled.")
