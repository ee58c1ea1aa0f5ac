"""Admin: browse the audit log, newest first, filtered by action and by person."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from bartr import routes
from bartr.services import audit
from bartr.state.auth import AuthState
from bartr.state.wording import zone_of

PAGE = 25
ALL = "all"


def _row(r: audit.AuditRow, zone: ZoneInfo) -> dict[str, str]:
    local = r.created_at.astimezone(zone)
    return {
        "id": str(r.id),
        "date": f"{local.day} {local:%b %Y, %H:%M}",
        "actor": r.actor_name,
        "action": r.action_label,
        "target": f"{r.target_kind} #{r.target_id}" if r.target_id else r.target_kind,
        "member": r.member_name,
        "path": routes.profile(r.member_handle) if r.member_handle else "",
        "note": r.note,
    }


class AdminAuditState(AuthState):
    rows: list[dict[str, str]] = []
    action_filter: str = ALL
    person_filter: str = ""
    error: str = ""
    loaded: bool = False
    has_more: bool = False

    _oldest_id: int | None = None

    @rx.var
    def action_options(self) -> list[list[str]]:
        groups = sorted({a.split(".")[0] + "." for a in audit.ACTIONS})
        return (
            [[ALL, "All actions"]]
            + [[g, f"All {g[:-1]} actions"] for g in groups]
            + [[key, label] for key, label in audit.ACTIONS.items()]
        )

    def _fetch(self, *, append: bool) -> None:
        action = "" if self.action_filter == ALL else self.action_filter
        before = self._oldest_id if append else None

        def act(db: Any, user: Any) -> list[dict[str, str]]:
            zone = zone_of(user.timezone)
            found = audit.list_entries(
                db,
                actor=user,
                action=action,
                person=self.person_filter,
                before_id=before,
                limit=PAGE + 1,
            )
            self.has_more = len(found) > PAGE
            found = found[:PAGE]
            if found:
                self._oldest_id = found[-1].id
            return [_row(r, zone) for r in found]

        self.error = ""
        rows = self._run(act, on_error=lambda e: setattr(self, "error", e.message))
        if rows is None:
            return
        self.rows = self.rows + rows if append else rows
        self.loaded = True

    @rx.event
    def load(self) -> None:
        self._fetch(append=False)

    @rx.event
    def load_older(self) -> None:
        self._fetch(append=True)

    @rx.event
    def set_action_filter(self, value: str) -> None:
        value = str(value)[:40]
        self.action_filter = value if value == ALL or value.rstrip(".") else ALL
        self._fetch(append=False)

    @rx.event
    def set_person_filter(self, value: str) -> None:
        self.person_filter = str(value)[:60]

    @rx.event
    def apply_person_filter(self, _form: dict[str, Any] | None = None) -> None:
        self._fetch(append=False)
