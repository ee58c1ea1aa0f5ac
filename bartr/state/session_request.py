"""Requesting a session (/sessions/new?skill=<id>): length, 1-3 free times, a message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import reflex as rx
from sqlmodel import Session

from bartr import routes
from bartr.db import read_session
from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.services import ledger, sessions
from bartr.services.credits import session_cost
from bartr.services.errors import DomainError, RatingRequired
from bartr.state.auth import GENERIC_ERROR, AuthState, log
from bartr.state.slots import SlotChoice, SlotDay, free_slot_days, parse_times, toggle_choice
from bartr.state.wording import (
    credits_phrase,
    zone_note,
)

DURATIONS = ("30", "60", "90", "120")


class SessionRequestState(AuthState):
    loading: bool = True
    load_error: str = ""
    rate_href: str = ""  # set when the rating gate refuses: the form to fill first
    skill_title: str = ""
    teacher_name: str = ""
    teacher_handle: str = ""
    teacher_zone: str = ""
    zone_label: str = ""
    duration: str = "60"
    days: list[SlotDay] = []
    day: str = ""
    chosen: list[SlotChoice] = []
    balance: int = 0
    policy: list[str] = []
    errors: dict[str, str] = {}
    form_error: str = ""
    sending: bool = False

    _skill_id: int = 0
    _teacher_id: int = 0

    @rx.var
    def cost(self) -> int:
        return session_cost(int(self.duration))

    @rx.var
    def cost_label(self) -> str:
        return credits_phrase(self.cost)

    @rx.var
    def balance_text(self) -> str:
        return credits_phrase(self.balance)

    @rx.var
    def after_text(self) -> str:
        return credits_phrase(max(0, self.balance - self.cost))

    @rx.var
    def can_afford(self) -> bool:
        return self.balance >= self.cost

    @rx.var
    def chosen_isos(self) -> list[str]:
        return [c.iso for c in self.chosen]

    @rx.var
    def day_slots(self) -> list[SlotChoice]:
        return next((d.slots for d in self.days if d.key == self.day), [])

    @rx.event
    async def load(self) -> AsyncIterator[Any]:
        self.loading, self.load_error, self.errors, self.form_error = True, "", {}, ""
        self.rate_href = ""
        self.chosen, self.sending, self.duration = [], False, "60"
        yield
        raw = self.router.url.query_parameters.get("skill", "")
        self._skill_id = int(raw) if raw.isdigit() and len(raw) < 12 else 0
        # In a thread: free slots take the longest of any page's queries.
        await asyncio.to_thread(self._read, self._load_skill)

    def _load_skill(self, db: Session, user: User) -> None:
        skill, teacher = sessions.request_options(db, actor=user, skill_id=self._skill_id)
        self.skill_title = skill.title
        self._teacher_id = teacher.id or 0
        self.teacher_name, self.teacher_handle = teacher.display_name, teacher.handle
        self.teacher_zone = teacher.timezone
        self.policy = sessions.member_policy_text()
        self._load_slots(db, user)

    def _load_slots(self, db: Session, user: User) -> None:
        now = utcnow()
        self.zone_label = zone_note(user.timezone)
        self.balance = ledger.available_balance(db, user.id or 0)
        self.days = free_slot_days(
            db,
            teacher_id=self._teacher_id,
            learner_id=user.id or 0,
            duration=int(self.duration),
            timezone=user.timezone,
            now=now,
        )
        if not any(d.key == self.day for d in self.days):
            self.day = self.days[0].key if self.days else ""
        still_free = {s.iso for d in self.days for s in d.slots}
        self.chosen = [c for c in self.chosen if c.iso in still_free]

    def _read(self, fn: Any) -> None:
        try:
            with read_session() as db:
                fn(db, self._require_user(db))
        except DomainError as exc:
            self.load_error = exc.message
            if isinstance(exc, RatingRequired):
                self.rate_href = routes.session(exc.session_id) + "#rate"
        except Exception:
            log.exception("session request page")
            self.load_error = GENERIC_ERROR
        self.loading = False

    @rx.event
    def set_duration(self, value: str | list[str]) -> None:
        value = value if isinstance(value, str) else (value[0] if value else "60")
        if value in DURATIONS and value != self.duration:
            self.duration = value
            self.errors = {}
            self._read(self._load_slots)

    @rx.event
    def pick_day(self, key: str) -> None:
        self.day = key

    @rx.event
    def toggle(self, iso: str) -> None:
        self.errors = {k: v for k, v in self.errors.items() if k != "start_times"}
        self.chosen = toggle_choice(self.days, self.chosen, iso)

    @rx.event
    def send(self, form: dict[str, Any]) -> Iterator[Any]:
        if self.sending:
            return
        self.errors, self.form_error, self.sending = {}, "", True
        yield
        message = str(form.get("message") or "")[: sessions.MAX_MESSAGE * 2]

        def act(db: Session, user: User) -> int:
            booked = sessions.do_request_session(
                db,
                actor=user,
                skill_id=self._skill_id,
                duration_minutes=int(self.duration),
                start_times=parse_times(self.chosen_isos),
                message=message,
            )
            return booked.id or 0

        def on_error(exc: DomainError) -> None:
            if isinstance(exc, RatingRequired):
                self.load_error, self.rate_href = exc.message, routes.session(exc.session_id)
            elif exc.field in ("start_times", "duration_minutes", "message"):
                self.errors = {exc.field: exc.message}
            else:
                self.form_error = exc.message

        session_id = self._run(act, on_error=on_error)
        self.sending = False
        if session_id:
            yield [
                rx.toast.success(
                    f"Request sent to {self.teacher_name}. {self.cost_label} on hold."
                ),
                rx.redirect(routes.session(session_id)),
            ]
