"""The read model: "My sessions" lists, tab counts and one session's page.

Reads never write: they run in `read_session`, and a lapsed request is shown as expired
(`rules.effective_state`) before the job has written it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from bartr.models.accounts import User
from bartr.models.sessions import (
    OPEN_STATES,
    TERMINAL_STATES,
    SessionEvent,
    SessionProposal,
    SessionState,
    Side,
    SkillSession,
)
from bartr.services import ledger
from bartr.services.credits import format_credits
from bartr.services.errors import NotAllowed, ValidationFailed
from bartr.services.sessions import policy
from bartr.services.sessions.labels import ACTION_LABELS, STATE_LABELS
from bartr.services.sessions.rules import (
    allowed_actions,
    effective_state,
    responder,
    side_of,
)
from bartr.services.sessions.rules import (
    other as other_side_of,
)
from bartr.services.sessions.store import get_session, get_user
from bartr.services.sessions.times import now_utc, zone
from bartr.settings import get_settings

Tab = Literal["to_answer", "my_requests", "upcoming", "history"]
TABS: tuple[Tab, ...] = ("to_answer", "my_requests", "upcoming", "history")


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
    note: str  # what the person wrote; the whole story for rows older than `data`
    data: dict[str, Any] | None  # the facts: ISO instants, integer amounts (None: old row)


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


def _participant_filter(user_id: int) -> ColumnElement[bool]:
    return or_(col(SkillSession.teacher_id) == user_id, col(SkillSession.learner_id) == user_id)


def _tab_filter(tab: Tab, *, user_id: int, now: datetime) -> ColumnElement[bool]:
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
    now = now_utc(now)
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
    tz = zone(actor.timezone)
    rows: list[SessionRow] = []
    for s in sessions:
        my_side = Side.TEACHER if s.teacher_id == user_id else Side.LEARNER
        other_side = other_side_of(my_side)
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
                starts_at_local=s.starts_at.astimezone(tz) if s.starts_at else None,
                open_times=times.get(s.id or 0, []) if state in OPEN_STATES else [],
                expires_at=s.expires_at,
                needs_my_answer=state in OPEN_STATES and responder(s) == my_side,
                updated_at=s.updated_at,
            )
        )
    return rows


def tab_counts(db: Session, *, actor: User, now: datetime | None = None) -> dict[str, int]:
    now = now_utc(now)
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
    now = now_utc(now)
    s = get_session(db, session_id)
    check_can_read(s, actor=actor)
    teacher, learner = get_user(db, s.teacher_id), get_user(db, s.learner_id)
    tz = zone(actor.timezone)
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
                    starts_at_local=p.starts_at.astimezone(tz),
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
            data=e.data,
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
                note="",
                data={"to_teacher": 0, "to_learner": s.cost, "pending": True},
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
        starts_at_local=s.starts_at.astimezone(tz) if s.starts_at else None,
        ends_at_local=s.ends_at.astimezone(tz) if s.ends_at else None,
        expires_at=s.expires_at if state in OPEN_STATES else None,
        proposed_by=Side(s.proposed_by) if state in OPEN_STATES else None,
        open_proposals=proposals,
        teacher_marked_complete_at=s.teacher_marked_complete_at,
        no_show_reported_by=Side(s.no_show_reported_by) if s.no_show_reported_by else None,
        resolution=s.resolution,
        cancel_reason=s.cancel_reason,
        events=events,
        allowed_actions=allowed_actions(db, session=s, actor=actor, now=now),
        policy_text=member_policy_text(cost=s.cost),
    )


def member_policy_text(*, cost: int | None = None) -> list[str]:
    """The policy as members read it here: with the video-call line while calls are on."""
    settings = get_settings()
    percent = settings.video_min_attendance_percent if settings.livekit_enabled else None
    return policy.policy_text(cost=cost, video_attendance_percent=percent)
