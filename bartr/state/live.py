"""What every page's header shows live (Messages badge, the bell), and the push machinery.

After a message, a read mark or a notification commits, the domain-event subscribers below
publish a small signal to the members concerned (adapters/realtime.py: in process, or
through Redis to every worker). Each worker's hub hands the signal to the tabs connected
to it: `deliver` opens that tab's state with `app.modify_state` and lets the states that
asked for it (this one; the chat when a thread is open: `LISTENERS`) re-read SQL. The
signal carries no data, so a missed one loses nothing: a tab that reconnects re-runs its
page's on_load and catches up by the last id it saw.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import logging
from datetime import datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from bartr.adapters.realtime import Signal, hub
from bartr.db import read_session, unit_of_work
from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.services import accounts, domain_events, messages, notifications
from bartr.services.errors import DomainError
from bartr.state.auth import AuthState

log = logging.getLogger("bartr.live")
BELL_SIZE = 8
# The tab whose own action caused a signal: it has already shown the result, so the push
# skips it (its other tabs still get it). Set by the acting handler, read after commit.
ORIGIN_TAB: contextvars.ContextVar[str] = contextvars.ContextVar("origin_tab", default="")


def short_when(moment: datetime | None, now: datetime, tz: str = "UTC") -> str:
    """'now', '5 min', '3 h', 'Mon', '3 Dec': the compact times of lists."""
    if moment is None:
        return ""
    from zoneinfo import ZoneInfo

    seconds = max(0.0, (now - moment).total_seconds())
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    try:
        local = moment.astimezone(ZoneInfo(tz))
    except Exception:
        local = moment
    if seconds < 6 * 86400:
        return local.strftime("%a")
    return f"{local.day} {local:%b}"


@dataclasses.dataclass
class BellItem:
    id: int = 0
    icon: str = "bell"
    text: str = ""
    href: str = ""
    when: str = ""
    unread: bool = False


def bell_item(view: notifications.NotificationView, now: datetime, tz: str) -> BellItem:
    return BellItem(
        id=view.id,
        icon=view.icon,
        text=view.text,
        href=view.href,
        when=short_when(view.at, now, tz),
        unread=view.unread,
    )


class LiveState(AuthState):
    """The header's live counts; page states that react to pushes subclass it."""

    unread_messages: int = 0
    unread_notifications: int = 0
    bell: list[BellItem] = []

    # --- page load: register this tab ---------------------------------------------------
    @rx.event
    def connect(self) -> None:
        """on_load of every page: this tab hears of new messages and notifications."""
        try:
            with read_session() as db:
                user = self._current_user(db)
                if user is None:
                    return
                self._refresh_counts(db, user)
        except Exception:
            log.exception("live connect")
            return
        hub.attach(user.id or 0, self.router.session.client_token, views={"header"})

    def _refresh_counts(self, db: Session, user: User, *, bell: bool = True) -> None:
        self.unread_messages = messages.unread_conversations(db, actor=user)
        if not bell:
            return
        self.unread_notifications = notifications.unread_count(db, actor=user)
        now = utcnow()
        self.bell = [
            bell_item(v, now, user.timezone)
            for v in notifications.latest(db, actor=user, limit=BELL_SIZE)
        ]

    # --- the bell ---------------------------------------------------------------------------
    @rx.event
    def open_notification(self, notification_id: int) -> Any:
        """Mark one of my notifications read and go to what it is about."""
        target = ""

        def act(db: Session, user: User) -> None:
            nonlocal target
            notifications.do_mark_read(db, actor=user, notification_id=int(notification_id))
            target = notifications.href_of(db, actor=user, notification_id=int(notification_id))

        self._run(act, on_error=lambda e: None)
        return rx.redirect(target) if target else None

    @rx.event
    def mark_all_read(self) -> None:
        def act(db: Session, user: User) -> None:
            notifications.do_mark_read(db, actor=user)

        self._run(act, on_error=lambda e: None)

    # --- pushes -----------------------------------------------------------------------------
    # A push runs in two steps, each in its own `modify_state` (so its delta goes out at
    # once): `_on_signals` shows what arrived (fast: the chat's new messages), then
    # `_after_signals` does the follow-ups (read marks, lists, the header's counts).
    async def _on_signals(self, signals: list[Signal]) -> bool:
        return True

    async def _after_signals(self, signals: list[Signal]) -> bool:
        """Re-read the header's counts (False when nobody is logged in here any more)."""
        return await asyncio.to_thread(self._apply_header, signals)

    def _apply_header(self, signals: list[Signal]) -> bool:
        kinds = {s.get("kind") for s in signals}
        if not kinds & {"message", "read", "notifications"}:
            return True
        try:
            with read_session() as db:
                user = accounts.user_for_token_hash(db, self._session_key())
                if user is None:
                    return False
                arrived = [
                    s
                    for s in signals
                    if s.get("kind") == "message"
                    and s.get("recipient_id") == user.id
                    and messages.received_up_to(
                        db, actor=user, conversation_id=int(s["conversation_id"])
                    )
                    < int(s["message_id"])
                ]
            if arrived:
                # It reached one of the recipient's tabs: the sender's tick says "delivered".
                with unit_of_work() as db:
                    for s in arrived:
                        messages.do_mark_read(
                            db,
                            actor=user,
                            conversation_id=int(s["conversation_id"]),
                            up_to_id=int(s["message_id"]),
                            read=False,
                        )
            with read_session() as db:
                self._refresh_counts(db, user, bell="notifications" in kinds)
        except DomainError:
            return True
        return True


# Page states that want pushes while their page is open: view name -> state class. A
# state registers itself here (the chat) and adds the view when its page loads.
LISTENERS: dict[str, type[LiveState]] = {}

_app: Any = None


def _connected_here(token: str) -> bool:
    namespace = getattr(_app, "event_namespace", None)
    manager = getattr(namespace, "_token_manager", None)
    if manager is None:
        return False
    record = manager.token_to_socket.get(token)
    return record is not None and record.instance_id == manager.instance_id


async def deliver(token: str, signals: list[Signal]) -> bool:
    """Apply `signals` to the tab `token` (on this worker); False when the tab is gone."""
    if _app is None or not _connected_here(token):
        return False
    listeners = [LISTENERS[v] for v in hub.views(token) if v in LISTENERS]
    key = rx.BaseStateToken(ident=token, cls=LiveState)
    if listeners:
        async with _app.modify_state(key) as root:
            for listener in listeners:
                await (await root.get_state(listener))._on_signals(signals)
    async with _app.modify_state(key) as root:
        for listener in listeners:
            await (await root.get_state(listener))._after_signals(signals)
        alive = await (await root.get_state(LiveState))._after_signals(signals)
    return alive


async def live_pushes(app: Any) -> None:
    """Lifespan task: this worker's hub, fed locally or by Redis pub/sub."""
    from bartr.settings import get_settings

    global _app
    _app = app
    try:
        await hub.run(deliver, redis_url=get_settings().redis_url)
    finally:
        hub.stop()


# --- after commit: who hears of what ----------------------------------------------------------


def _on_message(event: domain_events.MessageSent) -> None:
    hub.publish(
        [event.recipient_id, event.sender_id],
        {
            "kind": "message",
            "conversation_id": event.conversation_id,
            "message_id": event.message_id,
            "sender_id": event.sender_id,
            "recipient_id": event.recipient_id,
            "origin": ORIGIN_TAB.get(),
        },
    )


def _on_read(event: domain_events.ConversationRead) -> None:
    hub.publish(
        [event.other_id, event.reader_id],
        {
            "kind": "read",
            "conversation_id": event.conversation_id,
            "reader_id": event.reader_id,
            "up_to_id": event.up_to_id,
        },
    )


def _on_notifications(event: domain_events.NotificationsChanged) -> None:
    hub.publish([event.user_id], {"kind": "notifications"})


domain_events.subscribe_after_commit(domain_events.MessageSent, _on_message)
domain_events.subscribe_after_commit(domain_events.ConversationRead, _on_read)
domain_events.subscribe_after_commit(domain_events.NotificationsChanged, _on_notifications)
