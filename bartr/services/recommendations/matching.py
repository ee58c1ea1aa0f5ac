"""for_you, swap_circles and score_between: load candidates, score them, shape the result."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false
from sqlmodel import Session, col, select

from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.models.profiles import AvailabilityBitmap, SkillKind, SkillTerm, TeacherStats
from bartr.services import availability, blocks, trust, visibility
from bartr.services.availability import words_bitmap
from bartr.services.recommendations.candidates import (
    all_keys,
    bitmaps,
    candidates_for,
    id_in,
    key_filter,
    own_skills,
    skills_by_user,
)
from bartr.services.recommendations.scoring import (
    Key,
    MatchProfile,
    MatchScore,
    MatchSkill,
    _best_pair,
    score_match,
)


@dataclass(frozen=True)
class Recommendation:
    teacher_id: int
    display_name: str
    handle: str
    avatar_path: str | None
    languages: list[str]
    rating_avg: float | None
    rating_count: int
    trust_score: float | None
    badges: list[str]
    skill_id: int  # the teacher's skill that best matches what the viewer wants
    skill_title: str
    score: float
    reasons: list[str]
    mutual: bool


@dataclass(frozen=True)
class CircleMember:
    user_id: int
    display_name: str
    handle: str
    avatar_path: str | None


@dataclass(frozen=True)
class CircleFlow:
    """`teacher_id` teaches `learner_id` the skill `skill_id`."""

    teacher_id: int
    learner_id: int
    skill_id: int
    skill_title: str


@dataclass(frozen=True)
class SwapCircle:
    members: list[CircleMember]  # viewer first, then B, then C
    flows: list[CircleFlow]  # viewer -> B, B -> C, C -> viewer
    score: float


def viewer_profile(db: Session, viewer: User, *, now: datetime | None = None) -> MatchProfile:
    uid = viewer.id or 0
    teach, learn = own_skills(db, uid)
    stats = trust.stats_for(db, uid)
    return MatchProfile(
        user_id=uid,
        teach=teach,
        learn=learn,
        languages=frozenset(viewer.languages or []),
        availability=availability.bitmap_for(db, uid, now=now),
        trust=stats.trust_score,
    )


def for_you(
    db: Session, *, viewer: User, limit: int = 8, now: datetime | None = None
) -> list[Recommendation]:
    """Best barter partners for the viewer, each with its reasons (empty: nothing to match)."""
    now = now or utcnow()
    me = viewer_profile(db, viewer, now=now)
    wanted, offered = all_keys(me.learn), all_keys(me.teach)
    if not wanted:
        return []
    uid = me.user_id
    teach, learn = candidates_for(db).for_you(db, uid=uid, wanted=wanted, offered=offered)
    hidden = blocks.hidden_ids_for(db, uid)
    candidates = sorted(c for c in teach if c not in hidden)
    if not candidates:
        return []
    # Member fields, free-time bitmap and stats of the candidates: one round trip.
    b, ts = AvailabilityBitmap, TeacherStats
    detail_rows = db.exec(
        select(  # type: ignore[call-overload]
            User.id, User.display_name, User.handle, User.avatar_path, User.languages,
            User.created_at, b.w0, b.w1, b.w2, b.w3, b.w4, b.w5, ts,
        )
        .outerjoin(b, and_(col(b.user_id) == User.id, id_in(db, col(b.user_id), candidates)))
        .outerjoin(ts, and_(col(ts.user_id) == User.id, id_in(db, col(ts.user_id), candidates)))
        .where(id_in(db, col(User.id), candidates), *visibility.visible_conditions())
    ).all()  # fmt: skip
    users: dict[int, Any] = {}
    bitmaps: dict[int, int] = {}
    stats: dict[int, trust.TeacherStatsView] = {}
    for row in detail_rows:
        users[row[0]] = row
        if row[6] is not None:
            bitmaps[row[0]] = words_bitmap(row[6:12])
        if row[12] is not None:
            stats[row[0]] = trust.stats_view(row[12])
    scored: list[tuple[float, int, MatchScore]] = []
    for cid in candidates:
        user = users.get(cid)
        if user is None:
            continue
        st = stats.get(cid, trust.NEW_STATS)
        profile = MatchProfile(
            user_id=cid,
            teach=teach.get(cid, ()),
            learn=learn.get(cid, ()),
            languages=frozenset(user.languages or []),
            availability=bitmaps.get(cid, 0),
            trust=st.trust_score,
        )
        result = score_match(me, profile)
        if result.score > 0:
            scored.append((result.score, cid, result))
    scored.sort(key=lambda item: (-item[0], item[1]))
    recommendations = []
    for score, cid, result in scored[: max(0, limit)]:
        user = users[cid]
        st = stats.get(cid, trust.NEW_STATS)
        skill = next(s for s in teach[cid] if s.skill_id == result.best_skill_id)
        recommendations.append(
            Recommendation(
                teacher_id=cid,
                display_name=user.display_name,
                handle=user.handle,
                avatar_path=user.avatar_path,
                languages=list(user.languages or []),
                rating_avg=st.rating_avg,
                rating_count=st.rating_count,
                trust_score=st.trust_score,
                badges=trust.badges_for(st, member_since=user.created_at, now=now),
                skill_id=skill.skill_id,
                skill_title=skill.title,
                score=score,
                reasons=result.reasons,
                mutual=result.mutual,
            )
        )
    return recommendations


def _first_flow(
    givers: Sequence[MatchSkill], takers: Sequence[MatchSkill]
) -> tuple[MatchSkill, int] | None:
    _matched, pair = _best_pair(givers, takers)
    if pair is None:
        return None
    return pair[0], len(pair[0].keys & pair[1].keys)


def swap_circles(db: Session, *, viewer: User, limit: int = 3) -> list[SwapCircle]:
    """Three-way swaps: viewer teaches B, B teaches C, C teaches the viewer.

    Bounded: at most CIRCLE_FAN_OUT members who want what the viewer teaches (B) and as
    many who teach what the viewer wants (C), so the pair check is at most 50 x 50.
    A pair that could simply swap directly is still a valid circle, but true circles
    (C does not want what the viewer teaches) rank first.
    """
    me = viewer_profile(db, viewer)
    wanted, offered = all_keys(me.learn), all_keys(me.teach)
    if not wanted or not offered:
        return []
    uid = me.user_id
    sides = candidates_for(db).circle(db, uid=uid, wanted=wanted, offered=offered)
    bs, cs = sides.bs, sides.cs
    if not bs or not cs:
        return []
    b_learn, b_teach, c_learn, c_teach = sides.b_learn, sides.b_teach, sides.c_learn, sides.c_teach
    c_learn_keys = {c: all_keys(skills) for c, skills in c_learn.items()}
    hidden = blocks.hidden_ids_for(db, uid)
    blocked_pairs = blocks.pairs_among(db, set(bs) | set(cs))
    found: list[tuple[float, int, int, list[tuple[MatchSkill, int, int]]]] = []
    for c in cs:
        c_gives = _first_flow(c_teach.get(c, ()), me.learn)
        if c_gives is None or c not in c_learn or c in hidden:
            continue
        direct = bool(c_learn_keys[c] & offered)
        for b in bs:
            if b == c or b in hidden or frozenset((b, c)) in blocked_pairs:
                continue
            b_teach_skills = b_teach.get(b, ())
            if not b_teach_skills or not (all_keys(b_teach_skills) & c_learn_keys[c]):
                continue
            v_gives = _first_flow(me.teach, b_learn.get(b, ()))
            b_gives = _first_flow(b_teach_skills, c_learn[c])
            if v_gives is None or b_gives is None:
                continue
            score = v_gives[1] + b_gives[1] + c_gives[1] + (0 if direct else 10)
            flows = [(v_gives[0], uid, b), (b_gives[0], b, c), (c_gives[0], c, uid)]
            found.append((float(score), b, c, flows))
    found.sort(key=lambda f: (-f[0], f[1], f[2]))
    chosen: list[tuple[float, int, int, list[tuple[MatchSkill, int, int]]]] = []
    used: set[int] = set()
    for item in found:  # prefer circles with different people
        if item[1] in used or item[2] in used:
            continue
        chosen.append(item)
        used |= {item[1], item[2]}
        if len(chosen) >= limit:
            break
    if not chosen:
        return []
    member_ids = {uid} | {i for item in chosen for i in (item[1], item[2])}
    users = {u.id: u for u in db.exec(select(User).where(col(User.id).in_(member_ids))).all()}

    def member(user_id: int) -> CircleMember:
        u = users[user_id]
        return CircleMember(u.id or 0, u.display_name, u.handle, u.avatar_path)

    return [
        SwapCircle(
            members=[member(uid), member(b), member(c)],
            flows=[
                CircleFlow(teacher_id=t, learner_id=lrn, skill_id=s.skill_id, skill_title=s.title)
                for s, t, lrn in flows
            ],
            score=score,
        )
        for score, b, c, flows in chosen
    ]


def score_between(db: Session, *, viewer: User, teacher: User) -> MatchScore:
    """Score one pair (profile page: "why this person")."""
    me = viewer_profile(db, viewer)
    tid = teacher.id or 0
    other = MatchProfile(
        user_id=tid,
        teach=skills_by_user(db, user_ids=[tid], kind=SkillKind.TEACH).get(tid, ()),
        learn=skills_by_user(db, user_ids=[tid], kind=SkillKind.LEARN).get(tid, ()),
        languages=frozenset(teacher.languages or []),
        availability=bitmaps(db, [tid]).get(tid, 0),
        trust=trust.stats_for(db, tid).trust_score,
    )
    return score_match(me, other)


def taught_keys(db: Session, user_id: int) -> set[Key]:
    """Match keys of everything the member teaches."""
    rows = db.exec(
        select(SkillTerm.category_id, SkillTerm.term).where(
            SkillTerm.user_id == user_id,
            SkillTerm.kind == SkillKind.TEACH,
            col(SkillTerm.is_tag) == false(),
        )
    ).all()
    return {(c, t) for c, t in rows}


def users_wanting(db: Session, *, user_ids: Iterable[int], keys: set[Key]) -> set[int]:
    """Which of these members want to learn something with one of these keys."""
    ids = list(set(user_ids))
    if not ids or not keys:
        return set()
    rows = db.exec(
        select(SkillTerm.user_id)
        .where(
            col(SkillTerm.user_id).in_(ids),
            SkillTerm.kind == SkillKind.LEARN,
            col(SkillTerm.is_tag) == false(),
            key_filter(SkillTerm, keys),
        )
        .distinct()
    ).all()
    return set(rows)
