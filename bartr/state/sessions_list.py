"""My sessions (/sessions): four tabs with counts, one row per session, one next action."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import reflex as rx

from bartr import routes
from bartr.db import read_session
from bartr.models.base import utcnow
from bartr.services import sessions
from bartr.services.errors import DomainError
from bartr.services.sessions import SessionRow
from bartr.state.auth import GENERIC_ERROR, AuthState, log
from bartr.state.wording import credits_phrase, relative_label, when_label, zone_note

TAB_LABELS: dict[str, str] = {
    "to_answer": "To answer",
    "my_requests": "My requests",
    "upcoming": "Upcoming",
    "history": "History",
}
# With no ?tab= in the URL, open the first tab that has something in it.
_DEFAULT_ORDER = ("to_answer", "upcoming", "my_requests", "history")


# --------------------------------------------------------------------------- rows


@dataclasses.dataclass
class SessionListRow:
    id: int = 0
    href: str = ""
    other_name: str = ""
    role_label: str = ""  # "You teach" / "You learn"
    skill_title: str = ""
    state: str = ""
    state_label: str = ""
    when_relative: str = ""
    when_absolute: str = ""
    detail: str = ""
    action_label: str = ""
    action_primary: bool = False


def _next_action(row: SessionRow, now: datetime) -> tuple[str, bool]:
    """The one thing to do next with this session, and whether it is on me."""
    if row.needs_my_answer:
        return ("Answer request", True) if row.state == "requested" else ("Choose a time", True)
    if row.state in ("requested", "reschedule_proposed"):
        return "View request", False
    if row.state == "scheduled" and row.starts_at is not None:
        ended = row.starts_at.timestamp() + row.duration_minutes * 60 <= now.timestamp()
        if ended:
            if row.my_side == "teacher":
                return "Mark as taught", True
            return "Review session", True
        return "Open session", False
    return "View history", False


def _row(row: SessionRow, *, timezone: str, now: datetime) -> SessionListRow:
    action, primary = _next_action(row, now)
    waiting = ""
    if row.open_times:
        first = row.open_times[0]
        more = len(row.open_times) - 1
        when_absolute = when_label(first, timezone, now=now) + (f" · +{more} more" if more else "")
        when_relative = relative_label(first, now)
        if row.expires_at is not None:
            lapse = relative_label(row.expires_at, now)
            waiting = (
                f"Answer {lapse.replace('in ', 'within ')}"
                if row.needs_my_answer
                else f"Waiting for {row.other.display_name} · expires {lapse}"
            )
    elif row.starts_at is not None:
        when_absolute = when_label(row.starts_at, timezone, now=now)
        when_relative = relative_label(row.starts_at, now)
    else:
        when_absolute = f"Updated {when_label(row.updated_at, timezone, now=now)}"
        when_relative = relative_label(row.updated_at, now)
    minutes = f"{row.duration_minutes} min · {credits_phrase(row.cost)}"
    return SessionListRow(
        id=row.id,
        href=routes.session(row.id),
        other_name=row.other.display_name,
        role_label="You teach" if row.my_side == "teacher" else "You learn",
        skill_title=row.skill_title,
        state=row.state,
        state_label=row.state_label,
        when_relative=when_relative,
        when_absolute=when_absolute,
        detail=" · ".join(filter(None, [minutes, waiting])),
        action_label=action,
        action_primary=primary,
    )


class SessionsListState(AuthState):
    tab: str = "to_answer"
    counts: dict[str, int] = {}
    rows: list[SessionListRow] = []
    loading: bool = True
    error: str = ""
    zone_label: str = ""

    @rx.event
    def load(self) -> Iterator[Any]:
        self.loading, self.error = True, ""
        yield
        wanted = self.router.url.query_parameters.get("tab", "")
        self._fetch(wanted if wanted in TAB_LABELS else None)

    @rx.event
    def set_tab(self, tab: str) -> Iterator[Any]:
        if tab not in TAB_LABELS or (tab == self.tab and not self.loading and not self.error):
            return
        self.tab, self.loading, self.error = tab, True, ""
        yield
        self._fetch(tab)

    def _fetch(self, tab: str | None) -> None:
        now = utcnow()
        try:
            with read_session() as db:
                user = self._require_user(db)
                counts = sessions.tab_counts(db, actor=user, now=now)
                if tab is None:
                    tab = next((t for t in _DEFAULT_ORDER if counts.get(t)), "upcoming")
                found = sessions.list_for_user(db, actor=user, tab=tab, now=now)  # type: ignore[arg-type]
        except DomainError as exc:
            self.error, self.loading = exc.message, False
            return
        except Exception:
            log.exception("sessions list")
            self.error, self.loading = GENERIC_ERROR, False
            return
        self.tab = tab
        self.counts = counts
        self.zone_label = zone_note(self.viewer_timezone)
        self.rows = [_row(r, timezone=self.viewer_timezone, now=now) for r in found]
        self.loading = False

    @rx.event
    def retry(self) -> Iterator[Any]:
        self.loading, self.error = True, ""
        yield
        self._fetch(self.tab)
