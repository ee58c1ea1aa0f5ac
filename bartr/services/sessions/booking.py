"""Booking: cleaning proposed times, the overlap rule, free slots, and the request itself.

The same overlap query serves the booking check (`check_no_overlap`) and the free-slot
filter (`free_start_times`), so a page never offers a slot the check would refuse. Both
people's rows are locked in id order before times are checked, so two bookings of the same
slot cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bartr.models.accounts import User, UserStatus
from bartr.models.profiles import Skill, SkillKind
from bartr.models.sessions import (
    ALLOWED_DURATIONS,
    SessionEvent,
    SessionState,
    Side,
    SkillSession,
)
from bartr.services import availability, blocks, ledger, ratings
from bartr.services.credits import format_credits, session_cost
from bartr.services.errors import (
    Conflict,
    InsufficientCredits,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from bartr.services.sessions import policy
from bartr.services.sessions.store import (
    add_proposals,
    emit_changed,
    get_user,
    instant,
    lock_users,
)
from bartr.services.sessions.times import format_time, now_utc
from bartr.services.validation import clean_text

MAX_PROPOSED_TIMES = 3
MAX_MESSAGE = 1000


def _scheduled_overlapping(
    user_ids: Sequence[int], start: datetime, end: datetime
) -> SelectOfScalar[SkillSession]:
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


def check_no_overlap(
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


def clean_times(
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
        check_no_overlap(
            db,
            actor=actor,
            teacher=teacher,
            learner=learner,
            start=start,
            duration_minutes=duration_minutes,
            exclude_session_id=exclude_session_id,
        )
    return times


def check_can_request(db: Session, *, actor: User, skill: Skill | None) -> User:
    """Refuse a request the actor may not send; returns the teacher."""
    if actor.status != UserStatus.ACTIVE:
        raise NotAllowed("This account is suspended.")
    if not actor.is_onboarded:
        raise NotAllowed("Finish setting up your profile before requesting a session.")
    ratings.check_learner_has_rated(db, learner=actor)  # the rating gate (RatingRequired)
    if skill is None or not skill.active:
        raise NotFound("This skill is no longer offered.")
    if skill.kind != SkillKind.TEACH:
        raise NotAllowed("You can only book a skill someone offers to teach.")
    if skill.user_id == actor.id:
        raise NotAllowed("You can't book a session with yourself.")
    teacher = get_user(db, skill.user_id)
    if teacher.status != UserStatus.ACTIVE or not teacher.is_onboarded:
        raise NotAllowed(f"{teacher.display_name} is not taking requests right now.")
    blocks.check_not_blocked(db, actor.id, teacher.id, what="book a session")
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
    # Busy first: each booked session can hide a few starts, so ask for that many more
    # (asking for `limit * 2` came back empty when the first hours were all booked).
    busy = busy_intervals(
        db,
        user_ids=[teacher_id, learner_id],
        start=after,
        end=after + timedelta(days=horizon_days + 1),
    )
    per_busy = duration_minutes // availability.SLOT_MINUTES + 2
    starts = availability.next_free_slots(
        db,
        user_id=teacher_id,
        after=after,
        duration_minutes=duration_minutes,
        limit=limit + per_busy * len(busy),
        horizon_days=horizon_days,
    )
    return availability.free_of(starts, duration_minutes=duration_minutes, busy=busy)[:limit]


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
    now = now_utc(now)
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
    lock_users(db, [actor.id or 0, teacher.id or 0])
    times = clean_times(
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
        add_proposals(db, session, by=actor, times=times, now=now)
        requested = SessionEvent(
            session_id=session.id or 0,
            actor_id=actor.id,
            action="request",
            from_state="",
            to_state=SessionState.REQUESTED.value,
            data={"times": [instant(t) for t in times], "held": cost},
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
        emit_changed(db, session, requested)
    return session
