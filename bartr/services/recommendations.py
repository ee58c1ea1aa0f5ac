"""Barter matches: who teaches what I want (and ideally wants what I teach).

Matching key. A skill's keys are (category id, significant word) pairs, the words
coming from its title and tags minus generic words (see profiles.significant_words).
Two skills match when they share a key: same category AND a shared significant word.
This covers "equal titles", "a shared tag" and "one title contains the other's main
word" ("Spanish" ~ "Spanish conversation", "Guitar" ~ "Jazz guitar") with one indexed
equality join on `skill_terms`, and never matches across categories ("Python" the
language vs a "python" in Other).

`score_match` is pure and documented; `for_you` and `swap_circles` generate a bounded set
of candidates in SQL from those keys, then score in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Integer, and_, any_, cast, false, func, or_, text
from sqlmodel import Session, col, select

from bartr.models.accounts import User, UserStatus
from bartr.models.base import utcnow
from bartr.models.profiles import (
    AvailabilityBitmap,
    Skill,
    SkillKind,
    SkillTerm,
    TeacherStats,
)
from bartr.services import availability, profiles, search_index
from bartr.services.availability import words_bitmap

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


# --- loading match data ----------------------------------------------------------------


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


def _key_filter(terms: Any, keys: Iterable[Key]) -> Any:
    """(category_id, term) IN keys, written as ORed equalities so every database uses the
    (term, is_tag, kind, category_id, ...) index for each key."""
    return or_(*(and_(terms.term == term, terms.category_id == cat) for cat, term in sorted(keys)))


def _id_in(db: Session, column: Any, ids: Sequence[int]) -> Any:
    """`column IN ids`; on PostgreSQL `= ANY(array)`: one parameter, one cached plan."""
    if db.get_bind().dialect.name == "postgresql":
        return column == any_(cast(list(ids), ARRAY(Integer)))
    return column.in_(ids)


def _visible_user_filter() -> list[Any]:
    return [User.status == UserStatus.ACTIVE, col(User.onboarded_at).is_not(None)]


def _skills_by_user(
    db: Session,
    *,
    user_ids: Iterable[int],
    kind: str,
    only_keys: set[Key] | None = None,
) -> dict[int, tuple[MatchSkill, ...]]:
    """Match skills per user (restricted to `only_keys` when given, which keeps it small)."""
    ids = list(set(user_ids))
    if not ids or (only_keys is not None and not only_keys):
        return {}
    member: Any = col(SkillTerm.user_id)
    if only_keys is not None and db.get_bind().dialect.name == "sqlite":
        # Few keys, many members: walk the covering (term, ...) index per key instead of
        # every term of every member ("+ 0" hides ix_skill_terms_user from SQLite).
        member = member + 0
    # Titles come with the terms (one round trip); the id list is one array parameter on
    # PostgreSQL instead of hundreds of bound values.
    stmt: Any = (
        select(  # type: ignore[call-overload]
            SkillTerm.user_id, SkillTerm.skill_id, SkillTerm.category_id, SkillTerm.term,
            Skill.title,
        )
        .join(Skill, col(Skill.id) == SkillTerm.skill_id)
        .where(
            _id_in(db, member, ids),
            col(SkillTerm.kind) == kind,
            col(SkillTerm.is_tag) == false(),
        )
    )  # fmt: skip
    if only_keys is not None:
        stmt = stmt.where(_key_filter(SkillTerm, only_keys))
    keys: dict[int, set[Key]] = {}
    owner: dict[int, int] = {}
    titles: dict[int, str] = {}
    for user_id, skill_id, category_id, term, title in db.exec(stmt).all():
        keys.setdefault(skill_id, set()).add((category_id, term))
        owner[skill_id] = user_id
        titles[skill_id] = title
    if not keys:
        return {}
    result: dict[int, list[MatchSkill]] = {}
    for skill_id, skill_keys in sorted(keys.items()):
        result.setdefault(owner[skill_id], []).append(
            MatchSkill(
                skill_id=skill_id, title=titles.get(skill_id, ""), keys=frozenset(skill_keys)
            )
        )
    return {user_id: tuple(skills) for user_id, skills in result.items()}


def _bitmaps(db: Session, user_ids: Iterable[int]) -> dict[int, int]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    b = AvailabilityBitmap
    rows = db.exec(
        select(b.user_id, b.w0, b.w1, b.w2, b.w3, b.w4, b.w5).where(  # type: ignore[call-overload]
            _id_in(db, col(b.user_id), ids)
        )
    ).all()
    return {r[0]: words_bitmap(r[1:]) for r in rows}


def _own_skills(db: Session, user_id: int) -> tuple[tuple[MatchSkill, ...], tuple[MatchSkill, ...]]:
    """(teach, learn) match skills of one member in one round trip."""
    stmt: Any = (
        select(  # type: ignore[call-overload]
            SkillTerm.kind, SkillTerm.skill_id, SkillTerm.category_id, SkillTerm.term, Skill.title
        )
        .join(Skill, col(Skill.id) == SkillTerm.skill_id)
        .where(col(SkillTerm.user_id) == user_id, col(SkillTerm.is_tag) == false())
    )
    return _split_kinds(db.exec(stmt).all())


def _split_kinds(
    rows: Iterable[Any],
) -> tuple[tuple[MatchSkill, ...], tuple[MatchSkill, ...]]:
    keys: dict[tuple[str, int], set[Key]] = {}
    titles: dict[int, str] = {}
    for kind, skill_id, category_id, term, title in rows:
        keys.setdefault((kind, skill_id), set()).add((category_id, term))
        titles[skill_id] = title
    split: dict[str, list[MatchSkill]] = {SkillKind.TEACH: [], SkillKind.LEARN: []}
    for (kind, skill_id), skill_keys in sorted(keys.items(), key=lambda item: item[0][1]):
        split.setdefault(kind, []).append(
            MatchSkill(skill_id=skill_id, title=titles[skill_id], keys=frozenset(skill_keys))
        )
    return tuple(split[SkillKind.TEACH]), tuple(split[SkillKind.LEARN])


def viewer_profile(db: Session, viewer: User, *, now: datetime | None = None) -> MatchProfile:
    uid = viewer.id or 0
    teach, learn = _own_skills(db, uid)
    stats = profiles.stats_for(db, uid)
    return MatchProfile(
        user_id=uid,
        teach=teach,
        learn=learn,
        languages=frozenset(viewer.languages or []),
        availability=availability.bitmap_for(db, uid, now=now),
        trust=stats.trust_score,
    )


def _all_keys(skills: Iterable[MatchSkill]) -> set[Key]:
    keys: set[Key] = set()
    for s in skills:
        keys |= s.keys
    return keys


def _users_matching(
    db: Session,
    *,
    kind: str,
    keys: set[Key],
    exclude: int,
    limit: int,
) -> list[int]:
    """Visible members with `kind` skills sharing a key, most shared keys first.

    Visibility is checked on the short list afterwards (a probe per matching row would
    cost more than the grouping itself); a little headroom covers the few hidden members.
    """
    if not keys:
        return []
    hits = func.count().label("hits")
    stmt = (
        select(SkillTerm.user_id, hits)
        .where(
            SkillTerm.kind == kind,
            col(SkillTerm.is_tag) == false(),
            _key_filter(SkillTerm, keys),
            SkillTerm.user_id != exclude,
        )
        .group_by(col(SkillTerm.user_id))
        .order_by(hits.desc(), col(SkillTerm.user_id))
        .limit(limit + limit // 8 + 2)
    )
    ranked = [row[0] for row in db.exec(stmt).all()]
    if not ranked:
        return []
    visible = set(
        db.exec(
            select(User.id).where(_id_in(db, col(User.id), ranked), *_visible_user_filter())
        ).all()
    )
    return [uid for uid in ranked if uid in visible][:limit]


_PG_KEY_ROWS = """WITH tk AS MATERIALIZED (
    SELECT st.user_id, st.skill_id, st.category_id, st.term
    FROM unnest(CAST(:w_terms AS varchar[]), CAST(:w_cats AS integer[])) AS k(term, category_id)
    JOIN skill_terms st ON st.term = k.term AND st.is_tag = false AND st.kind = 'teach'
        AND st.category_id = k.category_id
    WHERE st.user_id <> :me
), lk AS MATERIALIZED (
    SELECT st.user_id, st.skill_id, st.category_id, st.term
    FROM unnest(CAST(:o_terms AS varchar[]), CAST(:o_cats AS integer[])) AS k(term, category_id)
    JOIN skill_terms st ON st.term = k.term AND st.is_tag = false AND st.kind = 'learn'
        AND st.category_id = k.category_id
    WHERE st.user_id <> :me
)"""

_PG_FOR_YOU_SQL = text(
    _PG_KEY_ROWS
    + f""", one_way AS (
    SELECT r.user_id FROM (
        SELECT user_id, count(*) AS hits FROM tk GROUP BY user_id
        ORDER BY hits DESC, user_id LIMIT :t_scan
    ) r WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = r.user_id AND ({search_index.HIDDEN_USER_SQL}))
    ORDER BY r.hits DESC, r.user_id LIMIT :t_limit
), wanters AS (
    SELECT r.user_id FROM (
        SELECT user_id, count(*) AS hits FROM lk GROUP BY user_id
        ORDER BY hits DESC, user_id LIMIT :l_scan
    ) r WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = r.user_id AND ({search_index.HIDDEN_USER_SQL}))
    ORDER BY r.hits DESC, r.user_id LIMIT :l_limit
), pool AS (
    SELECT user_id FROM one_way UNION SELECT user_id FROM wanters
), cand AS (
    SELECT DISTINCT tk.user_id FROM tk JOIN pool ON pool.user_id = tk.user_id
)
SELECT 'teach' AS kind, t.user_id, t.skill_id, t.category_id, t.term, s.title
FROM tk t JOIN cand c ON c.user_id = t.user_id JOIN skills s ON s.id = t.skill_id
UNION ALL
SELECT 'learn', l.user_id, l.skill_id, l.category_id, l.term, s.title
FROM lk l JOIN cand c ON c.user_id = l.user_id JOIN skills s ON s.id = l.skill_id
"""
)


_PG_CIRCLE_SQL = text(
    _PG_KEY_ROWS
    + f""", bs AS (
    SELECT r.user_id FROM (
        SELECT user_id, count(*) AS hits FROM lk GROUP BY user_id
        ORDER BY hits DESC, user_id LIMIT :scan
    ) r WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = r.user_id AND ({search_index.HIDDEN_USER_SQL}))
    ORDER BY r.hits DESC, r.user_id LIMIT :fan_out
), cs AS (
    SELECT r.user_id FROM (
        SELECT user_id, count(*) AS hits FROM tk GROUP BY user_id
        ORDER BY hits DESC, user_id LIMIT :scan
    ) r WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = r.user_id AND ({search_index.HIDDEN_USER_SQL}))
    ORDER BY r.hits DESC, r.user_id LIMIT :fan_out
)
SELECT 'b_learn' AS side, l.user_id, l.skill_id, l.category_id, l.term, s.title
FROM lk l JOIN bs ON bs.user_id = l.user_id JOIN skills s ON s.id = l.skill_id
UNION ALL
SELECT 'c_teach', t.user_id, t.skill_id, t.category_id, t.term, s.title
FROM tk t JOIN cs ON cs.user_id = t.user_id JOIN skills s ON s.id = t.skill_id
UNION ALL
SELECT 'b_teach', st.user_id, st.skill_id, st.category_id, st.term, s.title
FROM bs JOIN skill_terms st ON st.user_id = bs.user_id AND st.kind = 'teach'
    AND st.is_tag = false
JOIN skills s ON s.id = st.skill_id
UNION ALL
SELECT 'c_learn', st.user_id, st.skill_id, st.category_id, st.term, s.title
FROM cs JOIN skill_terms st ON st.user_id = cs.user_id AND st.kind = 'learn'
    AND st.is_tag = false
JOIN skills s ON s.id = st.skill_id
"""
)


def _scan(limit: int) -> int:
    """Rows ranked before the visibility check (headroom for the few hidden members)."""
    return limit + limit // 8 + 2


def _group_by_side(rows: Iterable[Any]) -> dict[str, dict[int, tuple[MatchSkill, ...]]]:
    """(side, user_id, skill_id, category_id, term, title) rows -> skills per side and user."""
    keys: dict[tuple[str, int], set[Key]] = {}
    owner: dict[int, int] = {}
    titles: dict[int, str] = {}
    for side, user_id, skill_id, category_id, term, title in rows:
        keys.setdefault((side, skill_id), set()).add((category_id, term))
        owner[skill_id] = user_id
        titles[skill_id] = title
    split: dict[str, dict[int, list[MatchSkill]]] = {}
    for (side, skill_id), skill_keys in sorted(keys.items(), key=lambda item: item[0][1]):
        split.setdefault(side, {}).setdefault(owner[skill_id], []).append(
            MatchSkill(skill_id=skill_id, title=titles[skill_id], keys=frozenset(skill_keys))
        )
    return {side: {u: tuple(v) for u, v in per.items()} for side, per in split.items()}


def _group_by_user(
    rows: Iterable[Any],
) -> tuple[dict[int, tuple[MatchSkill, ...]], dict[int, tuple[MatchSkill, ...]]]:
    """(kind, user_id, skill_id, category_id, term, title) rows -> teach, learn per user."""
    sides = _group_by_side(rows)
    return sides.get(SkillKind.TEACH, {}), sides.get(SkillKind.LEARN, {})


def _key_params(wanted: set[Key], offered: set[Key]) -> dict[str, Any]:
    w, o = sorted(wanted), sorted(offered)
    return {
        "w_terms": [t for _c, t in w],
        "w_cats": [c for c, _t in w],
        "o_terms": [t for _c, t in o],
        "o_cats": [c for c, _t in o],
    }


def _for_you_skills_pg(
    db: Session, *, uid: int, wanted: set[Key], offered: set[Key]
) -> tuple[dict[int, tuple[MatchSkill, ...]], dict[int, tuple[MatchSkill, ...]]]:
    """PostgreSQL: candidates and their matching term rows in one statement.

    Same candidates as the generic path (top visible teachers of a wanted key, top
    visible wanters of an offered key, kept when they teach a wanted key), but the keys
    are an unnest() join (an index-only scan per key instead of a bitmap OR that visits
    the heap), the matching rows are read once (MATERIALIZED) and reused for ranking and
    for the skills, and visibility is a join on the short lists: one round trip.
    """
    rows = db.exec(  # type: ignore[call-overload]
        _PG_FOR_YOU_SQL,
        params={
            **_key_params(wanted, offered),
            "me": uid,
            "t_scan": _scan(CANDIDATES_ONE_WAY),
            "t_limit": CANDIDATES_ONE_WAY,
            "l_scan": _scan(CANDIDATES_WANTERS),
            "l_limit": CANDIDATES_WANTERS,
        },
    ).all()
    return _group_by_user(rows)


def _for_you_skills(
    db: Session, *, uid: int, wanted: set[Key], offered: set[Key]
) -> tuple[dict[int, tuple[MatchSkill, ...]], dict[int, tuple[MatchSkill, ...]]]:
    """Candidates' teach skills with a wanted key and learn skills with an offered key."""
    if db.get_bind().dialect.name == "postgresql":
        return _for_you_skills_pg(db, uid=uid, wanted=wanted, offered=offered)
    one_way = _users_matching(
        db, kind=SkillKind.TEACH, keys=wanted, exclude=uid, limit=CANDIDATES_ONE_WAY
    )
    # Members who want what the viewer teaches; those who also teach what the viewer wants
    # are mutual candidates (checked on the small set, no correlated subquery).
    wanters = (
        _users_matching(
            db, kind=SkillKind.LEARN, keys=offered, exclude=uid, limit=CANDIDATES_WANTERS
        )
        if offered
        else []
    )
    pool = list(dict.fromkeys(one_way + wanters))
    if not pool:
        return {}, {}
    teach = _skills_by_user(db, user_ids=pool, kind=SkillKind.TEACH, only_keys=wanted)
    candidates = [c for c in pool if c in teach]
    learn = _skills_by_user(db, user_ids=candidates, kind=SkillKind.LEARN, only_keys=offered)
    return teach, learn


def for_you(
    db: Session, *, viewer: User, limit: int = 8, now: datetime | None = None
) -> list[Recommendation]:
    """Best barter partners for the viewer, each with its reasons (empty: nothing to match)."""
    now = now or utcnow()
    me = viewer_profile(db, viewer, now=now)
    wanted, offered = _all_keys(me.learn), _all_keys(me.teach)
    if not wanted:
        return []
    uid = me.user_id
    teach, learn = _for_you_skills(db, uid=uid, wanted=wanted, offered=offered)
    candidates = sorted(teach)
    if not candidates:
        return []
    # Member fields, free-time bitmap and stats of the candidates: one round trip.
    b, ts = AvailabilityBitmap, TeacherStats
    detail_rows = db.exec(
        select(  # type: ignore[call-overload]
            User.id, User.display_name, User.handle, User.avatar_path, User.languages,
            User.created_at, b.w0, b.w1, b.w2, b.w3, b.w4, b.w5,
            ts.rating_avg, ts.rating_count, ts.trust_score,
        )
        .outerjoin(b, and_(col(b.user_id) == User.id, _id_in(db, col(b.user_id), candidates)))
        .outerjoin(ts, and_(col(ts.user_id) == User.id, _id_in(db, col(ts.user_id), candidates)))
        .where(_id_in(db, col(User.id), candidates), *_visible_user_filter())
    ).all()  # fmt: skip
    users: dict[int, Any] = {}
    bitmaps: dict[int, int] = {}
    stats: dict[int, profiles.TeacherStatsView] = {}
    for row in detail_rows:
        users[row[0]] = row
        if row[6] is not None:
            bitmaps[row[0]] = words_bitmap(row[6:12])
        if row[13] is not None:
            stats[row[0]] = profiles.TeacherStatsView(row[12], row[13], row[14])
    scored: list[tuple[float, int, MatchScore]] = []
    for cid in candidates:
        user = users.get(cid)
        if user is None:
            continue
        st = stats.get(cid, profiles.NEW_STATS)
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
        st = stats.get(cid, profiles.NEW_STATS)
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
                badges=profiles.badges_for(st, member_since=user.created_at, now=now),
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
    wanted, offered = _all_keys(me.learn), _all_keys(me.teach)
    if not wanted or not offered:
        return []
    uid = me.user_id
    if db.get_bind().dialect.name == "postgresql":
        # Both lists, their matching rows and their other skills in one statement.
        sides = _group_by_side(
            db.exec(  # type: ignore[call-overload]
                _PG_CIRCLE_SQL,
                params={
                    **_key_params(wanted, offered),
                    "me": uid,
                    "scan": _scan(CIRCLE_FAN_OUT),
                    "fan_out": CIRCLE_FAN_OUT,
                },
            ).all()
        )
        b_learn, c_teach = sides.get("b_learn", {}), sides.get("c_teach", {})
        b_teach, c_learn = sides.get("b_teach", {}), sides.get("c_learn", {})
        bs, cs = sorted(b_learn), sorted(c_teach)
        if not bs or not cs:
            return []
    else:
        bs = _users_matching(
            db, kind=SkillKind.LEARN, keys=offered, exclude=uid, limit=CIRCLE_FAN_OUT
        )
        cs = _users_matching(
            db, kind=SkillKind.TEACH, keys=wanted, exclude=uid, limit=CIRCLE_FAN_OUT
        )
        if not bs or not cs:
            return []
        b_learn = _skills_by_user(db, user_ids=bs, kind=SkillKind.LEARN, only_keys=offered)
        b_teach = _skills_by_user(db, user_ids=bs, kind=SkillKind.TEACH)
        c_learn = _skills_by_user(db, user_ids=cs, kind=SkillKind.LEARN)
        c_teach = _skills_by_user(db, user_ids=cs, kind=SkillKind.TEACH, only_keys=wanted)
    c_learn_keys = {c: _all_keys(skills) for c, skills in c_learn.items()}
    found: list[tuple[float, int, int, list[tuple[MatchSkill, int, int]]]] = []
    for c in cs:
        c_gives = _first_flow(c_teach.get(c, ()), me.learn)
        if c_gives is None or c not in c_learn:
            continue
        direct = bool(c_learn_keys[c] & offered)
        for b in bs:
            if b == c:
                continue
            b_teach_skills = b_teach.get(b, ())
            if not b_teach_skills or not (_all_keys(b_teach_skills) & c_learn_keys[c]):
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
        teach=_skills_by_user(db, user_ids=[tid], kind=SkillKind.TEACH).get(tid, ()),
        learn=_skills_by_user(db, user_ids=[tid], kind=SkillKind.LEARN).get(tid, ()),
        languages=frozenset(teacher.languages or []),
        availability=_bitmaps(db, [tid]).get(tid, 0),
        trust=profiles.stats_for(db, tid).trust_score,
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
            _key_filter(SkillTerm, keys),
        )
        .distinct()
    ).all()
    return set(rows)
