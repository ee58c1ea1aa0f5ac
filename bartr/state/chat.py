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
from bartr.adapters import registry
from bartr.adapters.realtime import Signal, hub
from bartr.db import read_session
from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.services import accounts, messages, pair_session
from bartr.services.errors import DomainError
from bartr.state.auth import GENERIC_ERROR, log
from bartr.state.live import (
    FOLLOW_UP_SECONDS,
    LISTENERS,
    ORIGIN_TAB,
    FollowUp,
    LiveState,
    short_when,
)

TYPING_SHOWN_SECONDS = 5.0
TYPING_EVERY_SECONDS = 2.0
FRESH_MAX = 40  # bubbles kept apart from `items` before they are folded into it


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
    session_href: str = ""


@dataclasses.dataclass
class PinnedCard:
    """The pair's next or current session, pinned above the thread (id 0: none)."""

    id: int = 0
    title: str = ""
    state: str = ""
    label: str = ""
    when: str = ""
    role: str = ""
    href: str = ""
    room_href: str = ""
    can_join: bool = False


def pinned_card(pin: pair_session.PinnedSession | None) -> PinnedCard:
    if pin is None:
        return PinnedCard()
    return PinnedCard(
        id=pin.session_id,
        title=pin.skill_title,
        state=pin.state,
        label=pin.state_label,
        when=pin.when,
        role="You teach" if pin.i_teach else "You learn",
        href=routes.session(pin.session_id),
        room_href=routes.session_room(pin.session_id),
        can_join=pin.can_join,
    )


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
    # The thread is two lists: `items` (what was loaded: the newest page and older pages)
    # and `fresh` (what arrived since). Reflex resends a whole list var when it changes, so
    # a new message only resends `fresh` (a few bubbles), not the thread; `fresh` is folded
    # into `items` every FRESH_MAX messages. Ticks are two ids, not fields of the bubbles,
    # so "read" changes two numbers instead of resending every bubble.
    items: list[Bubble] = []
    fresh: list[Bubble] = []
    their_delivered_id: int = 0
    their_read_id: int = 0
    has_older: bool = False
    loading_older: bool = False
    typing: bool = False
    draft: str = ""
    send_error: str = ""
    embedded: bool = False  # the session page's card
    pinned: PinnedCard = PinnedCard()

    _session_id: int | None = None
    _last_id: int = 0
    _typing_at: float = 0.0
    _typed_at: float = 0.0
    _other_id: int = 0
    _read_pending: bool = False
    _list_stale: bool = False

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
                    if wanted == self.conversation_id and (self.items or self.fresh):
                        self._catch_up(db, user)
                    else:
                        self._open(db, user, wanted)
                    self._pin(db, user)
                else:
                    self.conversation_id, self.items, self.fresh = 0, [], []
                    self.pinned = PinnedCard()
        except DomainError as exc:
            self.load_error, self.loading = exc.message, False
            self.conversation_id, self.items, self.fresh = 0, [], []
            self.pinned = PinnedCard()
            return
        except Exception:
            log.exception("chat load")
            self.load_error, self.loading = GENERIC_ERROR, False
            return
        self.loading = False
        hub.add_view(self.router.session.client_token, "chat")
        if self.conversation_id:
            self._mark_read()

    def _pin(self, db: Session, user: User) -> None:
        """The session card above the thread (not on the session's own page)."""
        if self.embedded or not self.conversation_id:
            self.pinned = PinnedCard()
            return
        self.pinned = pinned_card(
            pair_session.pinned_session(
                db,
                actor=user,
                conversation_id=self.conversation_id,
                video_enabled=registry.video() is not None,
            )
        )

    def _open(self, db: Session, user: User, conversation_id: int) -> None:
        head = messages.counterpart(db, actor=user, conversation_id=conversation_id)
        page = messages.thread(db, actor=user, conversation_id=conversation_id)
        self.conversation_id, self._other_id = conversation_id, head.user_id
        self.other_name, self.other_initials = head.name, _initials(head.name)
        self.other_avatar = routes.avatar(head.avatar_path)
        self.other_href = routes.profile(head.handle)
        self.can_reply, self.refusal = head.can_reply, head.refusal
        now = utcnow()
        self.items, self.fresh = [bubble(m, user.timezone, now) for m in page.messages], []
        self.has_older, self.typing, self.draft = page.has_older, False, ""
        self._last_id = page.messages[-1].id if page.messages else 0
        self._relabel()
        self.their_delivered_id, self.their_read_id = messages.ticks(
            db, actor=user, conversation_id=conversation_id
        )

    def _catch_up(self, db: Session, user: User) -> bool:
        """Append what this tab has not seen yet (by id), each message once.

        True when the other member wrote something new (then it is marked read).
        """
        fresh, _more = messages.messages_after(
            db, actor=user, conversation_id=self.conversation_id, after_id=self._last_id
        )
        theirs = self._add(fresh, user.timezone)
        self._set_ticks(*messages.ticks(db, actor=user, conversation_id=self.conversation_id))
        return theirs

    def _add(self, views: list[messages.MessageView], tz: str) -> bool:
        """Show `views` not shown yet, in `fresh`; True when one is the other member's."""
        seen = {b.id for b in self.items[-200:]} | {b.id for b in self.fresh}
        now = utcnow()
        added = [bubble(m, tz, now) for m in views if m.id not in seen]
        if not added:
            return False
        shown = self.fresh or self.items
        previous = shown[-1].day if shown else ""
        for b in added:
            b.first_of_day, previous = b.day != previous, b.day
        if len(self.fresh) + len(added) > FRESH_MAX:
            self.items, self.fresh = self.items + self.fresh + added, []
        else:
            self.fresh = self.fresh + added
        self._last_id = max(self._last_id, added[-1].id)
        theirs = any(not b.mine for b in added)
        if theirs:
            self.typing = False
        return theirs

    def _set_ticks(self, delivered: int, read: int) -> None:
        """The other member's marks (never backward): the ticks on my bubbles."""
        if delivered > self.their_delivered_id:
            self.their_delivered_id = delivered
        if read > self.their_read_id:
            self.their_read_id = read

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
        shown = self.items or self.fresh
        if not shown or not self.has_older or self.loading_older:
            return
        self.loading_older = True
        yield
        try:
            with read_session() as db:
                user = self._require_user(db)
                page = messages.thread(
                    db, actor=user, conversation_id=self.conversation_id, before_id=shown[0].id
                )
                now = utcnow()
                older = [bubble(m, user.timezone, now) for m in page.messages]
        except DomainError as exc:
            self.send_error, self.loading_older = exc.message, False
            return
        seen = {b.id for b in self.items} | {b.id for b in self.fresh}
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
        conversation_id, session_id, after = self.conversation_id, self._session_id, self._last_id

        def act(db: Session, user: User) -> tuple[list[messages.MessageView], str, tuple[int, int]]:
            messages.do_send_message(
                db,
                actor=user,
                conversation_id=conversation_id,
                body=body,
                session_id=session_id,
            )
            # What this tab shows next (mine, and anything that arrived meanwhile), read in
            # the same transaction: applied only once it committed.
            fresh, _more = messages.messages_after(
                db, actor=user, conversation_id=conversation_id, after_id=after
            )
            return (
                fresh,
                user.timezone,
                messages.ticks(db, actor=user, conversation_id=conversation_id),
            )

        def failed(exc: DomainError) -> None:
            self.send_error = exc.message
            self.draft = body

        token = self.router.session.client_token
        ORIGIN_TAB.set(token)
        done = self._run(act, on_error=failed)
        if done is None:
            return
        fresh, tz, ticks = done
        self.draft, self._typed_at = "", 0.0
        if self._add(fresh, tz):
            self._read_pending = True
        self._set_ticks(*ticks)
        if not self.embedded or self._read_pending:
            # The list's preview and order (and a read mark) follow, coalesced per tab.
            self._list_stale = not self.embedded
            hub.follow_up(token, FOLLOW_UP_SECONDS)

    # --- pushes ------------------------------------------------------------------------------
    async def _on_signals(self, signals: list[Signal]) -> bool:
        """The immediate part of a push: new bubbles (one small read), ticks, typing.

        True when the follow-up has work: the read mark, the conversation list.
        """
        self._apply_typing(signals)
        if {s.get("kind") for s in signals} & {"message", "read"}:
            await asyncio.to_thread(self._apply_arrivals, signals)
        return self._read_pending or self._list_stale

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
        me = self._user_id
        if not self.embedded and any(
            s.get("kind") == "message" or (s.get("kind") == "read" and s.get("reader_id") == me)
            for s in signals
        ):
            self._list_stale = True  # previews, order, unread counts
        if not self.conversation_id:
            return
        here = [s for s in signals if s.get("conversation_id") == self.conversation_id]
        read_sql = False
        for s in here:
            if s.get("kind") != "read":
                continue
            if "up_to_id" not in s:
                read_sql = True
            elif s.get("reader_id") == self._other_id:
                # The other member's mark moved: the ticks on my bubbles, without a query.
                up_to = int(s["up_to_id"])
                self._set_ticks(up_to, up_to if s.get("read", True) else 0)
        if not read_sql and not any(s.get("kind") == "message" for s in here):
            return
        with read_session() as db:
            user = accounts.user_for_token_hash(db, self._session_key())
            if user is not None and self._catch_up(db, user):
                self._read_pending = True

    def _follow_up_plan(self) -> FollowUp | None:
        """Mark what arrived read (the thread is open: one mark for the whole burst), then
        re-read the conversation list (previews, order, unread counts)."""
        read_id = self.conversation_id if self._read_pending else 0
        listing = self._list_stale and not self.embedded
        self._read_pending = self._list_stale = False
        if not read_id and not listing:
            return None

        def write(db: Session, user: User) -> None:
            messages.do_mark_read(db, actor=user, conversation_id=read_id)

        def read(db: Session, user: User) -> Any:
            if not listing:
                return None
            now = utcnow()
            items = [
                conversation_item(r, now, user.timezone)
                for r in messages.list_conversations(db, actor=user)
            ]

            def apply(state: ChatState) -> None:
                state.conversations = items

            return apply

        return FollowUp(ChatState, write if read_id else None, read)


LISTENERS["chat"] = ChatState
