from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bartr.models.profiles import AvailabilityBitmap, AvailabilityWindow
from bartr.services import availability, profiles
from bartr.services.availability import Window
from bartr.services.errors import ValidationFailed
from tests.factories import make_user
from tests.services.profile_factories import seed, set_windows


@pytest.fixture(autouse=True)
def _categories(db: Session) -> None:
    seed(db)


def _labels(grid: list[availability.GridDay]) -> dict[str, list[str]]:
    return {d.name: [w.label for w in d.windows] for d in grid if d.windows}


# --- validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("windows", "message"),
    [
        ([(0, "12:00", "09:00")], "end must be after the start"),
        ([(0, "09:00", "09:00")], "end must be after the start"),
        (
            [(0, "09:00", "12:00"), (0, "11:00", "13:00")],
            "Monday 09:00–12:00 overlaps Monday 11:00–13:00",
        ),
        ([(2, "08:00", "25:00")], "within the day"),
        ([(7, "08:00", "09:00")], "Monday to Sunday"),
        ([(1, "8am", "9am")], "HH:MM"),
        ([(1, "08:10", "09:00")], "quarter hour"),
        ([(1, "24:00", "24:00")], "cannot start at 24:00"),
    ],
)
def test_bad_windows_are_refused_and_nothing_changes(
    db: Session, windows: list, message: str
) -> None:
    user = make_user(db)
    user_id = user.id
    set_windows(db, user, [(4, "18:00", "20:00")])
    with pytest.raises(ValidationFailed) as err:
        availability.do_set_availability(db, actor=user, windows=windows)
    db.rollback()
    assert message in err.value.message and err.value.field == "windows"
    with Session(db.get_bind()) as other:
        rows = other.exec(
            select(AvailabilityWindow).where(AvailabilityWindow.user_id == user_id)
        ).all()
        assert [(r.weekday, r.start_minute, r.end_minute) for r in rows] == [(4, 1080, 1200)]


def test_set_replaces_the_whole_week(db: Session) -> None:
    user = make_user(db, timezone="Europe/Berlin")
    set_windows(db, user, [(0, "09:00", "12:00"), (0, "12:00", "13:00"), (6, "20:00", "24:00")])
    set_windows(db, user, [(2, "07:30", "08:45")])
    windows, tz = availability.windows_for(db, user.id)
    assert windows == [Window(2, 450, 525)] and tz == "Europe/Berlin"
    set_windows(db, user, [])
    assert availability.windows_for(db, user.id) == ([], None)


# --- DST -------------------------------------------------------------------------


def test_berlin_window_seen_from_new_york_across_march_2027(db: Session) -> None:
    owner = make_user(db, timezone="Europe/Berlin")
    set_windows(db, owner, [(0, "09:00", "12:00")])
    weeks = {
        date(2027, 3, 8): "03:00–06:00",  # both on standard time: 6 hours apart
        date(2027, 3, 15): "04:00–07:00",  # US on summer time since Mar 14, EU not yet
        date(2027, 3, 29): "03:00–06:00",  # EU on summer time since Mar 28
    }
    for monday, label in weeks.items():
        assert monday.weekday() == 0
        grid = availability.weekly_grid_for_viewer(
            db, user_id=owner.id, viewer_tz="America/New_York", week_start=monday
        )
        assert _labels(grid) == {"Monday": [label]}, monday
    utc = availability.availability_in_zone(
        db, user_id=owner.id, viewer_tz="America/New_York", week_start=date(2027, 3, 15)
    )
    assert utc == [(datetime(2027, 3, 15, 8, tzinfo=UTC), datetime(2027, 3, 15, 11, tzinfo=UTC))]
    assert all(s.tzinfo is not None for s, _ in utc)


def test_kolkata_window_seen_from_los_angeles(db: Session) -> None:
    owner = make_user(db, timezone="Asia/Kolkata")
    set_windows(db, owner, [(0, "09:00", "12:00"), (2, "11:00", "15:00")])
    winter = availability.weekly_grid_for_viewer(
        db, user_id=owner.id, viewer_tz="America/Los_Angeles", week_start=date(2027, 1, 4)
    )
    # Kolkata Monday 09:00 is Sunday 19:30 in LA (UTC+5:30 vs UTC-8); Wednesday
    # 11:00-15:00 crosses LA midnight and is split over two days.
    assert _labels(winter) == {
        "Tuesday": ["21:30–24:00"],
        "Wednesday": ["00:00–01:30"],
        "Sunday": ["19:30–22:30"],
    }
    summer = availability.weekly_grid_for_viewer(
        db, user_id=owner.id, viewer_tz="America/Los_Angeles", week_start=date(2027, 7, 5)
    )
    assert _labels(summer) == {
        "Tuesday": ["22:30–24:00"],
        "Wednesday": ["00:00–02:30"],
        "Sunday": ["20:30–23:30"],
    }


def test_is_available_follows_the_owners_clock(db: Session) -> None:
    owner = make_user(db, timezone="Europe/Berlin")
    set_windows(db, owner, [(0, "09:00", "12:00")])

    def check(y: int, m: int, d: int, hh: int, mm: int, minutes: int) -> bool:
        start = datetime(y, m, d, hh, mm, tzinfo=UTC)
        return availability.is_available(
            db, user_id=owner.id, start=start, end=start + timedelta(minutes=minutes)
        )

    assert check(2027, 3, 15, 8, 0, 60)  # 09:00 CET
    assert not check(2027, 3, 15, 7, 0, 60)  # 08:00 CET
    assert check(2027, 3, 15, 10, 0, 60)  # 11:00-12:00 CET
    assert not check(2027, 3, 15, 10, 30, 60)  # runs past 12:00
    assert check(2027, 3, 29, 7, 0, 60)  # 09:00 CEST
    assert not check(2027, 3, 29, 10, 0, 60)  # 12:00 CEST
    assert not check(2027, 3, 16, 8, 0, 60)  # Tuesday
    with pytest.raises(ValueError):
        availability.is_available(
            db,
            user_id=owner.id,
            start=datetime(2027, 3, 15, 8),  # noqa: DTZ001  (naive on purpose)
            end=datetime(2027, 3, 15, 9),  # noqa: DTZ001
        )


def test_touching_windows_let_a_session_run_past_midnight(db: Session) -> None:
    owner = make_user(db, timezone="Europe/Berlin")
    set_windows(db, owner, [(0, "20:00", "24:00"), (1, "00:00", "01:00"), (1, "02:00", "03:00")])

    def check(hh: int, mm: int, minutes: int, day: int = 15) -> bool:
        start = datetime(2027, 3, day, hh, mm, tzinfo=UTC)  # CET = UTC+1
        return availability.is_available(
            db, user_id=owner.id, start=start, end=start + timedelta(minutes=minutes)
        )

    assert check(22, 30, 90)  # Mon 23:30 - Tue 01:00
    assert not check(22, 30, 120)  # runs into the gap 01:00-02:00
    assert not check(23, 30, 120, day=15)  # Tue 00:30 - 02:30 crosses the gap
    assert check(1, 0, 60, day=16)  # Tue 02:00 - 03:00


def test_next_free_slots_are_aligned_and_skip_the_spring_gap(db: Session) -> None:
    owner = make_user(db, timezone="Europe/Berlin")
    set_windows(db, owner, [(6, "01:00", "04:00"), (0, "09:15", "11:00")])
    after = datetime(2027, 3, 27, 12, tzinfo=UTC)
    slots = availability.next_free_slots(
        db, user_id=owner.id, after=after, duration_minutes=30, limit=20
    )
    sunday = [s for s in slots if s.date() in (date(2027, 3, 27), date(2027, 3, 28))]
    # Berlin skips 02:00-03:00 on 28 March 2027: 01:00, 01:30 CET, then 03:00, 03:30 CEST.
    assert sunday == [
        datetime(2027, 3, 28, 0, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
        datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
    ]
    monday = [s for s in slots if s.date() == date(2027, 3, 29)]
    # 09:15 rounds up to 09:30 local (07:30 UTC); the last 30-minute start is 10:30.
    assert monday == [
        datetime(2027, 3, 29, 7, 30, tzinfo=UTC),
        datetime(2027, 3, 29, 8, 0, tzinfo=UTC),
        datetime(2027, 3, 29, 8, 30, tzinfo=UTC),
    ]
    two_hours = availability.next_free_slots(
        db, user_id=owner.id, after=after, duration_minutes=120, limit=3
    )
    # 01:00 CET + 2h ends 04:00 CEST: the window is only two real hours long that night.
    assert two_hours[0] == datetime(2027, 3, 28, 0, 0, tzinfo=UTC)
    assert all(s.tzinfo is UTC for s in two_hours)
    assert availability.next_free_slots(db, user_id=owner.id, after=after, limit=0) == []


def test_bitmap_marks_whole_utc_half_hours(db: Session) -> None:
    week = date(2027, 1, 4)
    bits = availability.weekly_bitmap([Window(0, 9 * 60, 10 * 60 + 15)], "Asia/Kolkata", week)
    # 09:00-10:15 IST = 03:30-04:45 UTC: only 03:30-04:00 and 04:00-04:30 are whole slots.
    assert bits == (1 << 7) | (1 << 8)
    words = availability.bitmap_words((1 << 335) | (1 << 63) | 1)
    assert words[0] < 0 and availability.words_bitmap(words) == (1 << 335) | (1 << 63) | 1


def test_bitmap_stored_and_follows_timezone_change(db: Session) -> None:
    user = make_user(db, timezone="UTC")
    set_windows(db, user, [(0, "00:00", "01:00")])
    row = db.get(AvailabilityBitmap, user.id)
    assert row is not None and row.w0 == 0b11
    profiles.do_update_profile(
        db,
        actor=user,
        display_name=user.display_name,
        bio="",
        languages=["English"],
        timezone="Asia/Tokyo",
    )
    db.commit()
    windows, tz = availability.windows_for(db, user.id)
    assert tz == "Asia/Tokyo" and windows == [Window(0, 0, 60)]
    db.refresh(row)
    # Monday 00:00 Tokyo = Sunday 15:00 UTC: slots 6*48+30 and +31.
    assert availability.words_bitmap([row.w0, row.w1, row.w2, row.w3, row.w4, row.w5]) == (
        0b11 << (6 * 48 + 30)
    )
    assert availability.refresh_bitmaps(db, now=datetime(2030, 1, 7, tzinfo=UTC)) == 1
