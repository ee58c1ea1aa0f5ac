"""Conversations: who may read and write, ordering, keyset pages, marks, rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from bartr.models.accounts import Role, UserStatus
from bartr.models.messaging import Message
from bartr.services import messages
from bartr.services.errors import NotAllowed, NotFound, TooManyAttempts, ValidationFailed
from tests.factories import make_user
from tests.services.session_factories import T0, make_pair, request


def _chat(db: Session):  # type: ignore[no-untyped-def]
    maya, ben = make_user(db, name="Maya"), make_user(db, name="Ben")
    conversation = messages.do_open_conversation(db, actor=maya, other_id=ben.id or 0)
    db.commit()
    return maya, ben, conversation.id or 0


def _send(db: Session, actor, conversation_id: int, body: str, **kw) -> int:  # type: ignore[no-untyped-def]
    message = messages.do_send_message(
        db, actor=actor, conversation_id=conversation_id, body=body, **kw
    )
    db.commit()
    return message.id or 0


def test_one_conversation_per_pair_whoever_opens_it(db: Session) -> None:
    maya, ben, conversation_id = _chat(db)
    again = messages.do_open_conversation(db, actor=ben, other_id=maya.id or 0)
    assert again.id == conversation_id


def test_cannot_message_yourself_or_a_suspended_member(db: Session) -> None:
    maya = make_user(db)
    with pytest.raises(NotAllowed):
        messages.do_open_conversation(db, actor=maya, other_id=maya.id or 0)
    gone = make_user(db, name="Gone")
    gone.status = UserStatus.SUSPENDED
    db.add(gone)
    db.commit()
    assert not messages.can_message(db, maya, gone)
    with pytest.raises(NotAllowed, match="can't receive"):
        messages.do_open_conversation(db, actor=maya, other_id=gone.id or 0)


def test_only_the_two_members_read_a_thread_admin_through_report_path(db: Session) -> None:
    maya, ben, conversation_id = _chat(db)
    _send(db, maya, conversation_id, "Hi Ben")
    stranger = make_user(db)
    admin = make_user(db, role=Role.ADMIN)
    for outsider in (stranger, admin):
        with pytest.raises(NotFound):
            messages.thread(db, actor=outsider, conversation_id=conversation_id)
        with pytest.raises(NotFound):
            messages.do_send_message(db, actor=outsider, conversation_id=conversation_id, body="x")
        with pytest.raises(NotFound):
            messages.messages_after(db, actor=outsider, conversation_id=conversation_id, after_id=0)
    with pytest.raises(NotAllowed):
        messages.thread_for_report(db, actor=stranger, conversation_id=conversation_id)
    page = messages.thread_for_report(db, actor=admin, conversation_id=conversation_id)
    assert [m.body for m in page.messages] == ["Hi Ben"]
    assert [
        m.body for m in messages.thread(db, actor=ben, conversation_id=conversation_id).messages
    ] == ["Hi Ben"]


def test_refused_send_writes_nothing(db: Session) -> None:
    maya, _ben, conversation_id = _chat(db)
    for body in ("", "   ", "x" * 4001):
        with pytest.raises(ValidationFailed):
            messages.do_send_message(db, actor=maya, conversation_id=conversation_id, body=body)
    db.rollback()
    assert db.exec(select(Message)).all() == []
    _send(db, maya, conversation_id, "x" * 4000)  # exactly the limit is fine


def test_unread_counts_marks_and_ticks(db: Session) -> None:
    maya, ben, conversation_id = _chat(db)
    first = _send(db, maya, conversation_id, "one")
    _send(db, maya, conversation_id, "two")
    assert messages.unread_conversations(db, actor=ben) == 1
    assert messages.unread_conversations(db, actor=maya) == 0
    [row] = messages.list_conversations(db, actor=ben)
    assert (row.unread, row.other_name, row.preview, row.last_from_me) == (2, "Maya", "two", False)
    assert (
        messages.thread(db, actor=maya, conversation_id=conversation_id).messages[0].tick == "sent"
    )

    messages.do_mark_read(
        db, actor=ben, conversation_id=conversation_id, up_to_id=first, read=False
    )
    db.commit()
    ticks = [
        m.tick for m in messages.thread(db, actor=maya, conversation_id=conversation_id).messages
    ]
    assert ticks == ["delivered", "sent"]

    assert messages.do_mark_read(db, actor=ben, conversation_id=conversation_id)
    db.commit()
    assert not messages.do_mark_read(db, actor=ben, conversation_id=conversation_id)
    assert messages.unread_conversations(db, actor=ben) == 0
    ticks = [
        m.tick for m in messages.thread(db, actor=maya, conversation_id=conversation_id).messages
    ]
    assert ticks == ["read", "read"]
    # Replying does not make one's own messages unread for oneself.
    _send(db, ben, conversation_id, "three")
    assert messages.unread_conversations(db, actor=ben) == 0
    assert messages.unread_conversations(db, actor=maya) == 1


def test_conversations_newest_activity_first(db: Session) -> None:
    maya = make_user(db, name="Maya")
    others = [make_user(db, name=f"Other {i}") for i in range(3)]
    ids = []
    for other in others:
        c = messages.do_open_conversation(db, actor=maya, other_id=other.id or 0)
        db.commit()
        ids.append(c.id or 0)
    for i, cid in enumerate(ids):
        _send(db, maya, cid, f"hello {i}", now=T0 + timedelta(minutes=i))
    _send(db, others[0], ids[0], "back to you", now=T0 + timedelta(minutes=10))
    rows = messages.list_conversations(db, actor=maya)
    assert [r.conversation_id for r in rows] == [ids[0], ids[2], ids[1]]
    # A conversation opened but never written in is not listed.
    lonely = make_user(db)
    messages.do_open_conversation(db, actor=maya, other_id=lonely.id or 0)
    db.commit()
    assert len(messages.list_conversations(db, actor=maya)) == 3


@pytest.mark.parametrize("total", [0, 1, 49, 50, 51, 100, 101])
def test_keyset_pages_cover_history_exactly_once(db: Session, total: int) -> None:
    maya, ben, conversation_id = _chat(db)
    sent = []
    for i in range(total):
        # Spread over time so the rate limit does not apply.
        message = messages.do_send_message(
            db,
            actor=maya if i % 2 else ben,
            conversation_id=conversation_id,
            body=f"m{i}",
            now=T0 + timedelta(seconds=i),
        )
        sent.append(message.id)
    db.commit()
    seen: list[int] = []
    page = messages.thread(db, actor=maya, conversation_id=conversation_id)
    pages = 1
    seen = [m.id for m in page.messages] + seen
    while page.has_older:
        page = messages.thread(
            db, actor=maya, conversation_id=conversation_id, before_id=page.messages[0].id
        )
        seen = [m.id for m in page.messages] + seen
        pages += 1
        assert len(page.messages) <= messages.PAGE_SIZE
    assert seen == sent
    assert pages == max(1, -(-total // messages.PAGE_SIZE))


def test_catch_up_after_last_seen_id(db: Session) -> None:
    maya, ben, conversation_id = _chat(db)
    ids = [
        _send(db, maya, conversation_id, f"m{i}", now=T0 + timedelta(seconds=i)) for i in range(5)
    ]
    missed, more = messages.messages_after(
        db, actor=ben, conversation_id=conversation_id, after_id=ids[1]
    )
    assert [m.id for m in missed] == ids[2:] and not more
    missed, more = messages.messages_after(
        db, actor=ben, conversation_id=conversation_id, after_id=0, limit=2
    )
    assert [m.id for m in missed] == ids[:2] and more


def test_rate_limit_twenty_per_ten_seconds(db: Session) -> None:
    maya, _ben, conversation_id = _chat(db)
    for i in range(messages.RATE_LIMIT_COUNT):
        _send(db, maya, conversation_id, f"m{i}", now=T0 + timedelta(milliseconds=100 * i))
    with pytest.raises(TooManyAttempts, match="Wait a few seconds"):
        messages.do_send_message(
            db,
            actor=maya,
            conversation_id=conversation_id,
            body="one too many",
            now=T0 + timedelta(seconds=5),
        )
    db.rollback()
    # Ten seconds after the first message, the window has room again.
    _send(db, maya, conversation_id, "later", now=T0 + timedelta(seconds=10, milliseconds=50))


def test_session_link_must_be_the_pairs_session(db: Session) -> None:
    pair = make_pair(db)
    session = request(db, pair)
    conversation = messages.do_open_conversation(
        db, actor=pair.learner, other_id=pair.teacher.id or 0
    )
    db.commit()
    _send(db, pair.learner, conversation.id or 0, "About our lesson", session_id=session.id)
    stranger = make_user(db)
    other = messages.do_open_conversation(db, actor=stranger, other_id=pair.teacher.id or 0)
    db.commit()
    with pytest.raises(NotFound):
        messages.do_send_message(
            db, actor=stranger, conversation_id=other.id or 0, body="x", session_id=session.id
        )


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_segments_rebuild_the_text_and_only_http_links(body: str) -> None:
    parts = messages.segments(body)
    assert "".join(p.text for p in parts) == body
    for p in parts:
        if p.href:
            assert p.href == p.text and p.href.lower().startswith(("http://", "https://"))


def test_segments_examples() -> None:
    parts = messages.segments("See https://example.com/a?b=1, or javascript:alert(1).")
    assert [(p.text, p.href) for p in parts] == [
        ("See ", ""),
        ("https://example.com/a?b=1", "https://example.com/a?b=1"),
        (", or javascript:alert(1).", ""),
    ]


def test_a_block_stops_messages_both_ways(db: Session) -> None:
    from bartr.services import blocks

    maya, ben, conversation_id = _chat(db)
    blocks.do_block(db, actor=ben, user_id=maya.id or 0)
    db.commit()
    assert not messages.can_message(db, maya, ben)
    for sender in (maya, ben):
        with pytest.raises(NotAllowed):
            messages.do_send_message(db, actor=sender, conversation_id=conversation_id, body="hi")
