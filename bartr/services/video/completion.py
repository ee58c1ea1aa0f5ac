"""After the call: the session's outcome read from its attendance, through the state machine.

Run when LiveKit says the room finished (after the start) and once more by the periodic
job when the join window has closed (`due_ids`). With `need` = the configured share of the
booked time (50 % by default):

- both were in the call at least `need`: the session completes (`call_complete`, the
  teacher is paid once: the ledger's idempotency key is the session's settle key);
- after the end only: the learner joined and the teacher never did: teacher no-show,
  refunded by the policy (`call_teacher_absent`);
- after the end only: the teacher joined and the learner never did: the teacher's no-show
  claim is filed with the attendance as evidence (`call_learner_absent`); the learner may
  dispute it within the usual window;
- anything else (nobody joined, or someone joined too briefly): nothing changes; the
  manual flow (mark as taught, confirm, report, dispute, auto-completion) stays.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bartr.models.sessions import SessionState, Side, SkillSession
from bartr.models.video import SessionAttendance
from bartr.services import sessions
from bartr.services.sessions import policy, rules
from bartr.services.sessions.store import lock_session
from bartr.services.video.attendance import visits
from bartr.services.video.window import CallRules


def _evidence(found: dict[Side, Any], need: int, moment: datetime) -> dict[str, Any]:
    data: dict[str, Any] = {"required_seconds": need}
    for side in (Side.TEACHER, Side.LEARNER):
        visit = found.get(side)
        data[side.value] = visit.evidence(moment) if visit is not None else None
    return data


def apply_call_rules(
    db: Session,
    *,
    session_id: int,
    now: datetime,
    final: bool,
    call_rules: CallRules | None = None,
) -> str:
    """Apply the first rule that holds (see the module); returns which one, or "nothing".

    `final` is true once the session has ended and the call is over (room finished after
    the end, or the window closed): only then does an absence count.
    """
    call_rules = call_rules or CallRules.from_settings()
    session = lock_session(db, session_id)
    stage = rules.stage_of(session, now, lazy_expiry=False)
    if stage not in (rules.Stage.SCHEDULED, rules.Stage.MARKED):
        return "nothing"
    if session.starts_at is None or now < session.starts_at:
        return "nothing"
    found = visits(db, session)
    need = call_rules.required_seconds(session)
    moment = min(now, session.ends_at + call_rules.close_after) if session.ends_at else now
    evidence = _evidence(found, need, moment)
    teacher, learner = found.get(Side.TEACHER), found.get(Side.LEARNER)
    outcome = "nothing"
    if (
        teacher is not None
        and learner is not None
        and teacher.seconds_until(moment) >= need
        and learner.seconds_until(moment) >= need
    ):
        sessions.do_call_complete(db, session_id=session_id, evidence=evidence, now=now)
        outcome = "completed"
    elif final and stage == rules.Stage.SCHEDULED and teacher is None and learner is not None:
        sessions.do_call_teacher_absent(db, session_id=session_id, evidence=evidence, now=now)
        outcome = "teacher_absent"
    elif final and stage == rules.Stage.SCHEDULED and learner is None and teacher is not None:
        sessions.do_call_learner_absent(db, session_id=session_id, evidence=evidence, now=now)
        outcome = "learner_absent"
    if final:
        session.video_checked_at = now
        db.add(session)
        db.flush()
    return outcome


def due_ids(
    db: Session, *, now: datetime, call_rules: CallRules | None = None, limit: int = 200
) -> list[int]:
    """Scheduled sessions whose call window has closed, with attendance not yet read.

    Only sessions someone joined by video (nobody joined: nothing to do), and only until
    auto-completion would take over anyway.
    """
    call_rules = call_rules or CallRules.from_settings()
    attended = select(SessionAttendance.session_id).distinct()
    oldest = now - timedelta(hours=policy.POLICY.auto_complete_hours)
    rows = db.exec(
        select(SkillSession.id)
        .where(
            SkillSession.state == SessionState.SCHEDULED.value,
            col(SkillSession.video_checked_at).is_(None),
            col(SkillSession.ends_at) <= now - call_rules.close_after,
            col(SkillSession.ends_at) > oldest,
            col(SkillSession.id).in_(attended),
        )
        .order_by(col(SkillSession.ends_at))
        .limit(limit)
    ).all()
    return [i for i in rows if i is not None]
