"""Periodic work on sessions: expire unanswered requests, close sessions that are due,
and announce sessions starting within the hour (`domain_events.SessionStartingSoon`,
emitted in the reminder's transaction; subscribers react in or after it).

`run_due_transitions` finds what is due, then handles each session in its own
transaction: the session row is locked and its state re-checked (the `do_*` functions
do that), and every credit movement carries the session's ledger key. Two workers
running at once therefore never move credits twice: the second one finds the state
already changed and counts the session as skipped.

Services never open transactions: the app's periodic loop (`bartr/background.py`) passes
`bartr.db.unit_of_work` as the factory; tests pass an open Session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta

from sqlmodel import Session

from bartr.models.base import utcnow
from bartr.models.sessions import SessionState
from bartr.services import domain_events, sessions
from bartr.services.errors import InvalidTransition, NotFound

log = logging.getLogger(__name__)

REMINDER_WINDOW = timedelta(hours=1)


DbFactory = Callable[[], AbstractContextManager[Session]]


def _as_factory(db_or_factory: Session | DbFactory) -> DbFactory:
    """A Session given directly runs every item in a SAVEPOINT of the caller's transaction."""
    if not isinstance(db_or_factory, Session):
        return db_or_factory
    db = db_or_factory

    @contextmanager
    def nested() -> Iterator[Session]:
        with db.begin_nested():
            yield db

    return nested


def _run_each(
    factory: DbFactory,
    ids: list[int],
    action: Callable[[Session, int], object],
    counts: dict[str, int],
    name: str,
) -> None:
    for session_id in ids:
        try:
            with factory() as db:
                action(db, session_id)
        except (InvalidTransition, NotFound):
            counts["skipped"] += 1  # another worker (or a person) got there first
        except Exception:
            log.exception("session job: %s of session %s failed", name, session_id)
            counts["failed"] += 1
        else:
            counts[name] += 1


def _remind(db: Session, session_id: int, now: datetime) -> bool:
    session = sessions.lock_session(db, session_id)
    if (
        session.state != SessionState.SCHEDULED
        or session.reminded_at is not None
        or session.starts_at is None
        or not now < session.starts_at <= now + REMINDER_WINDOW
    ):
        return False
    session.reminded_at = now
    db.add(session)
    db.flush()
    domain_events.emit(
        db,
        domain_events.SessionStartingSoon(
            session_id=session.id or 0,
            teacher_id=session.teacher_id,
            learner_id=session.learner_id,
            skill_title=session.skill_title,
            starts_at=session.starts_at,
        ),
    )
    return True


def run_due_transitions(
    db: Session | DbFactory, *, now: datetime | None = None, limit: int = 500
) -> dict[str, int]:
    """Do every transition that is due at `now`; returns counts by kind.

    `db` is either a factory of units of work (`bartr.db.unit_of_work`: one transaction per
    session, the production way) or an open Session (each session in a SAVEPOINT; the
    caller commits).
    """
    now = now or utcnow()
    factory = _as_factory(db)
    counts = {
        "expired": 0,
        "completed": 0,
        "no_shows": 0,
        "reminded": 0,
        "skipped": 0,
        "failed": 0,
    }
    with factory() as read:
        expiring = sessions.due_ids(read, action="expire", now=now, limit=limit)
        completing = sessions.due_ids(read, action="auto_complete", now=now, limit=limit)
        no_shows = sessions.due_ids(read, action="finalize_no_show", now=now, limit=limit)
        soon = sessions.starting_soon(read, now=now, within=REMINDER_WINDOW)

    _run_each(
        factory,
        expiring,
        lambda s, sid: sessions.do_expire(s, session_id=sid, now=now),
        counts,
        "expired",
    )
    _run_each(
        factory,
        completing,
        lambda s, sid: sessions.do_auto_complete(s, session_id=sid, now=now),
        counts,
        "completed",
    )
    _run_each(
        factory,
        no_shows,
        lambda s, sid: sessions.do_finalize_no_show(s, session_id=sid, now=now),
        counts,
        "no_shows",
    )

    for session_id in soon:
        try:
            with factory() as db_:
                reminded = _remind(db_, session_id, now)
        except Exception:
            log.exception("session job: reminder for session %s failed", session_id)
            counts["failed"] += 1
            continue
        counts["reminded" if reminded else "skipped"] += 1
    return counts
