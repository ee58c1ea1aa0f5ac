"""The first-run demo community is valid data and seeding twice changes nothing."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bartr import demo_data
from bartr.models.accounts import User
from bartr.models.sessions import SkillSession
from bartr.services import ledger


def test_seed_is_idempotent_and_keeps_the_ledger_balanced(sqlite_engine: Engine) -> None:
    first = demo_data.seed()
    assert "members" in first
    again = demo_data.seed()
    assert "nothing changed" in again
    with Session(sqlite_engine) as db:
        assert db.exec(select(func.count()).select_from(User)).one() == len(demo_data.PEOPLE)
        completed = db.exec(
            select(func.count()).select_from(SkillSession).where(SkillSession.state == "completed")
        ).one()
        assert completed >= 5
        assert ledger.check_invariants(db) == []
