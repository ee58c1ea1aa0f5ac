"""The vocabulary of the session state machine: stages, who may act, ledger effects, rows.

`rules.py` holds the `TRANSITIONS` table written in these terms and the checks reading it;
this module is the part both the table and its readers share (how a row reads a session:
its stage, which side a person is on, who answers a proposal). Nothing here touches the
database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bartr.models.accounts import User
from bartr.models.sessions import OPEN_STATES, SessionState, Side, SkillSession
from bartr.services.sessions.guards import Guard


class Stage(StrEnum):
    """A stored state, with `scheduled` split by the flag that changes what may happen."""

    REQUESTED = "requested"
    RESCHEDULE_PROPOSED = "reschedule_proposed"
    SCHEDULED = "scheduled"
    MARKED = "scheduled_marked"  # the teacher marked it as taught
    NO_SHOW_REPORTED = "scheduled_no_show_reported"  # a no-show claim awaits its deadline
    DISPUTED = "disputed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    EXPIRED = "expired"
    NO_SHOW = "no_show"

    @property
    def state(self) -> SessionState:
        """The state stored in `skill_sessions.state` for this stage."""
        if self in (Stage.MARKED, Stage.NO_SHOW_REPORTED):
            return SessionState.SCHEDULED
        return SessionState(self.value)


class Who(StrEnum):
    """Who may fire a transition (strangers never may; admins only resolve disputes)."""

    LEARNER = "learner"
    TEACHER = "teacher"
    EITHER = "either"
    RESPONDER = "the side that did not propose"
    TEACHER_ANSWERING = "teacher, when the learner proposed"
    REPORTED = "the side reported absent"
    ADMIN = "admin (not a participant)"
    SYSTEM = "system"


class Effect(StrEnum):
    """What a transition does to the credits held in the session's escrow."""

    HOLD = "hold"  # the cost moves from the learner's wallet into escrow
    NONE = "none"  # nothing moves (credits stay held)
    REFUND = "refund"  # the whole escrow back to the learner
    CANCELLATION = "cancellation"  # the written cancellation policy decides
    SETTLE_FULL = "settle_full"  # the whole escrow to the teacher
    NO_SHOW = "no_show"  # absent teacher: refund; absent learner: settle in full
    DISPUTE_DECISION = "dispute_decision"  # the admin's resolution: teacher, learner or split

    @property
    def empties_escrow(self) -> bool:
        return self not in (Effect.HOLD, Effect.NONE)


@dataclass(frozen=True)
class Transition:
    """One row of the machine. `stage` None is the request that creates a session."""

    stage: Stage | None
    action: str
    to: tuple[Stage, ...]  # more than one only where the caller's choice decides
    who: Who
    effect: Effect
    condition: str = ""  # the guards in words (for the docs)
    guards: tuple[Guard, ...] = ()
    # What a person outside `who` is told; per side where the two need different advice.
    refusal: str | Mapping[Side, str] = field(default="")


# --------------------------------------------------------------------------- reading a row


def effective_state(session: SkillSession, now: datetime) -> SessionState:
    """The state a person sees: an open request past its expiry is expired, job or not."""
    state = SessionState(session.state)
    if state in OPEN_STATES and session.expires_at is not None and session.expires_at <= now:
        return SessionState.EXPIRED
    return state


def stage_of(session: SkillSession, now: datetime, *, lazy_expiry: bool = True) -> Stage:
    """The row's stage at `now` (lapsed requests read as expired unless `lazy_expiry` is off)."""
    state = effective_state(session, now) if lazy_expiry else SessionState(session.state)
    if state == SessionState.SCHEDULED:
        if session.no_show_reported_by is not None:
            return Stage.NO_SHOW_REPORTED
        if session.teacher_marked_complete_at is not None:
            return Stage.MARKED
    return Stage(state.value)


def side_of(session: SkillSession, user: User | None) -> Side | None:
    if user is None or user.id is None:
        return None
    if user.id == session.teacher_id:
        return Side.TEACHER
    if user.id == session.learner_id:
        return Side.LEARNER
    return None


def other(side: Side) -> Side:
    return Side.LEARNER if side == Side.TEACHER else Side.TEACHER


def responder(session: SkillSession) -> Side:
    """Who must answer the open proposal: the side that did not make it."""
    if session.state == SessionState.REQUESTED:
        return Side.TEACHER
    return other(Side(session.proposed_by))


def admits(who: Who, session: SkillSession, side: Side) -> bool:
    """Whether a participant on `side` is one of `who` for this session."""
    if who == Who.EITHER:
        return True
    if who == Who.RESPONDER:
        return side == responder(session)
    if who == Who.TEACHER_ANSWERING:
        return side == Side.TEACHER == responder(session)
    if who == Who.REPORTED:
        return session.no_show_reported_by is not None and side != Side(session.no_show_reported_by)
    return who.value == side.value
