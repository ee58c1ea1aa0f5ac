"""A member's own data: download it as JSON, and delete the account.

Export: everything BARTR keeps about the member that they may see (profile, skills,
availability, sessions with their timelines, wallet history, reports they sent, members they
blocked, warnings), plus sections other features register (`register_export_section`:
messages, reviews...). Never secrets: no password hash, token hashes or calendar token.

Deletion keeps the books and other people's history intact and removes the person:
- refused while a session is in a state nobody can close alone yet (started, marked
  as taught, a no-show report pending, disputed): the member is told which to wait for;
- open requests are closed with the learner's hold returned (`sessions.do_safety_close`);
  scheduled sessions not yet started are cancelled by the member under the written policy;
- the remaining available credits are forfeited to a system account, only after the
  member confirmed a sentence that names the amount; ledger rows are never deleted;
- personal data is erased or replaced: name "Former member", a random handle, an unusable
  email and password, no bio, languages, avatar, calendar feed or referral code; skills and
  availability are retired; logins end; blocks are removed. Reviews and session history stay,
  attributed to "Former member".
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, or_, select, update

from bartr.models.accounts import AuthSession, User, UserStatus
from bartr.models.base import utcnow
from bartr.models.ledger import TransactionKind
from bartr.models.profiles import AvailabilityWindow, Skill
from bartr.models.safety import Block, MemberWarning, Report
from bartr.models.sessions import OPEN_STATES, SessionEvent, SessionState, SkillSession
from bartr.services import ledger, passwords, reports, sessions, wallet
from bartr.services.credits import credits_phrase
from bartr.services.errors import AuthenticationFailed, NotAllowed, ValidationFailed

FORMER_MEMBER = "Former member"
SYSTEM_FORFEITED = "forfeited"
EXPORT_FORMAT = 1

ExportSection = Callable[[Session, User], Any]
_SECTIONS: dict[str, ExportSection] = {}


def register_export_section(name: str, fn: ExportSection) -> None:
    """Add a section to the export (called by features that keep member data)."""
    _SECTIONS[name] = fn


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_data(db: Session, *, actor: User, now: datetime | None = None) -> dict[str, Any]:
    """Everything about the member, as plain JSON-ready values."""
    uid = actor.id or 0
    skills = db.exec(select(Skill).where(Skill.user_id == uid).order_by(col(Skill.id))).all()
    windows = db.exec(select(AvailabilityWindow).where(AvailabilityWindow.user_id == uid)).all()
    mine = db.exec(
        select(SkillSession)
        .where(or_(SkillSession.teacher_id == uid, SkillSession.learner_id == uid))
        .order_by(col(SkillSession.id))
    ).all()
    events_by_session: dict[int, list[dict[str, Any]]] = {}
    if mine:
        for e in db.exec(
            select(SessionEvent)
            .where(col(SessionEvent.session_id).in_([s.id for s in mine]))
            .order_by(col(SessionEvent.at), col(SessionEvent.id))
        ).all():
            events_by_session.setdefault(e.session_id, []).append(
                {
                    "at": _iso(e.at),
                    "action": e.action,
                    "to": e.to_state,
                    "note": e.note,
                    "by_me": e.actor_id == uid,
                }
            )
    history = wallet.history(db, actor=actor, limit=100_000)
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(now or utcnow()),
        "profile": {
            "email": actor.email,
            "display_name": actor.display_name,
            "handle": actor.handle,
            "bio": actor.bio,
            "languages": list(actor.languages),
            "timezone": actor.timezone,
            "referral_code": actor.referral_code,
            "joined_at": _iso(actor.created_at),
            "onboarded_at": _iso(actor.onboarded_at),
            "has_avatar": bool(actor.avatar_path),
        },
        "skills": [
            {
                "id": s.id,
                "kind": s.kind,
                "title": s.title,
                "level": s.level,
                "description": s.description,
                "tags": list(s.tags or []),
                "active": s.active,
            }
            for s in skills
        ],
        "availability": [
            {"weekday": w.weekday, "start_minute": w.start_minute, "end_minute": w.end_minute}
            for w in windows
        ],
        "sessions": [
            {
                "id": s.id,
                "role": "teacher" if s.teacher_id == uid else "learner",
                "skill": s.skill_title,
                "state": s.state,
                "starts_at": _iso(s.starts_at),
                "duration_minutes": s.duration_minutes,
                "cost_minutes": s.cost,
                "message": s.message,
                "timeline": events_by_session.get(s.id or 0, []),
            }
            for s in mine
        ],
        "wallet": {
            "available_minutes": ledger.available_balance(db, uid),
            "held_minutes": ledger.held_balance(db, uid),
            "history": [
                {
                    "at": _iso(h.created_at),
                    "kind": h.kind,
                    "reason": h.reason,
                    "amount_minutes": h.amount,
                    "balance_after_minutes": h.balance_after,
                }
                for h in history
            ],
        },
        "reports_sent": [
            {"at": _iso(r.created_at), "about": r.what, "reason": r.reason, "status": r.status}
            for r in reports.my_reports(db, actor=actor, limit=100)
        ],
        "blocked_members": [
            {"handle": u.handle, "since": _iso(b.created_at)}
            for b, u in db.exec(
                select(Block, User)
                .join(User, col(User.id) == Block.blocked_id)
                .where(Block.blocker_id == uid)
            ).all()
        ],
        "warnings": [
            {"at": _iso(w.created_at), "message": w.message}
            for w in db.exec(select(MemberWarning).where(MemberWarning.user_id == uid)).all()
        ],
    }
    for name, fn in _SECTIONS.items():
        data[name] = fn(db, actor)
    return data


# --------------------------------------------------------------------------- deletion

_STUCK = {SessionState.DISPUTED.value}


@dataclass(frozen=True)
class DeletionPreview:
    available: int  # minor units forfeited
    held: int  # minor units on hold in open requests / scheduled sessions
    open_requests: int
    scheduled: int  # to be cancelled under the policy
    blocking: list[int]  # sessions that must settle first
    confirmation: str  # the sentence the member confirms


def _sessions_of(db: Session, uid: int) -> list[SkillSession]:
    live = [s.value for s in OPEN_STATES] + [SessionState.SCHEDULED.value, *_STUCK]
    return list(
        db.exec(
            select(SkillSession).where(
                or_(SkillSession.teacher_id == uid, SkillSession.learner_id == uid),
                col(SkillSession.state).in_(live),
            )
        ).all()
    )


def _blocking(session: SkillSession, now: datetime) -> bool:
    if session.state in _STUCK:
        return True
    if session.state != SessionState.SCHEDULED:
        return False
    started = session.starts_at is not None and session.starts_at <= now
    return (
        started
        or session.teacher_marked_complete_at is not None
        or bool(session.no_show_reported_by)
    )


def deletion_preview(db: Session, *, actor: User, now: datetime | None = None) -> DeletionPreview:
    now = now or utcnow()
    uid = actor.id or 0
    live = _sessions_of(db, uid)
    available = ledger.available_balance(db, uid)
    return DeletionPreview(
        available=available,
        held=ledger.held_balance(db, uid),
        open_requests=sum(1 for s in live if s.state in {st.value for st in OPEN_STATES}),
        scheduled=sum(
            1 for s in live if s.state == SessionState.SCHEDULED and not _blocking(s, now)
        ),
        blocking=[s.id or 0 for s in live if _blocking(s, now)],
        confirmation=_confirmation(available, ledger.held_balance(db, uid)),
    )


def _confirmation(available: int, held: int) -> str:
    """The sentence the member confirms; it names every credit they lose."""
    if held:
        return (
            f"I understand that my {credits_phrase(available)}, and the credits on hold "
            f"({credits_phrase(held)}) that come back to me when my sessions close, "
            "will be forfeited."
        )
    return f"I understand that my {credits_phrase(available)} will be forfeited."


@dataclass(frozen=True)
class DeletionOutcome:
    forfeited: int
    requests_closed: int
    sessions_cancelled: int
    avatar_key: str | None  # for the caller to remove from storage after commit


def password_is_right(password_hash: str, password: object) -> bool:
    """Slow (bcrypt): call it with no transaction open."""
    return isinstance(password, str) and passwords.verify_password(password[:1024], password_hash)


def do_delete_account(
    db: Session,
    *,
    actor: User,
    password: str,
    confirmation: str,
    now: datetime | None = None,
    checked_hash: str | None = None,
) -> DeletionOutcome:
    """Delete the member's account (see the module docstring).

    Slow (bcrypt) unless the caller already checked the password outside the transaction
    (`password_is_right`) and passes the hash it checked against as `checked_hash`: if the
    password changed in between, the check proved nothing and it is refused.
    """
    now = now or utcnow()
    if actor.is_admin:
        raise NotAllowed("Admin accounts are removed by another admin, not from here.")
    if actor.status != UserStatus.ACTIVE:
        raise NotAllowed("This account can't be changed right now. Contact support.")
    if checked_hash is not None:
        if checked_hash != actor.password_hash:
            raise AuthenticationFailed("That password is not right.")
    elif not password_is_right(actor.password_hash, password):
        raise AuthenticationFailed("That password is not right.")
    preview = deletion_preview(db, actor=actor, now=now)
    if preview.blocking:
        ids = ", ".join(f"#{i}" for i in preview.blocking)
        raise NotAllowed(
            f"Session {ids} is under way or waiting for a decision; delete your account "
            "once it is settled."
        )
    if (preview.available or preview.held) and (confirmation or "").strip() != preview.confirmation:
        raise ValidationFailed(
            "Confirm that your remaining credits will be forfeited.", field="confirmation"
        )
    uid = actor.id or 0
    closed = cancelled = 0
    for session in _sessions_of(db, uid):
        if session.state in {s.value for s in OPEN_STATES}:
            sessions.do_safety_close(
                db, session_id=session.id or 0, reason="A member deleted their account.", now=now
            )
            closed += 1
        elif session.state == SessionState.SCHEDULED:
            sessions.do_cancel(
                db, actor=actor, session_id=session.id or 0, reason="Account deleted.", now=now
            )
            cancelled += 1
    forfeited = ledger.available_balance(db, uid)
    if forfeited > 0:
        ledger.post_transaction(
            db,
            key=f"forfeit:{uid}",
            kind=TransactionKind.ADJUSTMENT,
            entries=[
                (ledger.wallet_account(db, uid), -forfeited),
                (ledger.system_account(db, SYSTEM_FORFEITED), forfeited),
            ],
            memo="Credits forfeited when the account was deleted.",
            cause_type="user",
            cause_id=uid,
            actor_id=uid,
        )
    avatar_key = actor.avatar_path
    _anonymise(db, actor, now=now)
    return DeletionOutcome(
        forfeited=forfeited,
        requests_closed=closed,
        sessions_cancelled=cancelled,
        avatar_key=avatar_key,
    )


def _anonymise(db: Session, user: User, *, now: datetime) -> None:
    uid = user.id or 0
    tag = uuid.uuid4().hex[:12]
    user.email = f"deleted-{uid}-{tag}@deleted.invalid"
    user.display_name = FORMER_MEMBER
    user.handle = f"former-{tag}"
    user.bio = ""
    user.languages = []
    user.timezone = "UTC"
    user.avatar_path = None
    user.calendar_token = None
    user.referral_code = f"x{secrets.token_urlsafe(12)}"[:32]
    user.password_hash = "!deleted"  # never a valid bcrypt hash: no password matches
    user.status = UserStatus.DELETED.value
    user.suspended_until = None
    user.deleted_at = now
    db.add(user)
    db.exec(
        update(Skill)
        .where(col(Skill.user_id) == uid)
        .values(active=False, description="", tags=[], updated_at=now)
    )
    db.exec(delete(AvailabilityWindow).where(col(AvailabilityWindow.user_id) == uid))
    db.exec(
        update(AuthSession)
        .where(col(AuthSession.user_id) == uid, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    db.exec(delete(Block).where(or_(col(Block.blocker_id) == uid, col(Block.blocked_id) == uid)))
    db.exec(update(SkillSession).where(col(SkillSession.learner_id) == uid).values(message=""))
    # The reporter's own words are personal data; the report itself stays for the record.
    db.exec(update(Report).where(col(Report.reporter_id) == uid).values(details=""))
    db.flush()
