"""Candidate selection: who could be a barter partner, found in SQL from the match keys.

Two implementations sit behind one interface, `CandidateSource`:
- `QueryCandidates`: SQLAlchemy queries that run on any database (SQLite's path): rank
  members by shared keys, check visibility on the short list, then load their skills;
- `PostgresCandidates`: one raw SQL statement per call (unnest key join, MATERIALIZED
  term rows, visibility as an anti-join on the short lists), one round trip.
Both return the same members and skills; tests/services/test_recommendation_candidates.py
runs the same assertions against both (PostgreSQL runs both, SQLite the query one).
`candidates_for(db)` picks the fast one for the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ARRAY, Integer, and_, any_, cast, false, func, or_, text
from sqlmodel import Session, col, select

from bartr.models.accounts import User
from bartr.models.profiles import AvailabilityBitmap, Skill, SkillKind, SkillTerm
from bartr.services import visibility
from bartr.services.availability import words_bitmap
from bartr.services.recommendations.scoring import Key, MatchSkill

CANDIDATES_ONE_WAY = 80
CANDIDATES_WANTERS = 200
CIRCLE_FAN_OUT = 50

SkillsByUser = dict[int, tuple[MatchSkill, ...]]


# --- the interface ----------------------------------------------------------------------


@dataclass(frozen=True)
class CircleSides:
    """Swap-circle candidates: B wants what the viewer teaches, C teaches what they want."""

    bs: list[int]
    cs: list[int]
    b_learn: SkillsByUser  # B's learn skills with a key the viewer offers
    b_teach: SkillsByUser  # everything B teaches
    c_learn: SkillsByUser  # everything C wants
    c_teach: SkillsByUser  # C's teach skills with a key the viewer wants


NO_CIRCLE = CircleSides([], [], {}, {}, {}, {})


class CandidateSource(Protocol):
    """Finds candidates and their matching skills for `for_you` and `swap_circles`."""

    def for_you(
        self, db: Session, *, uid: int, wanted: set[Key], offered: set[Key]
    ) -> tuple[SkillsByUser, SkillsByUser]:
        """Teach skills with a wanted key and learn skills with an offered key, per candidate.

        Candidates: the top CANDIDATES_ONE_WAY visible teachers of a wanted key and the top
        CANDIDATES_WANTERS visible wanters of an offered key, kept when they teach a wanted
        key (most shared keys first, then lowest id).
        """
        ...

    def circle(self, db: Session, *, uid: int, wanted: set[Key], offered: set[Key]) -> CircleSides:
        """Up to CIRCLE_FAN_OUT visible Bs and Cs with their skills (see CircleSides)."""
        ...


class QueryCandidates:
    """SQLAlchemy queries, correct on every database (used on SQLite)."""

    def for_you(
        self, db: Session, *, uid: int, wanted: set[Key], offered: set[Key]
    ) -> tuple[SkillsByUser, SkillsByUser]:
        one_way = _users_matching(
            db, kind=SkillKind.TEACH, keys=wanted, exclude=uid, limit=CANDIDATES_ONE_WAY
        )
        # Members who want what the viewer teaches; those who also teach what the viewer
        # wants are mutual candidates (checked on the small set, no correlated subquery).
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
        teach = skills_by_user(db, user_ids=pool, kind=SkillKind.TEACH, only_keys=wanted)
        candidates = [c for c in pool if c in teach]
        learn = skills_by_user(db, user_ids=candidates, kind=SkillKind.LEARN, only_keys=offered)
        return teach, learn

    def circle(self, db: Session, *, uid: int, wanted: set[Key], offered: set[Key]) -> CircleSides:
        bs = _users_matching(
            db, kind=SkillKind.LEARN, keys=offered, exclude=uid, limit=CIRCLE_FAN_OUT
        )
        cs = _users_matching(
            db, kind=SkillKind.TEACH, keys=wanted, exclude=uid, limit=CIRCLE_FAN_OUT
        )
        if not bs or not cs:
            return NO_CIRCLE
        return CircleSides(
            bs=bs,
            cs=cs,
            b_learn=skills_by_user(db, user_ids=bs, kind=SkillKind.LEARN, only_keys=offered),
            b_teach=skills_by_user(db, user_ids=bs, kind=SkillKind.TEACH),
            c_learn=skills_by_user(db, user_ids=cs, kind=SkillKind.LEARN),
            c_teach=skills_by_user(db, user_ids=cs, kind=SkillKind.TEACH, only_keys=wanted),
        )


class PostgresCandidates:
    """PostgreSQL: candidates and their matching term rows in one statement per call.

    Same candidates as QueryCandidates, but the keys are an unnest() join (an index-only
    scan per key instead of a bitmap OR that visits the heap), the matching rows are read
    once (MATERIALIZED) and reused for ranking and for the skills, and visibility is a
    join on the short lists: one round trip.
    """

    def for_you(
        self, db: Session, *, uid: int, wanted: set[Key], offered: set[Key]
    ) -> tuple[SkillsByUser, SkillsByUser]:
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
        sides = _group_by_side(rows)
        return sides.get(SkillKind.TEACH, {}), sides.get(SkillKind.LEARN, {})

    def circle(self, db: Session, *, uid: int, wanted: set[Key], offered: set[Key]) -> CircleSides:
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
        bs, cs = sorted(b_learn), sorted(c_teach)
        if not bs or not cs:
            return NO_CIRCLE
        return CircleSides(
            bs=bs,
            cs=cs,
            b_learn=b_learn,
            b_teach=sides.get("b_teach", {}),
            c_learn=sides.get("c_learn", {}),
            c_teach=c_teach,
        )


def candidates_for(db: Session) -> CandidateSource:
    """The fastest implementation for this database."""
    if db.get_bind().dialect.name == "postgresql":
        return PostgresCandidates()
    return QueryCandidates()


# --- shared loading -----------------------------------------------------------------------


def key_filter(terms: Any, keys: Iterable[Key]) -> Any:
    """(category_id, term) IN keys, written as ORed equalities so every database uses the
    (term, is_tag, kind, category_id, ...) index for each key."""
    return or_(*(and_(terms.term == term, terms.category_id == cat) for cat, term in sorted(keys)))


def id_in(db: Session, column: Any, ids: Sequence[int]) -> Any:
    """`column IN ids`; on PostgreSQL `= ANY(array)`: one parameter, one cached plan."""
    if db.get_bind().dialect.name == "postgresql":
        return column == any_(cast(list(ids), ARRAY(Integer)))
    return column.in_(ids)


def skills_by_user(
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
            id_in(db, member, ids),
            col(SkillTerm.kind) == kind,
            col(SkillTerm.is_tag) == false(),
        )
    )  # fmt: skip
    if only_keys is not None:
        stmt = stmt.where(key_filter(SkillTerm, only_keys))
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


def bitmaps(db: Session, user_ids: Iterable[int]) -> dict[int, int]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    b = AvailabilityBitmap
    rows = db.exec(
        select(b.user_id, b.w0, b.w1, b.w2, b.w3, b.w4, b.w5).where(  # type: ignore[call-overload]
            id_in(db, col(b.user_id), ids)
        )
    ).all()
    return {r[0]: words_bitmap(r[1:]) for r in rows}


def own_skills(db: Session, user_id: int) -> tuple[tuple[MatchSkill, ...], tuple[MatchSkill, ...]]:
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


def all_keys(skills: Iterable[MatchSkill]) -> set[Key]:
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
            key_filter(SkillTerm, keys),
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
            select(User.id).where(id_in(db, col(User.id), ranked), *visibility.visible_conditions())
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
    ) r WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = r.user_id AND ({visibility.HIDDEN_USER_SQL}))
    ORDER BY r.hits DESC, r.user_id LIMIT :t_limit
), wanters AS (
    SELECT r.user_id FROM (
        SELECT user_id, count(*) AS hits FROM lk GROUP BY user_id
        ORDER BY hits DESC, user_id LIMIT :l_scan
    ) r WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = r.user_id AND ({visibility.HIDDEN_USER_SQL}))
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
    ) r WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = r.user_id AND ({visibility.HIDDEN_USER_SQL}))
    ORDER BY r.hits DESC, r.user_id LIMIT :fan_out
), cs AS (
    SELECT r.user_id FROM (
        SELECT user_id, count(*) AS hits FROM tk GROUP BY user_id
        ORDER BY hits DESC, user_id LIMIT :scan
    ) r WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = r.user_id AND ({visibility.HIDDEN_USER_SQL}))
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


def _key_params(wanted: set[Key], offered: set[Key]) -> dict[str, Any]:
    w, o = sorted(wanted), sorted(offered)
    return {
        "w_terms": [t for _c, t in w],
        "w_cats": [c for c, _t in w],
        "o_terms": [t for _c, t in o],
        "o_cats": [c for c, _t in o],
    }
