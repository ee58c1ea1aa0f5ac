"""The daily digest: one email a day listing who sent a member messages they haven't read.

Sent from 08:00 in the member's own time zone (the periodic job runs every half hour), only
for messages that arrived since the last digest, only to active members with a verified
address who kept the digest on (Settings; on by default). At most one a day per member,
even with several workers: the outbox dedupe key is `digest:<member>:<local date>`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bartr import routes
from bartr.models.accounts import User
from bartr.models.messaging import Conversation
from bartr.services import email_prefs, messages, outbox
from bartr.services.mail_content import Mail, absolute, compose

DIGEST_LOCAL_HOUR = 8
LOOKBACK = timedelta(days=2)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except Exception:
        return ZoneInfo("UTC")


def candidates(db: Session, *, now: datetime) -> list[int]:
    """Members of conversations with recent messages (the digest checks the rest)."""
    rows = db.exec(
        select(Conversation.member_a_id, Conversation.member_b_id).where(
            col(Conversation.last_message_at) > now - LOOKBACK
        )
    ).all()
    return sorted({uid for pair in rows for uid in pair})


def compose_digest(db: Session, *, user: User, unread: list[tuple[int, int]]) -> Mail:
    names = dict(
        db.exec(
            select(User.id, User.display_name).where(col(User.id).in_([s for s, _ in unread]))
        ).all()
    )
    total = sum(n for _, n in unread)
    items = [
        f"{names.get(sender, 'A member')}: {n} unread message{'s' if n != 1 else ''}"
        for sender, n in sorted(unread, key=lambda pair: (-pair[1], names.get(pair[0], "")))
    ]
    return compose(
        subject=f"You have {total} unread message{'s' if total != 1 else ''} on BARTR",
        greeting=f"Hello {user.display_name},",
        paragraphs=["While you were away, people wrote to you:"],
        items=items,
        action=("Read your messages", absolute(routes.MESSAGES)),
        footer=["One email a day at most. Change it in Settings."],
        unsubscribe_url=email_prefs.unsubscribe_page_url(user.id or 0, email_prefs.DIGEST),
    )


def send_digest_for(db: Session, *, user_id: int, now: datetime) -> bool:
    """Queue today's digest for one member if it is due; True if queued."""
    user = db.get(User, user_id)
    if user is None or not email_prefs.can_email(user):
        return False
    if not email_prefs.preferences(db, user_id=user_id).daily_digest:
        return False
    zone = _zone(user.timezone)
    local = now.astimezone(zone)
    if local.hour < DIGEST_LOCAL_HOUR:
        return False
    row = email_prefs._editable(db, user_id)
    last = row.last_digest_at
    if last is not None and last.astimezone(zone).date() >= local.date():
        return False
    unread = messages.unread_messages_since(
        db, user_id=user_id, since=last if last is not None else now - timedelta(days=1)
    )
    if not unread:
        return False
    mail = compose_digest(db, user=user, unread=unread)
    outbox.enqueue(
        db,
        to=user.email,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        dedupe_key=f"digest:{user_id}:{local.date().isoformat()}",
        list_unsubscribe=email_prefs.unsubscribe_post_url(user_id, email_prefs.DIGEST),
    )
    row.last_digest_at = now
    db.add(row)
    db.flush()
    return True


def send_digests(
    unit_of_work: Callable[[], AbstractContextManager[Session]], *, now: datetime
) -> int:
    """The periodic job: one short transaction per member; returns how many were queued."""
    with unit_of_work() as db:
        ids = candidates(db, now=now)
    sent = 0
    for user_id in ids:
        with unit_of_work() as db:
            sent += send_digest_for(db, user_id=user_id, now=now)
    return sent
