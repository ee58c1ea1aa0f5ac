"""The session state machine, written once: the `TRANSITIONS` table and the checks that read it.

A row says: from this stage, this action leads to that stage, who may fire it, what it does
to the credits held in the session's escrow, and which conditions (guards) must hold. The
`check_<action>` functions, `allowed_actions` (the buttons a page shows), the generated table
in docs/sessions.md (`python -m bartr.services.sessions.docs_table`) and the transition-matrix
test all read this table, so the machine cannot disagree with itself.

A *stage* is the stored state refined by the one flag that changes what may happen next:
a scheduled session the teacher marked as taught (`scheduled_marked`) or one with a pending
no-show report (`scheduled_no_show_reported`). Stages are a reading of the row; the stored
state stays `scheduled` for all three.

Expiry is presented lazily: an open request whose `expires_at` has passed is read as
expired by every person-facing check (`effective_state`), even before the periodic job has
written it; the job's own `expire` reads the stored state.

Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bartr.models.accounts import User
from bartr.models.sessions import (
    OPEN_STATES,
    SessionState,
    Side,
    SkillSession,
)
from bartr.services.errors import InvalidTransition, NotAllowed
from bartr.services.sessions import guards, policy
from bartr.services.sessions.guards import Guard
from bartr.services.sessions.labels import STATE_MESSAGES
from bartr.services.sessions.times import now_utc

# Actions a person can take, in the order the UI shows their buttons.
USER_ACTIONS: tuple[str, ...] = (
    "accept",
    "propose_reschedule",
    "decline",
    "withdraw",
    "cancel",
    "mark_complete",
    "confirm_complete",
    "report_no_show",
    "dispute",
    "resolve_dispute",
)
# Actions only the system takes (actor None): the periodic job's, and closing a request
# because one of the pair was suspended, banned or deleted their account.
SYSTEM_ACTIONS: tuple[str, ...] = ("expire", "auto_complete", "finalize_no_show", "safety_close")


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


# --------------------------------------------------------------------------- the table

_P = policy.POLICY
_WITHDRAW_OR_CANCEL = (
    "Only the teacher can decline. You can withdraw your request or cancel instead."
)
_DISPUTE_BY_LEARNER = "Only the learner can open a dispute about a session."
_CONFIRM_BY_LEARNER = "Only the learner confirms that the session happened."
_AFTER_END = f"after the end, before auto-completion (end + {_P.auto_complete_hours} h)"
_REPORT_WINDOW = f"from the start until {_P.no_show_report_hours} h after the end"

_ROWS: tuple[Transition, ...] = (
    Transition(
        None,
        "request",
        (Stage.REQUESTED,),
        Who.LEARNER,
        Effect.HOLD,
        "teach skill of an active, onboarded teacher (not yourself); 1–3 future times inside "
        "the teacher's availability, not overlapping either person's scheduled sessions",
    ),
    # ---- an open request: the teacher answers
    Transition(
        Stage.REQUESTED,
        "accept",
        (Stage.SCHEDULED,),
        Who.TEACHER,
        Effect.NONE,
        "the time is one of the open ones, still future, no overlap",
        refusal="Only the teacher can accept this request.",
    ),
    Transition(
        Stage.REQUESTED,
        "propose_reschedule",
        (Stage.RESCHEDULE_PROPOSED,),
        Who.TEACHER,
        Effect.NONE,
        "1–3 times (a teacher may step outside their own availability)",
        refusal="Your request is waiting for the teacher. Withdraw it to ask for other times.",
    ),
    Transition(
        Stage.REQUESTED,
        "decline",
        (Stage.DECLINED,),
        Who.TEACHER,
        Effect.REFUND,
        refusal=_WITHDRAW_OR_CANCEL,
    ),
    Transition(
        Stage.REQUESTED,
        "withdraw",
        (Stage.CANCELLED,),
        Who.LEARNER,
        Effect.REFUND,
        refusal="Only the learner can withdraw a request; you can decline it.",
    ),
    Transition(
        Stage.REQUESTED,
        "expire",
        (Stage.EXPIRED,),
        Who.SYSTEM,
        Effect.REFUND,
        "`expires_at <= now`",
        (guards.expiry_due,),
    ),
    Transition(
        Stage.REQUESTED,
        "safety_close",
        (Stage.CANCELLED,),
        Who.SYSTEM,
        Effect.REFUND,
        "one of the pair was suspended, banned or deleted their account",
    ),
    # ---- counter-proposals: whoever did not propose answers
    Transition(
        Stage.RESCHEDULE_PROPOSED,
        "accept",
        (Stage.SCHEDULED,),
        Who.RESPONDER,
        Effect.NONE,
        "the time is one of the open ones, still future, no overlap",
        refusal="You proposed these times; the other person chooses one.",
    ),
    Transition(
        Stage.RESCHEDULE_PROPOSED,
        "propose_reschedule",
        (Stage.RESCHEDULE_PROPOSED,),
        Who.RESPONDER,
        Effect.NONE,
        "a learner's times must be inside the teacher's availability; roles swap, any "
        "number of rounds",
        refusal="You proposed the current times; wait for the other person's answer.",
    ),
    Transition(
        Stage.RESCHEDULE_PROPOSED,
        "decline",
        (Stage.DECLINED,),
        Who.TEACHER_ANSWERING,
        Effect.REFUND,
        refusal={
            Side.LEARNER: _WITHDRAW_OR_CANCEL,
            Side.TEACHER: "You proposed these times yourself; cancel the session instead.",
        },
    ),
    Transition(
        Stage.RESCHEDULE_PROPOSED,
        "cancel",
        (Stage.CANCELLED,),
        Who.EITHER,
        Effect.REFUND,
        "no time is agreed, so nobody is charged",
    ),
    Transition(
        Stage.RESCHEDULE_PROPOSED,
        "expire",
        (Stage.EXPIRED,),
        Who.SYSTEM,
        Effect.REFUND,
        "`expires_at <= now`",
        (guards.expiry_due,),
    ),
    Transition(
        Stage.RESCHEDULE_PROPOSED,
        "safety_close",
        (Stage.CANCELLED,),
        Who.SYSTEM,
        Effect.REFUND,
        "one of the pair was suspended, banned or deleted their account",
    ),
    # ---- an agreed time
    Transition(
        Stage.SCHEDULED,
        "propose_reschedule",
        (Stage.RESCHEDULE_PROPOSED,),
        Who.EITHER,
        Effect.NONE,
        f"≥ {_P.reschedule_notice_hours} h before the start; the agreed time is released",
        (guards.not_started("moved"), guards.reschedule_notice),
    ),
    Transition(
        Stage.SCHEDULED,
        "cancel",
        (Stage.CANCELLED,),
        Who.EITHER,
        Effect.CANCELLATION,
        "before the start",
        (guards.not_started("cancelled"),),
    ),
    Transition(
        Stage.SCHEDULED,
        "safety_close",
        (Stage.CANCELLED,),
        Who.SYSTEM,
        Effect.REFUND,
        "before the start; one of the pair was suspended or banned: the learner gets "
        "everything back, whoever it was",
        (guards.not_started("cancelled"),),
    ),
    Transition(
        Stage.SCHEDULED,
        "mark_complete",
        (Stage.MARKED,),
        Who.TEACHER,
        Effect.NONE,
        "after the end",
        (guards.ended_to_mark,),
        refusal="Only the teacher marks a session as taught; you confirm it.",
    ),
    Transition(
        Stage.SCHEDULED,
        "report_no_show",
        (Stage.NO_SHOW_REPORTED,),
        Who.EITHER,
        Effect.NONE,
        f"{_REPORT_WINDOW}; credits stay held while the other side may dispute",
        (guards.no_show_window,),
    ),
    Transition(
        Stage.SCHEDULED,
        "dispute",
        (Stage.DISPUTED,),
        Who.LEARNER,
        Effect.NONE,
        _AFTER_END,
        (guards.ended_to_dispute, guards.before_auto_complete),
        refusal=_DISPUTE_BY_LEARNER,
    ),
    Transition(
        Stage.SCHEDULED,
        "auto_complete",
        (Stage.COMPLETED,),
        Who.SYSTEM,
        Effect.SETTLE_FULL,
        f"end + {_P.auto_complete_hours} h",
        (guards.auto_complete_due,),
    ),
    # ---- marked as taught by the teacher
    Transition(
        Stage.MARKED,
        "confirm_complete",
        (Stage.COMPLETED,),
        Who.LEARNER,
        Effect.SETTLE_FULL,
        refusal=_CONFIRM_BY_LEARNER,
    ),
    Transition(
        Stage.MARKED,
        "report_no_show",
        (Stage.NO_SHOW_REPORTED,),
        Who.LEARNER,
        Effect.NONE,
        f"{_REPORT_WINDOW}; the teacher marked it taught, so only the learner may",
        (guards.no_show_window,),
        refusal="You marked this session as taught, so it took place.",
    ),
    Transition(
        Stage.MARKED,
        "dispute",
        (Stage.DISPUTED,),
        Who.LEARNER,
        Effect.NONE,
        _AFTER_END,
        (guards.ended_to_dispute, guards.before_auto_complete),
        refusal=_DISPUTE_BY_LEARNER,
    ),
    Transition(
        Stage.MARKED,
        "auto_complete",
        (Stage.COMPLETED,),
        Who.SYSTEM,
        Effect.SETTLE_FULL,
        f"end + {_P.auto_complete_hours} h",
        (guards.auto_complete_due,),
    ),
    # ---- a no-show claim waits for the reported side
    Transition(
        Stage.NO_SHOW_REPORTED,
        "dispute",
        (Stage.DISPUTED,),
        Who.REPORTED,
        Effect.NONE,
        f"within {_P.no_show_dispute_hours} h of the report",
        (guards.before_no_show_final,),
        refusal="You reported the no-show; the other person may dispute it.",
    ),
    Transition(
        Stage.NO_SHOW_REPORTED,
        "finalize_no_show",
        (Stage.NO_SHOW,),
        Who.SYSTEM,
        Effect.NO_SHOW,
        f"{_P.no_show_dispute_hours} h after the report",
        (guards.no_show_final,),
    ),
    # ---- an admin decides
    Transition(
        Stage.DISPUTED,
        "resolve_dispute",
        (Stage.COMPLETED, Stage.CANCELLED),
        Who.ADMIN,
        Effect.DISPUTE_DECISION,
        "teacher or split → completed; learner → cancelled",
    ),
)


def _index(rows: tuple[Transition, ...]) -> dict[tuple[Stage | None, str], Transition]:
    table: dict[tuple[Stage | None, str], Transition] = {}
    for row in rows:
        key = (row.stage, row.action)
        assert key not in table, f"two rows for {key}"
        assert (row.who == Who.SYSTEM) == (row.action in SYSTEM_ACTIONS), row
        table[key] = row
    return table


TRANSITIONS: Mapping[tuple[Stage | None, str], Transition] = _index(_ROWS)
TERMINAL_STAGES = frozenset(
    {Stage.COMPLETED, Stage.CANCELLED, Stage.DECLINED, Stage.EXPIRED, Stage.NO_SHOW}
)

# Why an action without a row is refused, where the stage's own message would mislead.
_NO_SHOW_PENDING = (
    "A no-show was reported for this session; it closes unless the other person "
    "disputes the report."
)
_NO_REPORT = "No no-show was reported for this session."
WHY_NOT: Mapping[tuple[Stage, str], str] = {
    (Stage.SCHEDULED, "confirm_complete"): (
        "The teacher has not marked this session as taught yet; you can confirm after that."
    ),
    (Stage.SCHEDULED, "finalize_no_show"): _NO_REPORT,
    (Stage.MARKED, "finalize_no_show"): _NO_REPORT,
    (Stage.MARKED, "mark_complete"): "You already marked this session as taught.",
    (Stage.MARKED, "cancel"): guards.started_message("cancelled"),
    (Stage.MARKED, "propose_reschedule"): guards.started_message("moved"),
    (Stage.NO_SHOW_REPORTED, "cancel"): guards.started_message("cancelled"),
    (Stage.NO_SHOW_REPORTED, "propose_reschedule"): guards.started_message("moved"),
    (Stage.NO_SHOW_REPORTED, "mark_complete"): _NO_SHOW_PENDING,
    (Stage.NO_SHOW_REPORTED, "confirm_complete"): _NO_SHOW_PENDING,
    (Stage.NO_SHOW_REPORTED, "report_no_show"): _NO_SHOW_PENDING,
    (Stage.NO_SHOW_REPORTED, "auto_complete"): _NO_SHOW_PENDING,
}


def rows_for(action: str) -> list[Transition]:
    return [row for row in _ROWS if row.action == action]


# --------------------------------------------------------------------------- the checks


def check_transition(
    action: str, session: SkillSession, *, actor: User | None, now: datetime
) -> Transition:
    """The row `actor` may fire now, or a typed refusal (nothing is written either way).

    Order: strangers are refused first (`NotAllowed`), then the stage (`InvalidTransition`
    naming where the session stands), then who on the row may fire it, then its guards.
    """
    system = action in SYSTEM_ACTIONS
    side: Side | None = None
    if action == "resolve_dispute":
        if actor is None or not actor.is_admin:
            raise NotAllowed("Only an admin can settle a dispute.")
        if side_of(session, actor) is not None:
            raise NotAllowed("You can't settle a dispute about your own session.")
    elif not system:
        side = side_of(session, actor)
        if side is None:
            raise NotAllowed("Only the two people in this session can do that.")
    stage = stage_of(session, now, lazy_expiry=not system)
    row = TRANSITIONS.get((stage, action))
    if row is None:
        raise InvalidTransition(WHY_NOT.get((stage, action), STATE_MESSAGES[stage.state]))
    if side is not None and not admits(row.who, session, side):
        refusal = row.refusal if isinstance(row.refusal, str) else row.refusal[side]
        raise NotAllowed(refusal or "You can't do that in this session.")
    for guard in row.guards:
        guard(session, now)
    return row


def _person_check(action: str) -> Callable[..., None]:
    def check(session: SkillSession, *, actor: User | None, now: datetime) -> None:
        check_transition(action, session, actor=actor, now=now)

    check.__name__ = check.__qualname__ = f"check_{action}"
    check.__doc__ = f"Refuse `{action}` unless the TRANSITIONS table and its guards allow it."
    return check


def _system_check(action: str) -> Callable[..., None]:
    def check(session: SkillSession, *, now: datetime) -> None:
        check_transition(action, session, actor=None, now=now)

    check.__name__ = check.__qualname__ = f"check_{action}"
    check.__doc__ = f"Refuse `{action}` unless it is due (the job's transition)."
    return check


CHECKS: dict[str, Callable[..., None]] = {a: _person_check(a) for a in USER_ACTIONS}
check_accept = CHECKS["accept"]
check_propose_reschedule = CHECKS["propose_reschedule"]
check_decline = CHECKS["decline"]
check_withdraw = CHECKS["withdraw"]
check_cancel = CHECKS["cancel"]
check_mark_complete = CHECKS["mark_complete"]
check_confirm_complete = CHECKS["confirm_complete"]
check_report_no_show = CHECKS["report_no_show"]
check_dispute = CHECKS["dispute"]
check_resolve_dispute = CHECKS["resolve_dispute"]
check_expire = _system_check("expire")
check_auto_complete = _system_check("auto_complete")
check_finalize_no_show = _system_check("finalize_no_show")


def allowed_actions(
    db: object, *, session: SkillSession, actor: User | None, now: datetime | None = None
) -> list[str]:
    """The actions `actor` may take on `session` now (the buttons the page shows)."""
    del db  # every rule is decided from the row; kept for a stable signature
    moment = now_utc(now)
    allowed: list[str] = []
    for action in USER_ACTIONS:
        try:
            check_transition(action, session, actor=actor, now=moment)
        except (InvalidTransition, NotAllowed):
            continue
        allowed.append(action)
    return allowed
