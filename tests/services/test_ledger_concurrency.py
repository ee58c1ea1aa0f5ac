"""Concurrent spends serialise in the database: the wallet never goes below zero.

Each thread runs its own unit of work against the test database (SQLite file with BEGIN
IMMEDIATE, and PostgreSQL with row locks), started together behind a barrier.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bartr.db import read_session, unit_of_work
from bartr.models.ledger import LedgerTransaction
from bartr.services import ledger
from bartr.services.credits import credits
from bartr.services.errors import InsufficientCredits
from tests.factories import make_user


def _run_together(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in n threads started at once; returns each result or exception."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait(timeout=30)
        try:
            results[i] = work(i)
        except Exception as exc:  # collected and asserted below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return results


def _funded_member(db: Session, amount: int) -> int:
    user = make_user(db, onboarded=False)
    ledger.grant(
        db, user_id=user.id, amount=amount, system="adjustments", kind="adjustment", key="seed"
    )
    db.commit()
    return user.id


def test_twenty_concurrent_holds_of_one_credit_from_seven(engine: Engine, db: Session) -> None:
    learner_id = _funded_member(db, credits(7))

    def spend(i: int) -> int:
        with unit_of_work() as uow:
            tx = ledger.hold_for_session(
                uow, session_id=1000 + i, learner_id=learner_id, amount=credits(1), key=f"h{i}"
            )
            return tx.id or 0

    results = _run_together(20, spend)
    wins = [r for r in results if isinstance(r, int)]
    losses = [r for r in results if isinstance(r, InsufficientCredits)]
    assert len(wins) == 7, results
    assert len(losses) == 13, results
    assert all("available" in e.message for e in losses)
    with read_session() as rs:
        assert ledger.available_balance(rs, learner_id) == 0
        assert ledger.held_balance(rs, learner_id) == credits(7)
        assert ledger.check_invariants(rs) == []


def test_concurrent_duplicates_of_one_key_post_once(engine: Engine, db: Session) -> None:
    user = make_user(db, onboarded=False)
    user_id = user.id

    def grant(_i: int) -> int:
        with unit_of_work() as uow:
            tx = ledger.grant(
                uow,
                user_id=user_id,
                amount=60,
                system="purchases",
                kind="purchase",
                key="stripe:checkout:cs_same",
            )
            return tx.id or 0

    results = _run_together(10, grant)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    with read_session() as rs:
        assert ledger.available_balance(rs, user_id) == 60
        assert rs.exec(select(func.count()).select_from(LedgerTransaction)).one() == 1
        assert ledger.check_invariants(rs) == []


def test_crossing_transfers_do_not_deadlock(engine: Engine, db: Session) -> None:
    """Transfers in both directions between the same wallets lock in id order."""
    ids = [_funded_member_with_key(db, credits(5), f"seed{i}") for i in range(4)]
    rng = random.Random(7)
    plans = [[[*rng.sample(ids, 2), rng.randint(1, 90)] for _ in range(10)] for _ in range(8)]

    def worker(i: int) -> int:
        done = 0
        for n, (a, b, amount) in enumerate(plans[i]):
            try:
                with unit_of_work() as uow:
                    ledger.transfer(
                        uow, from_user_id=a, to_user_id=b, amount=amount, key=f"x{i}:{n}"
                    )
                done += 1
            except InsufficientCredits:
                pass
        return done

    results = _run_together(8, worker)
    assert all(isinstance(r, int) for r in results), results
    with read_session() as rs:
        assert sum(ledger.available_balance(rs, u) for u in ids) == credits(20)
        assert ledger.check_invariants(rs) == []


def _funded_member_with_key(db: Session, amount: int, key: str) -> int:
    user = make_user(db, onboarded=False)
    ledger.grant(
        db, user_id=user.id, amount=amount, system="adjustments", kind="adjustment", key=key
    )
    db.commit()
    return user.id
