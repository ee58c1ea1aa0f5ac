"""Report and block from any page (profile, thread, session, course).

Shared by those pages through components/safety_menu.py. What the browser sends (a kind,
an id, a handle) is only a request: the services check the target exists, is not the
actor's own, and that the actor may act; nothing here is trusted for authorisation.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr import routes
from bartr.services import accounts, blocks, reports
from bartr.services.errors import DomainError, NotFound
from bartr.state.auth import AuthState

MAX_DETAILS = reports.MAX_DETAILS


class SafetyState(AuthState):
    report_open: bool = False
    report_label: str = ""
    report_reason: str = ""
    report_details: str = ""
    report_error: str = ""
    report_sending: bool = False
    block_open: bool = False
    block_name: str = ""
    notice: str = ""
    notice_is_error: bool = False
    notice_seq: int = 0

    _report_kind: str = ""
    _report_target: int = 0
    _block_handle: str = ""

    @rx.var
    def reason_options(self) -> list[list[str]]:
        return [[key, label] for key, label in reports.REASONS.items()]

    def _toast(self, message: str, *, error: bool = False) -> None:
        self.notice, self.notice_is_error = message, error
        self.notice_seq += 1

    @rx.event
    def notice_shown(self) -> None:
        self.notice_seq = 0

    # --- reporting -----------------------------------------------------------------
    @rx.event
    def start_report(self, kind: str, target_id: int, label: str = "") -> None:
        """Open the report dialog for a message, review or course item (by id)."""
        self._report_kind = str(kind)[:20]
        self._report_target = target_id if isinstance(target_id, int) else 0
        self.report_label = str(label)[:120]
        self.report_reason, self.report_details, self.report_error = "", "", ""
        self.report_open = True

    @rx.event
    def start_member_report(self, handle: str) -> None:
        """Open the report dialog for the member behind a handle (profile, session page)."""

        def act(db: Any, _user: Any) -> tuple[int, str]:
            member = accounts.find_by_handle(db, str(handle)[:41])
            if member is None:
                raise NotFound("No such member.")
            return member.id or 0, member.display_name

        found = self._run(act, on_error=lambda e: self._toast(e.message, error=True))
        if found is None:
            return
        self.start_report("member", found[0], found[1])  # type: ignore[operator]  # Reflex types handlers as EventNamespace

    @rx.event
    def set_report_open(self, value: bool) -> None:
        self.report_open = bool(value)

    @rx.event
    def set_report_reason(self, value: str) -> None:
        self.report_reason = str(value)[:24]

    @rx.event
    def set_report_details(self, value: str) -> None:
        self.report_details = str(value)[:MAX_DETAILS]

    @rx.event
    def send_report(self, _form: dict[str, Any] | None = None) -> None:
        if self.report_sending:
            return
        self.report_error = ""
        kind, target = self._report_kind, self._report_target
        reason, details = self.report_reason, self.report_details

        def act(db: Any, user: Any) -> None:
            reports.do_report(
                db, actor=user, kind=kind, target_id=target, reason=reason, details=details
            )

        self.report_sending = True
        done = self._run(act, on_error=lambda e: setattr(self, "report_error", e.message))
        self.report_sending = False
        if self.report_error:
            return
        del done
        self.report_open = False
        self._toast("Thanks. An admin will look at your report; see its state in Settings.")

    # --- blocking ------------------------------------------------------------------
    @rx.event
    def start_block(self, handle: str, name: str = "") -> None:
        self._block_handle = str(handle).lstrip("@")[:40]
        self.block_name = str(name)[:60]
        self.block_open = True

    @rx.event
    def set_block_open(self, value: bool) -> None:
        self.block_open = bool(value)

    @rx.event
    def confirm_block(self) -> Any:
        handle = self._block_handle

        def act(db: Any, user: Any) -> blocks.BlockOutcome:
            member = accounts.find_by_handle(db, handle)
            if member is None:
                raise NotFound("No such member.")
            return blocks.do_block(db, actor=user, user_id=member.id or 0)

        failed: list[DomainError] = []
        outcome = self._run(act, on_error=failed.append)
        self.block_open = False
        if outcome is None:
            self._toast(failed[0].message if failed else "Nothing was changed.", error=True)
            return None
        name = outcome.blocked.display_name
        booked = len(outcome.scheduled)
        if booked:
            self._toast(
                f"You blocked {name}. {booked} scheduled session{'s' if booked > 1 else ''} "
                "with them stay booked: open Sessions to keep or cancel "
                f"{'them' if booked > 1 else 'it'} under the cancellation policy."
            )
        else:
            self._toast(f"You blocked {name}. You can unblock them here.")
        return rx.redirect(routes.SETTINGS)
