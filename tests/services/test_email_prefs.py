"""Email preferences, notification emails, the daily digest and signed unsubscribe links
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, col, select

from bartr.db import unit_of_work
from bartr.models.accounts import User
from bartr.models.messaging import Notification
from bartr.models.outbox import OutboxEmail
from bartr.services import digest, email_prefs, messages, outbox
from bartr.services.errors import ValidationFailed
from tests.factories import make_user


def _emails(db: Session, to: str | None = None) -> list[OutboxEmail]:
    db.expire_all()
    query = select(OutboxEmail).order_by(col(OutboxEmail.id))
    if to is not None:
        query = query.where(OutboxEmail.to_address == to)
    rows = list(db.exec(query).all())
    db.commit()
    return rows


def _send(sender_id: int, recipient_id: int, body: str = "Hello!", now=None) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work() as db:
        actor = db.get(User, sender_id)
        assert actor is not None
        conv = messages.do_open_conversation(db, actor=actor, other_id=recipient_id)
        messages.do_send_message(db, actor=actor, conversation_id=conv.id or 0, body=body, now=now)


def _pair(db: Session, *, verified: bool = True) -> tuple[int, int, str]:
    maya = make_user(db, name="Maya", email="maya@example.com", timezone="Europe/Berlin")
    ben = make_user(db, name="Ben", email="ben@example.com", verified=verified, timezone="UTC")
    db.commit()
    return maya.id or 0, ben.id or 0, ben.email


def _set(user_id: int, kind: str, on: bool) -> None:
    with unit_of_work() as db:
        email_prefs.do_set_email(db, actor=db.get(User, user_id), kind=kind, email=on)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- preferences


def test_defaults_mail_session_events_but_not_messages(db: Session) -> None:
    _, ben_id, _ = _pair(db)
    prefs = email_prefs.preferences(db, user_id=ben_id)
    db.commit()
    assert "accepted" in prefs.email_kinds and "message" not in prefs.email_kinds
    assert prefs.daily_digest


def test_a_notification_is_mailed_once_in_its_transaction_when_the_member_chose_email(
    db: Session,
) -> None:
    maya_id, ben_id, ben_email = _pair(db)
    _send(maya_id, ben_id)
    assert _emails(db, ben_email) == []  # messages: in-app only by default
    _set(ben_id, "message", True)
    _send(maya_id, ben_id, "Second")  # folds into the unread entry: no new notification
    assert _emails(db, ben_email) == []
    with unit_of_work() as uow:
        messages_read = uow.exec(select(Notification).where(Notification.user_id == ben_id)).one()
        messages_read.read_at = datetime.now(UTC)
        uow.add(messages_read)
    _send(maya_id, ben_id, "Third")  # a new unread entry: mailed
    [mail] = _emails(db, ben_email)
    assert "Maya sent you a message" in mail.subject and "/messages/" in mail.text_body
    assert mail.dedupe_key and mail.dedupe_key.startswith("notification:")
    assert mail.list_unsubscribe and "/api/unsubscribe?" in mail.list_unsubscribe
    assert "/unsubscribe?" in mail.text_body
    db.expire_all()
    emailed = db.exec(select(Notification).where(col(Notification.emailed_at).is_not(None))).all()
    db.commit()
    assert len(emailed) == 1


def test_turning_a_kind_off_stops_its_emails(db: Session) -> None:
    maya_id, ben_id, ben_email = _pair(db)
    _set(ben_id, "message", True)
    _set(ben_id, "message", False)
    _send(maya_id, ben_id)
    assert _emails(db, ben_email) == []


def test_an_unverified_address_gets_no_notification_email(db: Session) -> None:
    maya_id, ben_id, ben_email = _pair(db, verified=False)
    _set(ben_id, "message", True)
    _send(maya_id, ben_id)
    assert _emails(db, ben_email) == []


def test_unknown_kinds_are_refused(db: Session) -> None:
    _, ben_id, _ = _pair(db)
    with pytest.raises(ValidationFailed):
        _set(ben_id, "everything", True)


# --------------------------------------------------------------------------- unsubscribe


def _link(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_a_signed_link_unsubscribes_without_login_and_can_be_undone(db: Session) -> None:
    _, ben_id, _ = _pair(db)
    q = _link(email_prefs.unsubscribe_post_url(ben_id, "accepted"))
    with unit_of_work() as uow:
        what = email_prefs.do_unsubscribe(uow, user_id=q["u"], scope=q["s"], signature=q["sig"])
    assert "accepted" in what
    assert "accepted" not in email_prefs.preferences(db, user_id=ben_id).email_kinds
    db.commit()
    with unit_of_work() as uow:
        email_prefs.do_unsubscribe(
            uow, user_id=q["u"], scope=q["s"], signature=q["sig"], resubscribe=True
        )
    assert "accepted" in email_prefs.preferences(db, user_id=ben_id).email_kinds
    db.commit()


def test_forged_altered_or_oversized_links_change_nothing(db: Session) -> None:
    maya_id, ben_id, _ = _pair(db)
    good = _link(email_prefs.unsubscribe_post_url(ben_id, "all"))
    attempts = [
        {**good, "u": str(maya_id)},  # someone else's id with Ben's signature
        {**good, "s": "digest"},
        {**good, "sig": "0" * 32},
        {**good, "sig": good["sig"][:-1]},
        {**good, "u": "9" * 5000},
        {**good, "s": "x" * 5000},
        {"u": None, "s": None, "sig": None},
    ]
    for q in attempts:
        with unit_of_work() as uow, pytest.raises(ValidationFailed):
            email_prefs.do_unsubscribe(uow, user_id=q["u"], scope=q["s"], signature=q["sig"])
    for uid in (maya_id, ben_id):
        prefs = email_prefs.preferences(db, user_id=uid)
        assert prefs.daily_digest and prefs.email_kinds == email_prefs.DEFAULT_EMAIL_KINDS
    db.commit()


def test_unsubscribe_all_stops_every_email_and_the_digest(db: Session) -> None:
    _, ben_id, _ = _pair(db)
    q = _link(email_prefs.unsubscribe_page_url(ben_id, "all"))
    with unit_of_work() as uow:
        email_prefs.do_unsubscribe(uow, user_id=q["u"], scope=q["s"], signature=q["sig"])
    prefs = email_prefs.preferences(db, user_id=ben_id)
    db.commit()
    assert prefs.email_kinds == frozenset() and not prefs.daily_digest


def test_the_sent_message_carries_rfc_8058_headers(db: Session) -> None:
    _, ben_id, _ = _pair(db)
    url = email_prefs.unsubscribe_post_url(ben_id, "digest")
    with unit_of_work() as uow:
        outbox.enqueue(uow, to="ben@example.com", subject="Digest", text="x", list_unsubscribe=url)
    with unit_of_work() as uow:
        [claimed] = outbox.claim_due(uow)
    parsed = message_from_bytes(outbox.build_message(claimed, mail_from="a@b.c").as_bytes())
    assert parsed["List-Unsubscribe"] == f"<{url}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


# --------------------------------------------------------------------------- digest


def test_daily_digest_lists_unread_senders_once_a_day_from_8_local(db: Session) -> None:
    maya_id, ben_id, ben_email = _pair(db)  # Ben is in UTC
    carl = make_user(db, name="Carl", email="carl@example.com")
    carl_id = carl.id or 0
    db.commit()
    day = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    _send(maya_id, ben_id, "one", now=day - timedelta(hours=3))
    _send(maya_id, ben_id, "two", now=day - timedelta(hours=2))
    _send(carl_id, ben_id, "hi", now=day - timedelta(hours=1))

    assert digest.send_digests(unit_of_work, now=day) == 0  # 06:00 for Ben: too early
    assert digest.send_digests(unit_of_work, now=day + timedelta(hours=2)) == 1
    [mail] = [m for m in _emails(db, ben_email) if "unread" in m.subject]
    assert mail.subject == "You have 3 unread messages on BARTR"
    assert "Maya: 2 unread messages" in mail.text_body
    assert "Carl: 1 unread message\n" in mail.text_body
    assert mail.list_unsubscribe and "s=digest" in mail.list_unsubscribe
    # Maya and Carl have nothing unread: no digest for them.
    assert [m for m in _emails(db) if "unread" in m.subject and m.to_address != ben_email] == []

    # Later the same day: nothing more, even with a new message.
    _send(maya_id, ben_id, "three", now=day + timedelta(hours=3))
    assert digest.send_digests(unit_of_work, now=day + timedelta(hours=5)) == 0
    # Next day: only what arrived since the last digest.
    assert digest.send_digests(unit_of_work, now=day + timedelta(days=1, hours=2)) == 1
    latest = [m for m in _emails(db, ben_email) if "unread" in m.subject][-1]
    assert latest.subject == "You have 1 unread message on BARTR"


def test_no_digest_when_switched_off_or_unverified(db: Session) -> None:
    maya_id, ben_id, _ = _pair(db, verified=False)
    day = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    _send(ben_id, maya_id, "hello", now=day - timedelta(hours=1))
    _send(maya_id, ben_id, "hi", now=day - timedelta(hours=1))
    with unit_of_work() as uow:
        email_prefs.do_set_daily_digest(uow, actor=uow.get(User, maya_id), on=False)  # type: ignore[arg-type]
    assert digest.send_digests(unit_of_work, now=day) == 0
