"""Scoring one barter pair: pure, documented, no database (see the package docstring)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Key = tuple[int, str]  # (category_id, significant word)

CANDIDATES_ONE_WAY = 80
CANDIDATES_WANTERS = 200
CIRCLE_FAN_OUT = 50

MUTUAL_FACTOR = 2.0
LANGUAGE_BOOST = 0.3
AVAILABILITY_BOOST = 0.2  # any shared slot ...
AVAILABILITY_EXTRA = 0.2  # ... plus up to this much for 4 shared hours
TRUST_BOOST = 0.3  # times trust/100
EXTRA_SKILL_BOOST = 0.25  # per further matching skill, up to 3


@dataclass(frozen=True)
class MatchSkill:
    skill_id: int
    title: str
    keys: frozenset[Key]


@dataclass(frozen=True)
class MatchProfile:
    """What scoring needs to know about one member (no database objects)."""

    user_id: int
    teach: tuple[MatchSkill, ...] = ()
    learn: tuple[MatchSkill, ...] = ()
    languages: frozenset[str] = frozenset()
    availability: int = 0  # weekly UTC bitmap of 30-minute slots (availability.weekly_bitmap)
    trust: float | None = None  # 0..100, None = new


@dataclass(frozen=True)
class MatchScore:
    score: float  # 0.0 = not a match (never recommended)
    reasons: list[str] = field(default_factory=list)
    best_skill_id: int | None = None  # the teacher's skill that best fits the viewer
    mutual: bool = False


def _best_pair(
    givers: Sequence[MatchSkill], takers: Sequence[MatchSkill]
) -> tuple[list[MatchSkill], tuple[MatchSkill, MatchSkill] | None]:
    """Giver skills matching any taker skill, and the strongest (giver, taker) pair."""
    matched: list[MatchSkill] = []
    best: tuple[int, int, MatchSkill, MatchSkill] | None = None
    for g in givers:
        hit = False
        for t in takers:
            shared = len(g.keys & t.keys)
            if shared:
                hit = True
                rank = (shared, -g.skill_id)
                if best is None or rank > best[:2]:
                    best = (shared, -g.skill_id, g, t)
        if hit:
            matched.append(g)
    return matched, (best[2], best[3]) if best else None


def score_match(viewer: MatchProfile, teacher: MatchProfile) -> MatchScore:
    """How good a barter partner `teacher` is for `viewer`; pure, deterministic.

    - Base: the teacher teaches something the viewer wants to learn (a shared key). No
      such skill -> score 0 and no reasons: not a match. Base 1.0, +0.25 per further
      matching teacher skill (up to 3).
    - Mutual: the teacher also wants something the viewer teaches -> base x2, so a
      mutual match always outranks a one-way match with otherwise equal inputs.
    - Smaller additive boosts: a shared language (+0.3); shared free time in the weekly
      UTC bitmaps (+0.2, and up to +0.2 more for 4 shared hours); trust (+0.3 x trust/100).
    Reasons are short phrases to show beside the card, most important first.
    """
    if viewer.user_id == teacher.user_id:
        return MatchScore(0.0)
    matched, pair = _best_pair(teacher.teach, viewer.learn)
    if pair is None:
        return MatchScore(0.0)
    best_teach, _wanted = pair
    score = 1.0 + EXTRA_SKILL_BOOST * min(len(matched) - 1, 3)
    reasons = [f"teaches {best_teach.title}"]
    _m, mutual_pair = _best_pair(viewer.teach, teacher.learn)
    mutual = mutual_pair is not None
    if mutual_pair is not None:
        score *= MUTUAL_FACTOR
        reasons.append(f"wants {mutual_pair[0].title} that you teach")
    shared_languages = viewer.languages & teacher.languages
    if shared_languages:
        score += LANGUAGE_BOOST
        reasons.append(f"speaks {min(shared_languages)}")
    shared_slots = (viewer.availability & teacher.availability).bit_count()
    if shared_slots:
        score += AVAILABILITY_BOOST + AVAILABILITY_EXTRA * min(shared_slots / 8, 1.0)
        reasons.append("free at the same times")
    if teacher.trust:
        score += TRUST_BOOST * max(0.0, min(teacher.trust, 100.0)) / 100.0
    return MatchScore(
        score=round(score, 4), reasons=reasons, best_skill_id=best_teach.skill_id, mutual=mutual
    )
