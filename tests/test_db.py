"""on_commit: after-commit work runs once for committed data and never for rolled-back data."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bartr.db import on_commit, unit_of_work
from bartr.models.base import utcnow
from bartr.services import domain_events
from bartr.services.domain_events import SessionChanged


def test_callbacks_run_after_commit_in_order(engine: Engine) -> None:
    ran: list[str] = []
    with Session(engine) as db:
        on_commit(db, lambda: ran.append("a"))
        on_commit(db, lambda: ran.append("b"))
        assert ran == []
        db.commit()
    assert ran == ["a", "b"]


def test_callbacks_never_run_after_rollback(engine: Engine) -> None:
    ran: list[str] = []
    with pytest.raises(RuntimeError):
        with unit_of_work() as db:
            on_commit(db, lambda: ran.append("x"))
            raise RuntimeError("boom")
    with unit_of_work() as db:
        pass  # a later commit of a fresh transaction must not run the dropped callback
    assert ran == []


def test_a_rolled_back_savepoint_drops_only_its_own_callbacks(engine: Engine) -> None:
    ran: list[str] = []
    with Session(engine) as db:
        on_commit(db, lambda: ran.append("outer"))
        savepoint = db.begin_nested()
        on_commit(db, lambda: ran.append("inner"))
        savepoint.rollback()
        with db.begin_nested():
            on_commit(db, lambda: ran.append("kept"))
        db.commit()
    assert ran == ["outer", "kept"]


def test_a_failing_callback_does_not_stop_the_others(engine: Engine) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("push failed")

    with Session(engine) as db:
        on_commit(db, broken)
        on_commit(db, lambda: ran.append("after"))
        db.commit()
    assert ran == ["after"]


def test_each_commit_runs_only_its_own_callbacks(engine: Engine) -> None:
    ran: list[int] = []
    with Session(engine) as db:
        on_commit(db, lambda: ran.append(1))
        db.commit()
        on_commit(db, lambda: ran.append(2))
        db.commit()
    assert ran == [1, 2]


def test_domain_events_in_transaction_and_after_commit(engine: Engine) -> None:
    inside: list[int] = []
    after: list[int] = []

    def in_tx(db: Session, event: SessionChanged) -> None:
        assert isinstance(db, Session)
        inside.append(event.session_id)

    def later(event: SessionChanged) -> None:
        after.append(event.session_id)

    domain_events.subscribe_in_transaction(SessionChanged, in_tx)
    domain_events.subscribe_after_commit(SessionChanged, later)
    event = SessionChanged(
        session_id=7,
        action="example",  # no subscriber of the app reacts to this one
        from_state="requested",
        to_state="scheduled",
        actor_id=1,
        learner_id=2,
        teacher_id=1,
        at=utcnow(),
    )
    try:
        with pytest.raises(RuntimeError):
            with unit_of_work() as db:
                domain_events.emit(db, event)
                raise RuntimeError("rolled back")
        assert inside == [7] and after == []
        with unit_of_work() as db:
            domain_events.emit(db, event)
            assert after == []
        assert inside == [7, 7] and after == [7]
    finally:
        domain_events.unsubscribe(SessionChanged, in_tx)
        domain_events.unsubscribe(SessionChanged, later)
