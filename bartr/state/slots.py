"""The slot picker's data: a teacher's free start times grouped by day in the viewer's zone.

Shared by the request page and the reschedule dialog on the session page; no page state
lives here, so any page state may import it (tests/test_architecture.py).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from sqlmodel import Session

from bartr.services import availability, sessions
from bartr.state.wording import clock_label, day_label, when_label, zone_of

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
