"""What admins review: open disputes (credits held until an admin decides)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bartr.models.accounts import User
from bartr.models.sessions import SessionState, SkillSession
from bartr.services import audit, sessions
from bartr.services.errors import NotAllowed


@dataclass(frozen=True)
class DisputeRow:
    session_id: int
    skill_title: str
    teacher_name: str
    learner_name: str
    cost: int
    starts_at: datetime | None
    disputed_by: str


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only admins can review disputes.")


def open_disputes(db: Session, *, actor: User, limit: int = 50) -> list[DisputeRow]:
    _require_admin(actor)
    rows = db.exec(
        select(SkillSession)
        .where(col(SkillSession.state) == SessionState.DISPUTED)
        .order_by(col(SkillSession.updated_at))
        .limit(limit)
    ).all()
    ids = {r.teacher_id for r in rows} | {r.learner_id for r in rows}
    names = {u.id: u.display_name for u in db.exec(select(User).where(col(User.id).in_(ids))).all()}
    return [
        DisputeRow(
            session_id=r.id or 0,
            skill_title=r.skill_title,
            teacher_name=names.get(r.teacher_id, "?"),
            learner_name=names.get(r.learner_id, "?"),
            cost=r.cost,
            starts_at=r.starts_at,
            disputed_by=names.get(r.disputed_by_id or 0, "?"),
        )
        for r in rows
    ]


def do_settle_dispute(
    db: Session,
    *,
    actor: User,
    session_id: int,
    resolution: str,
    note: str = "",
    now: datetime | None = None,
) -> SkillSession:
    """The admin page's way to settle a dispute: the session machine decides and moves the
    credits, and the decision is appended to the audit log in the same transaction."""
    session = sessions.do_resolve_dispute(
        db, actor=actor, session_id=session_id, resolution=resolution, note=note, now=now
    )
    audit.record(
        db,
        actor=actor,
        action="dispute.resolve",
        target_kind="session",
        target_id=session.id,
        note=note,
        data={
            "resolution": str(resolution),
            "teacher_id": session.teacher_id,
            "learner_id": session.learner_id,
        },
    )
    return session
