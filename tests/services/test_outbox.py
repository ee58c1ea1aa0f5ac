"""The email outbox: enqueue in the caller's transaction, claim once, retry with backoff."""

from __future__ import annotations

import asyncio
import itertools
import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select, update

from bartr import background
from bartr.adapters import registry
from bartr.adapters.mail import SmtpMailer
from bartr.db import unit_of_work
from bartr.models.base import utcnow
from bartr.models.outbox import OutboxEmail, OutboxStatus
from bartr.services import outbox
from bartr.services.errors import ValidationFailed
from tests.adapters.test_mail import smtp_server  # noqa: F401  (a real SMTP server fixture)
from tests.doubles import RecordingMailer


def _count(db: Session, status: str | None = None) -> int:
    query = select(func.count()).select_from(OutboxEmail)
    if status is not None:
        query = query.where(OutboxEmail.status == status)
    db.expire_all()
    n = int(db.exec(query).one())
    db.commit()
    return n


def _enqueue(n: int = 1, **kwargs: str) -> None:
    with unit_of_work() as db:
        for i in range(n):
            outbox.enqueue(
                db,
                to=kwargs.get("to", f"member{i}@example.com"),
                subject=kwargs.get("subject", f"Hello {i}"),
                text="Plain text body",
                html=kwargs.get("html"),
                dedupe_key=kwargs.get("dedupe_key"),
            )


@pytest.fixture
def mailer() -> RecordingMailer:
    recording = RecordingMailer()
    registry.override("mailer", recording)
    yield recording
    registry.override("mailer", None)


def test_an_email_exists_only_if_its_transaction_commits(db: Session) -> None:
    with pytest.raises(RuntimeError):
        with unit_of_work() as uow:
            outbox.enqueue(uow, to="a@example.com", subject="Hi", text="x")
            raise RuntimeError("the action failed after queueing")
    assert _count(db) == 0
    _enqueue()
    assert _count(db, OutboxStatus.PENDING) == 1


def test_dedupe_key_makes_a_second_enqueue_a_no_op(db: Session) -> None:
    _enqueue(dedupe_key="verify:7")
    _enqueue(dedupe_key="verify:7")
    with unit_of_work() as uow:  # twice in one transaction too
        outbox.enqueue(uow, to="a@example.com", subject="Hi", text="x", dedupe_key="verify:8")
        outbox.enqueue(uow, to="a@example.com", subject="Hi", text="x", dedupe_key="verify:8")
    assert _count(db) == 2


def test_bad_addresses_and_header_injection_are_refused(db: Session) -> None:
    with pytest.raises(ValidationFailed):
        _enqueue(to="not-an-address")
    _enqueue(subject="Hello\r\nBcc: everyone@example.com")
    row = db.exec(select(OutboxEmail)).one()
    assert "\n" not in row.subject and "\r" not in row.subject
    db.commit()


def test_sender_sends_each_email_once(db: Session, mailer: RecordingMailer) -> None:
    _enqueue(3, html="<p>Hi</p>")
    assert background.send_due_emails() == 3
    assert background.send_due_emails() == 0
    assert len(mailer.sent) == 3 and _count(db, OutboxStatus.SENT) == 3
    message = mailer.sent[0]
    assert message["Message-ID"].startswith("<outbox-")
    assert message.get_body(("html",)) is not None


def test_failures_are_retried_with_backoff_then_given_up(
    db: Session, mailer: RecordingMailer
) -> None:
    _enqueue()
    mailer.failures = 1
    before = utcnow()
    assert background.send_due_emails() == 0
    row = db.exec(select(OutboxEmail)).one()
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at >= before + outbox.backoff(1) - timedelta(seconds=1)
    assert "away" in row.last_error
    db.commit()
    # Not due yet: nothing is claimed.
    assert background.send_due_emails() == 0 and mailer.sent == []
    _make_due(db)
    assert background.send_due_emails() == 1 and len(mailer.sent) == 1

    _enqueue(subject="Doomed")
    mailer.failures = outbox.MAX_ATTEMPTS
    for _ in range(outbox.MAX_ATTEMPTS):
        _make_due(db)
        background.send_due_emails()
    assert _count(db, OutboxStatus.FAILED) == 1
    _make_due(db)
    assert background.send_due_emails() == 0 and len(mailer.sent) == 1


def _make_due(db: Session) -> None:
    db.exec(  # type: ignore[call-overload]
        update(OutboxEmail)
        .where(col(OutboxEmail.status) == OutboxStatus.PENDING)
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.commit()


def test_backoff_grows_exponentially_and_is_capped() -> None:
    delays = [outbox.backoff(n).total_seconds() for n in range(1, 15)]
    assert delays[:4] == [30, 60, 120, 240]
    assert all(a <= b for a, b in itertools.pairwise(delays))
    assert max(delays) == outbox.MAX_DELAY_SECONDS


def test_a_claim_is_exclusive_and_a_lapsed_claim_is_fenced(db: Session) -> None:
    _enqueue()
    with unit_of_work() as uow:
        [first] = outbox.claim_due(uow)
    with unit_of_work() as uow:
        assert outbox.claim_due(uow) == []  # held by the first sender
    # The first sender stalls past its lease; a second sender takes the email over.
    later = utcnow() + timedelta(seconds=outbox.LEASE_SECONDS + 1)
    with unit_of_work() as uow:
        [second] = outbox.claim_due(uow, now=later)
    assert second.id == first.id and second.attempt == first.attempt + 1
    with unit_of_work() as uow:
        assert outbox.record_sent(uow, email=first) is False  # fenced out
        assert outbox.record_sent(uow, email=second) is True
    with unit_of_work() as uow:
        assert outbox.claim_due(uow, now=later + timedelta(days=1)) == []


def test_concurrent_senders_claim_disjoint_sets(engine: Engine, db: Session) -> None:
    _enqueue(40)
    claimed: list[list[int]] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def sender() -> None:
        start.wait()
        mine: list[int] = []
        for _ in range(20):
            with unit_of_work() as uow:
                mine += [c.id for c in outbox.claim_due(uow, limit=3)]
        with lock:
            claimed.append(mine)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for mine in claimed for i in mine]
    assert len(every) == len(set(every)) == 40


def test_real_smtp_server_receives_each_email_once(
    db: Session,
    smtp_server: tuple[int, object],  # noqa: F811
) -> None:
    port, handler = smtp_server
    registry.override("mailer", SmtpMailer(f"smtp://127.0.0.1:{port}"))
    try:
        _enqueue(2, html="<p>Hi</p>")
        assert background.send_due_emails() == 2
        assert background.send_due_emails() == 0
    finally:
        registry.override("mailer", None)
    assert len(handler.received) == 2  # type: ignore[attr-defined]
    assert b"Plain text body" in handler.received[0]  # type: ignore[attr-defined]


def test_dead_smtp_server_leaves_the_email_for_a_retry(db: Session) -> None:
    registry.override("mailer", SmtpMailer("smtp://127.0.0.1:9", timeout=2))
    try:
        _enqueue()
        assert background.send_due_emails() == 0
    finally:
        registry.override("mailer", None)
    row = db.exec(select(OutboxEmail)).one()
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error
    db.commit()


def test_background_loop_sends_soon_after_a_wake_up(
    db: Session,
    smtp_server: tuple[int, object],  # noqa: F811
) -> None:
    port, handler = smtp_server
    registry.override("mailer", SmtpMailer(f"smtp://127.0.0.1:{port}"))

    async def scenario() -> None:
        task = asyncio.create_task(background.outbox_sender())
        try:
            await asyncio.sleep(0.5)  # the loop found nothing and sleeps
            await asyncio.to_thread(_enqueue)
            background.wake_outbox_sender()
            for _ in range(100):
                if handler.received:  # type: ignore[attr-defined]
                    break
                await asyncio.sleep(0.05)
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    try:
        asyncio.run(scenario())
    finally:
        registry.override("mailer", None)
    assert len(handler.received) == 1  # type: ignore[attr-defined]
