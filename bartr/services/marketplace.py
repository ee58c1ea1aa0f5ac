"""Marketplace search: one function over both databases.

`search` returns a page of `SkillCard`s for teachable skills of visible members (active,
onboarded, not the viewer). Filters: text, category, level, tags (all must be present),
spoken language, "free when I am" (the teacher's weekly UTC bitmap shares a 30-minute
slot with the viewer's, for the current week), "4 stars and up" (the teacher's published
average). `build_filter` turns the choices into SQL pieces, `fetch_page` counts and pages. Sorts: relevance, rating, trust, newest.

Text search is PostgreSQL full text (websearch_to_tsquery, ts_rank) or SQLite FTS5
(MATCH, bm25); see services/search_index.py. What a person types can never break the
query. Every filter round-trips through a URL query string via `SearchParams`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, func, literal_column, or_, table, text, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, col, select

from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.models.profiles import AvailabilityBitmap, Category, Skill, SkillKind, SkillTerm
from bartr.services import (
    availability,
    blocks,
    profiles,
    recommendations,
    search_index,
    trust,
    visibility,
)
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
NEXT_SLOT_HORIZON_DAYS = 14  # the request page's horizon
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
    min_stars: int = 0  # 4: "4 stars and up" (the teacher's published average)
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
            min_stars=_int_in(get("stars"), 0, 0, 5) if get("stars").strip() else 0,
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
        if self.min_stars:
            out["stars"] = str(self.min_stars)
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
    trust_breakdown: str = ""  # one line; members only (empty for visitors)


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
    min_stars: int = 0,
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
            "stars": str(min_stars) if min_stars else "",
            "sort": sort or "",
            "page": str(page),
            "per_page": str(per_page),
        }
    )
    return search_params(db, viewer=viewer, params=params, now=now)


def search_params(
    db: Session, *, viewer: User | None, params: SearchParams, now: datetime | None = None
) -> SearchPage:
    """One page for `params`: the filter builder says what matches, the pager fetches it."""
    now = now or utcnow()
    found = build_filter(db, viewer=viewer, params=params, now=now)
    if found.nothing:
        return SearchPage(
            items=[],
            total=0,
            page=params.page,
            per_page=params.per_page,
            has_next=False,
            params=params,
            notice=found.notice,
        )
    page = fetch_page(db, found, params)
    items = _cards(db, page.rows, viewer=viewer, categories=found.categories, now=now)
    return SearchPage(
        items=items,
        total=page.total,
        page=params.page,
        per_page=params.per_page,
        has_next=page.has_next,
        params=params,
        total_capped=page.total_capped,
    )


@dataclass
class SkillFilter:
    """What the marketplace matches, as SQL pieces over `skills` (built by `build_filter`).

    Teacher conditions are semi-joins (user_id IN ...), never joins: the planner then always
    drives from a skills index in the requested order and stops after one page.
    """

    dialect: str
    categories: dict[int | None, Category]
    conditions: list[Any] = field(default_factory=list)
    joins: list[tuple[Any, Any]] = field(default_factory=list)
    teacher_filters: list[Any] = field(default_factory=list)  # subqueries of user ids
    rank: Any = None  # text rank, only when sorting by relevance
    nothing: bool = False  # the filters cannot match anything: skip the queries
    notice: str = ""  # why, when a person should know ("add your availability ...")

    def _teachers_in(self, *, walk_sort_index: bool) -> list[Any]:
        # SQLite's planner likes to drive through ix_skills_user_kind for a user-id IN list,
        # which is right when few rows match and very wrong for a big page sorted by an
        # index. "user_id + 0" hides that index when we want the sort-index walk.
        column: Any = col(Skill.user_id)
        if walk_sort_index and self.dialect == "sqlite":
            column = column + 0
        return [column.in_(sub) for sub in self.teacher_filters]

    def select(self, *columns: Any, walk_sort_index: bool = False) -> Any:
        stmt = select(*columns).select_from(Skill)
        for target, on in self.joins:
            stmt = stmt.join(target, on)
        return stmt.where(
            and_(*self.conditions, *self._teachers_in(walk_sort_index=walk_sort_index))
        )


def _nothing(found: SkillFilter, notice: str = "") -> SkillFilter:
    found.nothing, found.notice = True, notice
    return found


def build_filter(
    db: Session, *, viewer: User | None, params: SearchParams, now: datetime
) -> SkillFilter:
    """The filter builder: every choice in `params` as conditions, joins and a text rank."""
    dialect = db.get_bind().dialect.name
    found = SkillFilter(
        dialect=dialect,
        categories={c.id: c for c in db.exec(select(Category)).all()},
        conditions=_skill_conditions(viewer),
    )
    conditions = found.conditions
    # Visibility (services/visibility.py; nearly everyone is visible).
    if dialect == "postgresql":
        # Anti-join on the few hidden members (partial index ix_users_hidden): cheaper
        # than hashing or probing every visible one.
        conditions.append(~visibility.hidden_user_exists(Skill.user_id))
    else:  # a per-row primary-key probe
        conditions.append(visibility.visible_user_exists(Skill.user_id))
    if params.category:
        match = next((c for c in found.categories.values() if c.slug == params.category), None)
        if match is None:
            return _nothing(found)
        conditions.append(Skill.category_id == match.id)
    if params.level:
        conditions.append(Skill.level == params.level)
    if params.min_stars:
        conditions.append(col(Skill.sort_rating) >= params.min_stars)
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
        found.teacher_filters.append(select(User.id).where(speaks))
    if params.free_when_i_am:
        if viewer is None:
            return _nothing(found, "Log in and add your availability to use “free when I am”.")
        words = bitmap_words(availability.bitmap_for(db, viewer.id or 0, now=now))
        if not any(words):
            return _nothing(found, "Add your weekly availability to use “free when I am”.")
        found.teacher_filters.append(
            select(AvailabilityBitmap.user_id).where(_bitmap_condition(words))
        )
    searching = params.q and search_index.has_searchable_words(params.q)
    if searching and not _add_text_search(found, params):
        return _nothing(found)
    return found


def _add_text_search(found: SkillFilter, params: SearchParams) -> bool:
    """Full-text match (and rank when sorting by relevance); False: nothing can match."""
    ranked = params.sort == "relevance"
    if found.dialect == "postgresql":
        vector: Any = literal_column("skills.search_vector")
        query = func.websearch_to_tsquery(text("'english'::regconfig"), params.q)
        found.conditions.append(vector.op("@@")(query))
        found.rank = func.ts_rank(vector, query) if ranked else None
        return True
    expression = search_index.fts5_expression(params.q)
    if expression is None:
        return False
    fts_name: Any = literal_column(search_index.FTS_TABLE)
    matches: Any = select(literal_column("rowid").label("skill_id")).select_from(
        table(search_index.FTS_TABLE)
    )
    matches = matches.where(fts_name.op("MATCH")(expression))
    if ranked:
        bm25 = func.bm25(fts_name, *search_index.BM25_WEIGHTS).label("rank")
        fts = matches.add_columns(bm25).subquery("fts")
        found.joins.insert(0, (fts, fts.c.skill_id == Skill.id))
        found.rank = fts.c.rank
    else:
        found.conditions.append(col(Skill.id).in_(matches))
    return True


@dataclass(frozen=True)
class PageRows:
    rows: Sequence[Any]  # (id, title, level, category_id, tags, user_id), at most per_page
    total: int
    total_capped: bool
    has_next: bool


def fetch_page(db: Session, found: SkillFilter, params: SearchParams) -> PageRows:
    """The pager: a capped count, then one sorted page of the matches."""
    # Counting stops at COUNT_CAP (shown as "1,000+"): an exact count of 100k rows costs
    # more than the page itself, and nobody pages that far.
    capped = found.select(literal_column("1").label("one")).limit(COUNT_CAP + 1)
    total = int(db.exec(select(func.count()).select_from(capped.subquery("capped"))).one() or 0)
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
    rank, dialect = found.rank, found.dialect
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
        hits = found.select(*page_columns, *extra).cte("hits").prefix_with("MATERIALIZED")
        hits_rank = hits.c.rank if rank is not None else None
        rows = db.exec(
            select(*(hits.c[name] for name in PAGE_COLUMN_NAMES))
            .order_by(*_order_by(params.sort, hits_rank, dialect, hits.c))
            .offset(offset)
            .limit(params.per_page + 1)
        ).all()
    else:
        rows = db.exec(
            found.select(*page_columns, walk_sort_index=total_capped)
            .order_by(*_order_by(params.sort, rank, dialect))
            .offset(offset)
            .limit(params.per_page + 1)
        ).all()
    return PageRows(
        rows=rows[: params.per_page],
        total=total,
        total_capped=total_capped,
        has_next=len(rows) > params.per_page,
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
    stats = trust.stats_for_many(db, teacher_ids)
    windows = availability.windows_for_many(db, teacher_ids)
    mutual_ids: set[int] = set()
    if viewer is not None and viewer.id is not None:
        mine = recommendations.taught_keys(db, viewer.id)
        if mine:
            mutual_ids = recommendations.users_wanting(db, user_ids=teacher_ids, keys=mine)
    cards = []
    next_slot: dict[int, datetime | None] = {}
    viewer_id = viewer.id if viewer is not None and viewer.id is not None else None
    busy = availability.busy_by_member(
        db,
        [*teacher_ids, *([viewer_id] if viewer_id is not None else [])],
        start=now,
        end=now + timedelta(days=NEXT_SLOT_HORIZON_DAYS + 1),
    )
    for skill_id, title, level, category_id, tags, user_id in rows:
        _uid, name, handle, avatar, langs, member_since = teachers[user_id]
        st = stats.get(user_id, trust.NEW_STATS)
        if user_id not in next_slot:
            slots: list[datetime] = []
            if user_id in windows:
                ws, tz_name = windows[user_id]
                # The same rule as the request page's first slot (lead time, booked
                # sessions of the teacher and of the viewer), so the card never promises
                # a time the page does not offer.
                first = availability.first_free_start(
                    ws,
                    tz_name,
                    now=now,
                    duration_minutes=NEXT_SLOT_MINUTES,
                    busy=busy[user_id] + (busy[viewer_id] if viewer_id is not None else []),
                    horizon_days=NEXT_SLOT_HORIZON_DAYS,
                )
                slots = [first] if first else []
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
                badges=trust.badges_for(st, member_since=member_since, now=now),
                mutual_match=user_id in mutual_ids, next_free_slot=next_slot[user_id],
                trust_breakdown=st.breakdown if viewer is not None else "",
            )
        )  # fmt: skip
    return cards
