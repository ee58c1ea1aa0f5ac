"""The notification centre: one row per thing a member should notice, written in the same
transaction as its cause, shown with text written at read time.

Rows are created by domain-event subscribers registered when this module is imported
(`subscribe_in_transaction`), so sessions, payments and the ledger never call us. New
messages fold into one unread entry per conversation (its `amount` counts them). Every
change emits `NotificationsChanged` so open tabs update their bell after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from bartr import routes
from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.models.messaging import Notification
from bartr.models.sessions import SkillSession
from bartr.services import domain_events
from bartr.services.credits import format_credits
from bartr.services.domain_events import (
    ConversationRead,
    CreditsAdjusted,
    CreditsBought,
    MessageSent,
    ReferralRewarded,
    SessionChanged,
    SessionStartingSoon,
)

LIST_LIMIT = 100

Kind = Literal[
    "message",
    "request_received",
    "accepted",
    "declined",
    "counter_proposed",
    "cancelled",
    "expired",
    "no_show_reported",
    "dispute_resolved",
    "starting_soon",
    "call_completed",
    "call_no_show",
    "call_no_show_filed",
    "referral_reward",
    "credits_bought",
    "admin_adjustment",
]

ICONS: dict[str, str] = {
    "message": "message-circle",
    "request_received": "inbox",
    "accepted": "calendar-check",
    "declined": "calendar-x",
    "counter_proposed": "calendar-clock",
    "cancelled": "calendar-x",
    "expired": "hourglass",
    "no_show_reported": "user-x",
    "dispute_resolved": "scale",
    "starting_soon": "alarm-clock",
    "call_completed": "video",
    "call_no_show": "video-off",
    "call_no_show_filed": "video-off",
    "referral_reward": "gift",
    "credits_bought": "coins",
    "admin_adjustment": "coins",
}

# Session action -> (notification kind, who hears of it: "other" than the actor, or "both").
SESSION_ACTIONS: dict[str, tuple[str, Literal["other", "both", "teacher"]]] = {
    "request": ("request_received", "teacher"),
    "accept": ("accepted", "other"),
    "decline": ("declined", "other"),
    "propose_reschedule": ("counter_proposed", "other"),
    "withdraw": ("cancelled", "other"),
    "cancel": ("cancelled", "other"),
    "expire": ("expired", "both"),
    "report_no_show": ("no_show_reported", "other"),
    "resolve_dispute": ("dispute_resolved", "both"),
    # The outcomes of a video call (services/video/completion.py): both always hear of them;
    # after a filed no-show the learner has the dispute window to act in.
    "call_complete": ("call_completed", "both"),
    "call_teacher_absent": ("call_no_show", "both"),
    "call_learner_absent": ("call_no_show_filed", "both"),
}


def _add(
    db: Session,
    *,
    user_id: int,
    kind: str,
    actor_id: int | None,
    subject_id: int | None,
    amount: int = 0,
    at: datetime | None = None,
) -> Notification:
    at = at or utcnow()
    row = Notification(
        user_id=user_id,
        kind=kind,
        actor_id=actor_id,
        subject_id=subject_id,
        amount=amount,
        created_at=at,
        updated_at=at,
    )
    db.add(row)
    db.flush()
    domain_events.emit(
        db, domain_events.NotificationAdded(notification_id=row.id or 0, user_id=user_id, kind=kind)
    )
    domain_events.emit(db, domain_events.NotificationsChanged(user_id=user_id))
    return row


# --------------------------------------------------------------------------- subscribers


def _on_session_changed(db: Session, event: SessionChanged) -> None:
    rule = SESSION_ACTIONS.get(event.action)
    if rule is None:
        return
    kind, who = rule
    parties = [event.learner_id, event.teacher_id]
    if who == "teacher":
        recipients = [event.teacher_id]
    elif who == "both":
        recipients = parties
    else:
        recipients = [p for p in parties if p != event.actor_id]
    for user_id in recipients:
        _add(
            db,
            user_id=user_id,
            kind=kind,
            actor_id=event.actor_id,
            subject_id=event.session_id,
            at=event.at,
        )


def _on_starting_soon(db: Session, event: SessionStartingSoon) -> None:
    for user_id in (event.learner_id, event.teacher_id):
        other = event.teacher_id if user_id == event.learner_id else event.learner_id
        _add(db, user_id=user_id, kind="starting_soon", actor_id=other, subject_id=event.session_id)


def _on_message(db: Session, event: MessageSent) -> None:
    """One unread entry per conversation: later messages bump it instead of adding lines."""
    existing = db.exec(
        select(Notification)
        .where(
            Notification.user_id == event.recipient_id,
            Notification.kind == "message",
            Notification.subject_id == event.conversation_id,
            col(Notification.read_at).is_(None),
        )
        .with_for_update()
    ).first()
    if existing is None:
        _add(
            db,
            user_id=event.recipient_id,
            kind="message",
            actor_id=event.sender_id,
            subject_id=event.conversation_id,
            amount=1,
            at=event.at,
        )
        return
    existing.amount += 1
    existing.updated_at = event.at
    db.add(existing)
    db.flush()
    domain_events.emit(db, domain_events.NotificationsChanged(user_id=event.recipient_id))


def _on_conversation_read(db: Session, event: ConversationRead) -> None:
    """Reading a conversation clears its message entry in the bell."""
    if not event.read:
        return
    result = db.execute(
        update(Notification)
        .where(
            col(Notification.user_id) == event.reader_id,
            col(Notification.kind) == "message",
            col(Notification.subject_id) == event.conversation_id,
            col(Notification.read_at).is_(None),
        )
        .values(read_at=utcnow())
    )
    if result.rowcount:  # type: ignore[attr-defined]
        domain_events.emit(db, domain_events.NotificationsChanged(user_id=event.reader_id))


def _on_referral(db: Session, event: ReferralRewarded) -> None:
    _add(
        db,
        user_id=event.referrer_id,
        kind="referral_reward",
        actor_id=event.referred_id,
        subject_id=event.transaction_id,
        amount=event.amount,
        at=event.at,
    )


def _on_bought(db: Session, event: CreditsBought) -> None:
    _add(
        db,
        user_id=event.user_id,
        kind="credits_bought",
        actor_id=None,
        subject_id=event.transaction_id,
        amount=event.amount,
        at=event.at,
    )


def _on_adjusted(db: Session, event: CreditsAdjusted) -> None:
    _add(
        db,
        user_id=event.user_id,
        kind="admin_adjustment",
        actor_id=None,
        subject_id=event.transaction_id,
        amount=event.amount,
        at=event.at,
    )


def register() -> None:
    """Subscribe to the domain events (idempotent; done at import)."""
    sub = domain_events.subscribe_in_transaction
    sub(SessionChanged, _on_session_changed)
    sub(SessionStartingSoon, _on_starting_soon)
    sub(MessageSent, _on_message)
    sub(ConversationRead, _on_conversation_read)
    sub(ReferralRewarded, _on_referral)
    sub(CreditsBought, _on_bought)
    sub(CreditsAdjusted, _on_adjusted)


register()


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    icon: str
    text: str
    href: str
    at: datetime
    unread: bool


def _session_text(kind: str, who: str, title: str) -> str:
    return {
        "request_received": f"{who} asked for a session: {title}",
        "accepted": f"{who} accepted your session: {title}",
        "declined": f"{who} declined your request: {title}",
        "counter_proposed": f"{who} proposed other times for {title}",
        "cancelled": f"{who} cancelled {title}",
        "expired": f"The request for {title} expired unanswered",
        "no_show_reported": f"{who} reported a no-show for {title}",
        "dispute_resolved": f"An admin resolved the dispute about {title}",
        "starting_soon": f"{title} with {who} starts soon",
        "call_completed": f"{title} is completed: you were both in the video call",
        "call_no_show": f"{title} closed as the teacher's no-show: only the learner joined the call",
        "call_no_show_filed": (
            f"A no-show was filed for {title}: only the teacher joined the call (the learner "
            "can dispute it)"
        ),
    }.get(kind, title)


def describe(db: Session, rows: list[Notification]) -> list[NotificationView]:
    """Write each row's line and link (names and titles as they are now)."""
    people = {
        u.id: u
        for u in db.exec(
            select(User).where(col(User.id).in_({r.actor_id for r in rows if r.actor_id}))
        ).all()
    }
    session_ids = {r.subject_id for r in rows if r.kind in _SESSION_KINDS and r.subject_id}
    titles = dict(
        db.exec(
            select(SkillSession.id, SkillSession.skill_title).where(
                col(SkillSession.id).in_(session_ids)
            )
        ).all()
    )
    views = []
    for r in rows:
        actor = people.get(r.actor_id)
        who = actor.display_name if actor else "Someone"
        if r.kind == "message":
            count = "a message" if r.amount <= 1 else f"{r.amount} messages"
            text, href = f"{who} sent you {count}", routes.conversation(r.subject_id or 0)
        elif r.kind in _SESSION_KINDS:
            title = titles.get(r.subject_id) or "a session"
            text, href = _session_text(r.kind, who, title), routes.session(r.subject_id or 0)
        elif r.kind == "referral_reward":
            text = f"{who} joined with your link: +{format_credits(r.amount)} credits"
            href = routes.WALLET
        elif r.kind == "credits_bought":
            text, href = f"{format_credits(r.amount)} credits added to your wallet", routes.WALLET
        else:
            sign = "+" if r.amount > 0 else "−"
            text = f"An admin adjusted your balance: {sign}{format_credits(abs(r.amount))} credits"
            href = routes.WALLET
        views.append(
            NotificationView(
                id=r.id or 0,
                kind=r.kind,
                icon=ICONS.get(r.kind, "bell"),
                text=text,
                href=href,
                at=r.updated_at,
                unread=r.read_at is None,
            )
        )
    return views


_SESSION_KINDS = frozenset(kind for kind, _ in SESSION_ACTIONS.values()) | {"starting_soon"}


def latest(
    db: Session, *, actor: User, unread_only: bool = False, limit: int = LIST_LIMIT
) -> list[NotificationView]:
    query = select(Notification).where(Notification.user_id == actor.id)
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    rows = list(
        db.exec(
            query.order_by(col(Notification.updated_at).desc(), col(Notification.id).desc()).limit(
                max(1, min(limit, LIST_LIMIT))
            )
        ).all()
    )
    return describe(db, rows)


def href_of(db: Session, *, actor: User, notification_id: int) -> str:
    """Where one of the actor's notifications leads ("" when it is not theirs)."""
    row = db.get(Notification, notification_id)
    if row is None or row.user_id != actor.id:
        return ""
    return describe(db, [row])[0].href


def unread_count(db: Session, *, actor: User) -> int:
    return int(
        db.exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == actor.id, col(Notification.read_at).is_(None))
        ).one()
    )


def do_mark_read(db: Session, *, actor: User, notification_id: int | None = None) -> int:
    """Mark one of the actor's notifications read (all of them when id is None)."""
    stmt = update(Notification).where(
        col(Notification.user_id) == actor.id, col(Notification.read_at).is_(None)
    )
    if notification_id is not None:
        stmt = stmt.where(col(Notification.id) == notification_id)
    count = int(db.execute(stmt.values(read_at=utcnow())).rowcount)  # type: ignore[attr-defined]
    if count:
        domain_events.emit(db, domain_events.NotificationsChanged(user_id=actor.id or 0))
    return count


# Email by preference rides on the same events (imported here so both always run together).
from bartr.services import email_prefs  # noqa: E402, F401
