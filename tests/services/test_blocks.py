"""Blocking hides a pair from each other on every surface and stops requests between them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from bartr.models.profiles import SkillKind
from bartr.models.sessions import SessionState, SkillSession
from bartr.services import blocks, ledger, marketplace, profiles, recommendations, sessions
from bartr.services.errors import Conflict, NotAllowed, NotFound
from tests.factories import make_user
from tests.services.session_factories import (
    T0,
    make_pair,
    make_skill,
    request,
    scheduled,
    wallet,
)


def test_block_is_mutual_and_undone_by_unblock(db: Session) -> None:
    a, b, c = make_user(db), make_user(db), make_user(db)
    blocks.do_block(db, actor=a, user_id=b.id or 0)
    db.commit()
    assert blocks.blocked_between(db, a.id, b.id) and blocks.blocked_between(db, b.id, a.id)
    assert not blocks.blocked_between(db, a.id, c.id)
    assert blocks.hidden_ids_for(db, b.id) == {a.id}
    assert [m.user_id for m in blocks.list_blocked(db, actor=a)] == [b.id]
    assert blocks.list_blocked(db, actor=b) == []
    with pytest.raises(NotFound):
        blocks.do_unblock(db, actor=b, user_id=a.id or 0)  # only the blocker can undo it
    blocks.do_unblock(db, actor=a, user_id=b.id or 0)
    db.commit()
    assert not blocks.blocked_between(db, a.id, b.id)


def test_refusals(db: Session) -> None:
    a, b = make_user(db), make_user(db)
    with pytest.raises(NotAllowed):
        blocks.do_block(db, actor=a, user_id=a.id or 0)
    with pytest.raises(NotFound):
        blocks.do_block(db, actor=a, user_id=999_999)
    with pytest.raises(NotFound):
        blocks.do_block(db, actor=a, user_id="2")  # type: ignore[arg-type]
    blocks.do_block(db, actor=a, user_id=b.id or 0)
    with pytest.raises(Conflict):
        blocks.do_block(db, actor=a, user_id=b.id or 0)


def test_profiles_are_hidden_both_ways(db: Session) -> None:
    a, b = make_user(db), make_user(db)
    blocks.do_block(db, actor=a, user_id=b.id or 0)
    db.commit()
    for viewer, other in ((a, b), (b, a)):
        with pytest.raises(NotFound):
            profiles.public_profile(db, handle=other.handle, viewer=viewer)
    assert profiles.public_profile(db, handle=a.handle, viewer=None).user_id == a.id


def test_marketplace_and_for_you_leave_blocked_members_out(db: Session) -> None:
    pair = make_pair(db)
    profiles.do_add_skill(
        db,
        actor=pair.learner,
        kind=SkillKind.LEARN,
        category_slug="languages",
        title="Spanish conversation",
        level="beginner",
    )
    db.commit()
    seen = marketplace.search(db, viewer=pair.learner)
    assert pair.teacher.id in {c.teacher_id for c in seen.items}
    assert pair.teacher.id in {
        r.teacher_id for r in recommendations.for_you(db, viewer=pair.learner)
    }

    blocks.do_block(db, actor=pair.teacher, user_id=pair.learner.id or 0)
    db.commit()
    assert pair.teacher.id not in {
        c.teacher_id for c in marketplace.search(db, viewer=pair.learner).items
    }
    assert recommendations.for_you(db, viewer=pair.learner) == []
    # Someone else still finds the teacher.
    other = make_user(db)
    assert pair.teacher.id in {c.teacher_id for c in marketplace.search(db, viewer=other).items}


def test_requests_and_counter_proposals_are_refused(db: Session) -> None:
    pair = make_pair(db)
    booked = scheduled(db, pair)
    blocks.do_block(db, actor=pair.learner, user_id=pair.teacher.id or 0)
    db.commit()
    before = wallet(db, pair.learner)
    with pytest.raises(NotAllowed):
        request(db, pair)
    db.rollback()
    with pytest.raises(NotAllowed):
        sessions.do_propose_reschedule(
            db,
            actor=pair.teacher,
            session_id=booked.id or 0,
            start_times=[T0 + timedelta(days=5)],
            now=T0,
        )
    db.rollback()
    assert wallet(db, pair.learner) == before


@pytest.mark.parametrize("blocker", ["teacher", "learner"])
def test_open_requests_are_closed_with_credits_returned(db: Session, blocker: str) -> None:
    pair = make_pair(db)
    full = wallet(db, pair.learner)
    open_request = request(db, pair)
    booked = scheduled(db, pair, start=T0 + timedelta(days=6))
    held = wallet(db, pair.learner)
    assert held == full - open_request.cost - booked.cost
    actor, other = (
        (pair.teacher, pair.learner) if blocker == "teacher" else (pair.learner, pair.teacher)
    )

    outcome = blocks.do_block(db, actor=actor, user_id=other.id or 0, now=T0)
    db.commit()

    closed = db.get(SkillSession, open_request.id)
    assert closed is not None and closed.state in {SessionState.DECLINED, SessionState.CANCELLED}
    assert outcome.withdrawn + outcome.declined == 1
    # The scheduled session is not silently cancelled: the blocker is told about it.
    assert outcome.scheduled == [booked.id]
    assert db.get(SkillSession, booked.id).state == SessionState.SCHEDULED  # type: ignore[union-attr]
    assert wallet(db, pair.learner) == full - booked.cost
    assert ledger.check_invariants(db) == []


def test_swap_circles_skip_blocked_members(db: Session) -> None:
    # A three-way circle needs the viewer, B and C; a block between B and C breaks it.
    viewer, b, c = make_user(db), make_user(db), make_user(db)
    for who, teach, learn in (
        (viewer, "Guitar", "Baking"),
        (b, "Chess", "Guitar"),
        (c, "Baking", "Chess"),
    ):
        make_skill(db, who, title=teach)
        make_skill(db, who, kind=SkillKind.LEARN, title=learn)
    assert recommendations.swap_circles(db, viewer=viewer) != []
    blocks.do_block(db, actor=b, user_id=c.id or 0)
    db.commit()
    assert recommendations.swap_circles(db, viewer=viewer) == []
