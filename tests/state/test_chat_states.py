"""The chat, the bell and the notification centre, driven as the socket would drive them."""

from __future__ import annotations

import asyncio
from typing import Any

from reflex.istate.data import RouterData
from reflex_base import constants
from sqlmodel import Session, func, select

from bartr.models.accounts import User
from bartr.models.messaging import MAX_MESSAGE_CHARS, Message
from bartr.services import accounts, messages
from bartr.state.chat import ChatState
from bartr.state.live import LiveState
from bartr.state.notifications_page import NotificationsState
from tests.factories import make_user, sign_in


def _state(cls: type, user: User | None, db: Session, path: str) -> Any:
    state = cls(_reflex_internal_init=True)
    state.router = RouterData.from_router_data(
        {constants.RouteVar.ORIGIN: path, constants.RouteVar.HEADERS: {"origin": "http://t"}}
    )
    sign_in(state, accounts.open_session_for(db, user).token if user else "")
    db.commit()
    return state


def _send(chat: ChatState, form: dict[str, str]) -> None:
    asyncio.run(chat.send(form))


def _pair(db: Session) -> tuple[User, User, int]:
    maya, ben = make_user(db, name="Maya Lopez"), make_user(db, name="Ben Ito")
    conversation = messages.do_open_conversation(db, actor=maya, other_id=ben.id or 0)
    db.commit()
    return maya, ben, conversation.id or 0


def _count(db: Session) -> int:
    return int(db.exec(select(func.count()).select_from(Message)).one())


def test_message_button_opens_the_pair_thread_by_handle(db: Session) -> None:
    maya, ben = make_user(db, name="Maya Lopez"), make_user(db, name="Ben Ito")
    chat = _state(ChatState, maya, db, f"/messages?to={ben.handle}")
    event = chat.load()
    conversation = messages.conversation_between(db, maya.id or 0, ben.id or 0)
    assert conversation is not None
    assert f"/messages/{conversation.id}" in str(event)


def test_sending_shows_the_message_once_and_the_other_tab_catches_up_once(db: Session) -> None:
    maya, ben, cid = _pair(db)
    mine = _state(ChatState, maya, db, f"/messages/{cid}")
    mine.load()
    assert mine.other_name == "Ben Ito" and mine.items == []
    _send(mine, {"body": "Hi Ben, see https://example.com/a."})
    assert [b.parts[1].href for b in mine.items] == ["https://example.com/a"]
    assert mine.draft == "" and mine.send_error == ""
    assert mine.conversations[0].preview.startswith("You: Hi Ben")

    theirs = _state(ChatState, ben, db, f"/messages/{cid}")
    theirs.load()
    assert [b.mine for b in theirs.items] == [False]
    # The push arrives (twice: a repeated signal), then the tab reconnects: still once.
    signal = {"kind": "message", "conversation_id": cid, "message_id": mine.items[0].id}
    theirs._apply_arrivals([signal, signal])
    theirs._apply_follow_ups([signal, signal])
    theirs.load()
    assert len(theirs.items) == 1
    # Ben's tab has the thread open: Maya's tick turns to "read".
    mine._apply_arrivals([{"kind": "read", "conversation_id": cid}])
    assert mine.items[0].tick == "read"


def test_a_too_long_message_is_refused_and_the_text_kept(db: Session) -> None:
    maya, _ben, cid = _pair(db)
    chat = _state(ChatState, maya, db, f"/messages/{cid}")
    chat.load()
    text = "x" * (MAX_MESSAGE_CHARS + 1)
    _send(chat, {"body": text})
    assert "at most 4,000 characters" in chat.send_error
    assert chat.draft == text
    assert _count(db) == 0


def test_the_rate_limit_answers_with_a_clear_message(db: Session) -> None:
    maya, _ben, cid = _pair(db)
    chat = _state(ChatState, maya, db, f"/messages/{cid}")
    chat.load()
    for n in range(messages.RATE_LIMIT_COUNT):
        _send(chat, {"body": f"message {n}"})
    assert chat.send_error == ""
    _send(chat, {"body": "one too many"})
    assert "very quickly" in chat.send_error
    assert _count(db) == messages.RATE_LIMIT_COUNT


def test_a_stranger_cannot_open_someone_elses_thread(db: Session) -> None:
    _maya, _ben, cid = _pair(db)
    stranger = make_user(db, name="Sam Stranger")
    chat = _state(ChatState, stranger, db, f"/messages/{cid}")
    chat.load()
    assert "not yours" in chat.load_error
    assert chat.items == [] and chat.conversation_id == 0
    _send(chat, {"body": "let me in"})
    assert _count(db) == 0


def test_older_messages_load_fifty_at_a_time_above_the_oldest(db: Session) -> None:
    maya, ben, cid = _pair(db)
    for n in range(60):
        db.add(Message(conversation_id=cid, sender_id=ben.id or 0, body=f"m{n}"))
    db.commit()
    last = db.exec(select(func.max(Message.id))).one()
    conversation = messages.get_conversation(db, actor=maya, conversation_id=cid)
    conversation.last_message_id = last
    db.add(conversation)
    db.commit()
    chat = _state(ChatState, maya, db, f"/messages/{cid}")
    chat.load()
    assert len(chat.items) == 50 and chat.has_older
    list(chat.load_older())
    assert len(chat.items) == 60 and not chat.has_older
    assert [b.parts[0].text for b in chat.items[:2]] == ["m0", "m1"]


def test_header_counts_and_bell_follow_messages_and_clear_on_reading(db: Session) -> None:
    maya, ben, cid = _pair(db)
    messages.do_send_message(db, actor=ben, conversation_id=cid, body="Hello")
    db.commit()
    header = _state(LiveState, maya, db, "/wallet")
    header.connect()
    assert header.unread_messages == 1 and header.unread_notifications == 1
    assert header.bell[0].text == "Ben Ito sent you a message" and header.bell[0].unread
    chat = _state(ChatState, maya, db, f"/messages/{cid}")
    chat.load()  # reading the thread clears the badge and its bell entry
    header._apply_header([{"kind": "read", "conversation_id": cid}, {"kind": "notifications"}])
    assert header.unread_messages == 0 and header.unread_notifications == 0


def test_notification_centre_marks_one_or_all_read(db: Session) -> None:
    maya, ben, cid = _pair(db)
    messages.do_send_message(db, actor=ben, conversation_id=cid, body="Hello")
    db.commit()
    page = _state(NotificationsState, maya, db, "/notifications")
    page.load()
    assert [r.unread for r in page.rows] == [True]
    assert page.rows[0].href == f"/messages/{cid}"
    page.set_show("unread")
    page.mark_read(page.rows[0].id)
    assert page.rows == []
    page.set_show("all")
    assert [r.unread for r in page.rows] == [False]
    # Someone else's notification id changes nothing.
    other = _state(NotificationsState, make_user(db), db, "/notifications")
    other.mark_everything_read()
    other.load()
    assert other.rows == []
