"""Weekly availability: stored in the owner's wall-clock time, shown in the viewer's.

A window is (weekday, start, end) in the owner's IANA zone, e.g. Monday 09:00-12:00 in
Europe/Berlin. Concrete instants are only ever made for a concrete local date with
zoneinfo, so the window stays at 09:00 Berlin time through DST changes and moves in UTC
(and in every other zone) exactly when Berlin's clocks do.

Local times that do not exist (the hour skipped in spring) resolve to the instant just
after the gap; a window or slot that collapses to nothing is dropped. Ambiguous times (the
hour repeated in autumn) use the first occurrence.

For fast "free at the same time" tests every member also has a weekly bitmap of 30-minute
UTC slots (bit i = Monday 00:00 UTC + 30*i minutes) for the current week, stored in
`availability_bitmaps`; a slot is set only when a window covers it entirely.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.models.profiles import AvailabilityBitmap, AvailabilityWindow
from bartr.models.sessions import SessionState, SkillSession
from bartr.services.errors import NotFound, ValidationFailed
from bartr.services.validation import clean_timezone

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
GRANULARITY = 15
MAX_WINDOWS = 42
SLOT_MINUTES = 30
SLOTS_PER_WEEK = 7 * 24 * 60 // SLOT_MINUTES  # 336
WORDS = (SLOTS_PER_WEEK + 63) // 64  # 6 signed 64-bit words
_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True, order=True)
class Window:
    """A weekly window in its owner's zone: minutes from local midnight, end exclusive."""

    weekday: int
    start_minute: int
    end_minute: int

    @property
    def label(self) -> str:
        return (
            f"{WEEKDAYS[self.weekday]} {format_minute(self.start_minute)}"
            f"–{format_minute(self.end_minute)}"
        )


@dataclass(frozen=True)
class GridWindow:
    start_minute: int
    end_minute: int
    label: str  # "09:00–12:00" in the viewer's zone


@dataclass(frozen=True)
class GridDay:
    day: date
    weekday: int
    name: str  # "Monday"
    windows: list[GridWindow]


# --- parsing and validation ------------------------------------------------------------


def format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_hhmm(value: str | int, *, what: str) -> int:
    if isinstance(value, int):
        minute = value
    else:
        m = _HHMM.match(value or "")
        if not m or int(m.group(2)) >= 60:
            raise ValidationFailed(f"Write the {what} time as HH:MM, like 09:30.", field="windows")
        minute = int(m.group(1)) * 60 + int(m.group(2))
    if not 0 <= minute <= 24 * 60:
        raise ValidationFailed(
            f"The {what} time must be within the day (00:00 to 24:00).", field="windows"
        )
    if minute % GRANULARITY:
        raise ValidationFailed(
            f"Use times on the quarter hour (:00, :15, :30, :45) for the {what} time.",
            field="windows",
        )
    return minute


def clean_windows(raw: Iterable[tuple[int, str | int, str | int]]) -> list[Window]:
    """Validate (weekday, "HH:MM", "HH:MM") triples; sorted, or ValidationFailed."""
    windows: list[Window] = []
    for item in raw:
        try:
            weekday, start_text, end_text = item
            weekday = int(weekday)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(
                "Each window needs a day, a start and an end.", field="windows"
            ) from exc
        if not 0 <= weekday <= 6:
            raise ValidationFailed("Pick a day from Monday to Sunday.", field="windows")
        start = parse_hhmm(start_text, what="start")
        end = parse_hhmm(end_text, what="end")
        if start >= 24 * 60:
            raise ValidationFailed("A window cannot start at 24:00.", field="windows")
        if end <= start:
            raise ValidationFailed(
                f"{WEEKDAYS[weekday]} {format_minute(start)}–{format_minute(end)}: the end must "
                "be after the start. For a window past midnight, add two windows "
                "(until 24:00 and from 00:00 the next day).",
                field="windows",
            )
        windows.append(Window(weekday, start, end))
    if len(windows) > MAX_WINDOWS:
        raise ValidationFailed(f"Add at most {MAX_WINDOWS} windows.", field="windows")
    windows.sort()
    for a, b in itertools.pairwise(windows):
        if a.weekday == b.weekday and b.start_minute < a.end_minute:
            raise ValidationFailed(f"{a.label} overlaps {b.label}.", field="windows")
    return windows


# --- pure time arithmetic --------------------------------------------------------------


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def local_instant(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of `minute` past local midnight on `day` in `tz` (1440 = next midnight)."""
    wall = datetime.combine(day, time(), tzinfo=tz) + timedelta(minutes=minute)  # wall-clock add
    return wall.astimezone(UTC)


def _exists_locally(instant: datetime, day: date, minute: int, tz: ZoneInfo) -> bool:
    wall = datetime.combine(day, time(), tzinfo=tz) + timedelta(minutes=minute)
    back = instant.astimezone(tz)
    return (back.date(), back.time()) == (wall.date(), wall.time())


def concrete_intervals(
    windows: Sequence[Window], tz_name: str, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Every window occurrence between two instants, clipped, as sorted UTC pairs."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    if not windows:
        return []
    tz = ZoneInfo(tz_name)
    by_day: dict[int, list[Window]] = {}
    for w in windows:
        by_day.setdefault(w.weekday, []).append(w)
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    result: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        for w in by_day.get(day.weekday(), ()):
            s = local_instant(day, w.start_minute, tz)
            e = local_instant(day, w.end_minute, tz)
            s, e = max(s, start), min(e, end)
            if s < e:
                result.append((s.astimezone(UTC), e.astimezone(UTC)))
        day += timedelta(days=1)
    result.sort()
    return result


def utc_week_of(moment: datetime) -> date:
    """The Monday (UTC) of the week containing `moment`."""
    d = moment.astimezone(UTC).date()
    return d - timedelta(days=d.weekday())


def weekly_bitmap(windows: Sequence[Window], tz_name: str, week_of: date) -> int:
    """336-bit mask of the 30-minute UTC slots wholly inside a window in that UTC week."""
    week_start = datetime.combine(week_of, time(), UTC)
    bits = 0
    slot = timedelta(minutes=SLOT_MINUTES)
    for s, e in concrete_intervals(windows, tz_name, week_start, week_start + timedelta(days=7)):
        first = -((week_start - s) // slot)  # ceil
        last = (e - week_start) // slot  # floor, exclusive
        if last > first:
            bits |= ((1 << (last - first)) - 1) << first
    return bits


def bitmap_words(bits: int) -> list[int]:
    """Split into six signed 64-bit integers (what SQL BIGINT can hold)."""
    words = []
    for i in range(WORDS):
        w = (bits >> (64 * i)) & 0xFFFFFFFFFFFFFFFF
        words.append(w - (1 << 64) if w >= 1 << 63 else w)
    return words


def words_bitmap(words: Sequence[int | None]) -> int:
    bits = 0
    for i, w in enumerate(words):
        bits |= ((w or 0) & 0xFFFFFFFFFFFFFFFF) << (64 * i)
    return bits


def free_slots_from_windows(
    windows: Sequence[Window],
    tz_name: str,
    *,
    after: datetime,
    duration_minutes: int,
    limit: int,
    horizon_days: int = 14,
) -> list[datetime]:
    """Start times (UTC) on the owner's local :00/:30 where a whole session fits a window."""
    _require_aware(after, "after")
    if not windows or limit <= 0 or duration_minutes <= 0:
        return []
    tz = ZoneInfo(tz_name)
    by_day: dict[int, list[Window]] = {}
    for w in sorted(windows):
        by_day.setdefault(w.weekday, []).append(w)
    duration = timedelta(minutes=duration_minutes)
    day = after.astimezone(tz).date()
    result: list[datetime] = []
    for _ in range(horizon_days + 1):
        for w in by_day.get(day.weekday(), ()):
            window_end = local_instant(day, w.end_minute, tz)
            if window_end <= after:
                continue
            minute = -(-w.start_minute // SLOT_MINUTES) * SLOT_MINUTES
            while minute + duration_minutes <= w.end_minute:
                start = local_instant(day, minute, tz)
                if (
                    start >= after
                    and start + duration <= window_end
                    and _exists_locally(start, day, minute, tz)
                ):
                    result.append(start)
                    if len(result) >= limit:
                        return result
                minute += SLOT_MINUTES
        day += timedelta(days=1)
    return result


# How far ahead of now a session can start: nobody should be booked for "in 5 minutes".
BOOKING_LEAD = timedelta(hours=1)


def earliest_bookable(now: datetime) -> datetime:
    """The first instant a new request may propose (now + the booking lead)."""
    return now + BOOKING_LEAD


def free_of(
    starts: Sequence[datetime], *, duration_minutes: int, busy: Sequence[tuple[datetime, datetime]]
) -> list[datetime]:
    """The starts whose whole session misses every busy interval."""
    length = timedelta(minutes=duration_minutes)
    return [t for t in starts if not any(b0 < t + length and b1 > t for b0, b1 in busy)]


def first_free_start(
    windows: Sequence[Window],
    tz_name: str,
    *,
    now: datetime,
    duration_minutes: int,
    busy: Sequence[tuple[datetime, datetime]] = (),
    horizon_days: int = 14,
) -> datetime | None:
    """The first start a request page would offer: inside the windows, after the booking
    lead, clear of scheduled sessions. Cards ("Next free") and the request page both use
    it, so a card never shows a time the page does not offer."""
    per_busy = duration_minutes // SLOT_MINUTES + 2  # starts one session can block
    starts = free_slots_from_windows(
        windows,
        tz_name,
        after=earliest_bookable(now),
        duration_minutes=duration_minutes,
        limit=1 + per_busy * len(busy),
        horizon_days=horizon_days,
    )
    free = free_of(starts, duration_minutes=duration_minutes, busy=busy)
    return free[0] if free else None


# --- database ------------------------------------------------------------------------


def busy_by_member(
    db: Session, user_ids: Sequence[int], *, start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Each member's scheduled sessions (as teacher or learner) overlapping [start, end):
    one query for a whole page of cards."""
    result: dict[int, list[tuple[datetime, datetime]]] = {uid: [] for uid in user_ids}
    if not user_ids:
        return result
    rows = db.exec(
        select(SkillSession).where(
            col(SkillSession.state) == SessionState.SCHEDULED,
            or_(
                col(SkillSession.teacher_id).in_(user_ids),
                col(SkillSession.learner_id).in_(user_ids),
            ),
            col(SkillSession.starts_at) < end,
            col(SkillSession.ends_at) > start,
        )
    ).all()
    for row in rows:
        if row.starts_at is None or row.ends_at is None:
            continue
        for uid in {row.teacher_id, row.learner_id} & set(result):
            result[uid].append((row.starts_at, row.ends_at))
    return result


def windows_for(db: Session, user_id: int) -> tuple[list[Window], str | None]:
    """The member's windows and the zone they are written in (None: no windows)."""
    rows = db.exec(select(AvailabilityWindow).where(AvailabilityWindow.user_id == user_id)).all()
    windows = sorted(Window(r.weekday, r.start_minute, r.end_minute) for r in rows)
    return windows, (rows[0].timezone if rows else None)


def windows_for_many(db: Session, user_ids: Iterable[int]) -> dict[int, tuple[list[Window], str]]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    result: dict[int, tuple[list[Window], str]] = {}
    rows = db.exec(select(AvailabilityWindow).where(col(AvailabilityWindow.user_id).in_(ids))).all()
    for r in rows:
        entry = result.setdefault(r.user_id, ([], r.timezone))
        entry[0].append(Window(r.weekday, r.start_minute, r.end_minute))
    for windows, _tz in result.values():
        windows.sort()
    return result


def _store_bitmap(
    db: Session, user_id: int, windows: Sequence[Window], tz_name: str, now: datetime
) -> None:
    week = utc_week_of(now)
    words = bitmap_words(weekly_bitmap(windows, tz_name, week))
    row = db.get(AvailabilityBitmap, user_id)
    if row is None:
        row = AvailabilityBitmap(user_id=user_id, week_of=week)
    row.week_of = week
    row.w0, row.w1, row.w2, row.w3, row.w4, row.w5 = words
    db.add(row)


def bitmap_for(db: Session, user_id: int, *, now: datetime | None = None) -> int:
    """The member's bitmap for the current week (computed fresh from their windows)."""
    windows, tz_name = windows_for(db, user_id)
    if not windows or tz_name is None:
        return 0
    return weekly_bitmap(windows, tz_name, utc_week_of(now or utcnow()))


def do_set_availability(
    db: Session,
    *,
    actor: User,
    windows: Sequence[tuple[int, str | int, str | int]],
    now: datetime | None = None,
) -> list[Window]:
    """Replace the actor's weekly windows (all or nothing), in the actor's own zone."""
    clean = clean_windows(windows)
    tz_name = clean_timezone(actor.timezone)
    db.exec(delete(AvailabilityWindow).where(col(AvailabilityWindow.user_id) == actor.id))
    for w in clean:
        db.add(
            AvailabilityWindow(
                user_id=actor.id or 0,
                weekday=w.weekday,
                start_minute=w.start_minute,
                end_minute=w.end_minute,
                timezone=tz_name,
            )
        )
    _store_bitmap(db, actor.id or 0, clean, tz_name, now or utcnow())
    db.flush()
    return clean


def follow_timezone_change(
    db: Session, *, user_id: int, timezone: str, now: datetime | None = None
) -> None:
    """The member moved: their windows keep their wall-clock times in the new zone."""
    rows = db.exec(select(AvailabilityWindow).where(AvailabilityWindow.user_id == user_id)).all()
    for r in rows:
        r.timezone = timezone
        db.add(r)
    windows = [Window(r.weekday, r.start_minute, r.end_minute) for r in rows]
    _store_bitmap(db, user_id, windows, timezone, now or utcnow())
    db.flush()


def refresh_bitmaps(db: Session, *, now: datetime | None = None, batch: int = 2000) -> int:
    """Recompute stale bitmaps for the current week (run weekly, e.g. Monday 00:05 UTC)."""
    now = now or utcnow()
    week = utc_week_of(now)
    stale = list(
        db.exec(select(AvailabilityBitmap.user_id).where(AvailabilityBitmap.week_of != week)).all()
    )
    for i in range(0, len(stale), batch):
        chunk = stale[i : i + batch]
        for user_id, (windows, tz_name) in windows_for_many(db, chunk).items():
            _store_bitmap(db, user_id, windows, tz_name, now)
        db.flush()
    return len(stale)


def _viewer_week(viewer_tz: str, week_start: date) -> tuple[datetime, datetime, ZoneInfo]:
    tz = ZoneInfo(viewer_tz)
    start = local_instant(week_start, 0, tz)
    end = local_instant(week_start + timedelta(days=7), 0, tz)
    return start, end, tz


def availability_in_zone(
    db: Session, *, user_id: int, viewer_tz: str, week_start: date
) -> list[tuple[datetime, datetime]]:
    """The owner's windows during the viewer's local week starting `week_start`, as UTC pairs."""
    windows, tz_name = windows_for(db, user_id)
    if tz_name is None:
        return []
    start, end, _tz = _viewer_week(clean_timezone(viewer_tz), week_start)
    return concrete_intervals(windows, tz_name, start, end)


def grid_from_intervals(
    intervals: Sequence[tuple[datetime, datetime]], viewer_tz: str, week_start: date
) -> list[GridDay]:
    tz = ZoneInfo(viewer_tz)
    days = [week_start + timedelta(days=i) for i in range(7)]
    per_day: dict[date, list[GridWindow]] = {d: [] for d in days}
    for s, e in intervals:
        local_s, local_e = s.astimezone(tz), e.astimezone(tz)
        day = local_s.date()
        while day in per_day and local_instant(day, 0, tz) < e:
            day_end = local_instant(day + timedelta(days=1), 0, tz)
            seg_s = max(s, local_instant(day, 0, tz))
            seg_e = min(e, day_end)
            if seg_s < seg_e:
                ls = seg_s.astimezone(tz)
                start_min = ls.hour * 60 + ls.minute
                end_min = (
                    1440
                    if seg_e == day_end
                    else (seg_e.astimezone(tz).hour * 60 + seg_e.astimezone(tz).minute)
                )
                per_day[day].append(
                    GridWindow(
                        start_minute=start_min,
                        end_minute=end_min,
                        label=f"{format_minute(start_min)}–{format_minute(end_min)}",
                    )
                )
            day += timedelta(days=1)
        del local_e
    return [
        GridDay(
            day=d,
            weekday=d.weekday(),
            name=WEEKDAYS[d.weekday()],
            windows=sorted(per_day[d], key=lambda g: g.start_minute),
        )
        for d in days
    ]


def weekly_grid_for_viewer(
    db: Session, *, user_id: int, viewer_tz: str, week_start: date | None = None
) -> list[GridDay]:
    """Seven days (Monday first, in the viewer's zone) with the owner's windows on each."""
    viewer_tz = clean_timezone(viewer_tz)
    if week_start is None:
        today = utcnow().astimezone(ZoneInfo(viewer_tz)).date()
        week_start = today - timedelta(days=today.weekday())
    intervals = availability_in_zone(
        db, user_id=user_id, viewer_tz=viewer_tz, week_start=week_start
    )
    return grid_from_intervals(intervals, viewer_tz, week_start)


def is_available(db: Session, *, user_id: int, start: datetime, end: datetime) -> bool:
    """True when [start, end) is covered by the owner's windows.

    Windows that touch (Mon 20:00-24:00 and Tue 00:00-02:00) count as one stretch, so a
    late session may run past local midnight.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        return False
    windows, tz_name = windows_for(db, user_id)
    if tz_name is None:
        return False
    covered = start
    for s, e in concrete_intervals(windows, tz_name, start, end):
        if s > covered:
            return False
        covered = max(covered, e)
        if covered >= end:
            return True
    return False


def next_free_slots(
    db: Session,
    *,
    user_id: int,
    after: datetime,
    duration_minutes: int = 60,
    limit: int = 5,
    horizon_days: int = 14,
) -> list[datetime]:
    """Upcoming session starts (UTC, aligned to the owner's :00/:30) inside their windows.

    Booked sessions are not subtracted here; the sessions service filters those.
    """
    if db.get(User, user_id) is None:
        raise NotFound("No such member.")
    windows, tz_name = windows_for(db, user_id)
    if tz_name is None:
        return []
    return free_slots_from_windows(
        windows,
        tz_name,
        after=after,
        duration_minutes=duration_minutes,
        limit=limit,
        horizon_days=horizon_days,
    )
