"""One-to-one conversations: who may write to whom, sending, reading, and the inbox.

Every message is written to SQL in the sender's own transaction before anyone sees it; the
realtime push (state/live.py) happens after commit, from the `MessageSent` domain event, and
a tab that missed a push catches up here by the last id it saw (`messages_after`), so
nothing is lost and a message is shown once (ids are the dedupe key).

History is paged by id (keyset): `thread(before_id=...)` returns the 50 older messages,
never an OFFSET that shifts when new messages arrive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import and_, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bartr.models.accounts import User, UserStatus
from bartr.models.base import utcnow
from bartr.models.messaging import MAX_MESSAGE_CHARS, Conversation, Message, Notification
from bartr.models.sessions import SkillSession
from bartr.services import blocks, domain_events
from bartr.services.errors import NotAllowed, NotFound, TooManyAttempts, ValidationFailed

PAGE_SIZE = 50
RATE_LIMIT_COUNT = 20
RATE_LIMIT_WINDOW = timedelta(seconds=10)
PREVIEW_CHARS = 90
# What the pair reads in place of a message an admin removed (services/content_reports.py).
REMOVED_BODY = "Removed by a moderator."

Tick = Literal["sent", "delivered", "read"]


# --------------------------------------------------------------------------- who may


def can_message(db: Session, sender: User, recipient: User) -> bool:
    """May `sender` start or continue a conversation with `recipient`?

    The one place the rule lives: the safety feature extends it (blocks), the pages use it to
    show or hide "Message" buttons, and `do_send_message` enforces it.
    """
    return _refusal(db, sender, recipient) is None


def _refusal(db: Session, sender: User, recipient: User) -> str | None:
    if sender.id is None or recipient.id is None or sender.id == recipient.id:
        return "You can't send messages to yourself."
    if sender.status != UserStatus.ACTIVE:
        return "Your account can't send messages right now."
    if recipient.status != UserStatus.ACTIVE:
        return f"{recipient.display_name} can't receive messages right now."
    if blocks.blocked_between(db, sender.id, recipient.id):
        return "You can't exchange messages with this member."
    return None


def check_can_message(db: Session, sender: User, recipient: User) -> None:
    reason = _refusal(db, sender, recipient)
    if reason is not None:
        raise NotAllowed(reason)


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def other_member_id(conversation: Conversation, user_id: int) -> int:
    return (
        conversation.member_b_id
        if conversation.member_a_id == user_id
        else conversation.member_a_id
    )


def _is_member(conversation: Conversation, user_id: int | None) -> bool:
    return user_id in (conversation.member_a_id, conversation.member_b_id)


def get_conversation(db: Session, *, actor: User, conversation_id: int) -> Conversation:
    """The conversation if `actor` is one of its two members (strangers get NotFound)."""
    conversation = db.get(Conversation, conversation_id)
    if conversation is None or not _is_member(conversation, actor.id):
        raise NotFound("This conversation does not exist or is not yours.")
    return conversation


def conversation_between(db: Session, a_id: int, b_id: int) -> Conversation | None:
    first, second = _pair(a_id, b_id)
    return db.exec(
        select(Conversation).where(
            Conversation.member_a_id == first, Conversation.member_b_id == second
        )
    ).first()


def do_open_conversation(db: Session, *, actor: User, other_id: int) -> Conversation:
    """The pair's conversation, created on first use (one row per pair, even under races)."""
    other = db.get(User, other_id)
    if other is None:
        raise NotFound("No such member.")
    check_can_message(db, actor, other)
    existing = conversation_between(db, actor.id or 0, other_id)
    if existing is not None:
        return existing
    first, second = _pair(actor.id or 0, other_id)
    try:
        with db.begin_nested():
            conversation = Conversation(member_a_id=first, member_b_id=second)
            db.add(conversation)
            db.flush()
    except IntegrityError:  # the other member opened it at the same moment
        found = conversation_between(db, first, second)
        assert found is not None
        return found
    return conversation


def do_open_with_handle(db: Session, *, actor: User, handle: str) -> Conversation:
    """The "Message" button on a profile or a skill card names the member by handle."""
    other = db.exec(select(User).where(User.handle == handle.strip()[:40])).first()
    if other is None:
        raise NotFound("No such member.")
    return do_open_conversation(db, actor=actor, other_id=other.id or 0)


def do_open_for_session(db: Session, *, actor: User, session_id: int) -> Conversation:
    """The thread of a session's two members (the session page's chat card)."""
    session = db.get(SkillSession, session_id)
    if session is None or actor.id not in (session.learner_id, session.teacher_id):
        raise NotFound("This session does not exist or is not yours.")
    other = session.teacher_id if actor.id == session.learner_id else session.learner_id
    return do_open_conversation(db, actor=actor, other_id=other)


# --------------------------------------------------------------------------- sending


def clean_body(text: str) -> str:
    body = (text or "").strip()
    if not body:
        raise ValidationFailed("Write a message first.", field="body")
    if len(body) > MAX_MESSAGE_CHARS:
        raise ValidationFailed(
            f"Messages can be at most {MAX_MESSAGE_CHARS:,} characters "
            f"(this one has {len(body):,}).",
            field="body",
        )
    return body


def _check_rate(db: Session, *, sender_id: int, now: datetime) -> None:
    recent = db.exec(
        select(func.count())
        .select_from(Message)
        .where(Message.sender_id == sender_id, col(Message.created_at) > now - RATE_LIMIT_WINDOW)
    ).one()
    if int(recent) >= RATE_LIMIT_COUNT:
        raise TooManyAttempts(
            "You're sending messages very quickly. Wait a few seconds, then try again."
        )


def do_send_message(
    db: Session,
    *,
    actor: User,
    conversation_id: int,
    body: str,
    session_id: int | None = None,
    now: datetime | None = None,
) -> Message:
    """Store a message from `actor`; the recipient hears of it after commit."""
    now = now or utcnow()
    text = clean_body(body)
    conversation = get_conversation(db, actor=actor, conversation_id=conversation_id)
    recipient_id = other_member_id(conversation, actor.id or 0)
    recipient = db.get(User, recipient_id)
    assert recipient is not None
    check_can_message(db, actor, recipient)
    if session_id is not None:
        session = db.get(SkillSession, session_id)
        pair = {conversation.member_a_id, conversation.member_b_id}
        if session is None or {session.learner_id, session.teacher_id} != pair:
            raise NotFound("That session is not one of yours together.")
    _check_rate(db, sender_id=actor.id or 0, now=now)
    message = Message(
        conversation_id=conversation.id or 0,
        sender_id=actor.id or 0,
        body=text,
        session_id=session_id,
        created_at=now,
    )
    db.add(message)
    db.flush()
    assert message.id is not None
    conversation.last_message_id = message.id
    conversation.last_message_at = now
    # The sender has seen what they wrote.
    _advance_marks(conversation, actor.id or 0, message.id, read=True)
    db.add(conversation)
    db.flush()
    domain_events.emit(
        db,
        domain_events.MessageSent(
            message_id=message.id,
            conversation_id=conversation.id or 0,
            sender_id=actor.id or 0,
            recipient_id=recipient_id,
            at=now,
        ),
    )
    return message


def _advance_marks(conversation: Conversation, user_id: int, up_to: int, *, read: bool) -> bool:
    """Move `user_id`'s delivered (and read) marks forward; never backward."""
    changed = False
    side = "a" if conversation.member_a_id == user_id else "b"
    delivered_attr, read_attr = f"{side}_delivered_id", f"{side}_read_id"
    if getattr(conversation, delivered_attr) < up_to:
        setattr(conversation, delivered_attr, up_to)
        changed = True
    if read and getattr(conversation, read_attr) < up_to:
        setattr(conversation, read_attr, up_to)
        changed = True
    return changed


def do_mark_read(
    db: Session,
    *,
    actor: User,
    conversation_id: int,
    up_to_id: int | None = None,
    read: bool = True,
) -> bool:
    """Mark the conversation read (or only delivered) up to a message id; True if it moved."""
    conversation = get_conversation(db, actor=actor, conversation_id=conversation_id)
    last = conversation.last_message_id or 0
    up_to = min(up_to_id, last) if up_to_id is not None else last
    if up_to <= 0 or not _advance_marks(conversation, actor.id or 0, up_to, read=read):
        return False
    db.add(conversation)
    db.flush()
    domain_events.emit(
        db,
        domain_events.ConversationRead(
            conversation_id=conversation.id or 0,
            reader_id=actor.id or 0,
            other_id=other_member_id(conversation, actor.id or 0),
            up_to_id=up_to,
            read=read,
        ),
    )
    return True


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Segment:
    """A piece of a message: plain text, or a link to show as a link."""

    text: str
    href: str = ""


_URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def segments(body: str) -> list[Segment]:
    """Split text into plain parts and http(s) links; nothing else ever becomes markup."""
    parts: list[Segment] = []
    position = 0
    for match in _URL.finditer(body):
        url = match.group(0)
        while url and url[-1] in _TRAILING:
            url = url[:-1]
        start, end = match.start(), match.start() + len(url)
        if start > position:
            parts.append(Segment(body[position:start]))
        parts.append(Segment(url, href=url))
        position = end
    if position < len(body):
        parts.append(Segment(body[position:]))
    return parts


@dataclass(frozen=True)
class MessageView:
    id: int
    sender_id: int
    mine: bool
    body: str
    created_at: datetime
    tick: Tick  # only meaningful for my own messages
    session_id: int | None


@dataclass(frozen=True)
class ThreadPage:
    conversation_id: int
    messages: list[MessageView]  # oldest first
    has_older: bool
    other_id: int


def _views(conversation: Conversation, rows: list[Message], viewer_id: int) -> list[MessageView]:
    other = "b" if conversation.member_a_id == viewer_id else "a"
    delivered = getattr(conversation, f"{other}_delivered_id")
    read = getattr(conversation, f"{other}_read_id")
    views = []
    for m in rows:
        assert m.id is not None
        tick: Tick = "read" if m.id <= read else "delivered" if m.id <= delivered else "sent"
        views.append(
            MessageView(
                id=m.id,
                sender_id=m.sender_id,
                mine=m.sender_id == viewer_id,
                body=REMOVED_BODY if m.removed_at is not None else m.body,
                created_at=m.created_at,
                tick=tick,
                session_id=m.session_id,
            )
        )
    return views


def _thread_page(
    db: Session, conversation: Conversation, viewer_id: int, before_id: int | None, limit: int
) -> ThreadPage:
    limit = max(1, min(limit, PAGE_SIZE))
    query = select(Message).where(Message.conversation_id == conversation.id)
    if before_id is not None:
        query = query.where(col(Message.id) < before_id)
    rows = list(db.exec(query.order_by(col(Message.id).desc()).limit(limit + 1)).all())
    has_older = len(rows) > limit
    rows = rows[:limit]
    rows.reverse()
    return ThreadPage(
        conversation_id=conversation.id or 0,
        messages=_views(conversation, rows, viewer_id),
        has_older=has_older,
        other_id=other_member_id(conversation, viewer_id),
    )


def thread(
    db: Session,
    *,
    actor: User,
    conversation_id: int,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> ThreadPage:
    """The newest `limit` messages older than `before_id` (all newest when None), oldest first."""
    conversation = get_conversation(db, actor=actor, conversation_id=conversation_id)
    return _thread_page(db, conversation, actor.id or 0, before_id, limit)


def thread_for_report(
    db: Session, *, actor: User, conversation_id: int, before_id: int | None = None
) -> ThreadPage:
    """An admin handling a report reads the reported pair's thread (members never come here).

    Only admins; the safety feature adds "and a report about this pair is open".
    """
    if not actor.is_admin:
        raise NotAllowed("Only an admin handling a report can read someone else's messages.")
    conversation = db.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("No such conversation.")
    return _thread_page(db, conversation, conversation.member_a_id, before_id, PAGE_SIZE)


def messages_after(
    db: Session, *, actor: User, conversation_id: int, after_id: int, limit: int = 200
) -> tuple[list[MessageView], bool]:
    """What a tab missed since the last id it saw (oldest first); True when more remain."""
    conversation = get_conversation(db, actor=actor, conversation_id=conversation_id)
    rows = list(
        db.exec(
            select(Message)
            .where(Message.conversation_id == conversation.id, col(Message.id) > after_id)
            .order_by(col(Message.id))
            .limit(limit + 1)
        ).all()
    )
    return _views(conversation, rows[:limit], actor.id or 0), len(rows) > limit


@dataclass(frozen=True)
class Counterpart:
    """Who the actor talks to in a conversation (the thread's header)."""

    conversation_id: int
    user_id: int
    name: str
    handle: str
    avatar_path: str | None
    can_reply: bool
    refusal: str


def counterpart(db: Session, *, actor: User, conversation_id: int) -> Counterpart:
    conversation = get_conversation(db, actor=actor, conversation_id=conversation_id)
    other = db.get(User, other_member_id(conversation, actor.id or 0))
    assert other is not None
    refusal = _refusal(db, actor, other) or ""
    return Counterpart(
        conversation_id=conversation.id or 0,
        user_id=other.id or 0,
        name=other.display_name,
        handle=other.handle,
        avatar_path=other.avatar_path,
        can_reply=not refusal,
        refusal=refusal,
    )


def ticks(db: Session, *, actor: User, conversation_id: int) -> tuple[int, int]:
    """(delivered up to, read up to) for the other member: the ticks on my messages."""
    conversation = get_conversation(db, actor=actor, conversation_id=conversation_id)
    other = "b" if conversation.member_a_id == actor.id else "a"
    return getattr(conversation, f"{other}_delivered_id"), getattr(conversation, f"{other}_read_id")


def received_up_to(db: Session, *, actor: User, conversation_id: int) -> int:
    """The actor's own delivered mark (so a tab only writes one when it moves)."""
    conversation = get_conversation(db, actor=actor, conversation_id=conversation_id)
    side = "a" if conversation.member_a_id == actor.id else "b"
    return int(getattr(conversation, f"{side}_delivered_id"))


@dataclass(frozen=True)
class ConversationRow:
    conversation_id: int
    other_id: int
    other_name: str
    other_handle: str
    other_avatar_path: str | None
    preview: str
    last_from_me: bool
    last_at: datetime | None
    unread: int


def _mine(user_id: int):  # type: ignore[no-untyped-def]
    return or_(col(Conversation.member_a_id) == user_id, col(Conversation.member_b_id) == user_id)


def _unread_condition(user_id: int):  # type: ignore[no-untyped-def]
    """Messages from the other member above my read mark (joined with conversations)."""
    return and_(
        col(Message.sender_id) != user_id,
        or_(
            and_(
                col(Conversation.member_a_id) == user_id, col(Message.id) > Conversation.a_read_id
            ),
            and_(
                col(Conversation.member_b_id) == user_id, col(Message.id) > Conversation.b_read_id
            ),
        ),
    )


def list_conversations(db: Session, *, actor: User, limit: int = 100) -> list[ConversationRow]:
    """The actor's conversations with at least one message, newest activity first."""
    user_id = actor.id or 0
    conversations = db.exec(
        select(Conversation)
        .where(_mine(user_id), col(Conversation.last_message_id).is_not(None))
        .order_by(col(Conversation.last_message_id).desc())
        .limit(limit)
    ).all()
    if not conversations:
        return []
    ids = [c.id for c in conversations]
    unread = dict(
        db.exec(
            select(Message.conversation_id, func.count())
            .join(Conversation, col(Conversation.id) == Message.conversation_id)
            .where(col(Message.conversation_id).in_(ids), _unread_condition(user_id))
            .group_by(col(Message.conversation_id))
        ).all()
    )
    last = {
        m.id: m
        for m in db.exec(
            select(Message).where(col(Message.id).in_([c.last_message_id for c in conversations]))
        ).all()
    }
    others = {
        u.id: u
        for u in db.exec(
            select(User).where(
                col(User.id).in_([other_member_id(c, user_id) for c in conversations])
            )
        ).all()
    }
    rows = []
    for c in conversations:
        other = others[other_member_id(c, user_id)]
        message = last.get(c.last_message_id or 0)
        body = (REMOVED_BODY if message.removed_at else message.body) if message else ""
        preview = " ".join(body.split())
        if len(preview) > PREVIEW_CHARS:
            preview = preview[: PREVIEW_CHARS - 1] + "…"
        rows.append(
            ConversationRow(
                conversation_id=c.id or 0,
                other_id=other.id or 0,
                other_name=other.display_name,
                other_handle=other.handle,
                other_avatar_path=other.avatar_path,
                preview=preview,
                last_from_me=bool(message and message.sender_id == user_id),
                last_at=c.last_message_at,
                unread=int(unread.get(c.id or 0, 0)),
            )
        )
    return rows


def unread_conversations(db: Session, *, actor: User) -> int:
    """How many conversations have messages the actor has not read (the Messages badge)."""
    user_id = actor.id or 0
    return int(
        db.exec(
            select(func.count(func.distinct(Message.conversation_id)))
            .join(Conversation, col(Conversation.id) == Message.conversation_id)
            .where(_mine(user_id), _unread_condition(user_id))
        ).one()
    )


def header_counts(db: Session, *, user_id: int) -> tuple[int, int]:
    """(conversations with unread messages, unread notifications) in one query.

    The header's two badges, re-read after every push burst: one round trip instead of two.
    """
    conversations = (
        select(func.count(func.distinct(Message.conversation_id)))
        .join(Conversation, col(Conversation.id) == Message.conversation_id)
        .where(_mine(user_id), _unread_condition(user_id))
        .scalar_subquery()
    )
    notes = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
        .scalar_subquery()
    )
    row = db.exec(select(conversations, notes)).one()
    return int(row[0] or 0), int(row[1] or 0)


def unread_messages_since(
    db: Session, *, user_id: int, since: datetime | None
) -> list[tuple[int, int]]:
    """(sender id, count) of unread messages to `user_id` received after `since` (digest)."""
    query = (
        select(Message.sender_id, func.count())
        .join(Conversation, col(Conversation.id) == Message.conversation_id)
        .where(_mine(user_id), _unread_condition(user_id))
    )
    if since is not None:
        query = query.where(col(Message.created_at) > since)
    return [(int(s), int(n)) for s, n in db.exec(query.group_by(col(Message.sender_id))).all()]
