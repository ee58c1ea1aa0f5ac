"""Domain events: what happened, told to whoever cares, inside or after the transaction.

Services emit facts ("session 12 went from requested to scheduled"); features that react
(trust scores, notifications, realtime pushes, emails, audit) subscribe here instead of
being called from the session code, so the state machine never learns about them.

Two phases:
- in-transaction subscribers run at once with the caller's Session: their writes commit
  or roll back with the change itself (stats, notification rows, outbox rows);
- after-commit subscribers run once the transaction has committed, never after a
  rollback (pushes to open tabs, anything outside the database).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session

from bartr.db import on_commit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionChanged:
    """A session moved through the state machine (or was requested: from_state == "")."""

    session_id: int
    action: str
    from_state: str
    to_state: str
    actor_id: int | None
    learner_id: int
    teacher_id: int
    at: datetime


@dataclass(frozen=True)
class SessionStartingSoon:
    """A scheduled session starts within the reminder window (sent once per session)."""

    session_id: int
    teacher_id: int
    learner_id: int
    skill_title: str
    starts_at: datetime


@dataclass(frozen=True)
class MessageSent:
    """A chat message was stored (the conversation's two members are sender and recipient)."""

    message_id: int
    conversation_id: int
    sender_id: int
    recipient_id: int
    at: datetime


@dataclass(frozen=True)
class ConversationRead:
    """`reader_id` read (or received) a conversation up to `up_to_id`: the other side's ticks."""

    conversation_id: int
    reader_id: int
    other_id: int
    up_to_id: int
    read: bool = True  # False: only delivered


@dataclass(frozen=True)
class NotificationAdded:
    """A new line in `user_id`'s notification centre (email preferences may mail it)."""

    notification_id: int
    user_id: int
    kind: str


@dataclass(frozen=True)
class NotificationsChanged:
    """A member's notification centre changed (a new entry, or entries marked read)."""

    user_id: int


@dataclass(frozen=True)
class ReferralRewarded:
    """`referrer_id` earned `amount` (minor units) because `referred_id` joined."""

    referrer_id: int
    referred_id: int
    amount: int
    transaction_id: int
    at: datetime


@dataclass(frozen=True)
class CreditsBought:
    """A paid credit pack reached `user_id`'s wallet."""

    user_id: int
    amount: int
    payment_id: int
    transaction_id: int
    at: datetime


@dataclass(frozen=True)
class CreditsAdjusted:
    """An admin corrected `user_id`'s balance by `amount` (minor units, either sign)."""

    user_id: int
    admin_id: int
    amount: int
    transaction_id: int
    at: datetime


E = TypeVar("E")
InTransaction = Callable[[Session, Any], None]
AfterCommit = Callable[[Any], None]

_in_transaction: dict[type, list[InTransaction]] = defaultdict(list)
_after_commit: dict[type, list[AfterCommit]] = defaultdict(list)


def subscribe_in_transaction(event_type: type[E], handler: Callable[[Session, E], None]) -> None:
    """`handler(db, event)` runs inside the emitting transaction; its errors abort it."""
    if handler not in _in_transaction[event_type]:
        _in_transaction[event_type].append(handler)


def subscribe_after_commit(event_type: type[E], handler: Callable[[E], None]) -> None:
    """`handler(event)` runs after a successful commit; its errors are logged only."""
    if handler not in _after_commit[event_type]:
        _after_commit[event_type].append(handler)


def unsubscribe(event_type: type, handler: Callable[..., None]) -> None:
    """Remove a handler from both phases (tests use it to clean up)."""
    for table in (_in_transaction, _after_commit):
        if handler in table[event_type]:
            table[event_type].remove(handler)


def emit(db: Session, event: object) -> None:
    """Tell every subscriber of `type(event)` that it happened in `db`'s transaction."""
    for handler in list(_in_transaction[type(event)]):
        handler(db, event)
    for after in list(_after_commit[type(event)]):
        on_commit(db, _bind(after, event))


def _bind(handler: AfterCommit, event: object) -> Callable[[], None]:
    def call() -> None:
        handler(event)

    call.__qualname__ = f"{getattr(handler, '__qualname__', handler)!s}({type(event).__name__})"
    return call
