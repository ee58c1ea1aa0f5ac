"""The session lifecycle: requests, negotiation of times, the agreed session and its end.

States (`models.sessions.SessionState`):

    requested -> scheduled | declined | cancelled (withdrawn) | expired | reschedule_proposed
    reschedule_proposed -> scheduled | declined | cancelled | expired | reschedule_proposed
    scheduled -> reschedule_proposed | cancelled | completed | no_show | disputed
    disputed -> completed | cancelled | no_show (an admin decides)

The full table (who may fire what, and what credits move) is in docs/sessions.md.

Every action comes as a pair, Zulip style: `check_<action>(session, actor=, now=)` raises
`InvalidTransition` (wrong state) or `NotAllowed` (wrong person) and writes nothing;
`do_<action>(db, actor=, session_id=, ..., now=)` locks the session row, re-checks, then
performs the transition, records a `SessionEvent` and moves credits through the ledger with
an idempotency key derived from the session (`session:{id}:hold|release|settle`), so two
tabs firing the same transition move credits once.

Expiry is presented lazily: an open request whose `expires_at` has passed is treated as
expired by every read and every check (`effective_state`), even before the periodic job
(`services/jobs.py`) has written the `expired` state and released the hold.

The caller owns the transaction; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from bartr.models.accounts import User, UserStatus
from bartr.models.base import utcnow
from bartr.models.profiles import Skill, SkillKind
from bartr.models.sessions import (
    ALLOWED_DURATIONS,
    OPEN_STATES,
    TERMINAL_STATES,
    DisputeResolution,
    SessionEvent,
    SessionProposal,
    SessionState,
    Side,
    SkillSession,
)
from bartr.services import availability, domain_events, ledger
from bartr.services import session_policy as policy
from bartr.services.credits import credits_phrase, format_credits, session_cost
from bartr.services.errors import (
    Conflict,
    InsufficientCredits,
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from bartr.services.validation import clean_text

MAX_PROPOSED_TIMES = 3
MAX_MESSAGE = 1000
MAX_REASON = 500

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
# Actions only the periodic job takes (actor None).
SYSTEM_ACTIONS: tuple[str, ...] = ("expire", "auto_complete", "finalize_no_show")

ACTION_LABELS: dict[str, str] = {
    "request": "Requested",
    "accept": "Accepted",
    "propose_reschedule": "Proposed new times",
    "decline": "Declined",
    "withdraw": "Withdrew the request",
    "cancel": "Cancelled",
    "mark_complete": "Marked as taught",
    "confirm_complete": "Confirmed it happened",
    "report_no_show": "Reported a no-show",
    "dispute": "Opened a dispute",
    "resolve_dispute": "Resolved the dispute",
    "expire": "Expired unanswered",
    "auto_complete": "Completed automatically",
    "finalize_no_show": "Closed as a no-show",
}

STATE_LABELS: dict[str, str] = {
    SessionState.REQUESTED: "Requested",
    SessionState.RESCHEDULE_PROPOSED: "New time proposed",
    SessionState.SCHEDULED: "Scheduled",
    SessionState.COMPLETED: "Completed",
    SessionState.CANCELLED: "Cancelled",
    SessionState.DECLINED: "Declined",
    SessionState.EXPIRED: "Expired",
    SessionState.NO_SHOW: "No-show",
    SessionState.DISPUTED: "In dispute",
}

_STATE_MESSAGES: dict[str, str] = {
    SessionState.REQUESTED: "This request is still waiting for an answer.",
    SessionState.RESCHEDULE_PROPOSED: "New times are being proposed for this session.",
    SessionState.SCHEDULED: "This session is already scheduled.",
    SessionState.COMPLETED: "This session is already completed.",
    SessionState.CANCELLED: "This session was already cancelled.",
    SessionState.DECLINED: "This request was already declined.",
    SessionState.EXPIRED: "This request has expired.",
    SessionState.NO_SHOW: "This session was already closed as a no-show.",
    SessionState.DISPUTED: "This session is in dispute; an admin will decide.",
}

Tab = Literal["to_answer", "my_requests", "upcoming", "history"]
TABS: tuple[Tab, ...] = ("to_answer", "my_requests", "upcoming", "history")


# --------------------------------------------------------------------------- small helpers


def _now(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def effective_state(session: SkillSession, now: datetime) -> SessionState:
    """The state a person sees: an open request past its expiry is expired, job or not."""
    state = SessionState(session.state)
    if state in OPEN_STATES and session.expires_at is not None and session.expires_at <= now:
        return SessionState.EXPIRED
    return state


def side_of(session: SkillSession, user: User | None) -> Side | None:
    if user is None or user.id is None:
        return None
    if user.id == session.teacher_id:
        return Side.TEACHER
    if user.id == session.learner_id:
        return Side.LEARNER
    return None


def _other(side: Side) -> Side:
    return Side.LEARNER if side == Side.TEACHER else Side.TEACHER


def responder(session: SkillSession) -> Side:
    """Who must answer the open proposal: the side that did not make it."""
    if session.state == SessionState.REQUESTED:
        return Side.TEACHER
    return _other(Side(session.proposed_by))


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):  # an unknown stored zone must not break a page
        return ZoneInfo("UTC")


def format_time(when: datetime, timezone: str | None) -> str:
    """'Mon 9 Mar 2026, 09:00 (America/Los_Angeles)': how a time is named in messages."""
    local = when.astimezone(_zone(timezone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({timezone or 'UTC'})"


def _hours_phrase(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours >= 48:
        return f"{hours // 24} days"
    if hours >= 1:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{max(0, int(delta.total_seconds() // 60))} minutes"


# --------------------------------------------------------------------------- checks


def _participant(session: SkillSession, actor: User | None) -> Side:
    side = side_of(session, actor)
    if side is None:
        raise NotAllowed("Only the two people in this session can do that.")
    return side


def _require_state(session: SkillSession, now: datetime, *states: SessionState) -> SessionState:
    state = effective_state(session, now)
    if state not in states:
        raise InvalidTransition(_STATE_MESSAGES[state])
    return state


def _not_started(session: SkillSession, now: datetime, what: str) -> None:
    if session.starts_at is not None and now >= session.starts_at:
        raise InvalidTransition(
            f"This session has already started, so it can no longer be {what}. "
            "Report a no-show or open a dispute instead."
        )


def check_accept(session: SkillSession, *, actor: User | None, now: datetime) -> None:
    side = _participant(session, actor)
    _require_state(session, now, *OPEN_STATES)
    if side != responder(session):
        if session.state == SessionState.REQUESTED:
            raise NotAllowed("Only the teacher can accept this request.")
        raise NotAllowed("You proposed these times; the other person chooses one.")


def check_decline(session: SkillSession, *, actor: User | None, now: datetime) -> None:
    side = _participant(session, actor)
    _require_state(session, now, *OPEN_STATES)
    if side != Side.TEACHER:
        raise NotAllowed(
            "Only the teacher can decline. You can withdraw your request or cancel instead."
        )
    if side != responder(session):
        raise NotAllowed("You proposed these times yourself; cancel the session instead.")


def check_propose_reschedule(session: SkillSession, *, actor: User | None, now: datetime) -> None:
    side = _participant(session, actor)
    state = _require_state(session, now, *OPEN_STATES, SessionState.SCHEDULED)
    if state == SessionState.REQUESTED and side != Side.TEACHER:
        raise NotAllowed(
            "Your request is waiting for the teacher. Withdraw it to ask for other times."
        )
    if state == SessionState.RESCHEDULE_PROPOSED and side != responder(session):
        raise NotAllowed("You proposed the current times; wait for the other person's answer.")
    if state == SessionState.SCHEDULED:
        assert session.starts_at is not None
        _not_started(session, now, "moved")
        if not policy.can_reschedule(starts_at=session.starts_at, now=now):
            raise InvalidTransition(
                f"Moving a session needs at least {policy.POLICY.reschedule_notice_hours} "
                f"hours notice; this one starts in {_hours_phrase(session.starts_at - now)}. "
                "You can still cancel it."
            )


def check_withdraw(session: SkillSession, *, actor: User | None, now: datetime) -> None:
    side = _participant(session, actor)
    _require_state(session, now, SessionState.REQUESTED)
    if side != Side.LEARNER:
        raise NotAllowed("Only the learner can withdraw a request; you can decline it.")


def check_cancel(session: SkillSession, *, actor: User | None, now: datetime) -> None:
    _participant(session, actor)
    state = _require_state(session, now, SessionState.SCHEDULED, SessionState.RESCHEDULE_PROPOSED)
    if state == SessionState.SCHEDULED:
        _not_started(session, now, "cancelled")


def _no_pending_no_show(session: SkillSession) -> None:
    if session.no_show_reported_by is not None:
        raise InvalidTransition(
            "A no-show was reported for this session; it closes unless the other person "
            "disputes the report."
        )


def check_mark_complete(session: SkillSession, *, actor: User | None, now: datetime) -> None:
    side = _participant(session, actor)
    _require_state(session, now, SessionState.SCHEDULED)
    if side != Side.TEACHER:
        raise NotAllowed("Only the teacher marks a session as taught; you confirm it.")
    _no_pending_no_show(session)
    if session.teacher_marked_complete_at is not None:
        raise InvalidTransition("You already marked this session as taught.")
    assert session.ends_at is not None
    if now < session.ends_at:
        raise InvalidTransition("You can mark the session as taught once it has ended.")


def check_confirm_complete(session: SkillSession, *, actor: User | None, now: datetime) -> None:
    side = _participant(session, actor)
    _require_state(session, now, SessionState.SCHEDULED)
    if side != Side.LEARNER:
        raise NotAllowed("Only the learner confirms that the session happened.")
    _no_pending_no_show(session)
    if session.teacher_marked_complete_at is None:
        raise InvalidTransition(
            "The teacher has not marked this session as taught yet; you can confirm after that."
        )


def check_report_no_show(session: SkillSession, *, actor: User | None, now: datetime) -> None:
    side = _participant(session, actor)
    _require_state(session, now, SessionState.SCHEDULED)
    _no_pending_no_show(session)
    assert session.starts_at is not None and session.ends_at is not None
    if now < session.starts_at:
        raise InvalidTransition("You can report a no-show once the session has started.")
    if now >= policy.no_show_report_until(ends_at=session.ends_at):
        raise InvalidTransition(
            f"No-shows must be reported within {policy.POLICY.no_show_report_hours} hours "
            "after the session's end."
        )
    if side == Side.TEACHER and session.teacher_marked_complete_at is not None:
        raise InvalidTransition("You marked this session as taught, so it took place.")


def check_dispute(session: SkillSession, *, actor: User | None, now: datetime) -> None:
    side = _participant(session, actor)
    _require_state(session, now, SessionState.SCHEDULED)
    assert session.ends_at is not None
    if session.no_show_reported_by is not None:
        assert session.no_show_reported_at is not None
        if side == Side(session.no_show_reported_by):
            raise NotAllowed("You reported the no-show; the other person may dispute it.")
        if now >= policy.no_show_final_at(reported_at=session.no_show_reported_at):
            raise InvalidTransition("The time to dispute this no-show report has passed.")
        return
    if side != Side.LEARNER:
        raise NotAllowed("Only the learner can open a dispute about a session.")
    if now < session.ends_at:
        raise InvalidTransition("You can open a dispute once the session has ended.")
    if now >= policy.auto_complete_at(ends_at=session.ends_at):
        raise InvalidTransition("The time to dispute this session has passed.")


def check_resolve_dispute(session: SkillSession, *, actor: User | None, now: datetime) -> None:
    if actor is None or not actor.is_admin:
        raise NotAllowed("Only an admin can settle a dispute.")
    if side_of(session, actor) is not None:
        raise NotAllowed("You can't settle a dispute about your own session.")
    _require_state(session, now, SessionState.DISPUTED)


def check_expire(session: SkillSession, *, now: datetime) -> None:
    if SessionState(session.state) not in OPEN_STATES:
        raise InvalidTransition(_STATE_MESSAGES[SessionState(session.state)])
    if session.expires_at is None or session.expires_at > now:
        raise InvalidTransition("This request is not due to expire yet.")


def check_auto_complete(session: SkillSession, *, now: datetime) -> None:
    _require_state(session, now, SessionState.SCHEDULED)
    _no_pending_no_show(session)
    assert session.ends_at is not None
    if now < policy.auto_complete_at(ends_at=session.ends_at):
        raise InvalidTransition("This session is not due to complete yet.")


def check_finalize_no_show(session: SkillSession, *, now: datetime) -> None:
    _require_state(session, now, SessionState.SCHEDULED)
    if session.no_show_reported_at is None:
        raise InvalidTransition("No no-show was reported for this session.")
    if now < policy.no_show_final_at(reported_at=session.no_show_reported_at):
        raise InvalidTransition("The other person can still dispute this no-show report.")


CHECKS: dict[str, Callable[..., None]] = {
    "accept": check_accept,
    "propose_reschedule": check_propose_reschedule,
    "decline": check_decline,
    "withdraw": check_withdraw,
    "cancel": check_cancel,
    "mark_complete": check_mark_complete,
    "confirm_complete": check_confirm_complete,
    "report_no_show": check_report_no_show,
    "dispute": check_dispute,
    "resolve_dispute": check_resolve_dispute,
}


def allowed_actions(
    db: Session, *, session: SkillSession, actor: User | None, now: datetime | None = None
) -> list[str]:
    """The actions `actor` may take on `session` now (the buttons the page shows)."""
    del db  # every rule is decided from the row; kept for a stable signature
    now = _now(now)
    allowed: list[str] = []
    for action in USER_ACTIONS:
        try:
            CHECKS[action](session, actor=actor, now=now)
        except (InvalidTransition, NotAllowed):
            continue
        allowed.append(action)
    return allowed


# --------------------------------------------------------------------------- database helpers


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


def _lock_users(db: Session, user_ids: Iterable[int]) -> None:
    """Serialise bookings that touch the same people (overlap checks), in id order."""
    ids = sorted(set(user_ids))
    db.exec(select(User.id).where(col(User.id).in_(ids)).order_by(col(User.id)).with_for_update())


def get_session(db: Session, session_id: int) -> SkillSession:
    row = db.get(SkillSession, session_id)
    if row is None:
        raise NotFound("This session does not exist.")
    return row


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


def _scheduled_overlapping(user_ids: Sequence[int], start: datetime, end: datetime) -> Any:
    """Scheduled sessions of any of these members that overlap [start, end)."""
    return select(SkillSession).where(
        col(SkillSession.state) == SessionState.SCHEDULED,
        or_(col(SkillSession.teacher_id).in_(user_ids), col(SkillSession.learner_id).in_(user_ids)),
        col(SkillSession.starts_at) < end,
        col(SkillSession.ends_at) > start,
    )


def _overlapping(
    db: Session,
    *,
    user_ids: Sequence[int],
    start: datetime,
    end: datetime,
    exclude_session_id: int | None,
) -> SkillSession | None:
    query = _scheduled_overlapping(user_ids, start, end)
    if exclude_session_id is not None:
        query = query.where(SkillSession.id != exclude_session_id)
    return db.exec(query.limit(1)).first()


def _check_no_overlap(
    db: Session,
    *,
    actor: User,
    teacher: User,
    learner: User,
    start: datetime,
    duration_minutes: int,
    exclude_session_id: int | None,
) -> None:
    end = start + timedelta(minutes=duration_minutes)
    when = format_time(start, actor.timezone)
    for person in (actor, learner if actor.id == teacher.id else teacher):
        clash = _overlapping(
            db,
            user_ids=[person.id or 0],
            start=start,
            end=end,
            exclude_session_id=exclude_session_id,
        )
        if clash is not None:
            if person.id == actor.id:
                raise Conflict(f"{when} overlaps another session of yours.", field="start_times")
            raise Conflict(
                f"{person.display_name} already has a session at {when}.", field="start_times"
            )


def _clean_times(
    db: Session,
    *,
    actor: User,
    teacher: User,
    learner: User,
    start_times: Sequence[datetime],
    duration_minutes: int,
    now: datetime,
    exclude_session_id: int | None,
) -> list[datetime]:
    """Validate 1-3 proposed start times; raise naming the first bad one."""
    if not start_times or len(start_times) > MAX_PROPOSED_TIMES:
        raise ValidationFailed(
            f"Propose between one and {MAX_PROPOSED_TIMES} start times.", field="start_times"
        )
    times: list[datetime] = []
    for when in start_times:
        if not isinstance(when, datetime) or when.tzinfo is None:
            raise ValidationFailed("Each time needs a date, a time and a time zone.")
        times.append(when.astimezone(UTC).replace(microsecond=0))
    if len(set(times)) != len(times):
        raise ValidationFailed("Each proposed time must be different.", field="start_times")
    times.sort()
    for start in times:
        label = format_time(start, actor.timezone)
        if start <= now:
            raise ValidationFailed(
                f"{label} is in the past. Choose a time in the future.", field="start_times"
            )
        end = start + timedelta(minutes=duration_minutes)
        # The teacher's weekly availability binds what learners propose; a teacher
        # proposing times has chosen them and may step outside their usual hours.
        if actor.id != teacher.id and not availability.is_available(
            db, user_id=teacher.id or 0, start=start, end=end
        ):
            raise ValidationFailed(
                f"{teacher.display_name} is not available at {label} "
                f"for {duration_minutes} minutes.",
                field="start_times",
            )
        _check_no_overlap(
            db,
            actor=actor,
            teacher=teacher,
            learner=learner,
            start=start,
            duration_minutes=duration_minutes,
            exclude_session_id=exclude_session_id,
        )
    return times


def _record(
    db: Session,
    session: SkillSession,
    *,
    actor: User | None,
    action: str,
    to_state: SessionState,
    now: datetime,
    note: str = "",
) -> SessionEvent:
    event = SessionEvent(
        session_id=session.id or 0,
        actor_id=actor.id if actor is not None else None,
        action=action,
        from_state=session.state,
        to_state=to_state.value,
        note=note[:500],
        at=now,
    )
    session.state = to_state.value
    session.updated_at = now
    db.add(session)
    db.add(event)
    db.flush()
    _emit_changed(db, session, event)
    return event


def _emit_changed(db: Session, session: SkillSession, event: SessionEvent) -> None:
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


def _add_proposals(
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


def _close_escrow(db: Session, session: SkillSession, settlement: policy.Settlement) -> None:
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


def _money_note(settlement: policy.Settlement) -> str:
    if settlement.to_teacher == 0:
        return f"{format_credits(settlement.to_learner)} credits returned to the learner."
    if settlement.to_learner == 0:
        return f"{format_credits(settlement.to_teacher)} credits paid to the teacher."
    return (
        f"{format_credits(settlement.to_teacher)} credits paid to the teacher, "
        f"{format_credits(settlement.to_learner)} returned to the learner."
    )


def _user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such member.")
    return user


# --------------------------------------------------------------------------- request


def check_can_request(db: Session, *, actor: User, skill: Skill | None) -> User:
    """Refuse a request the actor may not send; returns the teacher."""
    if actor.status != UserStatus.ACTIVE:
        raise NotAllowed("This account is suspended.")
    if not actor.is_onboarded:
        raise NotAllowed("Finish setting up your profile before requesting a session.")
    if skill is None or not skill.active:
        raise NotFound("This skill is no longer offered.")
    if skill.kind != SkillKind.TEACH:
        raise NotAllowed("You can only book a skill someone offers to teach.")
    if skill.user_id == actor.id:
        raise NotAllowed("You can't book a session with yourself.")
    teacher = _user(db, skill.user_id)
    if teacher.status != UserStatus.ACTIVE or not teacher.is_onboarded:
        raise NotAllowed(f"{teacher.display_name} is not taking requests right now.")
    return teacher


def request_options(db: Session, *, actor: User, skill_id: int) -> tuple[Skill, User]:
    """The skill and teacher behind a request page, or the reason it can't be booked."""
    skill = db.get(Skill, skill_id) if skill_id > 0 else None
    teacher = check_can_request(db, actor=actor, skill=skill)
    assert skill is not None  # check_can_request refuses a missing skill
    return skill, teacher


def busy_intervals(
    db: Session, *, user_ids: Sequence[int], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Scheduled sessions of any of these members that overlap [start, end)."""
    rows = db.exec(_scheduled_overlapping(user_ids, start, end)).all()
    return [(r.starts_at, r.ends_at) for r in rows if r.starts_at and r.ends_at]


def free_start_times(
    db: Session,
    *,
    teacher_id: int,
    learner_id: int,
    after: datetime,
    duration_minutes: int,
    limit: int,
    horizon_days: int = 14,
) -> list[datetime]:
    """The teacher's free starts inside their availability, minus times when the teacher or
    the learner already has a scheduled session (so a page never offers a taken slot)."""
    starts = availability.next_free_slots(
        db,
        user_id=teacher_id,
        after=after,
        duration_minutes=duration_minutes,
        limit=limit * 2,
        horizon_days=horizon_days,
    )
    if not starts:
        return []
    length = timedelta(minutes=duration_minutes)
    busy = busy_intervals(
        db, user_ids=[teacher_id, learner_id], start=starts[0], end=starts[-1] + length
    )
    free = [t for t in starts if not any(b0 < t + length and b1 > t for b0, b1 in busy)]
    return free[:limit]


def do_request_session(
    db: Session,
    *,
    actor: User,
    skill_id: int,
    duration_minutes: int,
    start_times: Sequence[datetime],
    message: str = "",
    now: datetime | None = None,
) -> SkillSession:
    """Send a request: 1-3 proposed times, and the cost held in the session's escrow.

    Refusals (`NotAllowed`, `ValidationFailed`, `Conflict`, `InsufficientCredits`) write
    nothing: every write happens inside a SAVEPOINT that is rolled back on failure.
    """
    now = _now(now)
    skill = db.get(Skill, skill_id)
    teacher = check_can_request(db, actor=actor, skill=skill)
    assert skill is not None
    if duration_minutes not in ALLOWED_DURATIONS:
        raise ValidationFailed(
            "Choose a length of 30, 60, 90 or 120 minutes.", field="duration_minutes"
        )
    text = clean_text(
        message,
        field="message",
        label="Message",
        max_length=MAX_MESSAGE,
        required=False,
        multiline=True,
    )
    _lock_users(db, [actor.id or 0, teacher.id or 0])
    times = _clean_times(
        db,
        actor=actor,
        teacher=teacher,
        learner=actor,
        start_times=start_times,
        duration_minutes=duration_minutes,
        now=now,
        exclude_session_id=None,
    )
    cost = session_cost(duration_minutes)
    available = ledger.available_balance(db, actor.id or 0)
    if available < cost:
        raise InsufficientCredits(
            f"This session costs {format_credits(cost)} credits and you have "
            f"{format_credits(available)} available. Teach a session or buy credits first.",
            field="duration_minutes",
        )
    with db.begin_nested():
        session = SkillSession(
            skill_id=skill_id,
            skill_title=skill.title,
            teacher_id=teacher.id or 0,
            learner_id=actor.id or 0,
            duration_minutes=duration_minutes,
            cost=cost,
            state=SessionState.REQUESTED,
            proposed_by=Side.LEARNER,
            proposal_round=1,
            message=text,
            expires_at=policy.request_expires_at(proposed_at=now, start_times=times),
            created_at=now,
            updated_at=now,
        )
        db.add(session)
        db.flush()
        _add_proposals(db, session, by=actor, times=times, now=now)
        requested = SessionEvent(
            session_id=session.id or 0,
            actor_id=actor.id,
            action="request",
            from_state="",
            to_state=SessionState.REQUESTED.value,
            note=f"{len(times)} time{'s' if len(times) > 1 else ''} proposed; "
            f"{credits_phrase(cost)} held.",
            at=now,
        )
        db.add(requested)
        ledger.hold_for_session(
            db,
            session_id=session.id or 0,
            learner_id=actor.id or 0,
            amount=cost,
            key=f"session:{session.id}:hold",
        )
        db.flush()
        _emit_changed(db, session, requested)
    return session


# --------------------------------------------------------------------------- answers


def do_accept(
    db: Session,
    *,
    actor: User,
    session_id: int,
    starts_at: datetime,
    now: datetime | None = None,
) -> SkillSession:
    """The responder picks one of the open times: the session is scheduled."""
    now = _now(now)
    session = lock_session(db, session_id)
    check_accept(session, actor=actor, now=now)
    if starts_at.tzinfo is None:
        raise ValidationFailed("Choose one of the proposed times.")
    slot = starts_at.astimezone(UTC).replace(microsecond=0)
    if slot not in open_times(db, session):
        raise ValidationFailed("Choose one of the proposed times.", field="starts_at")
    when = format_time(slot, actor.timezone)
    if slot <= now:
        raise ValidationFailed(
            f"{when} has already passed. Propose new times instead.", field="starts_at"
        )
    teacher, learner = _user(db, session.teacher_id), _user(db, session.learner_id)
    _lock_users(db, [teacher.id or 0, learner.id or 0])
    _check_no_overlap(
        db,
        actor=actor,
        teacher=teacher,
        learner=learner,
        start=slot,
        duration_minutes=session.duration_minutes,
        exclude_session_id=session.id,
    )
    session.starts_at = slot
    session.ends_at = slot + timedelta(minutes=session.duration_minutes)
    session.expires_at = None
    session.reminded_at = None
    _record(
        db,
        session,
        actor=actor,
        action="accept",
        to_state=SessionState.SCHEDULED,
        now=now,
        note=f"Agreed on {format_time(slot, 'UTC')}.",
    )
    return session


def do_decline(
    db: Session, *, actor: User, session_id: int, reason: str = "", now: datetime | None = None
) -> SkillSession:
    now = _now(now)
    session = lock_session(db, session_id)
    check_decline(session, actor=actor, now=now)
    note = clean_text(reason, field="reason", label="Reason", max_length=MAX_REASON, required=False)
    session.expires_at = None
    session.cancel_reason = note or None
    _close_escrow(db, session, policy.Settlement(to_teacher=0, to_learner=session.cost))
    _record(
        db,
        session,
        actor=actor,
        action="decline",
        to_state=SessionState.DECLINED,
        now=now,
        note=" ".join(filter(None, [note, _money_note(policy.Settlement(0, session.cost))])),
    )
    return session


def do_propose_reschedule(
    db: Session,
    *,
    actor: User,
    session_id: int,
    start_times: Sequence[datetime],
    note: str = "",
    now: datetime | None = None,
) -> SkillSession:
    """Offer 1-3 new times; the other person answers. An agreed time is released."""
    now = _now(now)
    session = lock_session(db, session_id)
    check_propose_reschedule(session, actor=actor, now=now)
    side = side_of(session, actor)
    assert side is not None
    text = clean_text(note, field="note", label="Note", max_length=MAX_REASON, required=False)
    teacher, learner = _user(db, session.teacher_id), _user(db, session.learner_id)
    _lock_users(db, [teacher.id or 0, learner.id or 0])
    times = _clean_times(
        db,
        actor=actor,
        teacher=teacher,
        learner=learner,
        start_times=start_times,
        duration_minutes=session.duration_minutes,
        now=now,
        exclude_session_id=session.id,
    )
    previous = session.starts_at
    session.proposal_round += 1
    session.proposed_by = side.value
    session.starts_at = None
    session.ends_at = None
    session.reminded_at = None
    session.teacher_marked_complete_at = None
    session.expires_at = policy.request_expires_at(proposed_at=now, start_times=times)
    _add_proposals(db, session, by=actor, times=times, now=now)
    moved = f"Instead of {format_time(previous, 'UTC')}. " if previous else ""
    _record(
        db,
        session,
        actor=actor,
        action="propose_reschedule",
        to_state=SessionState.RESCHEDULE_PROPOSED,
        now=now,
        note=f"{moved}{text}".strip(),
    )
    return session


def do_withdraw(
    db: Session, *, actor: User, session_id: int, now: datetime | None = None
) -> SkillSession:
    now = _now(now)
    session = lock_session(db, session_id)
    check_withdraw(session, actor=actor, now=now)
    settlement = policy.Settlement(to_teacher=0, to_learner=session.cost)
    session.expires_at = None
    session.cancelled_by = actor.id
    session.cancel_reason = "Withdrawn by the learner."
    _close_escrow(db, session, settlement)
    _record(
        db,
        session,
        actor=actor,
        action="withdraw",
        to_state=SessionState.CANCELLED,
        now=now,
        note=_money_note(settlement),
    )
    return session


def cancellation_preview(
    session: SkillSession, *, actor: User, now: datetime | None = None
) -> policy.Settlement:
    """What cancelling now would move (shown in the confirmation dialog)."""
    now = _now(now)
    side = _participant(session, actor)
    return policy.cancellation_settlement(
        cost=session.cost,
        cancelled_by=side,
        starts_at=session.starts_at,
        now=now,
        scheduled=session.state == SessionState.SCHEDULED,
    )


def do_cancel(
    db: Session, *, actor: User, session_id: int, reason: str = "", now: datetime | None = None
) -> SkillSession:
    """Either side cancels before the start; credits move by the written policy."""
    now = _now(now)
    session = lock_session(db, session_id)
    check_cancel(session, actor=actor, now=now)
    text = clean_text(reason, field="reason", label="Reason", max_length=MAX_REASON, required=False)
    settlement = cancellation_preview(session, actor=actor, now=now)
    session.expires_at = None
    session.cancelled_by = actor.id
    session.cancel_reason = text or None
    _close_escrow(db, session, settlement)
    _record(
        db,
        session,
        actor=actor,
        action="cancel",
        to_state=SessionState.CANCELLED,
        now=now,
        note=" ".join(filter(None, [text, _money_note(settlement)])),
    )
    return session


# --------------------------------------------------------------------------- after the session


def do_mark_complete(
    db: Session, *, actor: User, session_id: int, now: datetime | None = None
) -> SkillSession:
    """The teacher says it happened; the learner confirms (or disputes) next."""
    now = _now(now)
    session = lock_session(db, session_id)
    check_mark_complete(session, actor=actor, now=now)
    session.teacher_marked_complete_at = now
    _record(
        db,
        session,
        actor=actor,
        action="mark_complete",
        to_state=SessionState.SCHEDULED,
        now=now,
    )
    return session


def _complete(
    db: Session, session: SkillSession, *, actor: User | None, action: str, now: datetime
) -> SkillSession:
    settlement = policy.completion_settlement(cost=session.cost)
    _close_escrow(db, session, settlement)
    _record(
        db,
        session,
        actor=actor,
        action=action,
        to_state=SessionState.COMPLETED,
        now=now,
        note=_money_note(settlement),
    )
    return session


def do_confirm_complete(
    db: Session, *, actor: User, session_id: int, now: datetime | None = None
) -> SkillSession:
    now = _now(now)
    session = lock_session(db, session_id)
    check_confirm_complete(session, actor=actor, now=now)
    return _complete(db, session, actor=actor, action="confirm_complete", now=now)


def do_report_no_show(
    db: Session, *, actor: User, session_id: int, note: str = "", now: datetime | None = None
) -> SkillSession:
    """The side that showed up reports the other absent. Credits stay held while the other
    side may dispute; the job then closes the session as a no-show by the policy."""
    now = _now(now)
    session = lock_session(db, session_id)
    check_report_no_show(session, actor=actor, now=now)
    side = side_of(session, actor)
    assert side is not None
    text = clean_text(note, field="note", label="Note", max_length=MAX_REASON, required=False)
    session.no_show_reported_by = side.value
    session.no_show_reported_at = now
    absent = "teacher" if side == Side.LEARNER else "learner"
    _record(
        db,
        session,
        actor=actor,
        action="report_no_show",
        to_state=SessionState.SCHEDULED,
        now=now,
        note=f"The {absent} did not show up. {text}".strip(),
    )
    return session


def do_dispute(
    db: Session, *, actor: User, session_id: int, reason: str = "", now: datetime | None = None
) -> SkillSession:
    """Credits stay in escrow until an admin resolves the dispute."""
    now = _now(now)
    session = lock_session(db, session_id)
    check_dispute(session, actor=actor, now=now)
    text = clean_text(
        reason, field="reason", label="What went wrong", max_length=MAX_REASON, required=True
    )
    session.disputed_by_id = actor.id
    _record(
        db,
        session,
        actor=actor,
        action="dispute",
        to_state=SessionState.DISPUTED,
        now=now,
        note=text,
    )
    return session


_RESOLUTION_STATE = {
    DisputeResolution.TEACHER: SessionState.COMPLETED,
    DisputeResolution.SPLIT: SessionState.COMPLETED,
    DisputeResolution.LEARNER: SessionState.CANCELLED,
}


def do_resolve_dispute(
    db: Session,
    *,
    actor: User,
    session_id: int,
    resolution: DisputeResolution | str,
    note: str = "",
    now: datetime | None = None,
) -> SkillSession:
    """An admin decides: pay the teacher (completed), refund the learner (cancelled) or split
    (completed, half each)."""
    now = _now(now)
    session = lock_session(db, session_id)
    check_resolve_dispute(session, actor=actor, now=now)
    try:
        outcome = DisputeResolution(resolution)
    except ValueError:
        raise ValidationFailed("Choose teacher, learner or split.", field="resolution") from None
    text = clean_text(note, field="note", label="Note", max_length=MAX_REASON, required=False)
    settlement = policy.dispute_settlement(cost=session.cost, resolution=outcome)
    session.resolution = outcome.value
    if outcome == DisputeResolution.LEARNER:
        session.cancelled_by = actor.id
        session.cancel_reason = "Refunded after a dispute."
    _close_escrow(db, session, settlement)
    _record(
        db,
        session,
        actor=actor,
        action="resolve_dispute",
        to_state=_RESOLUTION_STATE[outcome],
        now=now,
        note=" ".join(filter(None, [text, _money_note(settlement)])),
    )
    return session


# --------------------------------------------------------------------------- system transitions


def do_expire(db: Session, *, session_id: int, now: datetime | None = None) -> SkillSession:
    now = _now(now)
    session = lock_session(db, session_id)
    check_expire(session, now=now)
    settlement = policy.Settlement(to_teacher=0, to_learner=session.cost)
    _close_escrow(db, session, settlement)
    _record(
        db,
        session,
        actor=None,
        action="expire",
        to_state=SessionState.EXPIRED,
        now=now,
        note=_money_note(settlement),
    )
    return session


def do_auto_complete(db: Session, *, session_id: int, now: datetime | None = None) -> SkillSession:
    now = _now(now)
    session = lock_session(db, session_id)
    check_auto_complete(session, now=now)
    return _complete(db, session, actor=None, action="auto_complete", now=now)


def do_finalize_no_show(
    db: Session, *, session_id: int, now: datetime | None = None
) -> SkillSession:
    now = _now(now)
    session = lock_session(db, session_id)
    check_finalize_no_show(session, now=now)
    assert session.no_show_reported_by is not None
    absent = _other(Side(session.no_show_reported_by))
    settlement = policy.no_show_settlement(cost=session.cost, absent=absent)
    _close_escrow(db, session, settlement)
    _record(
        db,
        session,
        actor=None,
        action="finalize_no_show",
        to_state=SessionState.NO_SHOW,
        now=now,
        note=f"The {absent.value} did not show up. {_money_note(settlement)}",
    )
    return session


# --------------------------------------------------------------------------- due work (job)


def _ids(values: Iterable[int | None]) -> list[int]:
    return [int(v) for v in values if v is not None]


def due_expiries(db: Session, *, now: datetime, limit: int = 500) -> list[int]:
    return _ids(
        db.exec(
            select(col(SkillSession.id))
            .where(
                col(SkillSession.state).in_([s.value for s in OPEN_STATES]),
                col(SkillSession.expires_at) <= now,
            )
            .order_by(col(SkillSession.expires_at))
            .limit(limit)
        ).all()
    )


def due_completions(db: Session, *, now: datetime, limit: int = 500) -> list[int]:
    cutoff = now - timedelta(hours=policy.POLICY.auto_complete_hours)
    return _ids(
        db.exec(
            select(col(SkillSession.id))
            .where(
                col(SkillSession.state) == SessionState.SCHEDULED,
                col(SkillSession.no_show_reported_by).is_(None),
                col(SkillSession.ends_at) <= cutoff,
            )
            .order_by(col(SkillSession.ends_at))
            .limit(limit)
        ).all()
    )


def due_no_shows(db: Session, *, now: datetime, limit: int = 500) -> list[int]:
    cutoff = now - timedelta(hours=policy.POLICY.no_show_dispute_hours)
    return _ids(
        db.exec(
            select(col(SkillSession.id))
            .where(
                col(SkillSession.state) == SessionState.SCHEDULED,
                col(SkillSession.no_show_reported_at) <= cutoff,
            )
            .order_by(col(SkillSession.no_show_reported_at))
            .limit(limit)
        ).all()
    )


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


# --------------------------------------------------------------------------- read model


@dataclass(frozen=True)
class PartyView:
    id: int
    side: Side
    display_name: str
    handle: str
    timezone: str


@dataclass(frozen=True)
class ProposalView:
    starts_at: datetime  # UTC
    ends_at: datetime
    starts_at_local: datetime  # in the viewer's time zone
    proposed_by_id: int


@dataclass(frozen=True)
class EventView:
    at: datetime
    actor_id: int | None  # None: BARTR itself (expiry, auto-completion)
    actor_name: str
    action: str
    action_label: str
    from_state: str
    to_state: str
    note: str


@dataclass(frozen=True)
class SessionRow:
    id: int
    state: str  # effective: an open request past its expiry reads "expired"
    state_label: str
    skill_title: str
    my_side: Side
    other: PartyView
    duration_minutes: int
    cost: int
    cost_text: str
    starts_at: datetime | None  # the agreed time (UTC), when there is one
    starts_at_local: datetime | None  # in the viewer's time zone
    open_times: list[datetime]  # the current proposal's times (UTC) while open
    expires_at: datetime | None
    needs_my_answer: bool
    updated_at: datetime


@dataclass(frozen=True)
class SessionDetail:
    id: int
    skill_id: int
    skill_title: str
    state: str
    state_label: str
    teacher: PartyView
    learner: PartyView
    viewer_side: Side | None  # None for an admin who is not a participant
    viewer_timezone: str
    duration_minutes: int
    cost: int
    cost_text: str
    held: int  # minor units in the session's escrow right now
    message: str
    starts_at: datetime | None
    ends_at: datetime | None
    starts_at_local: datetime | None
    ends_at_local: datetime | None
    expires_at: datetime | None
    proposed_by: Side | None  # who made the open proposal (None when not open)
    open_proposals: list[ProposalView]
    teacher_marked_complete_at: datetime | None
    no_show_reported_by: Side | None
    resolution: str | None
    cancel_reason: str | None
    events: list[EventView]
    allowed_actions: list[str]
    policy_text: list[str]


def _party(user: User, side: Side) -> PartyView:
    return PartyView(
        id=user.id or 0,
        side=side,
        display_name=user.display_name,
        handle=user.handle,
        timezone=user.timezone,
    )


def _participant_filter(user_id: int):  # type: ignore[no-untyped-def]
    return or_(col(SkillSession.teacher_id) == user_id, col(SkillSession.learner_id) == user_id)


def _tab_filter(tab: Tab, *, user_id: int, now: datetime):  # type: ignore[no-untyped-def]
    requested, proposed = SessionState.REQUESTED.value, SessionState.RESCHEDULE_PROPOSED.value
    not_lapsed = col(SkillSession.expires_at) > now
    if tab in ("to_answer", "my_requests"):
        # Who answers: the teacher a fresh request, otherwise the side that did not propose.
        teacher_answers = or_(
            col(SkillSession.state) == requested,
            and_(
                col(SkillSession.state) == proposed,
                col(SkillSession.proposed_by) == Side.LEARNER,
            ),
        )
        learner_answers = and_(
            col(SkillSession.state) == proposed, col(SkillSession.proposed_by) == Side.TEACHER
        )
        me_teacher = col(SkillSession.teacher_id) == user_id
        me_learner = col(SkillSession.learner_id) == user_id
        if tab == "to_answer":
            mine = or_(and_(teacher_answers, me_teacher), and_(learner_answers, me_learner))
        else:
            mine = or_(and_(teacher_answers, me_learner), and_(learner_answers, me_teacher))
        return and_(not_lapsed, mine)
    if tab == "upcoming":
        return and_(_participant_filter(user_id), col(SkillSession.state) == SessionState.SCHEDULED)
    if tab == "history":
        closed = [s.value for s in TERMINAL_STATES] + [SessionState.DISPUTED.value]
        return and_(
            _participant_filter(user_id),
            or_(
                col(SkillSession.state).in_(closed),
                and_(
                    col(SkillSession.state).in_([requested, proposed]),
                    col(SkillSession.expires_at) <= now,
                ),
            ),
        )
    raise ValidationFailed(f"Unknown tab {tab!r}.")


def list_for_user(
    db: Session, *, actor: User, tab: Tab, now: datetime | None = None, limit: int = 100
) -> list[SessionRow]:
    """The actor's sessions for one tab of "My sessions".

    to_answer: open proposals waiting for the actor, soonest expiry first.
    my_requests: open proposals the actor made, waiting for the other side.
    upcoming: scheduled sessions (also those ended but not yet closed), by start.
    history: closed or disputed sessions and lapsed requests, newest first.
    """
    now = _now(now)
    user_id = actor.id or 0
    query = select(SkillSession).where(_tab_filter(tab, user_id=user_id, now=now))
    if tab in ("to_answer", "my_requests"):
        query = query.order_by(col(SkillSession.expires_at), col(SkillSession.id))
    elif tab == "upcoming":
        query = query.order_by(col(SkillSession.starts_at), col(SkillSession.id))
    else:
        query = query.order_by(col(SkillSession.updated_at).desc(), col(SkillSession.id).desc())
    sessions = list(db.exec(query.limit(limit)).all())
    if not sessions:
        return []
    other_ids = {s.teacher_id if s.learner_id == user_id else s.learner_id for s in sessions}
    users = {u.id: u for u in db.exec(select(User).where(col(User.id).in_(other_ids))).all()}
    times: dict[int, list[datetime]] = {}
    open_ids = {s.id: s.proposal_round for s in sessions if s.state in OPEN_STATES}
    if open_ids:
        for p in db.exec(
            select(SessionProposal)
            .where(col(SessionProposal.session_id).in_(list(open_ids)))
            .order_by(col(SessionProposal.starts_at))
        ).all():
            if open_ids.get(p.session_id) == p.round:
                times.setdefault(p.session_id, []).append(p.starts_at)
    zone = _zone(actor.timezone)
    rows: list[SessionRow] = []
    for s in sessions:
        my_side = Side.TEACHER if s.teacher_id == user_id else Side.LEARNER
        other_side = _other(my_side)
        other = users[s.teacher_id if other_side == Side.TEACHER else s.learner_id]
        state = effective_state(s, now)
        rows.append(
            SessionRow(
                id=s.id or 0,
                state=state.value,
                state_label=STATE_LABELS[state],
                skill_title=s.skill_title,
                my_side=my_side,
                other=_party(other, other_side),
                duration_minutes=s.duration_minutes,
                cost=s.cost,
                cost_text=format_credits(s.cost),
                starts_at=s.starts_at,
                starts_at_local=s.starts_at.astimezone(zone) if s.starts_at else None,
                open_times=times.get(s.id or 0, []) if state in OPEN_STATES else [],
                expires_at=s.expires_at,
                needs_my_answer=state in OPEN_STATES and responder(s) == my_side,
                updated_at=s.updated_at,
            )
        )
    return rows


def tab_counts(db: Session, *, actor: User, now: datetime | None = None) -> dict[str, int]:
    now = _now(now)
    counts: dict[str, int] = {}
    for tab in TABS:
        counts[tab] = int(
            db.exec(
                select(func.count())
                .select_from(SkillSession)
                .where(_tab_filter(tab, user_id=actor.id or 0, now=now))
            ).one()
        )
    return counts


def check_can_read(session: SkillSession, *, actor: User | None) -> None:
    if actor is None or (side_of(session, actor) is None and not actor.is_admin):
        raise NotAllowed("Only the two people in this session can see it.")


def session_detail(
    db: Session, *, actor: User, session_id: int, now: datetime | None = None
) -> SessionDetail:
    """Everything the session page shows, for a participant or an admin."""
    now = _now(now)
    s = get_session(db, session_id)
    check_can_read(s, actor=actor)
    teacher, learner = _user(db, s.teacher_id), _user(db, s.learner_id)
    zone = _zone(actor.timezone)
    state = effective_state(s, now)
    proposals: list[ProposalView] = []
    if state in OPEN_STATES:
        for p in db.exec(
            select(SessionProposal)
            .where(SessionProposal.session_id == s.id, SessionProposal.round == s.proposal_round)
            .order_by(col(SessionProposal.starts_at))
        ).all():
            proposals.append(
                ProposalView(
                    starts_at=p.starts_at,
                    ends_at=p.starts_at + timedelta(minutes=s.duration_minutes),
                    starts_at_local=p.starts_at.astimezone(zone),
                    proposed_by_id=p.proposed_by_id,
                )
            )
    names = {teacher.id: teacher.display_name, learner.id: learner.display_name}
    raw_events = db.exec(
        select(SessionEvent)
        .where(SessionEvent.session_id == s.id)
        .order_by(col(SessionEvent.at), col(SessionEvent.id))
    ).all()
    missing = {e.actor_id for e in raw_events if e.actor_id is not None} - set(names)
    if missing:
        for u in db.exec(select(User).where(col(User.id).in_(missing))).all():
            names[u.id] = f"{u.display_name} (admin)" if u.is_admin else u.display_name
    events = [
        EventView(
            at=e.at,
            actor_id=e.actor_id,
            actor_name=names.get(e.actor_id, "BARTR") if e.actor_id is not None else "BARTR",
            action=e.action,
            action_label=ACTION_LABELS.get(e.action, e.action),
            from_state=e.from_state,
            to_state=e.to_state,
            note=e.note,
        )
        for e in raw_events
    ]
    if state == SessionState.EXPIRED and s.state != SessionState.EXPIRED.value:
        # The job has not written it yet; the timeline still says what happened.
        assert s.expires_at is not None
        events.append(
            EventView(
                at=s.expires_at,
                actor_id=None,
                actor_name="BARTR",
                action="expire",
                action_label=ACTION_LABELS["expire"],
                from_state=s.state,
                to_state=SessionState.EXPIRED.value,
                note="Credits are being returned to the learner.",
            )
        )
    return SessionDetail(
        id=s.id or 0,
        skill_id=s.skill_id,
        skill_title=s.skill_title,
        state=state.value,
        state_label=STATE_LABELS[state],
        teacher=_party(teacher, Side.TEACHER),
        learner=_party(learner, Side.LEARNER),
        viewer_side=side_of(s, actor),
        viewer_timezone=actor.timezone,
        duration_minutes=s.duration_minutes,
        cost=s.cost,
        cost_text=format_credits(s.cost),
        held=ledger.escrow_balance(db, s.id or 0),
        message=s.message,
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        starts_at_local=s.starts_at.astimezone(zone) if s.starts_at else None,
        ends_at_local=s.ends_at.astimezone(zone) if s.ends_at else None,
        expires_at=s.expires_at if state in OPEN_STATES else None,
        proposed_by=Side(s.proposed_by) if state in OPEN_STATES else None,
        open_proposals=proposals,
        teacher_marked_complete_at=s.teacher_marked_complete_at,
        no_show_reported_by=Side(s.no_show_reported_by) if s.no_show_reported_by else None,
        resolution=s.resolution,
        cancel_reason=s.cancel_reason,
        events=events,
        allowed_actions=allowed_actions(db, session=s, actor=actor, now=now),
        policy_text=policy.policy_text(cost=s.cost),
    )
