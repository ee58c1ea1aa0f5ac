"""/notifications: every notification, grouped by day, unread first in weight; mark read."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from sqlmodel import Session

from bartr import routes
from bartr.adapters.realtime import Signal, hub
from bartr.db import read_session
from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.services import notifications, ratings
from bartr.services.errors import DomainError
from bartr.state.auth import GENERIC_ERROR, log
from bartr.state.live import LISTENERS, FollowUp, LiveState, short_when


@dataclasses.dataclass
class NotificationRow:
    id: int = 0
    icon: str = "bell"
    text: str = ""
    href: str = ""
    when: str = ""
    unread: bool = False
    day: str = ""
    first_of_day: bool = False


@dataclasses.dataclass
class RatingPrompt:
    text: str = ""
    href: str = ""
    required: bool = False


class NotificationsState(LiveState):
    loading: bool = True
    load_error: str = ""
    show: str = "all"  # all / unread
    rows: list[NotificationRow] = []
    prompts: list[RatingPrompt] = []

    @rx.event
    def load(self) -> None:
        self._fetch()
        hub.add_view(self.router.session.client_token, "notifications")

    def _fetch(self, user: User | None = None) -> None:
        try:
            with read_session() as db:
                user = user or self._require_user(db)
                self._read(db, user)
        except DomainError as exc:
            self.load_error, self.loading = exc.message, False
            return
        except Exception:
            log.exception("notifications")
            self.load_error, self.loading = GENERIC_ERROR, False
            return
        self.load_error, self.loading = "", False

    def _read(self, db: Session, user: User) -> None:
        self.rows, self.prompts = _rows_and_prompts(db, user, self.show)

    @rx.event
    def set_show(self, value: str | list[str]) -> None:
        self.show = "unread" if value == "unread" else "all"
        self._fetch()

    @rx.event
    def mark_read(self, notification_id: int) -> None:
        def act(db: Session, user: User) -> None:
            notifications.do_mark_read(db, actor=user, notification_id=int(notification_id))

        self._run(act, on_error=lambda e: None)
        self._fetch()

    @rx.event
    def mark_everything_read(self) -> None:
        def act(db: Session, user: User) -> None:
            notifications.do_mark_read(db, actor=user)

        self._run(act, on_error=lambda e: None)
        self._fetch()

    _stale: bool = False

    async def _on_signals(self, signals: list[Signal]) -> bool:
        """A notification changed: the list is re-read in the tab's follow-up."""
        if any(s.get("kind") == "notifications" for s in signals):
            self._stale = True
        return self._stale

    def _follow_up_plan(self) -> FollowUp | None:
        if not self._stale:
            return None
        self._stale, show = False, self.show

        def read(db: Session, user: User) -> Any:
            rows, prompts = _rows_and_prompts(db, user, show)

            def apply(state: NotificationsState) -> None:
                state.rows, state.prompts = rows, prompts

            return apply

        return FollowUp(NotificationsState, None, read)


def _rows_and_prompts(
    db: Session, user: User, show: str
) -> tuple[list[NotificationRow], list[RatingPrompt]]:
    """The page's rows (grouped by day in the member's zone) and its rating prompts."""
    now, tz = utcnow(), user.timezone
    views = notifications.latest(db, actor=user, unread_only=show == "unread")
    rows, previous = [], ""
    for v in views:
        local = v.at.astimezone(_zone(tz))
        day = (
            "Today"
            if local.date() == now.astimezone(_zone(tz)).date()
            else (f"{local:%A} {local.day} {local:%B}")
        )
        rows.append(
            NotificationRow(
                id=v.id,
                icon=v.icon,
                text=v.text,
                href=v.href,
                when=short_when(v.at, now, tz),
                unread=v.unread,
                day=day,
                first_of_day=day != previous,
            )
        )
        previous = day
    prompts = [
        RatingPrompt(
            text=f"Rate your session with {p.other_name}: {p.skill_title}",
            href=routes.session(p.session_id),
            required=p.required,
        )
        for p in ratings.pending_for(db, actor=user)
    ]
    return rows, prompts


def _zone(tz: str) -> Any:
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(tz)
    except Exception:
        return ZoneInfo("UTC")


LISTENERS["notifications"] = NotificationsState
