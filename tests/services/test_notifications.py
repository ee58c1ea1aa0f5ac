"""The notification centre: entries from domain events, folding, reading, counts."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from bartr.models.accounts import Role
from bartr.models.messaging import Notification
from bartr.services import jobs, ledger, messages, notifications, sessions
from tests.factories import make_user
from tests.services.session_factories import T0, make_pair, request, scheduled


def _kinds(db: Session, user) -> list[str]:  # type: ignore[no-untyped-def]
    return [v.kind for v in notifications.latest(db, actor=user)]


def test_session_events_notify_the_other_side(db: Session) -> None:
    pair = make_pair(db)
    session = request(db, pair)
    assert _kinds(db, pair.teacher) == ["request_received"]
    assert _kinds(db, pair.learner) == []
    [view] = notifications.latest(db, actor=pair.teacher)
    assert view.href == f"/sessions/{session.id}" and view.unread
    assert pair.learner.display_name in view.text

    sessions.do_decline(db, actor=pair.teacher, session_id=session.id or 0, now=T0)
    db.commit()
    assert _kinds(db, pair.learner) == ["declined"]
    assert _kinds(db, pair.teacher) == ["request_received"]


def test_accept_cancel_and_rolled_back_action_notifies_nobody(db: Session) -> None:
    pair = make_pair(db)
    session = scheduled(db, pair)
    assert _kinds(db, pair.learner) == ["accepted"]
    sessions.do_cancel(db, actor=pair.learner, session_id=session.id or 0, now=T0)
    db.rollback()  # the action failed later: nothing is shown
    assert _kinds(db, pair.teacher) == ["request_received"]
    sessions.do_cancel(db, actor=pair.learner, session_id=session.id or 0, now=T0)
    db.commit()
    assert _kinds(db, pair.teacher) == ["cancelled", "request_received"]


def test_expiry_notifies_both(db: Session) -> None:
    pair = make_pair(db)
    session = request(db, pair)
    sessions.do_expire(db, session_id=session.id or 0, now=T0 + timedelta(days=30))
    db.commit()
    assert _kinds(db, pair.learner) == ["expired"]
    assert "expired" in _kinds(db, pair.teacher)


def test_starting_soon_reminder(db: Session) -> None:
    pair = make_pair(db)
    start = T0 + timedelta(days=3, hours=2)
    scheduled(db, pair, start=start)
    jobs.run_due_transitions(db, now=start - timedelta(minutes=10))
    db.commit()
    assert "starting_soon" in _kinds(db, pair.learner)
    assert "starting_soon" in _kinds(db, pair.teacher)


def test_messages_fold_into_one_entry_per_conversation_until_read(db: Session) -> None:
    maya, ben = make_user(db, name="Maya"), make_user(db, name="Ben")
    conversation = messages.do_open_conversation(db, actor=maya, other_id=ben.id or 0)
    for i in range(3):
        messages.do_send_message(
            db,
            actor=maya,
            conversation_id=conversation.id or 0,
            body=f"m{i}",
            now=T0 + timedelta(seconds=i),
        )
    db.commit()
    [view] = notifications.latest(db, actor=ben)
    assert view.text == "Maya sent you 3 messages"
    assert view.href == f"/messages/{conversation.id}"
    assert notifications.unread_count(db, actor=ben) == 1
    assert notifications.unread_count(db, actor=maya) == 0

    messages.do_mark_read(db, actor=ben, conversation_id=conversation.id or 0)
    db.commit()
    assert notifications.unread_count(db, actor=ben) == 0
    messages.do_send_message(
        db,
        actor=maya,
        conversation_id=conversation.id or 0,
        body="again",
        now=T0 + timedelta(minutes=1),
    )
    db.commit()
    views = notifications.latest(db, actor=ben)
    assert [v.unread for v in views] == [True, False]
    assert views[0].text == "Maya sent you a message"


def test_mark_one_and_all_read_only_touches_own(db: Session) -> None:
    pair = make_pair(db)
    request(db, pair)
    request(db, pair, times=[T0 + timedelta(days=4)])
    other = make_pair(db)
    request(db, other)
    first, _second = notifications.latest(db, actor=pair.teacher)
    theirs = notifications.latest(db, actor=other.teacher)[0]
    assert notifications.do_mark_read(db, actor=pair.teacher, notification_id=theirs.id) == 0
    assert notifications.do_mark_read(db, actor=pair.teacher, notification_id=first.id) == 1
    db.commit()
    assert notifications.unread_count(db, actor=pair.teacher) == 1
    assert notifications.do_mark_read(db, actor=pair.teacher) == 1
    db.commit()
    assert notifications.unread_count(db, actor=pair.teacher) == 0
    assert notifications.unread_count(db, actor=other.teacher) == 1
    assert len(notifications.latest(db, actor=pair.teacher, unread_only=True)) == 0


def test_credit_events(db: Session) -> None:
    referrer = make_user(db, name="Maya")
    make_user(db, name="Ben", referral_code=referrer.referral_code)
    [view] = notifications.latest(db, actor=referrer)
    assert view.kind == "referral_reward" and "Ben" in view.text and "+5" in view.text

    admin = make_user(db, role=Role.ADMIN)
    ledger.admin_adjust(db, actor=admin, user_id=referrer.id or 0, amount=-60, reason="Fix")
    db.commit()
    latest = notifications.latest(db, actor=referrer)[0]
    assert latest.kind == "admin_adjustment" and "−1" in latest.text and latest.href == "/wallet"


def test_refused_admin_adjust_writes_no_notification(db: Session) -> None:
    member = make_user(db)
    admin = make_user(db, role=Role.ADMIN)
    try:
        ledger.admin_adjust(
            db, actor=admin, user_id=member.id or 0, amount=-6000, reason="Too much"
        )
    except Exception:
        db.rollback()
    assert db.exec(select(Notification).where(Notification.kind == "admin_adjustment")).all() == []
