"""The rating card of the session page (/sessions/[session_id]): rate, edit, read theirs.

Its own small state, loaded beside the session detail: every handler calls one service
(`ratings.do_rate` / `do_edit_rating`), which checks the person, the session and the
window again; the card only shows what `ratings.session_ratings` says.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import reflex as rx

from bartr.db import read_session
from bartr.models.base import utcnow
from bartr.services import accounts, ratings, sessions, trust
from bartr.services.errors import DomainError
from bartr.state.auth import AuthState, log

MAX_TEXT = 2000  # longer input is cut before it reaches the service (which allows 1000)


class RatingState(AuthState):
    shown: bool = False  # a completed session of mine: the card is on the page
    teacher_badges: list[str] = []  # the teacher's badges, shown in the page header
    can_rate: bool = False
    must_rate: bool = False
    editing: bool = False
    other_name: str = ""
    prompts: list[str] = []
    hidden_note: str = ""
    # the form
    stars: int = 0
    text: str = ""
    chosen: list[str] = []
    error: str = ""
    field: str = ""
    busy: bool = False
    # my rating, once given
    has_mine: bool = False
    my_stars: int = 0
    my_text: str = ""
    my_published: bool = False
    my_edit_note: str = ""  # "You can change it for 23 hours"
    # theirs, once published
    has_theirs: bool = False
    their_stars: int = 0
    their_text: str = ""

    _rating_sid: int = 0
    _my_rating_id: int = 0

    @rx.event
    def load(self) -> None:
        raw = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        self._rating_sid = int(raw) if raw.isdigit() and len(raw) < 12 else 0
        self.editing, self.error, self.field = False, "", ""
        self._read()

    def _read(self) -> None:
        now = utcnow()
        self.shown, self.teacher_badges = False, []
        try:
            with read_session() as db:
                user = self._current_user(db)
                if user is None or not self._rating_sid:
                    return
                session = sessions.get_session(db, self._rating_sid)
                view = ratings.session_ratings(db, session=session, viewer=user, now=now)
                if view is not None:  # a participant: the teacher's badges
                    teacher = accounts.get_user(db, session.teacher_id)
                    stats = trust.stats_for(db, session.teacher_id)
                    self.teacher_badges = trust.badges_for(
                        stats, member_since=teacher.created_at, now=now
                    )
        except DomainError:
            return
        except Exception:
            log.exception("rating card")
            return
        if view is None or not (view.can_rate or view.mine or view.theirs):
            return
        self.shown = True
        self.can_rate, self.must_rate = view.can_rate, view.must_rate
        self.other_name, self.prompts = view.other_name, list(view.prompts)
        self.hidden_note = view.hidden_note
        mine = view.mine
        self.has_mine = mine is not None
        self._my_rating_id = mine.id if mine else 0
        self.my_stars, self.my_text = (mine.stars, mine.text) if mine else (0, "")
        self.my_published = bool(mine and mine.published)
        self.my_edit_note = _edit_note(mine.editable_until, now) if mine else ""
        theirs = view.theirs
        self.has_theirs = theirs is not None
        self.their_stars, self.their_text = (theirs.stars, theirs.text) if theirs else (0, "")
        if self.can_rate and not self.editing:
            self.stars, self.text, self.chosen = 0, "", []

    @rx.event
    def set_stars(self, stars: int) -> None:
        self.stars = max(0, min(int(stars), 5))
        if self.field == "stars":
            self.error, self.field = "", ""

    @rx.event
    def set_text(self, value: str) -> None:
        self.text = (value or "")[:MAX_TEXT]

    @rx.event
    def toggle_prompt(self, prompt: str) -> None:
        """A tappable prompt: chosen ones are stored with the rating and start the text."""
        if prompt not in self.prompts:
            return
        if prompt in self.chosen:
            self.chosen = [p for p in self.chosen if p != prompt]
            return
        self.chosen = [*self.chosen, prompt]
        if not self.text.strip():
            self.text = f"{prompt}. "
        elif prompt.lower() not in self.text.lower():
            self.text = f"{self.text.rstrip()} {prompt}."[:MAX_TEXT]

    @rx.event
    def start_edit(self) -> None:
        self.editing, self.error, self.field = True, "", ""
        self.stars, self.text, self.chosen = self.my_stars, self.my_text, []

    @rx.event
    def cancel_edit(self) -> None:
        self.editing, self.error, self.field = False, "", ""

    @rx.event
    def submit(self) -> Iterator[Any]:
        if self.busy:
            return
        self.busy, self.error, self.field = True, "", ""
        yield
        stars, text, chosen = self.stars, self.text, list(self.chosen)
        editing, rating_id, sid = self.editing, self._my_rating_id, self._rating_sid

        def act(db: Any, user: Any) -> bool:
            if editing:
                ratings.do_edit_rating(
                    db, actor=user, rating_id=rating_id, stars=stars, text=text, prompts=chosen
                )
            else:
                ratings.do_rate(
                    db, actor=user, session_id=sid, stars=stars, text=text, prompts=chosen
                )
            return True

        done = self._run(act, on_error=self._failed)
        self.busy = False
        if done:
            self.editing = False
            self._read()
            yield rx.toast.success("Thank you! Your rating is saved.")

    def _failed(self, exc: DomainError) -> None:
        self.error, self.field = exc.message, exc.field or ""


def _edit_note(until: datetime | None, now: datetime) -> str:
    if until is None:
        return ""
    hours = max(int((until - now).total_seconds() // 3600), 0)
    left = f"{hours} more hour{'' if hours == 1 else 's'}" if hours else "less than an hour"
    return f"You can change it for {left}, until it is published."
