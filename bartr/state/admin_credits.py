"""Admin: find a member, adjust their credits after a confirmation, list recent adjustments.

The member being adjusted is kept in a backend var (`_member_id`), set only by a lookup
this admin made; the ledger checks again that the actor is an admin.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from bartr import routes
from bartr.services import admin_lookup, ledger
from bartr.services.credits import format_credits
from bartr.services.errors import DomainError
from bartr.state.auth import AuthState
from bartr.state.wording import zone_of

MAX_INPUT = 600
RECENT = 10  # adjustments listed on the admin page


def _adjustment_row(a: admin_lookup.Adjustment, zone: ZoneInfo) -> dict[str, str]:
    local = a.created_at.astimezone(zone)
    return {
        "id": str(a.transaction_id),
        "date": f"{local.day} {local:%b %Y, %H:%M}",
        "member": a.member_name,
        "path": routes.profile(a.member_handle),
        "admin": a.admin_name or "—",
        "amount": format_credits(a.amount, signed=True),
        "tone": "green" if a.amount > 0 else "red",
        "balance": format_credits(a.balance_after),
        "reason": a.reason,
    }


class AdminCreditsState(AuthState):
    query: str = ""
    lookup_error: str = ""
    found: bool = False
    member_name: str = ""
    member_handle: str = ""
    member_email: str = ""
    member_balance: str = ""
    amount: str = ""
    reason: str = ""
    errors: dict[str, str] = {}
    confirm_open: bool = False
    confirm_verb: str = ""
    confirm_amount: str = ""
    confirm_after: str = ""
    saving: bool = False
    adjustments: list[dict[str, str]] = []
    adjustments_loaded: bool = False
    adjustments_error: str = ""
    zone_name: str = "UTC"
    # A toast to show (see components/toast_outlet.py: server-sent toasts are blocked by CSP).
    notice: str = ""
    notice_seq: int = 0

    _member_id: int | None = None
    _pending: int = 0
    _available: int = 0

    # --- inputs --------------------------------------------------------------------
    @rx.event
    def set_query(self, value: str) -> None:
        self.query = str(value)[:MAX_INPUT]

    @rx.event
    def set_amount(self, value: str) -> None:
        self.amount = str(value)[:40]
        self.errors = {k: v for k, v in self.errors.items() if k != "amount"}

    @rx.event
    def set_reason(self, value: str) -> None:
        self.reason = str(value)[:MAX_INPUT]
        self.errors = {k: v for k, v in self.errors.items() if k != "reason"}

    @rx.event
    def set_confirm_open(self, value: bool) -> None:
        self.confirm_open = bool(value) and self._member_id is not None

    @rx.event
    def notice_shown(self) -> None:
        self.notice_seq = 0

    # --- loading -------------------------------------------------------------------
    @rx.event
    def load(self) -> None:
        self.confirm_open, self.saving, self.adjustments_error = False, False, ""

        def act(db: Any, user: Any) -> list[dict[str, str]]:
            zone = zone_of(user.timezone)
            self.zone_name = user.timezone or "UTC"
            return [
                _adjustment_row(a, zone)
                for a in admin_lookup.recent_adjustments(db, actor=user, limit=RECENT)
            ]

        rows = self._run(act, on_error=lambda e: setattr(self, "adjustments_error", e.message))
        self.adjustments = rows or []
        self.adjustments_loaded = True

    # --- finding the member --------------------------------------------------------
    @rx.event
    def find_member(self, form: dict[str, Any] | None = None) -> None:
        self.lookup_error, self.errors, self.found = "", {}, False
        self._member_id = None
        if form and "query" in form:
            self.query = str(form["query"] or "")[:MAX_INPUT]

        def act(db: Any, user: Any) -> tuple[Any, int]:
            member = admin_lookup.find_member(db, actor=user, query=self.query)
            return member, ledger.available_balance(db, member.id or 0)

        result = self._run(act, on_error=lambda e: setattr(self, "lookup_error", e.message))
        if result is None:
            return
        member, available = result
        self._member_id, self._available = member.id, available
        self.found = True
        self.member_name = member.display_name
        self.member_handle = member.handle
        self.member_email = member.email
        self.member_balance = format_credits(available)

    # --- adjusting -----------------------------------------------------------------
    @rx.event
    def review(self, form: dict[str, Any] | None = None) -> None:
        """Check the inputs and open the confirmation; nothing is written yet."""
        self.errors = {}
        if self._member_id is None:
            self.lookup_error = "Find the member first."
            return
        try:
            self._pending = admin_lookup.parse_amount(self.amount)
        except DomainError as exc:
            self.errors = {"amount": exc.message}
        reason = self.reason.strip()
        if not reason:
            self.errors = {**self.errors, "reason": "Say why: the member sees this reason."}
        elif len(reason) > ledger.MAX_REASON:
            self.errors = {**self.errors, "reason": f"At most {ledger.MAX_REASON} characters."}
        if self.errors:
            return
        self.confirm_verb = "Add" if self._pending > 0 else "Deduct"
        self.confirm_amount = format_credits(abs(self._pending))
        self.confirm_after = format_credits(self._available + self._pending)
        self.confirm_open = True

    @rx.event
    def confirm(self) -> Any:
        if self._member_id is None or not self._pending or self.saving:
            return None
        self.saving = True
        member_id, amount = self._member_id, self._pending

        def act(db: Any, user: Any) -> tuple[int, list[dict[str, str]]]:
            ledger.admin_adjust(
                db, actor=user, user_id=member_id, amount=amount, reason=self.reason
            )
            balance = ledger.available_balance(db, member_id)
            zone = zone_of(user.timezone)
            recent = admin_lookup.recent_adjustments(db, actor=user, limit=RECENT)
            return balance, [_adjustment_row(a, zone) for a in recent]

        def on_error(exc: DomainError) -> None:
            if exc.field in ("amount", "reason"):
                self.errors = {exc.field: exc.message}
            else:
                self.lookup_error = exc.message

        result = self._run(act, on_error=on_error)
        self.saving, self.confirm_open = False, False
        if result is None:
            return None
        balance, self.adjustments = result
        self._available, self._pending = balance, 0
        self.member_balance = format_credits(balance)
        self.amount, self.reason = "", ""
        self.notice = f"Done. {self.member_name} now has {self.member_balance} credits available."
        self.notice_seq += 1
        return None
