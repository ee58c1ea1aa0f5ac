"""What an admin can do about a report or a member; every action needs a note and is
appended to the audit log in the same transaction.

- dismiss a report; warn a member (they see the warning until they acknowledge it);
- suspend for N days or ban: the member's logins end at once, their skills disappear
  from every list (visibility reads the account status), their open requests are closed
  and their scheduled sessions that have not started are cancelled, each through the
  state machine's `safety_close` with the learner's credits returned in full (nobody
  taught; the other member is not charged a late-cancellation fee for it). Sessions
  already under way stay (no-show and dispute still apply);
- reinstate a suspended or banned member;
- remove a message, review or course item (soft: hidden, restorable) and restore it,
  through the target registry in services/reports.py;
- credits are adjusted with the existing tool (`ledger.admin_adjust`, audited there).
Resolving through an action closes the report it came from ("Action taken" to the reporter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select, update

from bartr.models.accounts import AuthSession, User, UserStatus
from bartr.models.base import utcnow
from bartr.models.safety import MemberWarning, Report, ReportStatus
from bartr.models.sessions import OPEN_STATES, SessionState, SkillSession
from bartr.services import audit, reports, sessions, trust
from bartr.services.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from bartr.services.validation import clean_text

MAX_NOTE = 2000
MAX_SUSPENSION_DAYS = 365


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only admins can moderate.")


def _note(note: str, *, label: str = "Note") -> str:
    text = clean_text(note, field="note", label=label, max_length=MAX_NOTE, multiline=True)
    if len(text) < 3:
        raise ValidationFailed("Write a short note saying why.", field="note")
    return text


def _member(db: Session, member_id: object, *, actor: User) -> User:
    if not isinstance(member_id, int) or isinstance(member_id, bool) or member_id <= 0:
        raise NotFound("No such member.")
    member = db.get(User, member_id)
    if member is None or member.status == UserStatus.DELETED:
        raise NotFound("No such member.")
    if member.id == actor.id:
        raise NotAllowed("You can't moderate your own account.")
    if member.is_admin:
        raise NotAllowed("Admins can't be moderated here.")
    return member


def _report(db: Session, report_id: object) -> Report | None:
    if report_id is None:
        return None
    if not isinstance(report_id, int) or isinstance(report_id, bool):
        raise NotFound("No such report.")
    report = db.get(Report, report_id)
    if report is None:
        raise NotFound("No such report.")
    return report


def _close(
    db: Session, report: Report | None, *, actor: User, status: ReportStatus, action: str
) -> None:
    if report is None:
        return
    if report.status != ReportStatus.OPEN:
        raise InvalidTransition("This report was already handled.")
    report.status, report.resolution = status.value, action
    report.resolved_at, report.resolved_by_id = utcnow(), actor.id
    db.add(report)
    db.flush()
    trust.recompute_teacher(db, report.subject_id)  # upheld weighs a lot, dismissed nothing


def do_dismiss(db: Session, *, actor: User, report_id: int, note: str) -> Report:
    _require_admin(actor)
    text = _note(note)
    report = _report(db, report_id)
    assert report is not None
    _close(db, report, actor=actor, status=ReportStatus.DISMISSED, action="report.dismiss")
    audit.record(
        db,
        actor=actor,
        action="report.dismiss",
        target_kind="report",
        target_id=report.id,
        member_id=report.subject_id,
        note=text,
    )
    db.flush()
    return report


def do_warn(
    db: Session, *, actor: User, member_id: int, note: str, report_id: int | None = None
) -> MemberWarning:
    """The note is the warning the member reads, so write it to them."""
    _require_admin(actor)
    text = _note(note, label="Warning")
    member = _member(db, member_id, actor=actor)
    report = _report(db, report_id)
    _close(db, report, actor=actor, status=ReportStatus.ACTIONED, action="member.warn")
    warning = MemberWarning(
        user_id=member.id or 0, admin_id=actor.id or 0, report_id=report_id, message=text
    )
    db.add(warning)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="member.warn",
        target_kind="member",
        target_id=member.id,
        member_id=member.id,
        note=text,
        data={"report_id": report_id} if report_id else {},
    )
    return warning


@dataclass(frozen=True)
class Restriction:
    member: User
    logins_ended: int
    requests_closed: int
    sessions_cancelled: int = 0


def _restrict(db: Session, member: User, *, now: datetime, reason: str) -> tuple[int, int, int]:
    """End the member's logins, close their open requests and cancel their scheduled
    sessions that have not started, the learner's credits back in full each time."""
    ended = db.exec(
        update(AuthSession)
        .where(col(AuthSession.user_id) == member.id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    theirs = or_(SkillSession.teacher_id == member.id, SkillSession.learner_id == member.id)
    open_ids = db.exec(
        select(SkillSession.id).where(
            theirs, col(SkillSession.state).in_([s.value for s in OPEN_STATES])
        )
    ).all()
    for sid in open_ids:
        sessions.do_safety_close(db, session_id=sid or 0, reason=reason, now=now)
    booked_ids = db.exec(
        select(SkillSession.id).where(
            theirs,
            SkillSession.state == SessionState.SCHEDULED,
            col(SkillSession.starts_at) > now,
            col(SkillSession.no_show_reported_by).is_(None),
            col(SkillSession.teacher_marked_complete_at).is_(None),
        )
    ).all()
    for sid in booked_ids:
        sessions.do_safety_close(db, session_id=sid or 0, reason=reason, now=now)
    return int(ended.rowcount or 0), len(open_ids), len(booked_ids)


def do_suspend(
    db: Session,
    *,
    actor: User,
    member_id: int,
    days: int,
    note: str,
    report_id: int | None = None,
    now: datetime | None = None,
) -> Restriction:
    _require_admin(actor)
    text = _note(note)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise ValidationFailed(
            f"Suspend for 1 to {MAX_SUSPENSION_DAYS} days, or ban instead.", field="days"
        )
    member = _member(db, member_id, actor=actor)
    if member.status == UserStatus.BANNED:
        raise InvalidTransition("This member is banned; reinstate them first.")
    now = now or utcnow()
    report = _report(db, report_id)
    _close(db, report, actor=actor, status=ReportStatus.ACTIONED, action="member.suspend")
    member.status, member.suspended_until = UserStatus.SUSPENDED.value, now + timedelta(days=days)
    db.add(member)
    db.flush()
    ended, closed, cancelled = _restrict(
        db, member, now=now, reason="Closed: a member was suspended."
    )
    audit.record(
        db,
        actor=actor,
        action="member.suspend",
        target_kind="member",
        target_id=member.id,
        member_id=member.id,
        note=text,
        data={
            "days": days,
            "until": member.suspended_until.isoformat(),
            "requests_closed": closed,
            "sessions_cancelled": cancelled,
        },
    )
    return Restriction(
        member=member, logins_ended=ended, requests_closed=closed, sessions_cancelled=cancelled
    )


def do_ban(
    db: Session,
    *,
    actor: User,
    member_id: int,
    note: str,
    report_id: int | None = None,
    now: datetime | None = None,
) -> Restriction:
    _require_admin(actor)
    text = _note(note)
    member = _member(db, member_id, actor=actor)
    now = now or utcnow()
    report = _report(db, report_id)
    _close(db, report, actor=actor, status=ReportStatus.ACTIONED, action="member.ban")
    member.status, member.suspended_until = UserStatus.BANNED.value, None
    db.add(member)
    db.flush()
    ended, closed, cancelled = _restrict(db, member, now=now, reason="Closed: a member was banned.")
    audit.record(
        db,
        actor=actor,
        action="member.ban",
        target_kind="member",
        target_id=member.id,
        member_id=member.id,
        note=text,
        data={"requests_closed": closed, "sessions_cancelled": cancelled},
    )
    return Restriction(
        member=member, logins_ended=ended, requests_closed=closed, sessions_cancelled=cancelled
    )


def do_reinstate(db: Session, *, actor: User, member_id: int, note: str) -> User:
    _require_admin(actor)
    text = _note(note)
    member = _member(db, member_id, actor=actor)
    if member.status not in (UserStatus.SUSPENDED, UserStatus.BANNED):
        raise InvalidTransition("This member is not suspended or banned.")
    member.status, member.suspended_until = UserStatus.ACTIVE.value, None
    db.add(member)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="member.reinstate",
        target_kind="member",
        target_id=member.id,
        member_id=member.id,
        note=text,
    )
    return member


def lift_expired_suspensions(db: Session, *, now: datetime | None = None) -> int:
    """Suspensions whose time ran out end by themselves (recorded as the system's action)."""
    now = now or utcnow()
    due = db.exec(
        select(User)
        .where(
            User.status == UserStatus.SUSPENDED,
            col(User.suspended_until).is_not(None),
            col(User.suspended_until) <= now,
        )
        .limit(500)
    ).all()
    for member in due:
        member.status, member.suspended_until = UserStatus.ACTIVE.value, None
        db.add(member)
        audit.record(
            db,
            actor=None,
            action="member.suspension_ended",
            target_kind="member",
            target_id=member.id,
            member_id=member.id,
        )
    db.flush()
    return len(due)


def do_remove_content(
    db: Session, *, actor: User, kind: str, target_id: int, note: str, report_id: int | None = None
) -> None:
    """Hide a message, review or course item (soft: kept, restorable)."""
    _require_admin(actor)
    text = _note(note)
    entry = reports.TARGETS.get(kind) if isinstance(kind, str) else None
    if entry is None or entry.remove is None:
        raise NotFound("This kind of content can't be removed here.")
    target = reports.load_target(db, kind, target_id)
    report = _report(db, report_id)
    _close(db, report, actor=actor, status=ReportStatus.ACTIONED, action="content.remove")
    entry.remove(db, target.id)
    audit.record(
        db,
        actor=actor,
        action="content.remove",
        target_kind=kind,
        target_id=target.id,
        member_id=target.subject_id,
        note=text,
    )


def do_restore_content(db: Session, *, actor: User, kind: str, target_id: int, note: str) -> None:
    _require_admin(actor)
    text = _note(note)
    entry = reports.TARGETS.get(kind) if isinstance(kind, str) else None
    if entry is None or entry.restore is None:
        raise NotFound("This kind of content can't be restored here.")
    if not isinstance(target_id, int) or isinstance(target_id, bool) or target_id <= 0:
        raise NotFound(f"No such {entry.noun}.")
    subject_id = entry.restore(db, target_id)
    audit.record(
        db,
        actor=actor,
        action="content.restore",
        target_kind=kind,
        target_id=target_id,
        member_id=subject_id,
        note=text,
    )


# --------------------------------------------------------------------------- the member's side


@dataclass(frozen=True)
class WarningView:
    id: int
    created_at: datetime
    message: str
    seen: bool


def my_warnings(db: Session, *, actor: User, limit: int = 20) -> list[WarningView]:
    rows = db.exec(
        select(MemberWarning)
        .where(MemberWarning.user_id == actor.id)
        .order_by(col(MemberWarning.id).desc())
        .limit(limit)
    ).all()
    return [
        WarningView(id=w.id or 0, created_at=w.created_at, message=w.message, seen=bool(w.seen_at))
        for w in rows
    ]


def do_acknowledge_warning(db: Session, *, actor: User, warning_id: int) -> None:
    warning = db.get(MemberWarning, warning_id) if isinstance(warning_id, int) else None
    if warning is None or warning.user_id != actor.id:
        raise NotFound("No such warning.")
    if warning.seen_at is None:
        warning.seen_at = utcnow()
        db.add(warning)
        db.flush()
