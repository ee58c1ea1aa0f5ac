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

The vocabulary (`Stage`, `Who`, `Effect`, `Transition`, `stage_of`, `side_of`) lives in
`machine.py` and is re-exported here. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from bartr.models.accounts import User
from bartr.models.sessions import DisputeResolution, SessionState, Side, SkillSession
from bartr.services.errors import InvalidTransition, NotAllowed
from bartr.services.sessions import guards, policy
from bartr.services.sessions.labels import STATE_MESSAGES
from bartr.services.sessions.machine import Effect as Effect
from bartr.services.sessions.machine import Stage as Stage
from bartr.services.sessions.machine import Transition as Transition
from bartr.services.sessions.machine import Who as Who
from bartr.services.sessions.machine import admits as admits
from bartr.services.sessions.machine import effective_state as effective_state
from bartr.services.sessions.machine import other as other
from bartr.services.sessions.machine import responder as responder
from bartr.services.sessions.machine import side_of as side_of
from bartr.services.sessions.machine import stage_of as stage_of
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
# Actions only the system takes (actor None): the periodic job's, closing a request
# because one of the pair was suspended, banned or deleted their account, and the
# outcomes of a video call read from its attendance (`services/video/completion.py`).
SYSTEM_ACTIONS: tuple[str, ...] = (
    "expire",
    "auto_complete",
    "finalize_no_show",
    "safety_close",
    "call_complete",
    "call_teacher_absent",
    "call_learner_absent",
)


# --------------------------------------------------------------------------- the table

_P = policy.POLICY
_WITHDRAW_OR_CANCEL = (
    "Only the teacher can decline. You can withdraw your request or cancel instead."
)
_DISPUTE_BY_LEARNER = "Only the learner can open a dispute about a session."
_CONFIRM_BY_LEARNER = "Only the learner confirms that the session happened."
_AFTER_END = f"after the end, before auto-completion (end + {_P.auto_complete_hours} h)"
_REPORT_WINDOW = f"from the start until {_P.no_show_report_hours} h after the end"
_BOTH_ATTENDED = (
    "after the start, when the room finished or its window closed: both were in the call for "
    "at least BARTR_VIDEO_MIN_ATTENDANCE_PERCENT (50 %) of the booked time"
)
_CALL_OVER = "after the end, when the room finished or its window closed: "

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
    Transition(
        Stage.SCHEDULED,
        "call_complete",
        (Stage.COMPLETED,),
        Who.SYSTEM,
        Effect.SETTLE_FULL,
        _BOTH_ATTENDED,
        (guards.call_started,),
    ),
    Transition(
        Stage.SCHEDULED,
        "call_teacher_absent",
        (Stage.NO_SHOW,),
        Who.SYSTEM,
        Effect.NO_SHOW,
        _CALL_OVER + "the learner joined the call and the teacher never did (teacher no-show)",
        (guards.call_over,),
    ),
    Transition(
        Stage.SCHEDULED,
        "call_learner_absent",
        (Stage.NO_SHOW_REPORTED,),
        Who.SYSTEM,
        Effect.NONE,
        _CALL_OVER + "the teacher joined and the learner never did: the teacher's no-show claim "
        "is filed with the attendance as evidence; the learner may dispute it as usual",
        (guards.call_over,),
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
    Transition(
        Stage.MARKED,
        "call_complete",
        (Stage.COMPLETED,),
        Who.SYSTEM,
        Effect.SETTLE_FULL,
        _BOTH_ATTENDED,
        (guards.call_started,),
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


# --------------------------------------------------------------------------- credits


def settlement_for(
    effect: Effect,
    session: SkillSession,
    *,
    by: Side | None = None,
    now: datetime,
    resolution: DisputeResolution | None = None,
) -> policy.Settlement | None:
    """How a row's effect empties the escrow for this session (None: nothing moves)."""
    cost = session.cost
    if effect == Effect.REFUND:
        return policy.Settlement(to_teacher=0, to_learner=cost)
    if effect == Effect.SETTLE_FULL:
        return policy.completion_settlement(cost=cost)
    if effect == Effect.CANCELLATION:
        assert by is not None
        return policy.cancellation_settlement(
            cost=cost,
            cancelled_by=by,
            starts_at=session.starts_at,
            now=now,
            scheduled=session.state == SessionState.SCHEDULED,
        )
    if effect == Effect.NO_SHOW:
        assert session.no_show_reported_by is not None
        absent = other(Side(session.no_show_reported_by))
        return policy.no_show_settlement(cost=cost, absent=absent)
    if effect == Effect.DISPUTE_DECISION:
        assert resolution is not None
        return policy.dispute_settlement(cost=cost, resolution=resolution)
    return None
