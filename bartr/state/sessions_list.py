"""My sessions (/sessions): four tabs with counts, one row per session, one next action.

Also home of the small time-wording helpers the session pages share: every time is shown
in the viewer's zone, with the zone named.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reflex as rx

from bartr import routes
from bartr.db import read_session
from bartr.models.base import utcnow
from bartr.services import sessions
from bartr.services.credits import MINOR_PER_CREDIT, format_credits
from bartr.services.errors import DomainError
from bartr.services.sessions import SessionRow
from bartr.state.auth import GENERIC_ERROR, AuthState, log

TAB_LABELS: dict[str, str] = {
    "to_answer": "To answer",
    "my_requests": "My requests",
    "upcoming": "Upcoming",
    "history": "History",
}
# With no ?tab= in the URL, open the first tab that has something in it.
_DEFAULT_ORDER = ("to_answer", "upcoming", "my_requests", "history")


# --------------------------------------------------------------------------- time wording


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def when_label(moment: datetime, timezone: str, *, now: datetime | None = None) -> str:
    """'Tue 14 Jan, 14:00' in the viewer's zone (the year only when it is not this year)."""
    zone = zone_of(timezone)
    local = moment.astimezone(zone)
    this_year = (now or utcnow()).astimezone(zone).year
    year = f" {local.year}" if local.year != this_year else ""
    return f"{local:%a} {local.day} {local:%b}{year}, {local:%H:%M}"


def day_label(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(zone_of(timezone))
    return f"{local:%a} {local.day} {local:%b}"


def clock_label(moment: datetime, timezone: str) -> str:
    return f"{moment.astimezone(zone_of(timezone)):%H:%M}"


def zone_note(timezone: str) -> str:
    return f"your time, {timezone or 'UTC'}"


def credits_phrase(minor: int) -> str:
    """'1 credit', '1.5 credits', '0.5 credits'."""
    return f"{format_credits(minor)} credit{'' if minor == MINOR_PER_CREDIT else 's'}"


def relative_label(moment: datetime, now: datetime) -> str:
    """'in 3 days', '2 hours ago', 'now'."""
    seconds = (moment - now).total_seconds()
    future = seconds >= 0
    seconds = abs(seconds)
    if seconds < 60:
        return "now"
    if seconds < 3600:
        amount, unit = int(seconds // 60), "minute"
    elif seconds < 48 * 3600:
        amount, unit = int(seconds // 3600), "hour"
    elif seconds < 14 * 86400:
        amount, unit = int(seconds // 86400), "day"
    else:
        amount, unit = int(seconds // (7 * 86400)), "week"
    phrase = f"{amount} {unit}{'s' if amount != 1 else ''}"
    return f"in {phrase}" if future else f"{phrase} ago"


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
