"""Every admin action lands in the audit log, and nobody can change or remove an entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlmodel import Session, select

from bartr.models.accounts import Role
from bartr.models.safety import AuditEntry
from bartr.services import audit, categories, ledger, moderation, sessions
from bartr.services.credits import credits
from bartr.services.errors import InsufficientCredits, NotAllowed
from tests.factories import make_user
from tests.services.session_factories import T0, make_pair, scheduled


def _entries(db: Session) -> list[AuditEntry]:
    return list(db.exec(select(AuditEntry).order_by(AuditEntry.id)).all())  # type: ignore[arg-type]


def test_credit_adjustment_is_audited_with_its_reason(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN)
    member = make_user(db)
    ledger.admin_adjust(db, actor=admin, user_id=member.id or 0, amount=credits(2), reason="Bug")
    db.commit()
    [entry] = _entries(db)
    assert (entry.actor_id, entry.action, entry.member_id) == (
        admin.id,
        "credits.adjust",
        member.id,
    )
    assert entry.note == "Bug" and entry.data["amount"] == credits(2)


def test_refused_adjustment_leaves_no_entry(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN)
    member = make_user(db)
    with pytest.raises(InsufficientCredits):
        ledger.admin_adjust(
            db, actor=admin, user_id=member.id or 0, amount=-credits(900), reason="x"
        )
    db.rollback()
    assert _entries(db) == []


def test_category_edits_are_audited(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN)
    made = categories.do_create_category(db, actor=admin, name="Gardening")
    categories.do_rename_category(db, actor=admin, category_id=made.id, name="Gardens")
    categories.do_rename_category(db, actor=admin, category_id=made.id, name="Gardens")  # no-op
    categories.do_set_category_active(db, actor=admin, category_id=made.id, active=False)
    db.commit()
    assert [e.action for e in _entries(db)] == [
        "category.create",
        "category.rename",
        "category.deactivate",
    ]
    assert _entries(db)[1].note == "Gardening → Gardens"


def test_dispute_decision_is_audited(db: Session) -> None:
    pair = make_pair(db)
    booked = scheduled(db, pair)
    after_end = (booked.ends_at or T0) + timedelta(minutes=10)
    sessions.do_mark_complete(db, actor=pair.teacher, session_id=booked.id or 0, now=after_end)
    sessions.do_dispute(
        db, actor=pair.learner, session_id=booked.id or 0, reason="Never came.", now=after_end
    )
    db.commit()
    admin = make_user(db, role=Role.ADMIN)
    moderation.do_settle_dispute(
        db,
        actor=admin,
        session_id=booked.id or 0,
        resolution="learner",
        note="Video logs agree",
        now=after_end,
    )
    db.commit()
    [entry] = _entries(db)
    assert (entry.action, entry.target_kind, entry.target_id) == (
        "dispute.resolve",
        "session",
        booked.id,
    )
    assert entry.note == "Video logs agree" and entry.data["resolution"] == "learner"


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET note = 'rewritten'", "DELETE FROM audit_log"]
)
def test_database_refuses_update_and_delete(db: Session, statement: str) -> None:
    admin = make_user(db, role=Role.ADMIN)
    audit.record(db, actor=admin, action="category.create", target_kind="category", note="x")
    db.commit()
    with pytest.raises((DatabaseError, IntegrityError)) as refused:
        db.exec(text(statement))  # type: ignore[call-overload]
        db.flush()
    assert "append-only" in str(refused.value)
    db.rollback()
    [entry] = _entries(db)
    assert entry.note == "x"


def test_unknown_action_is_a_programming_error(db: Session) -> None:
    with pytest.raises(ValueError):
        audit.record(db, actor=None, action="member.teleport", target_kind="member")


def test_log_is_admin_only_and_filterable(db: Session) -> None:
    admin = make_user(db, role=Role.ADMIN, name="Ada Admin")
    maya = make_user(db, name="Maya Lopez")
    ben = make_user(db, name="Ben Ode")
    ledger.admin_adjust(db, actor=admin, user_id=maya.id or 0, amount=credits(1), reason="a")
    ledger.admin_adjust(db, actor=admin, user_id=ben.id or 0, amount=credits(1), reason="b")
    categories.do_create_category(db, actor=admin, name="Knots")
    db.commit()
    with pytest.raises(NotAllowed):
        audit.list_entries(db, actor=maya)
    everything = audit.list_entries(db, actor=admin)
    assert [r.action for r in everything] == ["category.create", "credits.adjust", "credits.adjust"]
    assert [r.member_name for r in audit.list_entries(db, actor=admin, person="maya")] == [
        "Maya Lopez"
    ]
    assert len(audit.list_entries(db, actor=admin, action="credits.adjust")) == 2
    assert len(audit.list_entries(db, actor=admin, action="category.")) == 1
    older = audit.list_entries(db, actor=admin, before_id=everything[0].id)
    assert [r.id for r in older] == [r.id for r in everything[1:]]
    assert everything[0].actor_name == "Ada Admin"
