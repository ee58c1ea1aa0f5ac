"""Admins see open disputes and settle them; members cannot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from bartr.models.accounts import Role
from bartr.services import ledger, moderation, sessions
from bartr.services.errors import NotAllowed
from tests.factories import make_user
from tests.services.session_factories import T0, make_pair, scheduled, wallet


def test_disputes_are_listed_for_admins_and_settled_by_them(db: Session) -> None:
    pair = make_pair(db)
    booked = scheduled(db, pair)
    after_end = (booked.ends_at or T0) + timedelta(minutes=10)
    sessions.do_mark_complete(db, actor=pair.teacher, session_id=booked.id or 0, now=after_end)
    sessions.do_dispute(
        db, actor=pair.learner, session_id=booked.id or 0, reason="They never came.", now=after_end
    )
    db.commit()
    admin = make_user(db, role=Role.ADMIN)

    with pytest.raises(NotAllowed):
        moderation.open_disputes(db, actor=pair.learner)
    rows = moderation.open_disputes(db, actor=admin)
    assert [r.session_id for r in rows] == [booked.id]
    assert rows[0].disputed_by == pair.learner.display_name

    teacher_before = wallet(db, pair.teacher)
    sessions.do_resolve_dispute(
        db, actor=admin, session_id=booked.id or 0, resolution="teacher", now=after_end
    )
    db.commit()
    assert wallet(db, pair.teacher) == teacher_before + booked.cost
    assert moderation.open_disputes(db, actor=admin) == []
    assert ledger.check_invariants(db) == []
