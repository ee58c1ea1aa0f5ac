"""Home: live figures and featured skills for visitors; what needs me now for members."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import reflex as rx

from bartr import routes
from bartr.db import read_session
from bartr.models.base import utcnow
from bartr.services import marketplace, ratings, recommendations, sessions, stats
from bartr.state.auth import AuthState, log
from bartr.state.view_models import CardVM, RecommendationVM, card_vm, recommendation_vm

FEATURED = 6
# A member who joined this recently is greeted as new, not "welcome back".
NEW_MEMBER_GREETING = timedelta(hours=24)


@dataclasses.dataclass(frozen=True)
class RatePromptVM:
    text: str  # "Rate your session with Maya"
    detail: str  # the skill, and whether booking waits for it
    href: str


class HomeState(AuthState):
    members: int = 0
    skills_offered: int = 0
    hours_exchanged: int = 0
    featured: list[CardVM] = []
    to_answer: int = 0
    upcoming: int = 0
    my_requests: int = 0
    for_you: list[RecommendationVM] = []
    rate_prompts: list[RatePromptVM] = []
    greeting: str = "Welcome back, "
    loaded: bool = False
    failed: bool = False

    @rx.event
    async def load(self) -> None:
        # In a thread: the queries must not hold up every other member on this worker.
        await asyncio.to_thread(self._load)

    def _load(self) -> None:
        self.failed = False
        try:
            with read_session() as db:
                viewer = self._current_user(db)
                figures = stats.community_figures(db)
                self.members = figures.members
                self.skills_offered = figures.skills_offered
                self.hours_exchanged = figures.hours_exchanged
                zone = viewer.timezone if viewer else "UTC"
                # A member's For you row is shown above: room to leave its teachers out here.
                extra = 0 if viewer is None else 3
                page = marketplace.search(
                    db, viewer=viewer, sort="rating", per_page=FEATURED + extra
                )
                cards = [card_vm(c, zone) for c in page.items]
                self.featured = cards[:FEATURED]
                if viewer is not None:
                    counts = sessions.tab_counts(db, actor=viewer)
                    self.to_answer = counts.get("to_answer", 0)
                    self.upcoming = counts.get("upcoming", 0)
                    self.my_requests = counts.get("my_requests", 0)
                    self._refresh_balance(db, viewer)
                    self.rate_prompts = [
                        RatePromptVM(
                            text=f"Rate your session with {p.other_name}",
                            detail=p.skill_title
                            + (" · needed before your next booking" if p.required else ""),
                            href=routes.session(p.session_id) + "#rate",
                        )
                        for p in ratings.pending_for(db, actor=viewer, limit=3)
                    ]
                    recs = recommendations.for_you(db, viewer=viewer, limit=3)
                    self.for_you = [recommendation_vm(r) for r in recs]
                    suggested = {r.profile_url for r in self.for_you}
                    self.featured = [c for c in cards if c.profile_url not in suggested][:FEATURED]
                    new_here = utcnow() - viewer.created_at < NEW_MEMBER_GREETING
                    self.greeting = "Welcome to BARTR, " if new_here else "Welcome back, "
        except Exception:
            log.exception("home page")
            self.failed = True
        self.loaded = True
