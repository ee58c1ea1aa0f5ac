"""The credits ledger: balances, holds, settlement, idempotency, refusals."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from bartr.models.accounts import Role
from bartr.models.ledger import LedgerAccount, LedgerEntry, LedgerTransaction
from bartr.services import ledger
from bartr.services.credits import credits
from bartr.services.errors import InsufficientCredits, NotAllowed, NotFound, ValidationFailed
from tests.factories import make_user


def _counts(db: Session) -> tuple[int, int]:
    return (
        db.exec(select(func.count()).select_from(LedgerTransaction)).one(),
        db.exec(select(func.count()).select_from(LedgerEntry)).one(),
    )


def _fund(db: Session, user_id: int, amount: int, key: str = "") -> None:
    ledger.grant(
        db,
        user_id=user_id,
        amount=amount,
        system="adjustments",
        kind="adjustment",
        key=key or f"test-fund:{user_id}:{amount}",
        memo="test funds",
    )
    db.commit()


def _member(db: Session, **kw):  # a member with no welcome credits
    return make_user(db, onboarded=False, **kw)


def test_new_member_has_empty_wallet(db: Session) -> None:
    user = _member(db)
    assert ledger.available_balance(db, user.id) == 0
    assert ledger.held_balance(db, user.id) == 0
    account = ledger.wallet_account(db, user.id)
    assert account.kind == "wallet" and account.owner_id == user.id
    assert ledger.wallet_account(db, user.id).id == account.id  # one wallet per member


def test_grant_credits_wallet_from_system_account(db: Session) -> None:
    user = _member(db)
    tx = ledger.grant(
        db,
        user_id=user.id,
        amount=credits(3),
        system="welcome",
        kind="welcome",
        key="welcome:test",
        memo="Welcome credits",
        cause_type="user",
        cause_id=user.id,
    )
    db.commit()
    assert ledger.available_balance(db, user.id) == 180
    entries = ledger.entries_of(db, tx)
    assert sorted(e.amount for e in entries) == [-180, 180]
    assert ledger.system_account(db, "welcome").balance == -180
    assert tx.cause_type == "user" and tx.cause_id == user.id
    assert ledger.check_invariants(db) == []


def test_replaying_a_key_moves_nothing(db: Session) -> None:
    user = _member(db)
    first = ledger.grant(
        db, user_id=user.id, amount=60, system="welcome", kind="welcome", key="k1", memo=""
    )
    again = ledger.grant(
        db, user_id=user.id, amount=999, system="welcome", kind="welcome", key="k1", memo=""
    )
    db.commit()
    assert again.id == first.id
    assert ledger.available_balance(db, user.id) == 60
    assert _counts(db) == (1, 2)


def test_post_transaction_refuses_unbalanced_entries(db: Session) -> None:
    user = _member(db)
    wallet = ledger.wallet_account(db, user.id)
    with pytest.raises(ValueError):
        ledger.post_transaction(db, key="bad", kind="adjustment", entries=[(wallet, 60)])
    with pytest.raises(TypeError):
        source = ledger.system_account(db, "adjustments")
        ledger.post_transaction(
            db, key="bad2", kind="adjustment", entries=[(wallet, 1.5), (source, -1.5)]
        )
    db.rollback()
    assert _counts(db) == (0, 0)


def test_hold_moves_wallet_to_escrow(db: Session) -> None:
    learner = _member(db)
    _fund(db, learner.id, 120)
    tx = ledger.hold_for_session(db, session_id=42, learner_id=learner.id, amount=90, key="s42:h")
    db.commit()
    assert tx.kind == "session_hold" and tx.cause_type == "session" and tx.cause_id == 42
    assert ledger.available_balance(db, learner.id) == 30
    assert ledger.held_balance(db, learner.id) == 90
    assert ledger.escrow_balance(db, 42) == 90
    assert ledger.check_invariants(db) == []


def test_hold_refused_when_wallet_short_writes_nothing(db: Session) -> None:
    learner = _member(db)
    _fund(db, learner.id, 90)
    before = _counts(db)
    with pytest.raises(InsufficientCredits) as err:
        ledger.hold_for_session(db, session_id=1, learner_id=learner.id, amount=120, key="s1:h")
    assert err.value.message == "You have 1.5 credits available; this needs 2."
    db.rollback()
    assert _counts(db) == before
    assert ledger.available_balance(db, learner.id) == 90
    assert ledger.escrow_balance(db, 1) == 0


def test_hold_refuses_non_positive_amount(db: Session) -> None:
    learner = _member(db)
    for amount in (0, -60):
        with pytest.raises(ValidationFailed):
            ledger.hold_for_session(
                db, session_id=1, learner_id=learner.id, amount=amount, key=f"x{amount}"
            )
    db.rollback()
    assert _counts(db) == (0, 0)


def test_release_returns_whole_escrow(db: Session) -> None:
    learner = _member(db)
    _fund(db, learner.id, 120)
    ledger.hold_for_session(db, session_id=7, learner_id=learner.id, amount=60, key="s7:h1")
    ledger.hold_for_session(db, session_id=7, learner_id=learner.id, amount=30, key="s7:h2")
    tx = ledger.release_session_hold(db, session_id=7, learner_id=learner.id, key="s7:release")
    db.commit()
    assert tx is not None and tx.kind == "session_release"
    assert ledger.available_balance(db, learner.id) == 120
    assert ledger.escrow_balance(db, 7) == 0
    # Replaying returns the same transaction; an empty escrow under a new key is None.
    again = ledger.release_session_hold(db, session_id=7, learner_id=learner.id, key="s7:release")
    assert again is not None and again.id == tx.id
    assert ledger.release_session_hold(db, session_id=7, learner_id=learner.id, key="new") is None
    assert ledger.release_session_hold(db, session_id=99, learner_id=learner.id, key="n") is None
    assert ledger.check_invariants(db) == []


def test_release_refuses_another_members_escrow(db: Session) -> None:
    learner, other = _member(db), _member(db)
    _fund(db, learner.id, 60)
    ledger.hold_for_session(db, session_id=5, learner_id=learner.id, amount=60, key="s5:h")
    db.commit()
    with pytest.raises(NotAllowed):
        ledger.release_session_hold(db, session_id=5, learner_id=other.id, key="s5:r")
    with pytest.raises(NotAllowed):
        ledger.hold_for_session(db, session_id=5, learner_id=other.id, amount=1, key="s5:h2")
    db.rollback()
    assert ledger.escrow_balance(db, 5) == 60


def test_settle_pays_teacher_and_returns_rest(db: Session) -> None:
    learner, teacher = _member(db), _member(db)
    _fund(db, learner.id, 120)
    ledger.hold_for_session(db, session_id=3, learner_id=learner.id, amount=90, key="s3:h")
    tx = ledger.settle_session(
        db, session_id=3, learner_id=learner.id, teacher_id=teacher.id, to_teacher=45, key="s3:s"
    )
    db.commit()
    assert tx is not None and tx.kind == "session_settle"
    assert ledger.available_balance(db, teacher.id) == 45
    assert ledger.available_balance(db, learner.id) == 30 + 45
    assert ledger.escrow_balance(db, 3) == 0
    assert ledger.held_balance(db, learner.id) == 0
    assert ledger.check_invariants(db) == []


def test_settle_full_and_custom_kind(db: Session) -> None:
    learner, teacher = _member(db), _member(db)
    _fund(db, learner.id, 60)
    ledger.hold_for_session(db, session_id=4, learner_id=learner.id, amount=60, key="s4:h")
    tx = ledger.settle_session(
        db,
        session_id=4,
        learner_id=learner.id,
        teacher_id=teacher.id,
        to_teacher=60,
        key="s4:s",
        kind="session_refund",
    )
    db.commit()
    assert tx is not None and tx.kind == "session_refund"
    assert len(ledger.entries_of(db, tx)) == 2  # no zero entry for the learner
    assert ledger.available_balance(db, teacher.id) == 60


def test_settle_refuses_more_than_held_and_negative(db: Session) -> None:
    learner, teacher = _member(db), _member(db)
    _fund(db, learner.id, 60)
    ledger.hold_for_session(db, session_id=8, learner_id=learner.id, amount=60, key="s8:h")
    db.commit()
    before = _counts(db)
    with pytest.raises(InsufficientCredits):
        ledger.settle_session(
            db, session_id=8, learner_id=learner.id, teacher_id=teacher.id, to_teacher=61, key="a"
        )
    with pytest.raises(ValidationFailed):
        ledger.settle_session(
            db, session_id=8, learner_id=learner.id, teacher_id=teacher.id, to_teacher=-1, key="b"
        )
    db.rollback()
    assert _counts(db) == before
    assert ledger.escrow_balance(db, 8) == 60
    # An empty escrow with nothing owed: nothing to move.
    assert (
        ledger.settle_session(
            db, session_id=77, learner_id=learner.id, teacher_id=teacher.id, to_teacher=0, key="c"
        )
        is None
    )


def test_admin_adjust_credit_and_debit(db: Session) -> None:
    admin = _member(db, role=Role.ADMIN)
    member = _member(db)
    tx = ledger.admin_adjust(db, actor=admin, user_id=member.id, amount=120, reason="  Goodwill  ")
    db.commit()
    assert tx.actor_id == admin.id and tx.memo == "Goodwill" and tx.kind == "adjustment"
    assert tx.idempotency_key.startswith("adjust:")
    ledger.admin_adjust(db, actor=admin, user_id=member.id, amount=-60, reason="Duplicate grant")
    db.commit()
    assert ledger.available_balance(db, member.id) == 60
    assert ledger.check_invariants(db) == []


def test_admin_adjust_refusals_write_nothing(db: Session) -> None:
    admin = _member(db, role=Role.ADMIN)
    member = _member(db)
    _fund(db, member.id, 60)
    before = _counts(db)
    with pytest.raises(NotAllowed):
        ledger.admin_adjust(db, actor=member, user_id=member.id, amount=60, reason="me")
    with pytest.raises(NotAllowed):
        ledger.admin_adjust(db, actor=admin, user_id=admin.id, amount=60, reason="me")
    with pytest.raises(ValidationFailed):
        ledger.admin_adjust(db, actor=admin, user_id=member.id, amount=60, reason="   ")
    with pytest.raises(ValidationFailed):
        ledger.admin_adjust(db, actor=admin, user_id=member.id, amount=60, reason="x" * 501)
    with pytest.raises(ValidationFailed):
        ledger.admin_adjust(db, actor=admin, user_id=member.id, amount=0, reason="zero")
    with pytest.raises(NotFound):
        ledger.admin_adjust(db, actor=admin, user_id=10_000, amount=60, reason="ghost")
    with pytest.raises(InsufficientCredits) as err:
        ledger.admin_adjust(db, actor=admin, user_id=member.id, amount=-61, reason="too much")
    assert "below zero" in err.value.message
    db.rollback()
    assert _counts(db) == before
    assert ledger.available_balance(db, member.id) == 60


def test_transfer_between_wallets(db: Session) -> None:
    a, b = _member(db), _member(db)
    _fund(db, a.id, 100)
    ledger.transfer(db, from_user_id=a.id, to_user_id=b.id, amount=40, key="t1")
    db.commit()
    assert (ledger.available_balance(db, a.id), ledger.available_balance(db, b.id)) == (60, 40)
    with pytest.raises(InsufficientCredits):
        ledger.transfer(db, from_user_id=a.id, to_user_id=b.id, amount=61, key="t2")
    with pytest.raises(ValidationFailed):
        ledger.transfer(db, from_user_id=a.id, to_user_id=a.id, amount=1, key="t3")


def test_entries_record_running_balance(db: Session) -> None:
    user = _member(db)
    _fund(db, user.id, 100, key="f1")
    _fund(db, user.id, 50, key="f2")
    ledger.hold_for_session(db, session_id=1, learner_id=user.id, amount=30, key="h")
    db.commit()
    wallet = ledger.wallet_account(db, user.id)
    after = db.exec(
        select(LedgerEntry.balance_after)
        .where(LedgerEntry.account_id == wallet.id)
        .order_by(LedgerEntry.id)
    ).all()
    assert after == [100, 150, 120]


def test_check_invariants_detects_tampering(db: Session) -> None:
    user = _member(db)
    _fund(db, user.id, 100)
    wallet = db.exec(select(LedgerAccount).where(LedgerAccount.owner_id == user.id)).one()
    wallet.balance = 500
    db.add(wallet)
    db.flush()
    problems = ledger.check_invariants(db)
    assert any("caches 500" in p for p in problems)
    db.rollback()
    assert ledger.check_invariants(db) == []


def test_database_refuses_negative_wallet(db: Session) -> None:
    """The check constraint is the last line of defence behind the service checks."""
    from sqlalchemy.exc import IntegrityError

    user = _member(db)
    wallet = ledger.wallet_account(db, user.id)
    db.commit()
    wallet.balance = -1
    db.add(wallet)
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()
