"""What admins review: open disputes (credits held until an admin decides) and the report
queue (open reports, oldest first, each with its context and the member's history).

Reading only; the actions an admin takes are in moderation_actions.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, or_, select

from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.models.safety import MemberWarning, Report, ReportStatus
from bartr.models.sessions import SessionEvent, SessionState, SkillSession
from bartr.services import audit, ledger, reports, sessions, trust, wallet
from bartr.services.credits import format_credits
from bartr.services.errors import NotAllowed, NotFound


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


# --------------------------------------------------------------------------- report queue


@dataclass(frozen=True)
class QueueRow:
    report_id: int
    created_at: datetime
    age_days: int
    reason: str
    kind: str
    target_id: int
    target_label: str
    subject_id: int
    subject_name: str
    subject_handle: str
    subject_status: str
    reporter_name: str
    open_about_subject: int  # open reports about the same member, this one included


def open_reports(db: Session, *, actor: User, limit: int = 50) -> list[QueueRow]:
    """Open reports, oldest first."""
    _require_admin(actor)
    rows = db.exec(
        select(Report)
        .where(Report.status == ReportStatus.OPEN)
        .order_by(col(Report.created_at), col(Report.id))
        .limit(max(1, min(limit, 200)))
    ).all()
    ids = {r.subject_id for r in rows} | {r.reporter_id for r in rows}
    people = {u.id: u for u in db.exec(select(User).where(col(User.id).in_(ids))).all()}
    per_subject = dict(
        db.exec(
            select(Report.subject_id, func.count())
            .where(Report.status == ReportStatus.OPEN, col(Report.subject_id).in_(ids))
            .group_by(col(Report.subject_id))
        ).all()
    )
    now = utcnow()
    out = []
    for r in rows:
        subject, reporter = people.get(r.subject_id), people.get(r.reporter_id)
        out.append(
            QueueRow(
                report_id=r.id or 0,
                created_at=r.created_at,
                age_days=max(0, (now - r.created_at).days),
                reason=reports.REASONS.get(r.reason, r.reason),
                kind=r.target_kind,
                target_id=r.target_id,
                target_label=_target_label(db, r),
                subject_id=r.subject_id,
                subject_name=subject.display_name if subject else "?",
                subject_handle=subject.handle if subject else "",
                subject_status=subject.status if subject else "",
                reporter_name=reporter.display_name if reporter else "?",
                open_about_subject=int(per_subject.get(r.subject_id, 1)),
            )
        )
    return out


def _target_label(db: Session, report: Report) -> str:
    entry = reports.TARGETS.get(report.target_kind)
    if entry is None:
        return f"{report.target_kind} #{report.target_id}"
    target = entry.load(db, report.target_id)
    return target.label if target is not None else f"{entry.noun} #{report.target_id} (removed)"


@dataclass(frozen=True)
class ContextLine:
    when: datetime
    who: str
    text: str
    highlighted: bool = False


@dataclass(frozen=True)
class MemberHistory:
    status: str
    suspended_until: datetime | None
    member_since: datetime
    reports_by_status: dict[str, int]
    warnings: int
    sessions_taught: int
    sessions_learned: int
    sessions_by_state: dict[str, int]
    balance: int
    rating_avg: float | None
    rating_count: int
    trust_score: float | None
    recent_ledger: list[ContextLine]


@dataclass(frozen=True)
class ReportDetail:
    row: QueueRow
    details: str
    reporter_id: int
    context: list[ContextLine]  # the reported thing and what surrounds it
    shared_sessions: list[ContextLine]  # sessions between reporter and member, with timelines
    history: MemberHistory
    can_remove: bool


def report_detail(db: Session, *, actor: User, report_id: int) -> ReportDetail:
    _require_admin(actor)
    report = db.get(Report, report_id) if isinstance(report_id, int) else None
    if report is None:
        raise NotFound("No such report.")
    row = next(
        (r for r in open_reports(db, actor=actor, limit=200) if r.report_id == report.id), None
    )
    if row is None:
        subject = db.get(User, report.subject_id)
        reporter = db.get(User, report.reporter_id)
        row = QueueRow(
            report_id=report.id or 0,
            created_at=report.created_at,
            age_days=max(0, (utcnow() - report.created_at).days),
            reason=reports.REASONS.get(report.reason, report.reason),
            kind=report.target_kind,
            target_id=report.target_id,
            target_label=_target_label(db, report),
            subject_id=report.subject_id,
            subject_name=subject.display_name if subject else "?",
            subject_handle=subject.handle if subject else "",
            subject_status=subject.status if subject else "",
            reporter_name=reporter.display_name if reporter else "?",
            open_about_subject=0,
        )
    entry = reports.TARGETS.get(report.target_kind)
    context: list[ContextLine] = []
    if entry is not None and entry.context is not None:
        context = [
            ContextLine(when=w, who=who, text=text, highlighted=hi)
            for w, who, text, hi in entry.context(db, report.target_id)
        ]
    return ReportDetail(
        row=row,
        details=report.details,
        reporter_id=report.reporter_id,
        context=context,
        shared_sessions=_shared_sessions(db, report.reporter_id, report.subject_id),
        history=member_history(db, actor=actor, member_id=report.subject_id),
        can_remove=entry is not None and entry.remove is not None,
    )


def _shared_sessions(db: Session, a: int, b: int, limit: int = 5) -> list[ContextLine]:
    rows = db.exec(
        select(SkillSession)
        .where(
            or_(
                (col(SkillSession.teacher_id) == a) & (col(SkillSession.learner_id) == b),
                (col(SkillSession.teacher_id) == b) & (col(SkillSession.learner_id) == a),
            )
        )
        .order_by(col(SkillSession.id).desc())
        .limit(limit)
    ).all()
    lines: list[ContextLine] = []
    for s in rows:
        lines.append(
            ContextLine(
                when=s.created_at,
                who=f"Session #{s.id}",
                text=f"{s.skill_title} · {sessions.STATE_LABELS.get(s.state, s.state)}",
                highlighted=True,
            )
        )
        events = db.exec(
            select(SessionEvent)
            .where(SessionEvent.session_id == s.id)
            .order_by(col(SessionEvent.at), col(SessionEvent.id))
        ).all()
        for e in events:
            label = sessions.ACTION_LABELS.get(e.action, e.action)
            lines.append(
                ContextLine(when=e.at, who="", text=" · ".join(filter(None, [label, e.note])))
            )
    return lines


def member_history(db: Session, *, actor: User, member_id: int) -> MemberHistory:
    _require_admin(actor)
    member = db.get(User, member_id)
    if member is None:
        raise NotFound("No such member.")
    by_status = dict(
        db.exec(
            select(Report.status, func.count())
            .where(Report.subject_id == member_id)
            .group_by(col(Report.status))
        ).all()
    )
    warnings = db.exec(
        select(func.count()).select_from(MemberWarning).where(MemberWarning.user_id == member_id)
    ).one()
    session_rows = db.exec(
        select(SkillSession.teacher_id, SkillSession.state, func.count())
        .where(or_(SkillSession.teacher_id == member_id, SkillSession.learner_id == member_id))
        .group_by(col(SkillSession.teacher_id), col(SkillSession.state))
    ).all()
    taught = sum(n for t, _s, n in session_rows if t == member_id)
    learned = sum(n for t, _s, n in session_rows if t != member_id)
    by_state: dict[str, int] = {}
    for _t, state, n in session_rows:
        label = sessions.STATE_LABELS.get(state, state)
        by_state[label] = by_state.get(label, 0) + int(n)
    stats = trust.stats_for(db, member_id)
    recent = _recent_wallet_lines(db, member=member, limit=5)
    return MemberHistory(
        status=member.status,
        suspended_until=member.suspended_until,
        member_since=member.created_at,
        reports_by_status={k: int(v) for k, v in by_status.items()},
        warnings=int(warnings or 0),
        sessions_taught=int(taught),
        sessions_learned=int(learned),
        sessions_by_state=by_state,
        balance=ledger.available_balance(db, member_id),
        rating_avg=stats.rating_avg,
        rating_count=stats.rating_count,
        trust_score=stats.trust_score,
        recent_ledger=[ContextLine(when=w, who="", text=t) for w, t in recent],
    )


def _recent_wallet_lines(
    db: Session, *, member: User, limit: int = 5
) -> list[tuple[datetime, str]]:
    """The member's latest wallet movements as (when, "+1 · reason"), worded as their own
    wallet page words them (who a hold was for, what a payment paid)."""
    return [
        (
            row.created_at,
            f"{format_credits(row.amount, signed=True)} · {row.reason}"
            + (" (from the hold)" if row.from_hold else ""),
        )
        for row in wallet.history(db, actor=member, limit=limit)
    ]
