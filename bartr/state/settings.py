"""Settings: whom I blocked (with Unblock), my reports' states, warnings from admins."""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr import routes
from bartr.services import blocks, moderation_actions, reports
from bartr.state.auth import AuthState


def _date(value: Any) -> str:
    return f"{value.day} {value:%b %Y}"


class SettingsState(AuthState):
    blocked: list[dict[str, str]] = []
    my_reports: list[dict[str, str]] = []
    warnings: list[dict[str, str]] = []
    loaded: bool = False
    error: str = ""

    def _reload(self, db: Any, user: Any) -> None:
        self.blocked = [
            {
                "id": str(b.user_id),
                "name": b.display_name,
                "handle": b.handle,
                "path": routes.profile(b.handle),
                "since": _date(b.blocked_at),
            }
            for b in blocks.list_blocked(db, actor=user)
        ]
        self.my_reports = [
            {
                "id": str(r.id),
                "what": r.what,
                "reason": r.reason,
                "status": r.status,
                "tone": {"Received": "amber", "Action taken": "green"}.get(r.status, "gray"),
                "date": _date(r.created_at),
            }
            for r in reports.my_reports(db, actor=user)
        ]
        self.warnings = [
            {
                "id": str(w.id),
                "message": w.message,
                "date": _date(w.created_at),
                "seen": "1" if w.seen else "",
            }
            for w in moderation_actions.my_warnings(db, actor=user)
        ]
        self.loaded = True

    @rx.event
    def load(self) -> None:
        self.error = ""
        self._run(self._reload, on_error=lambda e: setattr(self, "error", e.message))

    @rx.event
    def unblock(self, user_id: int) -> None:
        self.error = ""

        def act(db: Any, user: Any) -> None:
            blocks.do_unblock(db, actor=user, user_id=user_id)
            self._reload(db, user)

        self._run(act, on_error=lambda e: setattr(self, "error", e.message))

    @rx.event
    def acknowledge(self, warning_id: int) -> None:
        def act(db: Any, user: Any) -> None:
            moderation_actions.do_acknowledge_warning(db, actor=user, warning_id=warning_id)
            self._reload(db, user)

        self._run(act, on_error=lambda e: setattr(self, "error", e.message))
