"""Messages: the conversation list and one thread (/messages, /messages/<id>, the session
page's chat card). Sending stores the message first (services/messages.py); the other
member's tabs and my other tabs hear of it by a push (state/live.py) and read SQL by the
last id they saw, so a message is shown once (its id is the dedupe key) and never lost.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx
from sqlmodel import Session

from bartr import routes
from bartr.adapters.realtime import Signal, hub
from bartr.db import read_session
from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.services import accounts, messages
from bartr.services.errors import DomainError
from bartr.state.auth import GENERIC_ERROR, log
from bartr.state.live import LISTENERS, ORIGIN_TAB, LiveState, short_when

TYPING_SHOWN_SECONDS = 5.0
TYPING_EVERY_SECONDS = 2.0


@dataclasses.dataclass
class Part:
    text: str = ""
    href: str = ""


@dataclasses.dataclass
class Bubble:
    id: int = 0
    mine: bool = False
    parts: list[Part] = dataclasses.field(default_factory=list)
    time: str = ""
    day: str = ""
    first_of_day: bool = False
    tick: str = ""  # sent / delivered / read (my messages only)
    session_href: str = ""


@dataclasses.dataclass
class ConversationItem:
    id: int = 0
    href: str = ""
    name: str = ""
    initials: str = ""
    avatar: str = ""
    preview: str = ""
    when: str = ""
    unread: int = 0


def _initials(name: str) -> str:
    words = [w for w in name.split() if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def _local(moment: datetime, tz: str) -> datetime:
    try:
        return moment.astimezone(ZoneInfo(tz))
    except Exception:
        return moment


def _day_label(moment: datetime, now: datetime, tz: str) -> str:
    day, today = _local(moment, tz).date(), _local(now, tz).date()
    if day == today:
        return "Today"
    if (today - day).days == 1:
        return "Yesterday"
    if (today - day).days < 7:
        return f"{day:%A}"
    return f"{day:%A} {day.day} {day:%B %Y}"


def bubble(view: messages.MessageView, tz: str, now: datetime) -> Bubble:
    return Bubble(
        id=view.id,
        mine=view.mine,
        parts=[Part(text=s.text, href=s.href) for s in messages.segments(view.body)],
        time=f"{_local(view.created_at, tz):%H:%M}",
        day=_day_label(view.created_at, now, tz),
        tick=view.tick if view.mine else "",
        session_href=routes.session(view.session_id) if view.session_id else "",
    )


def conversation_item(row: messages.ConversationRow, now: datetime, tz: str) -> ConversationItem:
    return ConversationItem(
        id=row.conversation_id,
        href=routes.conversation(row.conversation_id),
        name=row.other_name,
        initials=_initials(row.other_name),
        avatar=routes.avatar(row.other_avatar_path),
        preview=("You: " if row.last_from_me else "") + row.preview,
        when=short_when(row.last_at, now, tz),
        unread=row.unread,
    )


class ChatState(LiveState):
    """One tab's view of the member's conversations."""

    loading: bool = True
    load_error: str = ""
    conversations: list[ConversationItem] = []
    conversation_id: int = 0
    other_name: str = ""
    other_initials: str = ""
    other_avatar: str = ""
    other_href: str = ""
    can_reply: bool = True
    refusal: str = ""
    items: list[Bubble] = []
    has_older: bool = False
    loading_older: bool = False
    typing: bool = False
    draft: str = ""
    send_error: str = ""
    embedded: bool = False  # the session page's card

    _session_id: int | None = None
    _last_id: int = 0
    _typing_at: float = 0.0
    _typed_at: float = 0.0
    _other_id: int = 0
    _read_pending: bool = False

    # --- loading ------------------------------------------------------------------------------
    @rx.event
    def load(self) -> Any:
        """/messages, /messages/<id>, /messages?to=<handle>: the list and the open thread."""
        self.embedded, self._session_id, self.send_error = False, None, ""
        params = self.router.url.query_parameters
        handle = str(params.get("to", "") or "")[:40]
        if handle:
            opened = self._run(
                lambda db, user: messages.do_open_with_handle(db, actor=user, handle=handle).id,
                on_error=self._fail,
            )
            return rx.redirect(routes.conversation(opened)) if opened else None
        raw = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        wanted = int(raw) if raw.isdigit() and len(raw) < 12 else 0
        self._show(wanted)
        return None

    @rx.event
    def load_for_session(self) -> None:
        """The session page (and its call, /sessions/<id>/room): the pair's thread, inline."""
        self.embedded, self.send_error = True, ""
        parts = self.router.url.path.strip("/").split("/")
        raw = parts[1] if len(parts) > 1 and parts[0] == "sessions" else ""
        session_id = int(raw) if raw.isdigit() and len(raw) < 12 else 0
        self._session_id = session_id or None
        opened = self._run(
            lambda db, user: messages.do_open_for_session(db, actor=user, session_id=session_id).id,
            on_error=self._fail,
        )
        if opened:
            self._show(opened)

    def _fail(self, exc: DomainError) -> None:
        self.load_error, self.loading = exc.message, False

    def _show(self, wanted: int) -> None:
        """Read the list and the thread; a reload of the same thread only catches up."""
        self.load_error = ""
        try:
            with read_session() as db:
                user = self._require_user(db)
                now, tz = utcnow(), user.timezone
                if not self.embedded:
                    self.conversations = [
                        conversation_item(r, now, tz)
                        for r in messages.list_conversations(db, actor=user)
                    ]
                if wanted:
                    if wanted == self.conversation_id and self.items:
                        self._catch_up(db, user)
                    else:
                        self._open(db, user, wanted)
                else:
                    self.conversation_id, self.items = 0, []
        except DomainError as exc:
            self.load_error, self.loading = exc.message, False
            self.conversation_id, self.items = 0, []
            return
        except Exception:
            log.exception("chat load")
            self.load_error, self.loading = GENERIC_ERROR, False
            return
        self.loading = False
        hub.add_view(self.router.session.client_token, "chat")
        if self.conversation_id:
            self._mark_read()

    def _open(self, db: Session, user: User, conversation_id: int) -> None:
        head = messages.counterpart(db, actor=user, conversation_id=conversation_id)
        page = messages.thread(db, actor=user, conversation_id=conversation_id)
        self.conversation_id, self._other_id = conversation_id, head.user_id
        self.other_name, self.other_initials = head.name, _initials(head.name)
        self.other_avatar = routes.avatar(head.avatar_path)
        self.other_href = routes.profile(head.handle)
        self.can_reply, self.refusal = head.can_reply, head.refusal
        now = utcnow()
        self.items = [bubble(m, user.timezone, now) for m in page.messages]
        self.has_older, self.typing, self.draft = page.has_older, False, ""
        self._last_id = page.messages[-1].id if page.messages else 0
        self._relabel()

    def _catch_up(self, db: Session, user: User) -> bool:
        """Append what this tab has not seen yet (by id), each message once.

        True when the other member wrote something new (then it is marked read).
        """
        fresh, _more = messages.messages_after(
            db, actor=user, conversation_id=self.conversation_id, after_id=self._last_id
        )
        seen = {b.id for b in self.items[-200:]}
        now = utcnow()
        added = [bubble(m, user.timezone, now) for m in fresh if m.id not in seen]
        if added:
            self.items = self.items + added
            self._last_id = max(self._last_id, added[-1].id)
            if any(not b.mine for b in added):
                self.typing = False
            self._relabel()
        self._retick(db, user)
        return any(not b.mine for b in added)

    def _retick(self, db: Session, user: User) -> None:
        delivered, read = messages.ticks(db, actor=user, conversation_id=self.conversation_id)
        changed = False
        for b in self.items:
            if not b.mine:
                continue
            tick = "read" if b.id <= read else "delivered" if b.id <= delivered else "sent"
            if tick != b.tick:
                b.tick, changed = tick, True
        if changed:
            self.items = list(self.items)

    def _relabel(self) -> None:
        previous = ""
        for b in self.items:
            b.first_of_day = b.day != previous
            previous = b.day

    def _mark_read(self) -> None:
        def act(db: Session, user: User) -> None:
            messages.do_mark_read(db, actor=user, conversation_id=self.conversation_id)

        self._run(act, on_error=lambda e: None)

    @rx.event
    def load_older(self) -> Iterator[Any]:
        """Fifty older messages above the oldest shown (keyset by id, never OFFSET)."""
        if not self.items or not self.has_older or self.loading_older:
            return
        self.loading_older = True
        yield
        try:
            with read_session() as db:
                user = self._require_user(db)
                page = messages.thread(
                    db, actor=user, conversation_id=self.conversation_id, before_id=self.items[0].id
                )
                now = utcnow()
                older = [bubble(m, user.timezone, now) for m in page.messages]
        except DomainError as exc:
            self.send_error, self.loading_older = exc.message, False
            return
        seen = {b.id for b in self.items}
        self.items = [b for b in older if b.id not in seen] + self.items
        self.has_older, self.loading_older = page.has_older, False
        self._relabel()

    # --- writing ------------------------------------------------------------------------------
    @rx.event
    def set_draft(self, value: str) -> None:
        """Keeps the composer's text; tells the other member "typing…" at most every 2 s."""
        self.draft = str(value)[: messages.MAX_MESSAGE_CHARS + 100]
        if self.send_error and len(self.draft) <= messages.MAX_MESSAGE_CHARS:
            self.send_error = ""
        now = time.monotonic()
        if not self.draft.strip() or now - self._typed_at < TYPING_EVERY_SECONDS:
            return
        if not self.conversation_id or not self._user_id or not self._other_id:
            return
        self._typed_at = now
        hub.publish(
            [self._other_id],
            {
                "kind": "typing",
                "view": "chat",
                "conversation_id": self.conversation_id,
                "member_id": self._user_id,
            },
        )

    @rx.event
    async def send(self, form_data: dict[str, Any]) -> None:
        """Enter (or the button): store the message, show it here; the rest hear of it.

        The database work runs in a thread: the event loop stays free to push the message
        to the other member's tabs while this one finishes.
        """
        body = str((form_data or {}).get("body", self.draft) or "")
        await asyncio.to_thread(self._send_now, body)

    def _send_now(self, body: str) -> None:
        if not self.conversation_id:
            self.send_error = "Choose a conversation first."
            return
        self.send_error = ""
        conversation_id, session_id = self.conversation_id, self._session_id

        def act(db: Session, user: User) -> None:
            messages.do_send_message(
                db,
                actor=user,
                conversation_id=conversation_id,
                body=body,
                session_id=session_id,
            )

        def failed(exc: DomainError) -> None:
            self.send_error = exc.message
            self.draft = body

        ORIGIN_TAB.set(self.router.session.client_token)
        self._run(act, on_error=failed)
        if self.send_error:
            return
        self.draft, self._typed_at = "", 0.0
        with read_session() as db:
            user = self._require_user(db)
            self._catch_up(db, user)
            if not self.embedded:
                now = utcnow()
                self.conversations = [
                    conversation_item(r, now, user.timezone)
                    for r in messages.list_conversations(db, actor=user)
                ]

    # --- pushes ------------------------------------------------------------------------------
    async def _on_signals(self, signals: list[Signal]) -> bool:
        """First step: show what arrived in the open thread (one read; its delta goes now)."""
        self._apply_typing(signals)
        if {s.get("kind") for s in signals} & {"message", "read"}:
            await asyncio.to_thread(self._apply_arrivals, signals)
        return True

    async def _after_signals(self, signals: list[Signal]) -> bool:
        """Second step: mark what arrived read, refresh the list."""
        if self._read_pending or any(s.get("kind") == "message" for s in signals):
            await asyncio.to_thread(self._apply_follow_ups, signals)
        return True

    def _apply_typing(self, signals: list[Signal]) -> None:
        for s in signals:
            if s.get("conversation_id") != self.conversation_id:
                continue
            if s.get("kind") == "typing" and s.get("member_id") == self._other_id:
                self.typing, self._typing_at = True, time.monotonic()
                hub.later(
                    TYPING_SHOWN_SECONDS + 0.1,
                    [self._user_id or 0],
                    {
                        "kind": "typing_check",
                        "view": "chat",
                        "conversation_id": s["conversation_id"],
                    },
                )
            elif (
                s.get("kind") == "typing_check"
                and self.typing
                and time.monotonic() - self._typing_at >= TYPING_SHOWN_SECONDS
            ):
                self.typing = False

    def _apply_arrivals(self, signals: list[Signal]) -> None:
        if not self.conversation_id or not any(
            s.get("conversation_id") == self.conversation_id for s in signals
        ):
            return
        with read_session() as db:
            user = accounts.user_for_token_hash(db, self._session_key())
            if user is not None and self._catch_up(db, user):
                self._read_pending = True

    def _apply_follow_ups(self, signals: list[Signal]) -> None:
        if self._read_pending:  # the thread is open here: it is read (before the list counts)
            self._read_pending = False
            self._mark_read()
        if self.embedded or not any(s.get("kind") == "message" for s in signals):
            return
        with read_session() as db:
            user = accounts.user_for_token_hash(db, self._session_key())
            if user is not None:
                now = utcnow()
                self.conversations = [
                    conversation_item(r, now, user.timezone)
                    for r in messages.list_conversations(db, actor=user)
                ]


LISTENERS["chat"] = ChatState
