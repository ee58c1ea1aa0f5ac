"""The load-and-fault bench's after-run checks (bench/load_fault.py) pass on honest books
and name each kind of damage: a hold off by one, a message stored twice, a message never
shown to its recipient, an acknowledged request missing. (The run itself needs the
production server, PostgreSQL and Redis: it is a bench, not a test.)"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, SQLModel

from bartr.db import make_engine, set_engine, unit_of_work
from bartr.models.accounts import User
from bartr.models.base import utcnow
from bench.load_fault import Member, Record, check_database, seed


def _world(tmp_path: Path) -> tuple[str, list[Member]]:
    """Four seeded members; the learner booked the teacher and wrote to them, as seen."""
    from bartr.services import categories, messages, sessions

    url = f"sqlite:///{tmp_path / 'load.db'}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as db:
        categories.seed_categories(db)
        db.commit()
    seats = seed(url, 4)
    record = Record()
    members: list[Member] = []
    members += [Member(s, "http://127.0.0.1:1", record, members) for s in seats]
    teacher, learner = members[0], members[1]
    start = (utcnow() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    set_engine(engine)
    try:
        with unit_of_work() as db:
            actor = db.get(User, learner.seat.user_id)
            assert actor is not None
            booked = sessions.do_request_session(
                db,
                actor=actor,
                skill_id=teacher.seat.skill_id,
                duration_minutes=60,
                start_times=[start],
            )
            sent = messages.do_send_message(
                db, actor=actor, conversation_id=learner.seat.conversation_id, body="hello 1"
            )
            session_id, message_id = booked.id or 0, sent.id or 0
    finally:
        set_engine(None)
        engine.dispose()
    learner.requests[session_id] = start.isoformat()
    learner.sent.append("hello 1")
    learner.acked["hello 1"] = message_id
    teacher.seen.add(message_id)
    return url, members


def _sql(url: str, statement: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


def test_honest_books_pass(tmp_path: Path) -> None:
    url, members = _world(tmp_path)
    checks = check_database(url, members)
    assert checks["problems"] == []
    assert checks["requests_acknowledged"] == 1
    assert checks["messages_acknowledged"] == checks["messages_in_sql"] == 1
    assert checks["messages_lost"] == 0


def test_each_kind_of_damage_is_named(tmp_path: Path) -> None:
    url, members = _world(tmp_path)
    teacher, learner = members[0], members[1]
    _sql(url, "UPDATE ledger_accounts SET balance = balance - 1 WHERE kind = 'escrow'")
    _sql(
        url,
        "INSERT INTO messages (conversation_id, sender_id, body, created_at) "
        f"SELECT conversation_id, sender_id, body, created_at FROM messages "
        f"WHERE id = {learner.acked['hello 1']}",
    )
    learner.requests[999] = "2030-01-01T10:00:00+00:00"
    problems = "\n".join(check_database(url, members)["problems"])
    assert "ledger:" in problems  # the escrow's cached balance no longer matches its entries
    assert "should hold 60" in problems
    assert "message stored 2 times: 'hello 1'" in problems
    assert "never shown to the recipient" in problems  # the copy has an id nobody saw
    assert "acknowledged request 999" in problems
    assert teacher.seen  # (the original was seen: only the copy is reported)
