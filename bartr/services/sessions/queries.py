"""What the periodic job must do now: ids of sessions whose system transition is due.

One query per system action, all from `due_ids`: the open requests past their expiry, the
scheduled sessions past the auto-completion window, the no-show reports past their dispute
window. The `do_*` functions re-check each row under its lock, so a stale id is harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bartr.models.sessions import OPEN_STATES, SessionState, SkillSession
from bartr.services.sessions import policy


def _ids(values: Iterable[int | None]) -> list[int]:
    return [int(v) for v in values if v is not None]


def _due_condition(action: str, now: datetime) -> tuple[list[Any], Any]:
    """(where clauses, order column) selecting the sessions `action` is due for at `now`."""
    scheduled = col(SkillSession.state) == SessionState.SCHEDULED
    if action == "expire":
        open_states = col(SkillSession.state).in_([s.value for s in OPEN_STATES])
        return [open_states, col(SkillSession.expires_at) <= now], col(SkillSession.expires_at)
    if action == "auto_complete":
        cutoff = now - timedelta(hours=policy.POLICY.auto_complete_hours)
        return (
            [
                scheduled,
                col(SkillSession.no_show_reported_by).is_(None),
                col(SkillSession.ends_at) <= cutoff,
            ],
            col(SkillSession.ends_at),
        )
    if action == "finalize_no_show":
        cutoff = now - timedelta(hours=policy.POLICY.no_show_dispute_hours)
        reported_at = col(SkillSession.no_show_reported_at)
        return [scheduled, reported_at <= cutoff], reported_at
    raise ValueError(f"{action!r} is not a system transition")


def due_ids(db: Session, *, action: str, now: datetime, limit: int = 500) -> list[int]:
    """Sessions the system `action` ("expire", "auto_complete", "finalize_no_show") is due
    for at `now`, the longest overdue first."""
    where, order = _due_condition(action, now)
    return _ids(db.exec(select(col(SkillSession.id)).where(*where).order_by(order).limit(limit)))


def starting_soon(db: Session, *, now: datetime, within: timedelta) -> list[int]:
    """Scheduled sessions starting within `within` whose reminder has not run yet."""
    return _ids(
        db.exec(
            select(col(SkillSession.id)).where(
                col(SkillSession.state) == SessionState.SCHEDULED,
                col(SkillSession.reminded_at).is_(None),
                col(SkillSession.starts_at) > now,
                col(SkillSession.starts_at) <= now + within,
            )
        ).all()
    )
