"""'Visible member' is one rule; its Python, SQLAlchemy and raw-SQL spellings agree."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bartr.models.accounts import User, UserStatus
from bartr.services import visibility
from tests.factories import make_user


def test_three_spellings_agree(db: Session) -> None:
    active = make_user(db, name="Active")
    suspended = make_user(db, name="Suspended")
    suspended.status = UserStatus.SUSPENDED
    fresh = make_user(db, name="Fresh", onboarded=False)
    db.add(suspended)
    db.commit()
    ids = [active.id, suspended.id, fresh.id]
    python = {u.id for u in (active, suspended, fresh) if visibility.is_visible(u)}
    conditions = set(
        db.exec(select(User.id).where(col(User.id).in_(ids), *visibility.visible_conditions()))
    )
    outer = aliased(User)  # the EXISTS clauses probe `users` for another row's user id
    not_hidden = set(
        db.exec(
            select(outer.id).where(col(outer.id).in_(ids), ~visibility.hidden_user_exists(outer.id))
        )
    )
    exists = set(
        db.exec(
            select(outer.id).where(col(outer.id).in_(ids), visibility.visible_user_exists(outer.id))
        )
    )
    raw = set(
        db.exec(
            select(User.id).where(col(User.id).in_(ids), text(f"NOT {visibility.HIDDEN_USER_SQL}"))
        )
    )
    assert python == conditions == not_hidden == exists == raw == {active.id}
    assert not visibility.is_visible(None)
