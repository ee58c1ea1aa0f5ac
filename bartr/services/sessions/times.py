"""Clock and time-naming helpers shared by the session modules.

Every instant inside is aware UTC; a person's zone is applied only when a time is named
for them (`format_time`). An unknown stored zone falls back to UTC instead of breaking a page.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bartr.models.base import utcnow


def now_utc(now: datetime | None) -> datetime:
    """`now` as aware UTC (the current time when None); naive datetimes are a bug."""
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):  # an unknown stored zone must not break a page
        return ZoneInfo("UTC")


def format_time(when: datetime, timezone: str | None) -> str:
    """'Mon 9 Mar 2026, 09:00 (America/Los_Angeles)': how a time is named in messages."""
    local = when.astimezone(zone(timezone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({timezone or 'UTC'})"


def hours_phrase(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours >= 48:
        return f"{hours // 24} days"
    if hours >= 1:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{max(0, int(delta.total_seconds() // 60))} minutes"
