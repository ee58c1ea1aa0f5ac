"""The email outbox: emails are rows written with the event, sent later by a background loop.

`enqueue` is called inside the caller's unit of work, so an email exists exactly when the
event that caused it committed (a rolled-back action mails nobody). The sender
(bartr/background.py) then works in three short steps, none holding a transaction while
talking to a mail server:

1. `claim_due` moves due rows to `sending` with a lease (`claimed_until`) through a
   conditional UPDATE: of two senders (several workers) racing for one row, exactly one
   UPDATE matches, so one row is handed to one sender.
2. The message (`build_message`) goes to the mail adapter, off the event loop.
3. `record_sent` / `record_failure` close the attempt, fenced by the attempt number so a
   sender whose lease ran out can no longer change the row. A failure is retried with
   exponential backoff (`backoff`), up to `MAX_ATTEMPTS`, then marked failed.

A sent row is never claimed again. The one window for a repeat is a sender dying after the
mail server accepted a message and before `record_sent` committed: the lease runs out and
the row is sent again with the same Message-ID, which lets mail systems drop the copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, and_, col, or_, select, update

from bartr.db import on_commit
from bartr.models.base import utcnow
from bartr.models.outbox import OutboxEmail, OutboxStatus
from bartr.services.errors import ValidationFailed
from bartr.services.validation import clean_email

MAX_ATTEMPTS = 8
BASE_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 6 * 3600
LEASE_SECONDS = 120
MAX_SUBJECT = 300
# Long unfoldable headers (the List-Unsubscribe URL) stay plain up to SMTP's 998 characters
# instead of becoming RFC 2047 encoded words, which mail programs would not follow.
_POLICY = email_policy.default.clone(max_line_length=998)

# Called (after commit) when mail was queued; the background sender registers its wake-up.
_wake_hooks: list[Callable[[], None]] = []


def on_enqueued(hook: Callable[[], None]) -> None:
    """Register a callback run after each transaction that queued mail commits."""
    if hook not in _wake_hooks:
        _wake_hooks.append(hook)


def _wake() -> None:
    for hook in list(_wake_hooks):
        hook()


def enqueue(
    db: Session,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    dedupe_key: str | None = None,
    list_unsubscribe: str | None = None,
) -> None:
    """Queue one email in the caller's transaction; with `dedupe_key`, at most one ever.

    `list_unsubscribe`: an https URL that unsubscribes with one POST (RFC 8058)."""
    address = clean_email(to)
    subject = " ".join(subject.split())  # no header injection through line breaks
    if not subject or len(subject) > MAX_SUBJECT:
        raise ValidationFailed("An email needs a subject of at most 300 characters.")
    if dedupe_key is not None:
        dedupe_key = dedupe_key[:200]
        if db.exec(select(OutboxEmail.id).where(OutboxEmail.dedupe_key == dedupe_key)).first():
            return
    if list_unsubscribe is not None and (
        len(list_unsubscribe) > 500 or any(c in list_unsubscribe for c in "\r\n<>")
    ):
        raise ValidationFailed("An unsubscribe link must be one short URL.")
    row = OutboxEmail(
        to_address=address,
        subject=subject,
        text_body=text,
        html_body=html,
        dedupe_key=dedupe_key,
        list_unsubscribe=list_unsubscribe,
    )
    if dedupe_key is None:
        db.add(row)
        db.flush()
    else:
        try:
            with db.begin_nested():  # a concurrent enqueue with the same key wins: a no-op
                db.add(row)
                db.flush()
        except IntegrityError:
            return
    on_commit(db, _wake)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones: 30 s, 1 min, 2 min, ... 6 h."""
    return timedelta(seconds=min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Claimed:
    """One claimed email: what the sender needs, detached from the session."""

    id: int
    attempt: int
    to_address: str
    subject: str
    text_body: str
    html_body: str | None
    created_at: datetime
    list_unsubscribe: str | None = None


def _due(now: datetime):  # type: ignore[no-untyped-def]
    return or_(
        and_(
            col(OutboxEmail.status) == OutboxStatus.PENDING, col(OutboxEmail.next_attempt_at) <= now
        ),
        and_(col(OutboxEmail.status) == OutboxStatus.SENDING, col(OutboxEmail.claimed_until) < now),
    )


def claim_due(db: Session, *, now: datetime | None = None, limit: int = 20) -> list[Claimed]:
    """Claim up to `limit` due emails for this sender (see the module docstring)."""
    now = now or utcnow()
    ids = db.exec(
        select(OutboxEmail.id)
        .where(_due(now))
        .order_by(col(OutboxEmail.next_attempt_at), col(OutboxEmail.id))
        .limit(limit)
    ).all()
    claimed: list[Claimed] = []
    for email_id in ids:
        result = db.exec(
            update(OutboxEmail)
            .where(col(OutboxEmail.id) == email_id, _due(now))
            .values(
                status=OutboxStatus.SENDING,
                claimed_until=now + timedelta(seconds=LEASE_SECONDS),
                attempts=col(OutboxEmail.attempts) + 1,
            )
        )
        if result.rowcount != 1:
            continue  # another sender got it first
        row = db.get(OutboxEmail, email_id, populate_existing=True)
        assert row is not None and row.id is not None
        claimed.append(
            Claimed(
                id=row.id,
                attempt=row.attempts,
                to_address=row.to_address,
                subject=row.subject,
                text_body=row.text_body,
                html_body=row.html_body,
                created_at=row.created_at,
                list_unsubscribe=row.list_unsubscribe,
            )
        )
    return claimed


def build_message(email: Claimed, *, mail_from: str, domain: str = "bartr.local") -> EmailMessage:
    """The message for one claimed email; its Message-ID is the same on every attempt."""
    message = EmailMessage(policy=_POLICY)
    message["From"] = mail_from
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at)
    message["Message-ID"] = f"<outbox-{email.id}@{domain}>"
    if email.list_unsubscribe:  # one-click unsubscribe (RFC 2369 + RFC 8058)
        message["List-Unsubscribe"] = f"<{email.list_unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.text_body)
    if email.html_body:
        message.add_alternative(email.html_body, subtype="html")
    return message


def _attempt(email_id: int, attempt: int):  # type: ignore[no-untyped-def]
    return and_(
        col(OutboxEmail.id) == email_id,
        col(OutboxEmail.status) == OutboxStatus.SENDING,
        col(OutboxEmail.attempts) == attempt,
    )


def record_sent(db: Session, *, email: Claimed, now: datetime | None = None) -> bool:
    """Close a successful attempt; False if this sender no longer held the claim."""
    result = db.exec(
        update(OutboxEmail)
        .where(_attempt(email.id, email.attempt))
        .values(status=OutboxStatus.SENT, sent_at=now or utcnow(), claimed_until=None)
    )
    return bool(result.rowcount)


def record_failure(db: Session, *, email: Claimed, error: str, now: datetime | None = None) -> str:
    """Schedule the next try with backoff, or give up after MAX_ATTEMPTS; returns the status."""
    now = now or utcnow()
    status = OutboxStatus.FAILED if email.attempt >= MAX_ATTEMPTS else OutboxStatus.PENDING
    db.exec(
        update(OutboxEmail)
        .where(_attempt(email.id, email.attempt))
        .values(
            status=status,
            next_attempt_at=now + backoff(email.attempt),
            claimed_until=None,
            last_error=error[:500],
        )
    )
    return status


def next_due_at(db: Session) -> datetime | None:
    """When the earliest pending email is due (lets the sender sleep exactly long enough)."""
    return db.exec(
        select(OutboxEmail.next_attempt_at)
        .where(col(OutboxEmail.status) == OutboxStatus.PENDING)
        .order_by(col(OutboxEmail.next_attempt_at))
        .limit(1)
    ).first()
