"""When a session's call is open, and how long each side must attend: settings as data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bartr.models.sessions import SkillSession
from bartr.settings import get_settings


@dataclass(frozen=True)
class CallRules:
    open_before: timedelta = timedelta(minutes=10)
    close_after: timedelta = timedelta(minutes=30)
    min_attendance_percent: int = 50

    @classmethod
    def from_settings(cls) -> CallRules:
        s = get_settings()
        return cls(
            open_before=timedelta(minutes=s.video_open_before_minutes),
            close_after=timedelta(minutes=s.video_close_after_minutes),
            min_attendance_percent=s.video_min_attendance_percent,
        )

    def required_seconds(self, session: SkillSession) -> int:
        """Seconds in the call each side needs for the session to complete by itself."""
        return session.duration_minutes * 60 * self.min_attendance_percent // 100


@dataclass(frozen=True)
class CallWindow:
    opens_at: datetime
    closes_at: datetime

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


def call_window(session: SkillSession, rules: CallRules) -> CallWindow | None:
    """The join window of a session with an agreed time (None while no time is agreed)."""
    if session.starts_at is None or session.ends_at is None:
        return None
    return CallWindow(
        opens_at=session.starts_at - rules.open_before,
        closes_at=session.ends_at + rules.close_after,
    )
