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


def _shown(chat: ChatState) -> list[Any]:
    """The thread on screen: the loaded pages, then what arrived since."""
    return list(chat.items) + list(chat.fresh)


def _tick(chat: ChatState, bubble: Any) -> str:
    """What the bubble's tick shows (components/chat.py: from the other member's marks)."""
    if bubble.id <= chat.their_read_id:
        return "read"
    return "delivered" if bubble.id <= chat.their_delivered_id else "sent"


def _follow_up(state: LiveState) -> None:
    """The tab's coalesced follow-up, as `deliver` runs it (read marks, list, counts)."""
    assert state._follow_up_now([state])


def _read_mark(db: Session, cid: int, member_id: int) -> int:
    """A member's read mark in a conversation, as committed (read in a fresh session)."""
    from bartr.models.messaging import Conversation

    with Session(db.get_bind()) as fresh:
        conversation = fresh.get(Conversation, cid)
        assert conversation is not None
        a_side = conversation.member_a_id == member_id
        return conversation.a_read_id if a_side else conversation.b_read_id


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
    assert mine.other_name == "Ben Ito" and _shown(mine) == []
    _send(mine, {"body": "Hi Ben, see https://example.com/a."})
    assert [b.parts[1].href for b in _shown(mine)] == ["https://example.com/a"]
    assert mine.fresh and not mine.items  # only the new bubble travels, not the thread
    assert mine.draft == "" and mine.send_error == ""
    assert _tick(mine, mine.fresh[0]) == "sent"
    _follow_up(mine)  # the list follows, coalesced
    assert mine.conversations[0].preview.startswith("You: Hi Ben")

    theirs = _state(ChatState, ben, db, f"/messages/{cid}")
    theirs.load()
    assert [b.mine for b in _shown(theirs)] == [False]
    # The push arrives (twice: a repeated signal), then the tab reconnects: still once.
    signal = {"kind": "message", "conversation_id": cid, "message_id": mine.fresh[0].id}
    theirs._apply_arrivals([signal, signal])
    _follow_up(theirs)
    theirs.load()
    assert len(_shown(theirs)) == 1
    # Ben's tab has the thread open: Maya's tick turns to "read" (from SQL on a bare
    # signal, from the signal's own mark otherwise).
    mine._apply_arrivals([{"kind": "read", "conversation_id": cid}])
    assert _tick(mine, mine.fresh[0]) == "read"


def test_a_burst_resends_only_the_new_bubbles_and_marks_read_once(db: Session) -> None:
    maya, ben, cid = _pair(db)
    mine = _state(ChatState, maya, db, f"/messages/{cid}")
    mine.load()
    theirs = _state(ChatState, ben, db, f"/messages/{cid}")
    theirs.load()
    sent = []
    for n in range(3):
        sent.append(messages.do_send_message(db, actor=maya, conversation_id=cid, body=f"m{n}"))
        db.commit()
    signals = [
        {"kind": "message", "conversation_id": cid, "message_id": m.id, "recipient_id": ben.id}
        for m in sent
    ]
    theirs._apply_arrivals(signals)
    assert [b.parts[0].text for b in theirs.fresh] == ["m0", "m1", "m2"]
    assert theirs._read_pending and theirs._list_stale  # owed to the follow-up, not done
    assert _read_mark(db, cid, ben.id or 0) < (sent[-1].id or 0)
    _follow_up(theirs)  # one write for the whole burst
    assert _read_mark(db, cid, ben.id or 0) == sent[-1].id
    assert not theirs._read_pending and theirs.conversations[0].unread == 0
    # Maya's tab hears Ben's mark as a signal carrying it: ticks move without a query.
    mine._apply_arrivals(
        [{"kind": "read", "conversation_id": cid, "reader_id": ben.id, "up_to_id": sent[1].id}]
    )
    assert (mine.their_read_id, mine.their_delivered_id) == (sent[1].id, sent[1].id)
    # A delivered-only mark moves the grey ticks, never the read one.
    mine._apply_arrivals(
        [
            {
                "kind": "read",
                "conversation_id": cid,
                "reader_id": ben.id,
                "up_to_id": sent[2].id,
                "read": False,
            }
        ]
    )
    assert (mine.their_read_id, mine.their_delivered_id) == (sent[1].id, sent[2].id)


def test_fresh_bubbles_fold_into_the_thread_past_the_limit(db: Session) -> None:
    from datetime import timedelta

    from bartr.state.chat import FRESH_MAX

    maya, ben, cid = _pair(db)
    theirs = _state(ChatState, ben, db, f"/messages/{cid}")
    theirs.load()
    start = messages.utcnow() - timedelta(hours=1)
    for n in range(FRESH_MAX + 2):  # one a second: under the rate limit
        at = start + timedelta(seconds=n)
        messages.do_send_message(db, actor=maya, conversation_id=cid, body=f"m{n}", now=at)
        db.commit()
        theirs._apply_arrivals([{"kind": "message", "conversation_id": cid}])
    shown = _shown(theirs)
    assert [b.parts[0].text for b in shown] == [f"m{n}" for n in range(FRESH_MAX + 2)]
    assert theirs.items and len(theirs.fresh) < FRESH_MAX  # folded once, then small again
    assert [b.first_of_day for b in shown].count(True) == len({b.day for b in shown})


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
    assert len(_shown(chat)) == 50 and chat.has_older
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
    assert header._note_signals(
        [{"kind": "read", "conversation_id": cid, "reader_id": maya.id}, {"kind": "notifications"}]
    )
    _follow_up(header)
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


def test_the_thread_pins_the_pairs_next_session_and_not_on_the_session_page(
    db: Session,
) -> None:
    from datetime import timedelta

    from tests.services.session_factories import T0, make_pair, scheduled

    pair = make_pair(db)
    cid = messages.do_open_conversation(db, actor=pair.learner, other_id=pair.teacher.id or 0).id
    session = scheduled(db, pair, start=T0 + timedelta(days=2, hours=2))  # ahead of today
    chat = _state(ChatState, pair.learner, db, f"/messages/{cid}")
    chat.load()
    assert chat.pinned.id == session.id and chat.pinned.href == f"/sessions/{session.id}"
    assert chat.pinned.label == "Scheduled" and chat.pinned.role == "You learn"
    assert chat.pinned.when.endswith("(Europe/Berlin)") and not chat.pinned.can_join
    # A thread without one shows none; the session page's own chat card neither.
    other = _state(ChatState, make_user(db), db, "/messages")
    other.load()
    assert other.pinned.id == 0
    inline = _state(ChatState, pair.teacher, db, f"/sessions/{session.id}")
    inline.load_for_session()
    assert inline.conversation_id == cid and inline.pinned.id == 0
