"""Reading and writing session rows: locks, proposals, the event timeline, the escrow.

Every transition goes through `record` (one `session_events` row, the new state, the
`SessionChanged` domain event) and, when its row in `rules.TRANSITIONS` empties the escrow,
through `close_escrow` with the session's idempotency keys (`session:{id}:release|settle`),
so two tabs firing the same transition move credits once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from bartr.models.accounts import User
from bartr.models.sessions import SessionEvent, SessionProposal, SessionState, SkillSession
from bartr.services import domain_events, ledger
from bartr.services.errors import NotFound
from bartr.services.sessions import policy


def lock_session(db: Session, session_id: int) -> SkillSession:
    """Load the session row under a row lock (PostgreSQL) and with fresh values.

    On SQLite the unit of work's BEGIN IMMEDIATE already serialises writers; re-reading with
    populate_existing means a transition that waited for another sees its result.
    """
    row = db.exec(
        select(SkillSession)
        .where(SkillSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound("This session does not exist.")
    return row


def lock_users(db: Session, user_ids: Iterable[int]) -> None:
    """Serialise bookings that touch the same people (overlap checks), in id order."""
    ids = sorted(set(user_ids))
    db.exec(select(User.id).where(col(User.id).in_(ids)).order_by(col(User.id)).with_for_update())


def get_session(db: Session, session_id: int) -> SkillSession:
    row = db.get(SkillSession, session_id)
    if row is None:
        raise NotFound("This session does not exist.")
    return row


def get_user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such member.")
    return user


def open_times(db: Session, session: SkillSession) -> list[datetime]:
    """The start times of the current round, earliest first."""
    return list(
        db.exec(
            select(SessionProposal.starts_at)
            .where(
                SessionProposal.session_id == session.id,
                SessionProposal.round == session.proposal_round,
            )
            .order_by(col(SessionProposal.starts_at))
        ).all()
    )


def add_proposals(
    db: Session, session: SkillSession, *, by: User, times: Sequence[datetime], now: datetime
) -> None:
    for start in times:
        db.add(
            SessionProposal(
                session_id=session.id or 0,
                round=session.proposal_round,
                proposed_by_id=by.id or 0,
                starts_at=start,
                created_at=now,
            )
        )


def record(
    db: Session,
    session: SkillSession,
    *,
    actor: User | None,
    action: str,
    to_state: SessionState,
    now: datetime,
    note: str = "",
    data: Mapping[str, Any] | None = None,
) -> SessionEvent:
    """Move the session to `to_state`, append its timeline row, announce the change.

    `note` is only what the person wrote; the facts go in `data` (see `SessionEvent`).
    """
    event = SessionEvent(
        session_id=session.id or 0,
        actor_id=actor.id if actor is not None else None,
        action=action,
        from_state=session.state,
        to_state=to_state.value,
        note=note[:500],
        data=dict(data or {}),
        at=now,
    )
    session.state = to_state.value
    session.updated_at = now
    db.add(session)
    db.add(event)
    db.flush()
    emit_changed(db, session, event)
    return event


def emit_changed(db: Session, session: SkillSession, event: SessionEvent) -> None:
    domain_events.emit(
        db,
        domain_events.SessionChanged(
            session_id=session.id or 0,
            action=event.action,
            from_state=event.from_state,
            to_state=event.to_state,
            actor_id=event.actor_id,
            learner_id=session.learner_id,
            teacher_id=session.teacher_id,
            at=event.at,
        ),
    )


def close_escrow(db: Session, session: SkillSession, settlement: policy.Settlement) -> None:
    """Empty the session's escrow: a release when the learner gets everything back."""
    sid = session.id or 0
    if settlement.to_teacher == 0:
        ledger.release_session_hold(
            db, session_id=sid, learner_id=session.learner_id, key=f"session:{sid}:release"
        )
    else:
        ledger.settle_session(
            db,
            session_id=sid,
            learner_id=session.learner_id,
            teacher_id=session.teacher_id,
            to_teacher=settlement.to_teacher,
            key=f"session:{sid}:settle",
        )


def instant(when: datetime) -> str:
    """How an instant is stored in event data: ISO 8601 in UTC."""
    return when.astimezone(UTC).isoformat()


def settlement_data(settlement: policy.Settlement) -> dict[str, int]:
    return {"to_teacher": settlement.to_teacher, "to_learner": settlement.to_learner}
