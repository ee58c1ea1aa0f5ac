"""Blocking: a member hides another from themselves, both ways.

Once A blocks B, neither sees the other in the marketplace, For you, swap circles or
profiles; neither can message, request or counter-propose to the other. The rule is
written once here and read by every surface:
- `blocked_between(db, a, b)` for one pair (request checks, messaging, profiles),
- `hidden_ids_for(db, viewer_id)` for a viewer's list of members to leave out,
- `not_blocked_with(viewer_id, user_id_column)` as a SQL condition for searches.
Requests still open between the pair when the block is made are withdrawn (by the learner
when the blocker learns) or declined (when the blocker teaches) through the session state
machine, so credits come back exactly as the written policy says. Scheduled sessions are
left alone: the blocker is told about them and decides (cancelling under the policy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, and_, col, or_, select

from bartr.models.accounts import User, UserStatus
from bartr.models.base import utcnow
from bartr.models.safety import Block
from bartr.models.sessions import SessionState, SkillSession
from bartr.services.errors import Conflict, NotAllowed, NotFound

MAX_BLOCKS = 1000  # far above any honest use; keeps the per-viewer id set small


def blocked_between(db: Session, a: int | None, b: int | None) -> bool:
    """Has either of the two members blocked the other?"""
    if not a or not b or a == b:
        return False
    row = db.exec(
        select(Block.blocker_id).where(
            or_(
                and_(Block.blocker_id == a, Block.blocked_id == b),
                and_(Block.blocker_id == b, Block.blocked_id == a),
            )
        )
    ).first()
    return row is not None


def hidden_ids_for(db: Session, viewer_id: int | None) -> set[int]:
    """Members the viewer must not see: those they blocked and those who blocked them."""
    if not viewer_id:
        return set()
    mine = db.exec(select(Block.blocked_id).where(Block.blocker_id == viewer_id)).all()
    theirs = db.exec(select(Block.blocker_id).where(Block.blocked_id == viewer_id)).all()
    return set(mine) | set(theirs)


def not_blocked_with(viewer_id: int | None, user_id: Any) -> Any:
    """A SQL condition: `user_id` (a column) is not blocked with the viewer either way."""
    if not viewer_id:
        return True
    return (
        ~select(Block.blocker_id)
        .where(
            or_(
                and_(Block.blocker_id == viewer_id, Block.blocked_id == user_id),
                and_(Block.blocker_id == user_id, Block.blocked_id == viewer_id),
            )
        )
        .exists()
    )


def check_not_blocked(db: Session, a: int | None, b: int | None, *, what: str) -> None:
    """Refuse `what` ("request a session", "send a message") between a blocked pair.

    The message does not say who blocked whom: the blocked member learns only that the
    action is not possible.
    """
    if blocked_between(db, a, b):
        raise NotAllowed(f"You can't {what} with this member.")


@dataclass(frozen=True)
class BlockedMember:
    user_id: int
    display_name: str
    handle: str
    blocked_at: datetime


@dataclass(frozen=True)
class BlockOutcome:
    blocked: User
    withdrawn: int  # open requests the blocker had sent, withdrawn
    declined: int  # open requests the blocked member had sent, declined
    scheduled: list[int]  # scheduled sessions left for the blocker to decide about


def _open_between(db: Session, a: int, b: int, states: tuple[SessionState, ...]) -> list[Any]:
    return list(
        db.exec(
            select(SkillSession).where(
                col(SkillSession.state).in_([s.value for s in states]),
                or_(
                    and_(SkillSession.learner_id == a, SkillSession.teacher_id == b),
                    and_(SkillSession.learner_id == b, SkillSession.teacher_id == a),
                ),
            )
        ).all()
    )


def scheduled_between(db: Session, a: int, b: int) -> list[int]:
    return [s.id or 0 for s in _open_between(db, a, b, (SessionState.SCHEDULED,))]


def do_block(
    db: Session, *, actor: User, user_id: int, now: datetime | None = None
) -> BlockOutcome:
    """Block a member and close the requests still open between the pair."""
    from bartr.services import sessions  # sessions reads blocks for its request checks

    if actor.status != UserStatus.ACTIVE:
        raise NotAllowed("This account can't block members right now.")
    if user_id == actor.id:
        raise NotAllowed("You can't block yourself.")
    other = db.get(User, int(user_id)) if isinstance(user_id, int) and user_id > 0 else None
    if other is None or other.status == UserStatus.DELETED:
        raise NotFound("No such member.")
    if other.is_admin:
        raise NotAllowed("Admins can't be blocked; report a problem instead.")
    if db.get(Block, (actor.id, other.id)) is not None:
        raise Conflict(f"You have already blocked {other.display_name}.")
    count = len(db.exec(select(Block.blocked_id).where(Block.blocker_id == actor.id)).all())
    if count >= MAX_BLOCKS:
        raise NotAllowed("You have blocked too many members; unblock some first.")
    now = now or utcnow()
    db.add(Block(blocker_id=actor.id or 0, blocked_id=other.id or 0, created_at=now))
    db.flush()
    withdrawn = declined = 0
    pending = (SessionState.REQUESTED, SessionState.RESCHEDULE_PROPOSED)
    for session in _open_between(db, actor.id or 0, other.id or 0, pending):
        sid = session.id or 0
        teaches = session.teacher_id == actor.id
        if teaches and sessions.responder(session).value == "teacher":
            sessions.do_decline(db, actor=actor, session_id=sid, reason="Declined.", now=now)
            declined += 1
        elif session.state == SessionState.REQUESTED:
            sessions.do_withdraw(db, actor=actor, session_id=sid, now=now)
            withdrawn += 1
        else:
            # A counter-proposal the blocker cannot decline: cancelling is the way out,
            # and the written cancellation policy decides who gets what.
            sessions.do_cancel(db, actor=actor, session_id=sid, reason="Withdrawn.", now=now)
            withdrawn += 1
    return BlockOutcome(
        blocked=other,
        withdrawn=withdrawn,
        declined=declined,
        scheduled=scheduled_between(db, actor.id or 0, other.id or 0),
    )


def do_unblock(db: Session, *, actor: User, user_id: int) -> None:
    row = db.get(Block, (actor.id, int(user_id))) if isinstance(user_id, int) else None
    if row is None:
        raise NotFound("You haven't blocked this member.")
    db.delete(row)
    db.flush()


def list_blocked(db: Session, *, actor: User) -> list[BlockedMember]:
    rows = db.exec(
        select(Block, User)
        .join(User, col(User.id) == Block.blocked_id)
        .where(Block.blocker_id == actor.id)
        .order_by(col(Block.created_at).desc())
    ).all()
    return [
        BlockedMember(
            user_id=u.id or 0,
            display_name=u.display_name,
            handle=u.handle,
            blocked_at=b.created_at,
        )
        for b, u in rows
    ]


def pairs_among(db: Session, user_ids: set[int]) -> set[frozenset[int]]:
    """Blocked pairs inside a group of members (three-way swap circles must avoid them)."""
    if len(user_ids) < 2:
        return set()
    ids = sorted(user_ids)
    rows = db.exec(
        select(Block.blocker_id, Block.blocked_id).where(
            col(Block.blocker_id).in_(ids), col(Block.blocked_id).in_(ids)
        )
    ).all()
    return {frozenset((a, b)) for a, b in rows}
