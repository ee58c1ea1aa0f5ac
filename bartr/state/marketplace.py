"""Marketplace: every filter lives in the URL; the page reads it on load and searches.

A filter change searches in the same event and rewrites the address bar in place
(`history.replaceState`), so what is on screen is always what the address bar says
(shareable, reloadable) without a redirect that would re-run the page's load handlers:
one round trip from submit to results. Opening or reloading a URL runs `load`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

from bartr import routes
from bartr.db import read_session
from bartr.services import categories, marketplace, profiles, recommendations
from bartr.services.languages import LANGUAGES
from bartr.services.marketplace import SearchParams
from bartr.state.auth import AuthState, log
from bartr.state.view_models import (
    CardVM,
    Option,
    RecommendationVM,
    card_vm,
    initials,
    recommendation_vm,
)

ALL = "all"  # a Radix select cannot hold "", so "all" stands for no filter
SORT_LABELS = {"relevance": "Best match", "rating": "Top rated", "trust": "Most trusted"}
SORT_LABELS["newest"] = "Newest"
LOAD_ERROR = "We couldn't load skills just now. Nothing is lost; please try again."


@dataclasses.dataclass(frozen=True)
class CircleMemberVM:
    name: str
    initials: str
    avatar_url: str
    profile_url: str


@dataclasses.dataclass(frozen=True)
class CircleVM:
    members: list[CircleMemberVM]
    flows: list[str]  # "You teach Ben Spanish", ...


def _circle_vm(circle: recommendations.SwapCircle, viewer_id: int) -> CircleVM:
    names = {
        m.user_id: ("you" if m.user_id == viewer_id else m.display_name) for m in circle.members
    }
    flows = []
    for f in circle.flows:
        teacher = names.get(f.teacher_id, "?")
        verb = "teach" if f.teacher_id == viewer_id else "teaches"
        flows.append(
            f"{teacher[:1].upper()}{teacher[1:]} {verb} {names.get(f.learner_id, '?')} {f.skill_title}"
        )
    members = [
        CircleMemberVM(
            name="You" if m.user_id == viewer_id else m.display_name,
            initials=initials(m.display_name),
            avatar_url=routes.avatar(m.avatar_path),
            profile_url=routes.profile(m.handle),
        )
        for m in circle.members
    ]
    return CircleVM(members=members, flows=flows)


class MarketplaceState(AuthState):
    # The filters as the URL says them.
    q: str = ""
    category: str = ALL
    level: str = ALL
    language: str = ALL
    tags: list[str] = []
    free: bool = False
    four_stars: bool = False  # "4 stars and up"
    sort: str = "relevance"
    page: int = 1
    # Results.
    loading: bool = True
    error: str = ""
    notice: str = ""
    cards: list[CardVM] = []
    total: int = 0
    has_next: bool = False
    shown_timezone: str = "UTC"
    category_options: list[Option] = []
    # Page furniture.
    tag_draft: str = ""
    tag_suggestions: list[str] = []
    filters_open: bool = False
    range_label: str = ""
    total_label: str = ""
    prev_url: str = ""
    next_url: str = ""

    # --- derived -------------------------------------------------------------------
    @rx.var(cache=True)
    def level_options(self) -> list[Option]:
        return [Option(ALL, "Any level")] + [Option(lv, lv.capitalize()) for lv in profiles.LEVELS]

    @rx.var(cache=True)
    def language_options(self) -> list[Option]:
        return [Option(ALL, "Any language")] + [Option(n, n) for n in LANGUAGES]

    @rx.var(cache=True)
    def sort_options(self) -> list[Option]:
        return [Option(k, v) for k, v in SORT_LABELS.items()]

    @rx.var
    def active_filters(self) -> int:
        chosen = [
            self.category != ALL,
            self.level != ALL,
            self.language != ALL,
            self.free,
            self.four_stars,
        ]
        return sum(chosen) + len(self.tags)

    @rx.var
    def has_query(self) -> bool:
        chosen = [
            self.category != ALL,
            self.level != ALL,
            self.language != ALL,
            self.free,
            self.four_stars,
        ]
        return self.q != "" or any(chosen) or len(self.tags) > 0

    # --- URL <-> filters -----------------------------------------------------------------
    def _params(self, **changes: Any) -> SearchParams:
        """The current filters (with `changes`), normalised by the service; page 1 by default."""
        values = {
            "q": self.q,
            "category": "" if self.category == ALL else self.category,
            "level": "" if self.level == ALL else self.level,
            "lang": "" if self.language == ALL else self.language,
            "tags": ",".join(self.tags),
            "free": "1" if self.free else "",
            "stars": "4" if self.four_stars else "",
            "sort": self.sort,
            "page": str(self.page),
        }
        values.update({k: str(v) for k, v in changes.items()})
        return SearchParams.from_query(values)

    async def _go(self, **changes: Any) -> AsyncIterator[Any]:
        """Search with the changed filters now, and put them in the address bar."""
        changes.setdefault("page", 1)
        params = self._params(**changes)
        url = json.dumps(routes.marketplace(params.to_query()))
        self._show_params(params)
        yield rx.call_script(f"window.history.replaceState(window.history.state, '', {url})")
        async for update in self._search(params):
            yield update

    def _show_params(self, params: SearchParams) -> None:
        self.q = params.q
        self.category = params.category or ALL
        self.level = params.level or ALL
        self.language = params.language or ALL
        self.tags = list(params.tags)
        self.free = params.free_when_i_am
        self.four_stars = params.min_stars >= 4
        self.sort = params.sort
        self.page = params.page

    # --- loading ---------------------------------------------------------------------------
    @rx.event
    async def load(self) -> AsyncIterator[Any]:
        params = SearchParams.from_query(dict(self.router.url.query_parameters))
        self._show_params(params)
        async for update in self._search(params):
            yield update

    def _query(self, params: SearchParams) -> tuple[str, marketplace.SearchPage]:
        with read_session() as db:
            viewer = self._current_user(db)
            # Visitors have no zone on file (and the CSP forbids asking the browser).
            zone = viewer.timezone if viewer else "UTC"
            result = marketplace.search_params(db, viewer=viewer, params=params)
            self.category_options = [Option(ALL, "All categories")] + [
                Option(c.slug, c.name) for c in categories.list_categories(db)
            ]
        return zone, result

    async def _search(self, params: SearchParams) -> AsyncIterator[Any]:
        self.loading, self.error, self.notice = True, "", ""
        yield
        try:
            # In a thread: the queries must not hold up every other member on this worker
            # (the event holds this tab's state lock meanwhile; nothing else touches it).
            zone, result = await asyncio.to_thread(self._query, params)
        except Exception:
            log.exception("marketplace search")
            self.loading, self.error, self.cards, self.total = False, LOAD_ERROR, [], 0
            return
        self.shown_timezone = zone
        self.cards = [card_vm(c, zone) for c in result.items]
        self.total, self.has_next, self.notice = result.total, result.has_next, result.notice
        first = (params.page - 1) * params.per_page + 1
        self.total_label = result.total_label
        self.range_label = f"{first}–{first + len(self.cards) - 1} of {result.total_label}"
        self.prev_url = routes.marketplace(params.with_page(params.page - 1).to_query())
        self.next_url = routes.marketplace(params.with_page(params.page + 1).to_query())
        self.loading = False

    # --- filter changes (each one is a new URL) --------------------------------------------
    @rx.event
    def submit_search(self, form: dict[str, Any]) -> Any:
        return self._go(q=str(form.get("q") or "")[:200])

    @rx.event
    def choose_category(self, value: str) -> Any:
        return self._go(category="" if value == ALL else value)

    @rx.event
    def choose_level(self, value: str) -> Any:
        return self._go(level="" if value == ALL else value)

    @rx.event
    def choose_language(self, value: str) -> Any:
        return self._go(lang="" if value == ALL else value)

    @rx.event
    def choose_sort(self, value: str) -> Any:
        return self._go(sort=value)

    @rx.event
    def set_free(self, value: bool) -> Any:
        return self._go(free="1" if value else "")

    @rx.event
    def set_four_stars(self, value: bool) -> Any:
        return self._go(stars="4" if value else "")

    @rx.event
    def add_tag(self, tag: str) -> Any:
        tag = profiles.normalise_tag(tag)[: profiles.TAG_MAX]
        self.tag_draft, self.tag_suggestions = "", []
        if not tag or tag in self.tags:
            return None
        return self._go(tags=",".join([*self.tags, tag]))

    @rx.event
    def remove_tag(self, tag: str) -> Any:
        return self._go(tags=",".join(t for t in self.tags if t != tag))

    @rx.event
    def clear_filters(self) -> Any:
        self.tag_draft = ""
        return rx.redirect(routes.marketplace())

    @rx.event
    def toggle_filters(self) -> Any:
        self.filters_open = not self.filters_open
        # On a phone the panel sits below For you and Swap circles: bring it into view,
        # or tapping Filters seems to do nothing.
        return rx.scroll_to("filters") if self.filters_open else None

    @rx.event
    def set_tag_draft(self, value: str) -> None:
        self.tag_draft = value[:40]
        try:
            with read_session() as db:
                self.tag_suggestions = [
                    t for t in profiles.suggest_tags(db, self.tag_draft, 6) if t not in self.tags
                ]
        except Exception:
            log.exception("tag suggestions")
            self.tag_suggestions = []

    @rx.event
    def tag_key(self, key: str) -> Any:
        if key == "Enter":
            # Reflex types `@rx.event` methods on the class as its namespace object.
            return MarketplaceState.add_tag(self.tag_draft)  # type: ignore[operator]
        return None


class ForYouState(AuthState):
    """The "For you" row and swap circles: members only, first page of an unfiltered view."""

    for_you: list[RecommendationVM] = []
    circles: list[CircleVM] = []
    loading: bool = False
    hint: bool = False  # nothing to match yet: invite the member to add skills

    @rx.event
    async def load(self) -> AsyncIterator[Any]:
        params = SearchParams.from_query(dict(self.router.url.query_parameters))
        self.hint = False
        if params != SearchParams(sort=params.sort):  # searching or filtering: just results
            self.for_you, self.circles = [], []
            return
        self.loading = True
        yield
        # In a thread: matching is the most expensive read of the marketplace page.
        await asyncio.to_thread(self._match)
        self.loading = False

    def _match(self) -> None:
        try:
            with read_session() as db:
                viewer = self._current_user(db)
                if viewer is None:
                    self.for_you, self.circles = [], []
                else:
                    recs = recommendations.for_you(db, viewer=viewer, limit=6)
                    circles = recommendations.swap_circles(db, viewer=viewer, limit=2)
                    self.for_you = [recommendation_vm(r) for r in recs]
                    self.circles = [_circle_vm(c, viewer.id or 0) for c in circles]
                    self.hint = not recs
        except Exception:
            log.exception("marketplace recommendations")
            self.for_you, self.circles = [], []
