"""Requesting a session (/sessions/new?skill=<id>): length, 1-3 free times, a message.

Also the slot picker's data (free start times grouped by day in the viewer's zone), which
the reschedule dialog on the session page reuses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from bartr import routes
from bartr.db import read_session
from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.services import availability, ledger, sessions
from bartr.services.credits import session_cost
from bartr.services.errors import DomainError, RatingRequired
from bartr.state.auth import GENERIC_ERROR, AuthState, log
from bartr.state.sessions_list import (
    clock_label,
    credits_phrase,
    day_label,
    when_label,
    zone_note,
    zone_of,
)

DURATIONS = ("30", "60", "90", "120")
# The teacher needs a moment to answer: no start sooner than this.
SLOT_HORIZON_DAYS = 14
SLOT_LIMIT = 400


@dataclasses.dataclass
class SlotChoice:
    iso: str = ""  # UTC, what the service receives back
    clock: str = ""  # "14:00" in the viewer's zone
    label: str = ""  # "Tue 14 Jan, 14:00"


@dataclasses.dataclass
class SlotDay:
    key: str = ""  # local date, "2030-01-14"
    weekday: str = ""  # "Tue"
    date: str = ""  # "14 Jan"
    slots: list[SlotChoice] = dataclasses.field(default_factory=list)


def free_slot_days(
    db: Session,
    *,
    teacher_id: int,
    learner_id: int,
    duration: int,
    timezone: str,
    now: datetime,
) -> list[SlotDay]:
    """The teacher's free starts for `duration`, grouped by day in the viewer's zone."""
    starts = sessions.free_start_times(
        db,
        teacher_id=teacher_id,
        learner_id=learner_id,
        after=availability.earliest_bookable(now),
        duration_minutes=duration,
        limit=SLOT_LIMIT,
        horizon_days=SLOT_HORIZON_DAYS,
    )
    zone = zone_of(timezone)
    days: dict[str, SlotDay] = {}
    for start in starts:
        key = start.astimezone(zone).date().isoformat()
        if key not in days:
            weekday, _, date = day_label(start, timezone).partition(" ")
            days[key] = SlotDay(key=key, weekday=weekday, date=date)
        day = days[key]
        day.slots.append(
            SlotChoice(
                iso=start.astimezone(UTC).isoformat(),
                clock=clock_label(start, timezone),
                label=when_label(start, timezone, now=now),
            )
        )
    # Two full weeks: a 15th (partial) day sat alone on a third row of the 7-column grid.
    return list(days.values())[:SLOT_HORIZON_DAYS]


def parse_times(isos: list[str]) -> list[datetime]:
    """What the browser sent back; the service validates every time again."""
    return [datetime.fromisoformat(iso) for iso in isos]


def toggle_choice(days: list[SlotDay], chosen: list[SlotChoice], iso: str) -> list[SlotChoice]:
    """Pick or unpick a start time (at most three), keeping them in time order."""
    if any(c.iso == iso for c in chosen):
        return [c for c in chosen if c.iso != iso]
    if len(chosen) >= sessions.MAX_PROPOSED_TIMES:
        return chosen
    found = next((s for d in days for s in d.slots if s.iso == iso), None)
    return sorted([*chosen, found], key=lambda c: c.iso) if found else chosen


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
    def load(self) -> Iterator[Any]:
        self.loading, self.load_error, self.errors, self.form_error = True, "", {}, ""
        self.rate_href = ""
        self.chosen, self.sending, self.duration = [], False, "60"
        yield
        raw = self.router.url.query_parameters.get("skill", "")
        self._skill_id = int(raw) if raw.isdigit() and len(raw) < 12 else 0
        self._read(self._load_skill)

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
