"""The same candidate-selection tests against both implementations of `CandidateSource`.

On PostgreSQL both run (the raw-SQL one is what production uses there); on SQLite only the
SQLAlchemy one can. Each test asserts what a person cares about: who is a candidate and
which of their skills matched.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from bartr.models.accounts import User, UserStatus
from bartr.services import recommendations
from bartr.services.recommendations import (
    CandidateSource,
    PostgresCandidates,
    QueryCandidates,
    candidates_for,
)
from bartr.services.recommendations.candidates import all_keys
from tests.factories import make_user
from tests.services.profile_factories import add_skill, seed


@pytest.fixture(params=["query", "postgres"])
def source(request: pytest.FixtureRequest, db: Session) -> CandidateSource:
    if request.param == "postgres":
        if db.get_bind().dialect.name != "postgresql":
            pytest.skip("raw PostgreSQL SQL")
        return PostgresCandidates()
    return QueryCandidates()


@pytest.fixture
def community(db: Session) -> dict[str, User]:
    seed(db)
    viewer = make_user(db, name="Val")
    add_skill(db, viewer, title="Guitar", category="music")
    add_skill(db, viewer, kind="learn", title="Spanish", category="languages")
    add_skill(db, viewer, kind="learn", title="Sourdough", category="cooking")
    bea = make_user(db, name="Bea")  # wants guitar, teaches bread: mutual
    add_skill(db, bea, kind="learn", title="Guitar chords", category="music")
    add_skill(db, bea, title="Sourdough bread", category="cooking")
    cruz = make_user(db, name="Cruz")  # teaches Spanish, wants bread
    add_skill(db, cruz, kind="learn", title="Bread baking", category="cooking")
    add_skill(db, cruz, title="Spanish for travel", category="languages")
    dan = make_user(db, name="Dan")  # only wants guitar: a wanter, never a candidate
    add_skill(db, dan, kind="learn", title="Jazz guitar", category="music")
    eve = make_user(db, name="Eve")  # Spanish in the wrong category: no match
    add_skill(db, eve, title="Spanish omelette", category="cooking")
    hidden = make_user(db, name="Hal")  # would match, but suspended
    add_skill(db, hidden, title="Spanish grammar", category="languages")
    hidden.status = UserStatus.SUSPENDED
    db.add(hidden)
    fresh = make_user(db, name="Fay", onboarded=False)  # not onboarded: hidden
    add_skill(db, fresh, title="Spanish slang", category="languages")
    db.commit()
    return {"viewer": viewer, "bea": bea, "cruz": cruz, "dan": dan, "eve": eve}


def _keys(db: Session, viewer: User) -> tuple[set, set]:
    me = recommendations.viewer_profile(db, viewer)
    return all_keys(me.learn), all_keys(me.teach)


def _titles(skills: dict) -> dict[int, list[str]]:
    return {uid: sorted(s.title for s in per) for uid, per in skills.items()}


def test_for_you_candidates(db: Session, source: CandidateSource, community: dict) -> None:
    viewer, bea, cruz = community["viewer"], community["bea"], community["cruz"]
    wanted, offered = _keys(db, viewer)
    teach, learn = source.for_you(db, uid=viewer.id, wanted=wanted, offered=offered)
    assert _titles(teach) == {bea.id: ["Sourdough bread"], cruz.id: ["Spanish for travel"]}
    assert _titles(learn) == {bea.id: ["Guitar chords"]}


def test_for_you_with_nothing_to_offer(
    db: Session, source: CandidateSource, community: dict
) -> None:
    viewer, cruz = community["viewer"], community["cruz"]
    wanted, _offered = _keys(db, viewer)
    teach, learn = source.for_you(db, uid=viewer.id, wanted=wanted, offered=set())
    assert cruz.id in teach and learn == {}


def test_circle_candidates(db: Session, source: CandidateSource, community: dict) -> None:
    viewer, bea, cruz, dan = (community[k] for k in ("viewer", "bea", "cruz", "dan"))
    wanted, offered = _keys(db, viewer)
    sides = source.circle(db, uid=viewer.id, wanted=wanted, offered=offered)
    assert sorted(sides.bs) == sorted([bea.id, dan.id])
    assert sorted(sides.cs) == sorted([bea.id, cruz.id])
    assert _titles(sides.b_learn) == {bea.id: ["Guitar chords"], dan.id: ["Jazz guitar"]}
    assert _titles(sides.b_teach) == {bea.id: ["Sourdough bread"]}
    assert _titles(sides.c_teach) == {bea.id: ["Sourdough bread"], cruz.id: ["Spanish for travel"]}
    assert _titles(sides.c_learn) == {bea.id: ["Guitar chords"], cruz.id: ["Bread baking"]}


def test_no_circle_without_both_sides(
    db: Session, source: CandidateSource, community: dict
) -> None:
    viewer = community["viewer"]
    wanted, _offered = _keys(db, viewer)
    sides = source.circle(db, uid=viewer.id, wanted=wanted, offered={(999, "nothing")})
    assert sides.bs == [] and sides.cs == []


def test_the_database_gets_its_fast_implementation(db: Session) -> None:
    expected = PostgresCandidates if db.get_bind().dialect.name == "postgresql" else QueryCandidates
    assert isinstance(candidates_for(db), expected)
