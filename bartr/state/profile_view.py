"""A member's public profile (/u/<handle>): read-only, times in the viewer's zone."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote

import reflex as rx

from bartr import routes
from bartr.db import read_session
from bartr.services import accounts, courses, profiles, ratings, recommendations
from bartr.services.availability import GridDay
from bartr.services.errors import DomainError, NotFound
from bartr.state.auth import AuthState, log
from bartr.state.course_cards import CourseCardVM, card_vm
from bartr.state.view_models import SkillVM, initials, rating_label, skill_vm, star_value
from bartr.state.wording import zone_of

LOAD_ERROR = "We couldn't load this profile just now. Please try again."


@dataclasses.dataclass(frozen=True)
class WindowVM:
    label: str
    left: str  # CSS percentage of the day
    width: str


@dataclasses.dataclass(frozen=True)
class DayVM:
    name: str  # "Mon"
    date_label: str  # "12 Mar"
    is_today: bool
    windows: list[WindowVM]
    summary: str  # "09:00–12:00, 14:00–16:00" or ""


def day_vms(grid: Sequence[GridDay], *, today: date | None = None) -> list[DayVM]:
    def pct(minutes: int) -> str:
        return f"{minutes / 14.4:.3f}%"

    return [
        DayVM(
            name=d.name[:3],
            date_label=f"{d.day.day} {d.day.strftime('%b')}",
            is_today=d.day == today,
            windows=[
                WindowVM(w.label, pct(w.start_minute), pct(w.end_minute - w.start_minute))
                for w in d.windows
            ],
            summary=", ".join(w.label for w in d.windows),
        )
        for d in grid
    ]


@dataclasses.dataclass(frozen=True)
class ReviewVM:
    id: int
    stars: int
    text: str
    skill: str
    month: str
    name: str  # the learner's first name
    reply: str
    can_reply: bool


@dataclasses.dataclass(frozen=True)
class StarBarVM:
    stars: int
    count: int
    width: str  # CSS percentage of the longest bar


def review_vms(summary: ratings.ReviewSummary) -> tuple[list[ReviewVM], list[StarBarVM]]:
    reviews = [
        ReviewVM(r.id, r.stars, r.text, r.skill_title, r.month, r.learner_first_name,
                 r.reply or "", r.can_reply)
        for r in summary.reviews
    ]  # fmt: skip
    most = max(summary.distribution.values(), default=0) or 1
    bars = [StarBarVM(s, n, f"{100 * n / most:.0f}%") for s, n in summary.distribution.items()]
    return reviews, bars


class ProfileViewState(AuthState):
    loading: bool = True
    not_found: bool = False
    error: str = ""
    name: str = ""
    handle_label: str = ""
    handle: str = ""
    avatar_url: str = ""
    initials: str = ""
    bio: str = ""
    badges: list[str] = []
    trust: str = ""  # "86" or "" (new)
    trust_line: str = ""  # one-line breakdown (members only)
    reviews: list[ReviewVM] = []
    star_bars: list[StarBarVM] = []
    review_count: int = 0
    review_avg: str = ""
    review_stars: float = 0.0
    reply_for: int = 0
    reply_text: str = ""
    reply_error: str = ""
    rating: str = ""
    rating_count: int = 0
    rating_stars: float = 0.0
    languages: list[str] = []
    local_time: str = ""
    owner_timezone: str = ""
    shown_timezone: str = ""
    grid_whose: str = "your"
    member_since: str = ""
    is_self: bool = False
    teaches: list[SkillVM] = []
    learns: list[SkillVM] = []
    days: list[DayVM] = []
    match_reasons: list[str] = []
    mutual: bool = False
    teacher_courses: list[CourseCardVM] = []

    def _handle_from_url(self) -> str:
        path = (self.router.url.path or "").rstrip("/")
        return unquote(path.rsplit("/", 1)[-1])[:40]

    @rx.event
    async def load(self) -> AsyncIterator[None]:
        self.loading, self.not_found, self.error = True, False, ""
        yield
        handle = self._handle_from_url()
        try:
            # In a thread: the queries must not hold up every other member on this worker.
            view, summary, cards, match = await asyncio.to_thread(self._query, handle)
        except NotFound:
            self.loading, self.not_found = False, True
            return
        except Exception:
            log.exception("profile view")
            self.loading, self.error = False, LOAD_ERROR
            return
        self._show(view)
        self._show_reviews(summary)
        self.teacher_courses = [card_vm(c) for c in cards]
        reasons = match.reasons if match and match.score > 0 else []
        self.match_reasons = [r[:1].upper() + r[1:] for r in reasons]
        self.mutual = bool(match and match.mutual)
        self.loading = False

    def _query(self, handle: str) -> tuple[Any, Any, Any, Any]:
        with read_session() as db:
            viewer = self._current_user(db)
            view = profiles.public_profile(db, handle=handle, viewer=viewer)
            summary = ratings.reviews_for(db, teacher_id=view.user_id, viewer=viewer, limit=10)
            cards = courses.cards_for_teacher(db, viewer=viewer, teacher_id=view.user_id)
            match = None
            if viewer is not None and not view.is_self and view.teaches:
                teacher = accounts.get_user(db, view.user_id)
                match = recommendations.score_between(db, viewer=viewer, teacher=teacher)
        return view, summary, cards, match

    def _show(self, view: profiles.ProfileView) -> None:
        self.name, self.handle_label = view.display_name, f"@{view.handle}"
        self.handle = view.handle
        self.avatar_url, self.initials = (
            routes.avatar(view.avatar_path),
            initials(view.display_name),
        )
        self.bio, self.badges, self.languages = view.bio, list(view.badges), list(view.languages)
        self.trust = f"{view.trust_score:.0f}" if view.trust_score is not None else ""
        self.trust_line = view.trust_breakdown if self.logged_in else ""
        self.rating, self.rating_count = (
            rating_label(view.rating_avg, view.rating_count),
            view.rating_count,
        )
        self.rating_stars = star_value(view.rating_avg, view.rating_count)
        self.local_time, self.owner_timezone = view.local_time_label, view.timezone
        self.shown_timezone, self.is_self = view.viewer_timezone, view.is_self
        # Visitors see the owner's own zone (public_profile has no zone for them).
        self.grid_whose = "your" if self.logged_in else "their"
        self.member_since = view.member_since.strftime("%B %Y")
        self.teaches = [skill_vm(s) for s in view.teaches]
        self.learns = [skill_vm(s) for s in view.learns]
        today = datetime.now(zone_of(view.viewer_timezone)).date()
        self.days = day_vms(view.availability, today=today)

    def _show_reviews(self, summary: ratings.ReviewSummary) -> None:
        self.reviews, self.star_bars = review_vms(summary)
        self.review_count = summary.count
        self.review_avg = f"{summary.average:.1f}" if summary.average is not None else ""
        self.review_stars = star_value(summary.average, summary.count)
        self.reply_for, self.reply_text, self.reply_error = 0, "", ""

    @rx.var
    def trust_ring(self) -> str:
        """The score ring's fill (a conic gradient, 0-100)."""
        value = self.trust or "0"
        return f"conic-gradient(var(--green-9) {value}%, var(--gray-a4) 0)"

    # --- the teacher's public reply ------------------------------------------------------
    @rx.event
    def open_reply(self, rating_id: int) -> None:
        self.reply_for, self.reply_text, self.reply_error = int(rating_id), "", ""

    @rx.event
    def close_reply(self) -> None:
        self.reply_for, self.reply_error = 0, ""

    @rx.event
    def set_reply_text(self, value: str) -> None:
        self.reply_text = (value or "")[:2000]

    @rx.event
    def send_reply(self) -> Any:
        rating_id, text = self.reply_for, self.reply_text

        def act(db: Any, user: Any) -> ratings.ReviewSummary:
            ratings.do_reply(db, actor=user, rating_id=rating_id, text=text)
            return ratings.reviews_for(db, teacher_id=user.id or 0, viewer=user, limit=10)

        def failed(exc: DomainError) -> None:
            self.reply_error = exc.message

        summary = self._run(act, on_error=failed)
        if summary is not None:
            self._show_reviews(summary)
            return rx.toast.success("Reply posted.")
        return None
