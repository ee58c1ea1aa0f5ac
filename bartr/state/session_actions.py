"""The actions of the session page, each one service call, and the dialogs they use.

A mixin of `SessionDetailState` (state.session_detail), which supplies `_fetch()` (read
the session afresh) and `other_name`. Every handler re-resolves the member through
`AuthState._run`; the `do_*` service checks the person and the state again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import reflex as rx
from sqlmodel import Session

from bartr.db import read_session
from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.services import sessions
from bartr.services.errors import DomainError
from bartr.services.sessions.policy import POLICY
from bartr.state.auth import GENERIC_ERROR, log
from bartr.state.slots import SlotChoice, SlotDay, free_slot_days, parse_times, toggle_choice

NO_SHOW_DISPUTE_HOURS = POLICY.no_show_dispute_hours
MAX_NOTE = 1000  # longer input is cut before it reaches a service (which allows 500)


class SessionActions(rx.State, mixin=True):
    busy: bool = False
    action_error: str = ""
    dialog: str = ""  # the open dialog: decline, cancel, withdraw, dispute, no_show, reschedule
    dialog_error: str = ""
    # The reschedule dialog's slot picker.
    slot_days: list[SlotDay] = []
    slot_day: str = ""
    chosen: list[SlotChoice] = []

    _sid: int = 0
    _teacher_id: int = 0
    _learner_id: int = 0
    _duration: int = 60

    if TYPE_CHECKING:  # supplied by SessionDetailState and AuthState
        other_name: str

        def _fetch(self) -> None: ...
        def _require_user(self, db: Session) -> User: ...
        def _run(self, action: Callable[[Session, User], Any], *, on_error: Any) -> Any: ...

    @rx.var
    def chosen_isos(self) -> list[str]:
        return [c.iso for c in self.chosen]

    @rx.var
    def day_slots(self) -> list[SlotChoice]:
        return next((d.slots for d in self.slot_days if d.key == self.slot_day), [])

    # --- dialogs -----------------------------------------------------------------------
    @rx.event
    def open_dialog(self, name: str) -> None:
        self.dialog, self.dialog_error = name, ""

    @rx.event
    def dialog_changed(self, is_open: bool) -> None:
        if not is_open and not self.busy:
            self.dialog, self.dialog_error = "", ""

    @rx.event
    def open_reschedule(self) -> None:
        self.dialog, self.dialog_error, self.chosen = "reschedule", "", []
        try:
            with read_session() as db:
                user = self._require_user(db)
                self.slot_days = free_slot_days(
                    db,
                    teacher_id=self._teacher_id,
                    learner_id=self._learner_id,
                    duration=self._duration,
                    timezone=user.timezone,
                    now=utcnow(),
                )
        except Exception:
            log.exception("reschedule slots")
            self.slot_days, self.dialog_error = [], GENERIC_ERROR
        self.slot_day = self.slot_days[0].key if self.slot_days else ""

    @rx.event
    def pick_day(self, key: str) -> None:
        self.slot_day = key

    @rx.event
    def toggle(self, iso: str) -> None:
        self.chosen = toggle_choice(self.slot_days, self.chosen, iso)

    # --- actions -------------------------------------------------------------------------
    def _perform(self, act: Callable[[Session, User], Any], done: str) -> Iterator[Any]:
        if self.busy:
            return
        self.busy, self.action_error, self.dialog_error = True, "", ""
        yield
        failed: list[str] = []

        def on_error(exc: DomainError) -> None:
            failed.append(exc.message)

        self._run(lambda db, user: act(db, user) or True, on_error=on_error)
        self.busy = False
        if failed:
            if self.dialog:
                self.dialog_error = failed[0]
            else:
                self.action_error = failed[0]
            self._fetch()
            return
        self.dialog = ""
        self._fetch()
        yield rx.toast.success(done)

    def _kw(self, user: User) -> dict[str, Any]:
        return {"actor": user, "session_id": self._sid}

    @rx.event
    def accept(self, iso: str) -> Iterator[Any]:
        yield from self._perform(
            lambda db, u: sessions.do_accept(db, **self._kw(u), starts_at=parse_times([iso])[0]),
            "Session scheduled. It is in your upcoming sessions.",
        )

    @rx.event
    def decline(self, form: dict[str, Any]) -> Iterator[Any]:
        reason = str(form.get("reason") or "")[:MAX_NOTE]
        yield from self._perform(
            lambda db, u: sessions.do_decline(db, **self._kw(u), reason=reason),
            "Request declined. The credits went back to the learner.",
        )

    @rx.event
    def propose(self, form: dict[str, Any]) -> Iterator[Any]:
        note = str(form.get("note") or "")[:MAX_NOTE]
        times = parse_times(self.chosen_isos)
        yield from self._perform(
            lambda db, u: sessions.do_propose_reschedule(
                db, **self._kw(u), start_times=times, note=note
            ),
            f"New times sent to {self.other_name}.",
        )

    @rx.event
    def withdraw(self) -> Iterator[Any]:
        yield from self._perform(
            lambda db, u: sessions.do_withdraw(db, **self._kw(u)),
            "Request withdrawn. Your credits are back in your wallet.",
        )

    @rx.event
    def cancel(self, form: dict[str, Any]) -> Iterator[Any]:
        reason = str(form.get("reason") or "")[:MAX_NOTE]
        yield from self._perform(
            lambda db, u: sessions.do_cancel(db, **self._kw(u), reason=reason), "Session cancelled."
        )

    @rx.event
    def mark_complete(self) -> Iterator[Any]:
        yield from self._perform(
            lambda db, u: sessions.do_mark_complete(db, **self._kw(u)),
            f"Marked as taught. {self.other_name} confirms next.",
        )

    @rx.event
    def confirm_complete(self) -> Iterator[Any]:
        yield from self._perform(
            lambda db, u: sessions.do_confirm_complete(db, **self._kw(u)),
            "Confirmed. The credits went to your teacher. Thank you!",
        )

    @rx.event
    def dispute(self, form: dict[str, Any]) -> Iterator[Any]:
        reason = str(form.get("reason") or "")[:MAX_NOTE]
        yield from self._perform(
            lambda db, u: sessions.do_dispute(db, **self._kw(u), reason=reason),
            "Dispute opened. The credits stay held until an admin decides.",
        )

    @rx.event
    def report_no_show(self, form: dict[str, Any]) -> Iterator[Any]:
        note = str(form.get("note") or "")[:MAX_NOTE]
        yield from self._perform(
            lambda db, u: sessions.do_report_no_show(db, **self._kw(u), note=note),
            "No-show reported. The other side can dispute it for a day.",
        )
