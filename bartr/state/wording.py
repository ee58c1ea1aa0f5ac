"""Wording every page shares: times in the viewer's zone (with the zone named), credits.

One copy of each helper, so two pages never word the same thing differently. No page
state lives here; any page state may import it (tests/test_architecture.py).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bartr.models.base import utcnow
from bartr.services.credits import credits_phrase, signed_credits_phrase

__all__ = [
    "clock_label",
    "credits_phrase",
    "date_label",
    "day_label",
    "relative_label",
    "short_day_label",
    "signed_credits_phrase",
    "stamp_label",
    "when_label",
    "zone_note",
    "zone_of",
]


Zone = str | ZoneInfo | None  # a zone name as stored on the member, or one already looked up


def zone_of(name: Zone) -> ZoneInfo:
    """The member's zone; an unknown or empty name (old rows, hostile input) reads as UTC."""
    if isinstance(name, ZoneInfo):
        return name
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def when_label(moment: datetime, timezone: Zone, *, now: datetime | None = None) -> str:
    """'Tue 14 Jan, 14:00' in the viewer's zone (the year only when it is not this year)."""
    zone = zone_of(timezone)
    local = moment.astimezone(zone)
    this_year = (now or utcnow()).astimezone(zone).year
    year = f" {local.year}" if local.year != this_year else ""
    return f"{local:%a} {local.day} {local:%b}{year}, {local:%H:%M}"


def day_label(moment: datetime, timezone: Zone) -> str:
    """'Tue 14 Jan'."""
    local = moment.astimezone(zone_of(timezone))
    return f"{local:%a} {local.day} {local:%b}"


def clock_label(moment: datetime, timezone: Zone) -> str:
    """'14:00'."""
    return f"{moment.astimezone(zone_of(timezone)):%H:%M}"


def stamp_label(moment: datetime, timezone: Zone) -> str:
    """'14 Jan 2030, 14:00': a row of a log or a history table."""
    local = moment.astimezone(zone_of(timezone))
    return f"{local.day} {local:%b %Y, %H:%M}"


def date_label(moment: datetime, timezone: Zone) -> str:
    """'14 Jan 2030'."""
    local = moment.astimezone(zone_of(timezone))
    return f"{local.day} {local:%b %Y}"


def short_day_label(moment: datetime, timezone: Zone) -> str:
    """'14 Jan' (a chart axis)."""
    local = moment.astimezone(zone_of(timezone))
    return f"{local.day} {local:%b}"


def zone_note(timezone: str) -> str:
    return f"your time, {timezone or 'UTC'}"


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
