"""Admin: the report queue, one report's context, and the action taken on it (with a note).

The report being handled is kept in backend vars (`_report_id`, ...) set only by
`open_report`, which an admin made; every service call checks again that the actor is an
admin, so a member calling these handlers over the socket gets "Only admins ..." and
nothing changes.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from bartr import routes
from bartr.services import moderation, moderation_actions
from bartr.services.credits import credits_phrase
from bartr.state.auth import AuthState
from bartr.state.wording import zone_of

ACTIONS: list[list[str]] = [
    ["dismiss", "Dismiss the report"],
    ["warn", "Warn the member (they read your note)"],
    ["suspend", "Suspend for some days"],
    ["ban", "Ban the member"],
    ["remove", "Remove the reported content"],
    ["reinstate", "Reinstate the member"],
]
DONE: dict[str, str] = {
    "dismiss": "Report dismissed.",
    "warn": "Warning sent.",
    "suspend": "Member suspended; their logins ended.",
    "ban": "Member banned; their logins ended.",
    "remove": "Content removed.",
    "reinstate": "Member reinstated.",
}


def _when(value: Any, zone: ZoneInfo) -> str:
    local = value.astimezone(zone)
    return f"{local.day} {local:%b %Y, %H:%M}"


def _age(days: int) -> str:
    return "today" if days == 0 else "1 day" if days == 1 else f"{days} days"


class AdminReportsState(AuthState):
    rows: list[dict[str, str]] = []
    loaded: bool = False
    error: str = ""
    panel_open: bool = False
    detail: dict[str, str] = {}
    context: list[dict[str, str]] = []
    shared: list[dict[str, str]] = []
    history: list[list[str]] = []
    ledger_lines: list[dict[str, str]] = []
    action: str = "dismiss"
    days: str = "7"
    note: str = ""
    action_error: str = ""
    saving: bool = False
    notice: str = ""
    notice_seq: int = 0

    _report_id: int | None = None
    _subject_id: int | None = None
    _kind: str = ""
    _target_id: int = 0

    @rx.var
    def action_options(self) -> list[list[str]]:
        return ACTIONS

    def _fetch(self, db: Any, user: Any) -> None:
        zone = zone_of(user.timezone)
        self.rows = [
            {
                "id": str(r.report_id),
                "reason": r.reason,
                "what": "Member" if r.kind == "member" else r.target_label,  # "Message from …"
                "member": r.subject_name,
                "path": routes.profile(r.subject_handle) if r.subject_handle else "",
                "status": r.subject_status,
                "reporter": r.reporter_name,
                "age": _age(r.age_days),
                "date": _when(r.created_at, zone),
                "more": str(r.open_about_subject - 1) if r.open_about_subject > 1 else "",
            }
            for r in moderation.open_reports(db, actor=user)
        ]
        self.loaded = True

    @rx.event
    def load(self) -> None:
        self.error = ""
        self._run(self._fetch, on_error=lambda e: setattr(self, "error", e.message))

    @rx.event
    def notice_shown(self) -> None:
        self.notice_seq = 0

    @rx.event
    def set_panel_open(self, value: bool) -> None:
        self.panel_open = bool(value) and self._report_id is not None

    @rx.event
    def set_action(self, value: str) -> None:
        self.action = value if value in DONE else "dismiss"

    @rx.event
    def set_days(self, value: str) -> None:
        self.days = str(value)[:4]

    @rx.event
    def set_note(self, value: str) -> None:
        self.note = str(value)[: moderation_actions.MAX_NOTE]

    @rx.event
    def open_report(self, report_id: int) -> None:
        self.action_error, self.note, self.action, self.days = "", "", "dismiss", "7"

        def act(db: Any, user: Any) -> moderation.ReportDetail:
            return moderation.report_detail(db, actor=user, report_id=report_id)

        def show(d: moderation.ReportDetail, zone: ZoneInfo) -> None:
            row, h = d.row, d.history
            self._report_id, self._subject_id = row.report_id, row.subject_id
            self._kind, self._target_id = row.kind, row.target_id
            self.detail = {
                "id": str(row.report_id),
                "reason": row.reason,
                # Read in a sentence: "Maya reported a message from Ben" (a member: "Ben").
                "what": row.target_label
                if row.kind == "member"
                else "a " + row.target_label[:1].lower() + row.target_label[1:],
                "kind": row.kind,
                "member": row.subject_name,
                "path": routes.profile(row.subject_handle) if row.subject_handle else "",
                "reporter": row.reporter_name,
                "date": _when(row.created_at, zone),
                "details": d.details or "No details given.",
                "can_remove": "1" if d.can_remove else "",
            }
            self.context = [
                {"when": _when(c.when, zone), "who": c.who, "text": c.text, "hi": "1" if c.highlighted else ""}
                for c in d.context
            ]  # fmt: skip
            self.shared = [
                {"when": _when(c.when, zone), "who": c.who, "text": c.text, "hi": "1" if c.highlighted else ""}
                for c in d.shared_sessions
            ]  # fmt: skip
            until = f" until {_when(h.suspended_until, zone)}" if h.suspended_until else ""
            rating = f"{h.rating_avg:.1f} from {h.rating_count}" if h.rating_avg else "no ratings"
            reports_line = ", ".join(f"{n} {k}" for k, n in sorted(h.reports_by_status.items()))
            self.history = [
                ["Account", f"{h.status}{until} · member since {h.member_since:%b %Y}"],
                ["Reports about them", reports_line or "none"],
                ["Warnings", str(h.warnings)],
                ["Sessions", f"taught {h.sessions_taught}, learned {h.sessions_learned}"],
                ["By state", ", ".join(f"{k} {n}" for k, n in h.sessions_by_state.items()) or "none"],
                ["Balance", f"{credits_phrase(h.balance)} available"],
                ["Trust", f"{h.trust_score:.0f} · {rating}" if h.trust_score is not None else rating],
            ]  # fmt: skip
            self.ledger_lines = [
                {"when": _when(c.when, zone), "who": "", "text": c.text, "hi": ""}
                for c in h.recent_ledger
            ]

        result = self._run(act, on_error=lambda e: setattr(self, "error", e.message))
        if result is None:
            return
        with_zone = zone_of(self.viewer_timezone)
        show(result, with_zone)
        self.panel_open = True

    @rx.event
    def apply(self, _form: dict[str, Any] | None = None) -> None:
        if self._report_id is None or self._subject_id is None or self.saving:
            return
        report_id, member_id = self._report_id, self._subject_id
        kind, target_id, action, note = self._kind, self._target_id, self.action, self.note
        try:
            days = int(self.days.strip() or "0")
        except ValueError:
            days = 0
        m = moderation_actions

        def act(db: Any, user: Any) -> None:
            if action == "dismiss":
                m.do_dismiss(db, actor=user, report_id=report_id, note=note)
            elif action == "warn":
                m.do_warn(db, actor=user, member_id=member_id, note=note, report_id=report_id)
            elif action == "suspend":
                m.do_suspend(
                    db, actor=user, member_id=member_id, days=days, note=note, report_id=report_id
                )
            elif action == "ban":
                m.do_ban(db, actor=user, member_id=member_id, note=note, report_id=report_id)
            elif action == "remove":
                m.do_remove_content(
                    db, actor=user, kind=kind, target_id=target_id, note=note, report_id=report_id
                )
            elif action == "reinstate":
                m.do_reinstate(db, actor=user, member_id=member_id, note=note)
            self._fetch(db, user)

        self.action_error, self.saving = "", True
        self._run(act, on_error=lambda e: setattr(self, "action_error", e.message))
        self.saving = False
        if self.action_error:
            return
        self.panel_open = False
        self._report_id = None if action != "reinstate" else self._report_id
        self.notice = DONE.get(action, "Done.")
        self.notice_seq += 1
