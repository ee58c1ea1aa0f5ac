from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session

from bartr.models.accounts import UserStatus
from bartr.services import recommendations
from bartr.services.recommendations import MatchProfile, MatchSkill, score_match
from tests.factories import make_user
from tests.services.profile_factories import add_skill, seed, set_windows

LANG, MUSIC = 1, 2


def _skill(skill_id: int, title: str, category: int, *words: str) -> MatchSkill:
    return MatchSkill(skill_id, title, frozenset((category, w) for w in words))


VIEWER = MatchProfile(
    user_id=1,
    teach=(_skill(10, "Guitar", MUSIC, "guitar"),),
    learn=(_skill(11, "Spanish", LANG, "spanish"),),
    languages=frozenset({"English"}),
)


def _teacher(user_id: int, *, wants_guitar: bool, **extra: object) -> MatchProfile:
    learn = (
        (_skill(user_id * 10 + 1, "Jazz guitar", MUSIC, "jazz", "guitar"),) if wants_guitar else ()
    )
    return MatchProfile(
        user_id=user_id,
        teach=(_skill(user_id * 10, "Spanish conversation", LANG, "spanish", "conversation"),),
        learn=learn,
        **extra,  # type: ignore[arg-type]
    )


def test_mutual_outranks_one_way_with_equal_inputs() -> None:
    one_way = score_match(VIEWER, _teacher(2, wants_guitar=False))
    mutual = score_match(VIEWER, _teacher(3, wants_guitar=True))
    assert 0 < one_way.score < mutual.score
    assert mutual.mutual and not one_way.mutual
    assert mutual.reasons[:2] == ["teaches Spanish conversation", "wants Guitar that you teach"]
    assert mutual.best_skill_id == 30
    # even a trusted, available, same-language one-way match stays below a bare mutual one
    available_viewer = replace(VIEWER, availability=0b1111)
    mutual = score_match(available_viewer, _teacher(3, wants_guitar=True))
    strong = score_match(
        available_viewer,
        _teacher(4, wants_guitar=False, languages=frozenset({"English"}), trust=100.0,
                 availability=(1 << 336) - 1),
    )  # fmt: skip
    assert strong.score < mutual.score
    assert strong.reasons == [
        "teaches Spanish conversation",
        "speaks English",
        "free at the same times",
    ]


def test_no_overlap_is_not_a_match() -> None:
    other = MatchProfile(
        user_id=5,
        teach=(_skill(50, "Spanish cooking", 3, "spanish", "cooking"),),  # another category
        learn=(_skill(51, "Guitar", MUSIC, "guitar"),),
        languages=frozenset({"English"}),
    )
    assert score_match(VIEWER, other) == recommendations.MatchScore(0.0)
    assert score_match(VIEWER, VIEWER).score == 0


def test_boosts_are_small_and_ordered() -> None:
    base = score_match(VIEWER, _teacher(2, wants_guitar=False)).score
    lang = score_match(
        VIEWER, _teacher(2, wants_guitar=False, languages=frozenset({"English"}))
    ).score
    trust = score_match(VIEWER, _teacher(2, wants_guitar=False, trust=80.0)).score
    assert base < trust < lang < base * 2


@pytest.fixture
def cats(db: Session) -> None:
    seed(db)


def test_for_you_ranks_mutual_first_with_reasons(db: Session, cats: None) -> None:
    viewer = make_user(db, name="Vic", languages=["English"], timezone="Europe/Berlin")
    add_skill(db, viewer, title="Guitar", category="music", tags=["acoustic"])
    add_skill(db, viewer, kind="learn", title="Spanish", category="languages")
    one_way = make_user(db, name="One Way", languages=["English"], timezone="Europe/Madrid")
    add_skill(db, one_way, title="Spanish conversation", tags=["speaking"])
    mutual = make_user(db, name="Mutual Match", languages=["Spanish"])
    add_skill(db, mutual, title="Conversational practice", tags=["spanish"])
    add_skill(db, mutual, kind="learn", title="Jazz guitar", category="music")
    nobody = make_user(db, name="No Match")
    add_skill(db, nobody, title="Spanish omelette", category="cooking")
    set_windows(db, viewer, [(0, "18:00", "20:00")])
    set_windows(db, one_way, [(0, "18:00", "19:00")])
    recs = recommendations.for_you(db, viewer=viewer)
    assert [r.display_name for r in recs] == ["Mutual Match", "One Way"]
    assert recs[0].mutual and recs[0].reasons == [
        "teaches Conversational practice",
        "wants Guitar that you teach",
    ]
    assert recs[1].reasons == [
        "teaches Spanish conversation",
        "speaks English",
        "free at the same times",
    ]
    assert recs[1].skill_title == "Spanish conversation" and recs[1].handle == one_way.handle
    assert recommendations.for_you(db, viewer=viewer, limit=1)[0].display_name == "Mutual Match"
    lonely = make_user(db)
    assert recommendations.for_you(db, viewer=lonely) == []


def test_swap_circle_found(db: Session, cats: None) -> None:
    viewer = make_user(db, name="Val")
    add_skill(db, viewer, title="Guitar", category="music")
    add_skill(db, viewer, kind="learn", title="Spanish", category="languages")
    b = make_user(db, name="Bea")
    add_skill(db, b, kind="learn", title="Guitar chords", category="music")
    add_skill(db, b, title="Sourdough bread", category="cooking")
    c = make_user(db, name="Cruz")
    add_skill(db, c, kind="learn", title="Bread baking", category="cooking")
    add_skill(db, c, title="Spanish for travel", category="languages")
    circles = recommendations.swap_circles(db, viewer=viewer)
    assert len(circles) == 1
    circle = circles[0]
    assert [m.display_name for m in circle.members] == ["Val", "Bea", "Cruz"]
    assert [(f.teacher_id, f.learner_id, f.skill_title) for f in circle.flows] == [
        (viewer.id, b.id, "Guitar"),
        (b.id, c.id, "Sourdough bread"),
        (c.id, viewer.id, "Spanish for travel"),
    ]


def test_swap_circle_not_found_when_a_link_is_missing(db: Session, cats: None) -> None:
    viewer = make_user(db, name="Val")
    add_skill(db, viewer, title="Guitar", category="music")
    add_skill(db, viewer, kind="learn", title="Spanish", category="languages")
    b = make_user(db, name="Bea")
    add_skill(db, b, kind="learn", title="Guitar chords", category="music")
    add_skill(db, b, title="Sourdough bread", category="cooking")
    c = make_user(db, name="Cruz")
    add_skill(db, c, kind="learn", title="Knitting", category="crafts")  # wants nothing B teaches
    add_skill(db, c, title="Spanish for travel", category="languages")
    assert recommendations.swap_circles(db, viewer=viewer) == []


def test_hidden_members_are_never_recommended_or_in_circles(db: Session, cats: None) -> None:
    viewer = make_user(db, name="Val")
    add_skill(db, viewer, title="Guitar", category="music")
    add_skill(db, viewer, kind="learn", title="Spanish", category="languages")
    add_skill(db, viewer, kind="learn", title="Sourdough", category="cooking")
    b = make_user(db, name="Bea")
    add_skill(db, b, kind="learn", title="Guitar chords", category="music")
    add_skill(db, b, title="Sourdough bread", category="cooking")
    c = make_user(db, name="Cruz")
    add_skill(db, c, kind="learn", title="Bread baking", category="cooking")
    add_skill(db, c, title="Spanish for travel", category="languages")
    me = recommendations.viewer_profile(db, viewer)
    assert [s.title for s in me.teach] == ["Guitar"]
    assert [s.title for s in me.learn] == ["Spanish", "Sourdough"]
    recs = recommendations.for_you(db, viewer=viewer)
    assert [(r.display_name, r.mutual) for r in recs] == [("Bea", True), ("Cruz", False)]
    assert len(recommendations.swap_circles(db, viewer=viewer)) == 1
    b.status = UserStatus.SUSPENDED
    db.add(b)
    db.flush()
    assert [r.display_name for r in recommendations.for_you(db, viewer=viewer)] == ["Cruz"]
    assert recommendations.swap_circles(db, viewer=viewer) == []
