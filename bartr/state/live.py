"""What every page's header shows live (Messages badge, the bell), and the push machinery.

After a message, a read mark or a notification commits, the domain-event subscribers below
publish a small signal to the members concerned (adapters/realtime.py: in process, or
through Redis to every worker). Each worker's hub hands the signal to the tabs connected
to it: `deliver` opens that tab's state with `app.modify_state` and lets the states that
asked for it (this one; the chat when a thread is open: `LISTENERS`) re-read SQL. A
signal carries ids, never message text, so a missed one loses nothing: a tab that
reconnects re-runs its page's on_load and catches up by the last id it saw.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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

    def _refresh_counts(self, db: Session, user: User) -> None:
        self.unread_messages, self.unread_notifications = messages.header_counts(
            db, user_id=user.id or 0
        )
        self._refresh_bell(db, user)

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
    # A push is cheap and immediate: `_note_signals` (no SQL) and the listeners'
    # `_on_signals` (the chat's new messages: one small read) run in one `modify_state`, so
    # the new bubble's delta goes out at once. Everything else a push owes (read and
    # delivered marks, the conversation list, the header's counts, the bell) waits for the
    # tab's follow-up: one per tab per burst (`hub.follow_up`, FOLLOW_UP_SECONDS later),
    # its SQL run with no state lock held (`_follow_up_job`).
    _counts_stale: bool = False
    _bell_stale: bool = False
    _delivered: dict[str, int] = {}  # conversation id -> newest message that reached me

    def _note_signals(self, signals: list[Signal]) -> bool:
        """Remember what the follow-up must re-read (no SQL); True when one is due."""
        me = self._user_id
        delivered = dict(self._delivered)
        for s in signals:
            kind = s.get("kind")
            if kind == "message" and s.get("recipient_id") == me and me:
                key = str(int(s["conversation_id"]))
                delivered[key] = max(delivered.get(key, 0), int(s["message_id"]))
                self._counts_stale = True
            elif kind == "read" and s.get("reader_id") == me:
                self._counts_stale = True
            elif kind == "notifications":
                self._counts_stale = self._bell_stale = True
        if delivered != self._delivered:
            self._delivered = delivered
        return self._counts_stale or self._bell_stale or bool(delivered)

    async def _on_signals(self, signals: list[Signal]) -> bool:
        """A listener's immediate part (override); True when it needs the follow-up."""
        return False

    def _follow_up_plan(self) -> FollowUp | None:
        """A listener's share of the follow-up (override): planned under the state lock
        (flags snapshot and cleared, no SQL), run without it."""
        return None

    def _follow_up_job(self, listeners: list[LiveState]) -> Callable[[str], Applies | None]:
        """Plan the tab's follow-up under the state lock; the job it returns runs the SQL
        with NO lock held (a message for this tab is not kept waiting behind it) and returns
        what to set on the states, applied by a short second `modify_state` (None: nobody
        is logged in on this tab any more, the hub forgets it).

        At most one write transaction (marks), then one read (lists, counts). Signals caused
        by what it writes (read marks, the bell's entry) skip this tab: it shows the result.
        """
        plans = [plan for listener in listeners if (plan := listener._follow_up_plan())]
        delivered, self._delivered = dict(self._delivered), {}
        counts, bell = self._counts_stale, self._bell_stale
        self._counts_stale = self._bell_stale = False
        key = self._session_key()

        def job(token: str) -> Applies | None:
            ORIGIN_TAB.set(token)
            applies: Applies = []
            try:
                if delivered or any(plan.write for plan in plans):
                    with unit_of_work() as db:
                        user = accounts.user_for_token_hash(db, key)
                        if user is None:
                            return None
                        for plan in plans:
                            if plan.write:
                                plan.write(db, user)
                        for conversation_id, message_id in delivered.items():
                            # It reached one of the recipient's tabs: the sender's tick says
                            # "delivered" (no change when the read mark already covers it).
                            messages.do_mark_read(
                                db,
                                actor=user,
                                conversation_id=int(conversation_id),
                                up_to_id=message_id,
                                read=False,
                            )
                with read_session() as db:
                    user = accounts.user_for_token_hash(db, key)
                    if user is None:
                        return None
                    for plan in plans:
                        if plan.read and (apply := plan.read(db, user)):
                            applies.append((plan.cls, apply))
                    if counts or delivered or bell:
                        applies.append((LiveState, _header_apply(db, user, bell=bell)))
            except DomainError:
                pass
            return applies

        return job

    def _follow_up_now(self, listeners: list[LiveState], token: str = "") -> bool:
        """Plan, run and apply the follow-up in one go (tests; no lock to release there)."""
        applies = self._follow_up_job(listeners)(token or self.router.session.client_token)
        if applies is None:
            return False
        for cls, apply in applies:
            target = next((x for x in listeners if type(x) is cls), self)
            apply(target)
        return True

    def _refresh_bell(self, db: Session, user: User) -> None:
        now = utcnow()
        self.bell = [
            bell_item(v, now, user.timezone)
            for v in notifications.latest(db, actor=user, limit=BELL_SIZE)
        ]


Apply = Callable[[Any], None]
Applies = list[tuple[type, Apply]]


@dataclasses.dataclass
class FollowUp:
    """One listener's share of a tab's follow-up: planned under the lock, run without it."""

    cls: type
    write: Callable[[Session, User], None] | None = None
    read: Callable[[Session, User], Apply | None] | None = None


def _header_apply(db: Session, user: User, *, bell: bool) -> Apply:
    unread_messages, unread_notifications = messages.header_counts(db, user_id=user.id or 0)
    now = utcnow()
    items = (
        [
            bell_item(v, now, user.timezone)
            for v in notifications.latest(db, actor=user, limit=BELL_SIZE)
        ]
        if bell
        else None
    )

    def apply(state: Any) -> None:
        state.unread_messages, state.unread_notifications = unread_messages, unread_notifications
        if items is not None:
            state.bell = items

    return apply


# A follow-up's SQL runs here, never on the pushes' threads: at most two at once, so a burst
# of follow-ups queues (the badges wait) while new messages still find a thread.
_FOLLOW_UPS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bartr-follow-up")

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


FOLLOW_UP_SECONDS = 0.25


async def deliver(token: str, signals: list[Signal]) -> bool:
    """Apply `signals` to the tab `token` (on this worker); False when the tab is gone.

    One `modify_state`: the immediate part (new bubbles), and the follow-up when this batch
    carries it; a follow-up is scheduled when the immediate part left work for one.
    """
    if _app is None or not _connected_here(token):
        return False
    listeners = [LISTENERS[v] for v in hub.views(token) if v in LISTENERS]
    follow = any(s.get("kind") == "follow_up" for s in signals)
    key = rx.BaseStateToken(ident=token, cls=LiveState)
    job = None
    async with _app.modify_state(key) as root:
        live = await root.get_state(LiveState)
        due = live._note_signals(signals)
        states = [await root.get_state(listener) for listener in listeners]
        for state in states:
            due = await state._on_signals(signals) or due
        if follow:
            job, due = live._follow_up_job(states), False
    if due:
        hub.follow_up(token, FOLLOW_UP_SECONDS)
    if job is None:
        return True
    loop = asyncio.get_running_loop()
    applies = await loop.run_in_executor(_FOLLOW_UPS, contextvars.copy_context().run, job, token)
    if applies is None:
        return False
    if applies:
        async with _app.modify_state(key) as root:
            for cls, apply in applies:
                apply(await root.get_state(cls))
    return True


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
            "read": event.read,
            "origin": ORIGIN_TAB.get(),
        },
    )


def _on_notifications(event: domain_events.NotificationsChanged) -> None:
    hub.publish([event.user_id], {"kind": "notifications", "origin": ORIGIN_TAB.get()})


domain_events.subscribe_after_commit(domain_events.MessageSent, _on_message)
domain_events.subscribe_after_commit(domain_events.ConversationRead, _on_read)
domain_events.subscribe_after_commit(domain_events.NotificationsChanged, _on_notifications)
