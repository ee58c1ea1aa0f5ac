"""Marketplace search: one function over both databases.

`search` returns a page of `SkillCard`s for teachable skills of visible members (active,
onboarded, not the viewer). Filters: text, category, level, tags (all must be present),
spoken language, "free when I am" (the teacher's weekly UTC bitmap shares a 30-minute
slot with the viewer's, for the current week). Sorts: relevance, rating, trust, newest.

Text search is PostgreSQL full text (websearch_to_tsquery, ts_rank) or SQLite FTS5
(MATCH, bm25); see services/search_index.py. What a person types can never break the
query. Every filter round-trips through a URL query string via `SearchParams`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, func, literal_column, or_, table, text, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, col, select

from bartr.models.accounts import User, UserStatus
from bartr.models.base import utcnow
from bartr.models.profiles import AvailabilityBitmap, Category, Skill, SkillKind, SkillTerm
from bartr.services import availability, blocks, profiles, recommendations, search_index
from bartr.services.availability import bitmap_words
from bartr.services.languages import LANGUAGES

SORTS = ("relevance", "rating", "trust", "newest")
MAX_PAGE = 400
MAX_PER_PAGE = 60
MAX_FILTER_TAGS = 5
COUNT_CAP = 1000
PAGE_COLUMN_NAMES = ("id", "title", "level", "category_id", "tags", "user_id")
SMALL_SET = 300  # PostgreSQL: fewer matches than this are collected, then sorted
NEXT_SLOT_MINUTES = 60
_LANGUAGE_BY_LOWER = {name.lower(): name for name in LANGUAGES}
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SearchParams:
    """Every marketplace choice, as it appears in the URL."""

    q: str = ""
    category: str | None = None
    level: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    free_when_i_am: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = 24

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> SearchParams:
        """Forgiving: anything unreadable falls back to its default."""

        def get(key: str) -> str:
            value = query.get(key)
            return value if isinstance(value, str) else ""

        category = get("category").strip().lower()[:40] or None
        level = get("level").strip().lower()
        language = _LANGUAGE_BY_LOWER.get(get("lang").strip().lower())
        tags: list[str] = []
        for raw in get("tags").split(","):
            tag = profiles.normalise_tag(raw)[: profiles.TAG_MAX]
            if tag and tag not in tags:
                tags.append(tag)
        sort = get("sort").strip().lower()
        return cls(
            q=search_index.clean_query(get("q")),
            category=category,
            level=level if level in profiles.LEVELS else None,
            tags=tuple(tags[:MAX_FILTER_TAGS]),
            language=language,
            free_when_i_am=get("free").strip().lower() in _TRUE,
            sort=sort if sort in SORTS else "relevance",
            page=_int_in(get("page"), 1, 1, MAX_PAGE),
            per_page=_int_in(get("per_page"), 24, 1, MAX_PER_PAGE),
        )

    def to_query(self) -> dict[str, str]:
        """Only what differs from the defaults, so URLs stay short."""
        out: dict[str, str] = {}
        if self.q:
            out["q"] = self.q
        if self.category:
            out["category"] = self.category
        if self.level:
            out["level"] = self.level
        if self.tags:
            out["tags"] = ",".join(self.tags)
        if self.language:
            out["lang"] = self.language
        if self.free_when_i_am:
            out["free"] = "1"
        if self.sort != "relevance":
            out["sort"] = self.sort
        if self.page != 1:
            out["page"] = str(self.page)
        if self.per_page != 24:
            out["per_page"] = str(self.per_page)
        return out

    def with_page(self, page: int) -> SearchParams:
        return replace(self, page=max(1, min(page, MAX_PAGE)))


def _int_in(value: str, default: int, low: int, high: int) -> int:
    try:
        number = int(value.strip())
    except (ValueError, AttributeError):
        return default
    return min(max(number, low), high)


@dataclass(frozen=True)
class SkillCard:
    skill_id: int
    title: str
    level: str
    category_slug: str
    category_name: str
    tags: list[str]
    teacher_id: int
    teacher_name: str
    handle: str
    avatar_path: str | None
    languages: list[str]
    rating_avg: float | None
    rating_count: int
    trust_score: float | None
    badges: list[str]
    mutual_match: bool  # the teacher wants something the viewer teaches
    next_free_slot: datetime | None  # UTC; show in the viewer's zone


@dataclass(frozen=True)
class SearchPage:
    items: list[SkillCard]
    total: int
    page: int
    per_page: int
    has_next: bool
    params: SearchParams
    notice: str = ""  # e.g. why "free when I am" found nothing
    total_capped: bool = False  # True: there are more than `total` results ("1,000+")

    @property
    def total_label(self) -> str:
        return f"{self.total:,}+" if self.total_capped else f"{self.total:,}"


def _skill_conditions(viewer: User | None) -> list[Any]:
    conditions: list[Any] = [Skill.kind == SkillKind.TEACH, col(Skill.active) == true()]
    if viewer is not None and viewer.id is not None:
        conditions.append(Skill.user_id != viewer.id)
        conditions.append(blocks.not_blocked_with(viewer.id, Skill.user_id))
    return conditions


def _bitmap_condition(words: Sequence[int]) -> Any:
    b = AvailabilityBitmap
    columns = (b.w0, b.w1, b.w2, b.w3, b.w4, b.w5)
    return or_(*(col(c).op("&")(w) != 0 for c, w in zip(columns, words, strict=True) if w != 0))


def search(
    db: Session,
    *,
    viewer: User | None,
    q: str = "",
    category: str | None = None,
    level: str | None = None,
    tags: Sequence[str] = (),
    language: str | None = None,
    free_when_i_am: bool = False,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 24,
    now: datetime | None = None,
) -> SearchPage:
    """One page of teachable skills matching the filters (see the module docstring)."""
    now = now or utcnow()
    params = SearchParams.from_query(
        {
            "q": q or "",
            "category": category or "",
            "level": level or "",
            "tags": ",".join(tags or ()),
            "lang": language or "",
            "free": "1" if free_when_i_am else "",
            "sort": sort or "",
            "page": str(page),
            "per_page": str(per_page),
        }
    )
    return search_params(db, viewer=viewer, params=params, now=now)


def search_params(
    db: Session, *, viewer: User | None, params: SearchParams, now: datetime | None = None
) -> SearchPage:
    now = now or utcnow()
    dialect = db.get_bind().dialect.name
    empty = SearchPage(
        items=[],
        total=0,
        page=params.page,
        per_page=params.per_page,
        has_next=False,
        params=params,
    )
    # Teacher conditions are semi-joins (user_id IN ...), never joins: the planner then
    # always drives from a skills index in the requested order and stops after one page.
    conditions = _skill_conditions(viewer)
    # Visibility (active, onboarded: nearly everyone) is a per-row primary-key probe;
    # selective teacher filters (language, free time) are IN lists.
    if dialect == "postgresql":
        # Anti-join on the few hidden members (partial index ix_users_hidden): cheaper
        # than hashing or probing every visible one.
        conditions.append(
            ~select(User.id)
            .where(User.id == Skill.user_id, text(search_index.HIDDEN_USER_SQL))
            .exists()
        )
    else:
        conditions.append(
            select(User.id)
            .where(
                User.id == Skill.user_id,
                User.status == UserStatus.ACTIVE,
                col(User.onboarded_at).is_not(None),
            )
            .exists()
        )
    joins: list[tuple[Any, Any]] = []
    teacher_filters: list[Any] = []  # subqueries of user ids, see `teachers_in` below
    categories = {c.id: c for c in db.exec(select(Category)).all()}
    if params.category:
        match = next((c for c in categories.values() if c.slug == params.category), None)
        if match is None:
            return empty
        conditions.append(Skill.category_id == match.id)
    if params.level:
        conditions.append(Skill.level == params.level)
    for tag in params.tags:
        conditions.append(
            col(Skill.id).in_(
                select(SkillTerm.skill_id).where(
                    SkillTerm.term == tag,
                    col(SkillTerm.is_tag) == true(),
                    SkillTerm.kind == SkillKind.TEACH,
                )
            )
        )
    if params.language:
        if dialect == "postgresql":  # GIN index ix_users_languages_gin
            speaks = cast(User.languages, JSONB).op("@>")(cast([params.language], JSONB))
        else:  # names come from a fixed list (no wildcards); JSON keeps them quoted
            speaks = cast(User.languages, String).like(f'%"{params.language}"%')
        teacher_filters.append(select(User.id).where(speaks))
    if params.free_when_i_am:
        if viewer is None:
            return replace(
                empty, notice="Log in and add your availability to use “free when I am”."
            )
        words = bitmap_words(availability.bitmap_for(db, viewer.id or 0, now=now))
        if not any(words):
            return replace(empty, notice="Add your weekly availability to use “free when I am”.")
        teacher_filters.append(select(AvailabilityBitmap.user_id).where(_bitmap_condition(words)))

    def teachers_in(*, walk_sort_index: bool) -> list[Any]:
        # SQLite's planner likes to drive through ix_skills_user_kind for a user-id IN list,
        # which is right when few rows match and very wrong for a big page sorted by an
        # index. "user_id + 0" hides that index when we want the sort-index walk.
        column: Any = col(Skill.user_id)
        if walk_sort_index and dialect == "sqlite":
            column = column + 0
        return [column.in_(sub) for sub in teacher_filters]

    rank: Any = None  # text rank, only when sorting by relevance
    if params.q and search_index.has_searchable_words(params.q):
        ranked = params.sort == "relevance"
        if dialect == "postgresql":
            vector: Any = literal_column("skills.search_vector")
            query = func.websearch_to_tsquery(text("'english'::regconfig"), params.q)
            conditions.append(vector.op("@@")(query))
            rank = func.ts_rank(vector, query) if ranked else None
        else:
            expression = search_index.fts5_expression(params.q)
            if expression is None:
                return empty
            fts_name: Any = literal_column(search_index.FTS_TABLE)
            matches: Any = select(literal_column("rowid").label("skill_id")).select_from(
                table(search_index.FTS_TABLE)
            )
            matches = matches.where(fts_name.op("MATCH")(expression))
            if ranked:
                bm25 = func.bm25(fts_name, *search_index.BM25_WEIGHTS).label("rank")
                fts = matches.add_columns(bm25).subquery("fts")
                joins.insert(0, (fts, fts.c.skill_id == Skill.id))
                rank = fts.c.rank
            else:
                conditions.append(col(Skill.id).in_(matches))

    def base(*columns: Any, walk_sort_index: bool = False) -> Any:
        stmt = select(*columns).select_from(Skill)
        for target, on in joins:
            stmt = stmt.join(target, on)
        return stmt.where(and_(*conditions, *teachers_in(walk_sort_index=walk_sort_index)))

    # Counting stops at COUNT_CAP (shown as "1,000+"): an exact count of 100k rows costs
    # more than the page itself, and nobody pages that far.
    capped = base(literal_column("1").label("one")).limit(COUNT_CAP + 1).subquery("capped")
    total = int(db.exec(select(func.count()).select_from(capped)).one() or 0)
    total_capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    offset = (params.page - 1) * params.per_page
    page_columns = (
        Skill.id,
        Skill.title,
        Skill.level,
        Skill.category_id,
        Skill.tags,
        Skill.user_id,
    )
    rows: Sequence[Any]
    if total == 0 or (not total_capped and offset >= total):
        rows = []  # nothing to show: skip the page query
    elif dialect == "postgresql" and not total_capped and _sort_small_set(params, total):
        # Few matches behind a selective text / tag filter: PostgreSQL would walk the sort
        # index testing `@@` or a tag probe on tens of thousands of rows (its estimates
        # for these filters, and for the bitmap test, are far off). A MATERIALIZED CTE
        # makes it collect the <= COUNT_CAP matches its best way (GIN, skill_terms) and
        # sort just those.
        sort_columns = (Skill.sort_trust, Skill.sort_rating, Skill.sort_rating_count)
        extra = [Skill.created_at, *sort_columns]
        if rank is not None:
            extra.append(rank.label("rank"))
        hits = base(*page_columns, *extra).cte("hits").prefix_with("MATERIALIZED")
        hits_rank = hits.c.rank if rank is not None else None
        rows = db.exec(
            select(*(hits.c[name] for name in PAGE_COLUMN_NAMES))
            .order_by(*_order_by(params.sort, hits_rank, dialect, hits.c))
            .offset(offset)
            .limit(params.per_page + 1)
        ).all()
    else:
        rows = db.exec(
            base(*page_columns, walk_sort_index=total_capped)
            .order_by(*_order_by(params.sort, rank, dialect))
            .offset(offset)
            .limit(params.per_page + 1)
        ).all()
    has_next = len(rows) > params.per_page
    rows = rows[: params.per_page]
    items = _cards(db, rows, viewer=viewer, categories=categories, now=now)
    return SearchPage(
        items=items,
        total=total,
        page=params.page,
        per_page=params.per_page,
        has_next=has_next,
        params=params,
        total_capped=total_capped,
    )


def _sort_small_set(params: SearchParams, total: int) -> bool:
    """Sort the matches instead of walking a sort index (PostgreSQL, total not capped)?

    Text and tag filters have an index of their own that finds every match cheaply; any
    filter with few matches makes the walk long (rows walked ~ skills / total x a page).
    """
    return bool(params.q or params.tags) or total < SMALL_SET


def _order_by(sort: str, rank: Any, dialect: str, source: Any = None) -> list[Any]:
    """ORDER BY for a sort, on `skills` or on a CTE with the same column names."""

    def c(name: str) -> Any:
        return getattr(Skill, name) if source is None else source[name]

    newest = [col(c("created_at")).desc(), col(c("id")).desc()]
    if sort == "newest":
        return newest
    if sort == "rating":
        return [
            col(c("sort_rating")).desc(),
            col(c("sort_rating_count")).desc(),
            col(c("id")).desc(),
        ]
    if sort == "trust" or rank is None:
        return [col(c("sort_trust")).desc(), *newest]
    text_rank = rank.desc() if dialect == "postgresql" else rank.asc()  # bm25: lower is better
    return [text_rank, col(c("sort_trust")).desc(), col(c("id")).desc()]


def _cards(
    db: Session,
    rows: Sequence[Any],
    *,
    viewer: User | None,
    categories: Mapping[int | None, Category],
    now: datetime,
) -> list[SkillCard]:
    if not rows:
        return []
    teacher_ids = {r[5] for r in rows}
    teachers = {
        row[0]: row
        for row in db.exec(
            select(  # type: ignore[call-overload]
                User.id,
                User.display_name,
                User.handle,
                User.avatar_path,
                User.languages,
                User.created_at,
            ).where(col(User.id).in_(teacher_ids))
        ).all()
    }
    stats = profiles.stats_for_many(db, teacher_ids)
    windows = availability.windows_for_many(db, teacher_ids)
    mutual_ids: set[int] = set()
    if viewer is not None and viewer.id is not None:
        mine = recommendations.taught_keys(db, viewer.id)
        if mine:
            mutual_ids = recommendations.users_wanting(db, user_ids=teacher_ids, keys=mine)
    cards = []
    next_slot: dict[int, datetime | None] = {}
    for skill_id, title, level, category_id, tags, user_id in rows:
        _uid, name, handle, avatar, langs, member_since = teachers[user_id]
        st = stats.get(user_id, profiles.NEW_STATS)
        if user_id not in next_slot:
            slots: list[datetime] = []
            if user_id in windows:
                ws, tz_name = windows[user_id]
                slots = availability.free_slots_from_windows(
                    ws, tz_name, after=now, duration_minutes=NEXT_SLOT_MINUTES, limit=1
                )
            next_slot[user_id] = slots[0] if slots else None
        category = categories.get(category_id)
        cards.append(
            SkillCard(
                skill_id=skill_id, title=title, level=level,
                category_slug=category.slug if category else "",
                category_name=category.name if category else "",
                tags=list(tags or []), teacher_id=user_id, teacher_name=name, handle=handle,
                avatar_path=avatar, languages=list(langs or []), rating_avg=st.rating_avg,
                rating_count=st.rating_count, trust_score=st.trust_score,
                badges=profiles.badges_for(st, member_since=member_since, now=now),
                mutual_match=user_id in mutual_ids, next_free_slot=next_slot[user_id],
            )
        )  # fmt: skip
    return cards
