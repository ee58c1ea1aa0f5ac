"""The transitions after a request: answers, cancellations, completion, disputes, the job's.

Each `do_<action>(db, actor=, session_id=, ..., now=)` locks the session row, asks
`rules.check_transition` for its row of the `TRANSITIONS` table (which re-checks the person,
the stage and the guards), then writes: the session's fields, the escrow as the row's
`Effect` says (`rules.settlement_for`), and one timeline event (`store.record`).
The caller owns the transaction; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from bartr.models.accounts import User
from bartr.models.sessions import DisputeResolution, SessionState, Side, SkillSession
from bartr.services import blocks
from bartr.services.errors import NotAllowed, ValidationFailed
from bartr.services.sessions import policy, rules
from bartr.services.sessions.booking import check_no_overlap, clean_times
from bartr.services.sessions.store import (
    add_proposals,
    close_escrow,
    get_user,
    instant,
    lock_session,
    lock_users,
    open_times,
    record,
    settlement_data,
)
from bartr.services.sessions.times import format_time, now_utc
from bartr.services.validation import clean_text

MAX_REASON = 500


def _finish(
    db: Session,
    session: SkillSession,
    row: rules.Transition,
    *,
    actor: User | None,
    now: datetime,
    to: rules.Stage | None = None,
    text: str = "",
    facts: Mapping[str, Any] | None = None,
    by: Side | None = None,
    resolution: DisputeResolution | None = None,
) -> SkillSession:
    """Apply `row`: empty the escrow as its effect says, then record the move to `to`
    with the person's words (`text`) and the facts (`facts` plus what moved) as data."""
    target = to or row.to[0]
    assert target in row.to, (row.action, target)
    data: dict[str, Any] = dict(facts or {})
    settlement = rules.settlement_for(row.effect, session, by=by, now=now, resolution=resolution)
    if settlement is not None:
        close_escrow(db, session, settlement)
        data.update(settlement_data(settlement))
    record(
        db,
        session,
        actor=actor,
        action=row.action,
        to_state=target.state,
        now=now,
        note=text,
        data=data,
    )
    return session


def _reason(text: str, *, label: str = "Reason", required: bool = False) -> str:
    return clean_text(text, field="reason", label=label, max_length=MAX_REASON, required=required)


def do_accept(
    db: Session,
    *,
    actor: User,
    session_id: int,
    starts_at: datetime,
    now: datetime | None = None,
) -> SkillSession:
    """The responder picks one of the open times: the session is scheduled."""
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("accept", session, actor=actor, now=now)
    blocks.check_not_blocked(db, session.teacher_id, session.learner_id, what="agree a time")
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
    teacher, learner = get_user(db, session.teacher_id), get_user(db, session.learner_id)
    lock_users(db, [teacher.id or 0, learner.id or 0])
    check_no_overlap(
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
    return _finish(db, session, row, actor=actor, now=now, facts={"starts_at": instant(slot)})


def do_decline(
    db: Session, *, actor: User, session_id: int, reason: str = "", now: datetime | None = None
) -> SkillSession:
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("decline", session, actor=actor, now=now)
    text = _reason(reason)
    session.expires_at = None
    session.cancel_reason = text or None
    return _finish(db, session, row, actor=actor, now=now, text=text)


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
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("propose_reschedule", session, actor=actor, now=now)
    blocks.check_not_blocked(db, session.teacher_id, session.learner_id, what="propose times")
    side = rules.side_of(session, actor)
    assert side is not None
    text = clean_text(note, field="note", label="Note", max_length=MAX_REASON, required=False)
    teacher, learner = get_user(db, session.teacher_id), get_user(db, session.learner_id)
    lock_users(db, [teacher.id or 0, learner.id or 0])
    times = clean_times(
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
    add_proposals(db, session, by=actor, times=times, now=now)
    facts: dict[str, Any] = {"times": [instant(t) for t in times]}
    if previous is not None:
        facts["instead_of"] = instant(previous)
    return _finish(db, session, row, actor=actor, now=now, text=text, facts=facts)


def do_withdraw(
    db: Session, *, actor: User, session_id: int, now: datetime | None = None
) -> SkillSession:
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("withdraw", session, actor=actor, now=now)
    session.expires_at = None
    session.cancelled_by = actor.id
    session.cancel_reason = "Withdrawn by the learner."
    return _finish(db, session, row, actor=actor, now=now)


def cancellation_preview(
    session: SkillSession, *, actor: User, now: datetime | None = None
) -> policy.Settlement:
    """What cancelling now would move (shown in the confirmation dialog)."""
    now = now_utc(now)
    side = rules.side_of(session, actor)
    if side is None:
        raise NotAllowed("Only the two people in this session can do that.")
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
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("cancel", session, actor=actor, now=now)
    text = _reason(reason)
    side = rules.side_of(session, actor)
    session.expires_at = None
    session.cancelled_by = actor.id
    session.cancel_reason = text or None
    return _finish(db, session, row, actor=actor, now=now, text=text, by=side)


# --------------------------------------------------------------------------- after the session


def do_mark_complete(
    db: Session, *, actor: User, session_id: int, now: datetime | None = None
) -> SkillSession:
    """The teacher says it happened; the learner confirms (or disputes) next."""
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("mark_complete", session, actor=actor, now=now)
    session.teacher_marked_complete_at = now
    return _finish(db, session, row, actor=actor, now=now)


def do_confirm_complete(
    db: Session, *, actor: User, session_id: int, now: datetime | None = None
) -> SkillSession:
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("confirm_complete", session, actor=actor, now=now)
    return _finish(db, session, row, actor=actor, now=now)


def do_report_no_show(
    db: Session, *, actor: User, session_id: int, note: str = "", now: datetime | None = None
) -> SkillSession:
    """The side that showed up reports the other absent. Credits stay held while the other
    side may dispute; the job then closes the session as a no-show by the policy."""
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("report_no_show", session, actor=actor, now=now)
    side = rules.side_of(session, actor)
    assert side is not None
    text = clean_text(note, field="note", label="Note", max_length=MAX_REASON, required=False)
    session.no_show_reported_by = side.value
    session.no_show_reported_at = now
    absent = rules.other(side).value
    return _finish(db, session, row, actor=actor, now=now, text=text, facts={"absent": absent})


def do_dispute(
    db: Session, *, actor: User, session_id: int, reason: str = "", now: datetime | None = None
) -> SkillSession:
    """Credits stay in escrow until an admin resolves the dispute."""
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("dispute", session, actor=actor, now=now)
    text = _reason(reason, label="What went wrong", required=True)
    session.disputed_by_id = actor.id
    return _finish(db, session, row, actor=actor, now=now, text=text)


_RESOLUTION_STAGE = {
    DisputeResolution.TEACHER: rules.Stage.COMPLETED,
    DisputeResolution.SPLIT: rules.Stage.COMPLETED,
    DisputeResolution.LEARNER: rules.Stage.CANCELLED,
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
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("resolve_dispute", session, actor=actor, now=now)
    try:
        outcome = DisputeResolution(resolution)
    except ValueError:
        raise ValidationFailed("Choose teacher, learner or split.", field="resolution") from None
    text = clean_text(note, field="note", label="Note", max_length=MAX_REASON, required=False)
    session.resolution = outcome.value
    if outcome == DisputeResolution.LEARNER:
        session.cancelled_by = actor.id
        session.cancel_reason = "Refunded after a dispute."
    return _finish(
        db,
        session,
        row,
        actor=actor,
        now=now,
        to=_RESOLUTION_STAGE[outcome],
        text=text,
        facts={"resolution": outcome.value},
        resolution=outcome,
    )


# --------------------------------------------------------------------------- system transitions


def do_expire(db: Session, *, session_id: int, now: datetime | None = None) -> SkillSession:
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("expire", session, actor=None, now=now)
    return _finish(db, session, row, actor=None, now=now)


def do_safety_close(
    db: Session, *, session_id: int, reason: str, now: datetime | None = None
) -> SkillSession:
    """Close an open request (one of the pair was suspended, banned or left), or a
    scheduled session that has not started (one of the pair was suspended or banned):
    nobody taught, so the learner gets the whole hold back."""
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("safety_close", session, actor=None, now=now)
    session.expires_at = None
    session.cancel_reason = reason[:MAX_REASON] or None
    return _finish(db, session, row, actor=None, now=now, text=reason[:MAX_REASON])


def do_auto_complete(db: Session, *, session_id: int, now: datetime | None = None) -> SkillSession:
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("auto_complete", session, actor=None, now=now)
    return _finish(db, session, row, actor=None, now=now)


def do_finalize_no_show(
    db: Session, *, session_id: int, now: datetime | None = None
) -> SkillSession:
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("finalize_no_show", session, actor=None, now=now)
    assert session.no_show_reported_by is not None
    absent = rules.other(Side(session.no_show_reported_by))
    return _finish(db, session, row, actor=None, now=now, facts={"absent": absent.value})


# --------------------------------------------------------------------------- after a video call
# Fired by `services/video/completion.py` with the call's attendance as `evidence` (JSON-ready
# facts: per side, first join, last leave, seconds present), recorded on the timeline.


def do_call_complete(
    db: Session, *, session_id: int, evidence: Mapping[str, Any], now: datetime | None = None
) -> SkillSession:
    """Both were in the call long enough: the session completes and the teacher is paid."""
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("call_complete", session, actor=None, now=now)
    return _finish(db, session, row, actor=None, now=now, facts={"attendance": dict(evidence)})


def do_call_teacher_absent(
    db: Session, *, session_id: int, evidence: Mapping[str, Any], now: datetime | None = None
) -> SkillSession:
    """The learner came to the call and the teacher never did: a teacher no-show, refunded
    by the policy (the call's attendance stands in for the learner's report)."""
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("call_teacher_absent", session, actor=None, now=now)
    session.no_show_reported_by = Side.LEARNER.value
    session.no_show_reported_at = now
    facts = {"absent": Side.TEACHER.value, "attendance": dict(evidence)}
    return _finish(db, session, row, actor=None, now=now, facts=facts)


def do_call_learner_absent(
    db: Session, *, session_id: int, evidence: Mapping[str, Any], now: datetime | None = None
) -> SkillSession:
    """The teacher came to the call and the learner never did: the teacher's no-show claim
    is filed with the attendance as evidence. Credits stay held; the learner may dispute it
    within the policy's window, after which the periodic job closes it as a no-show."""
    now = now_utc(now)
    session = lock_session(db, session_id)
    row = rules.check_transition("call_learner_absent", session, actor=None, now=now)
    session.no_show_reported_by = Side.TEACHER.value
    session.no_show_reported_at = now
    facts = {"absent": Side.LEARNER.value, "attendance": dict(evidence), "filed_for": "teacher"}
    return _finish(db, session, row, actor=None, now=now, facts=facts)
