"""/profile: three small states, one per part of the page; each save is one service call.

- ProfileEditState: name, bio, languages, time zone, avatar.
- SkillEditorState: the skills a member teaches and wants to learn (one dialog for both).
- AvailabilityEditorState: weekly free windows in the member's own zone.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import reflex as rx

from bartr import routes
from bartr.adapters import registry
from bartr.db import read_session
from bartr.models.profiles import SkillKind
from bartr.services import availability, avatars, categories, profiles
from bartr.services.availability import WEEKDAYS, format_minute
from bartr.services.errors import DomainError
from bartr.services.languages import LANGUAGES, toggled
from bartr.services.profiles import SkillView
from bartr.services.validation import all_timezones
from bartr.settings import get_settings
from bartr.state.auth import GENERIC_ERROR, AuthState, log
from bartr.state.view_models import Option, SkillVM, initials, skill_vm

MAX_FIELD = 5000


def _split(exc: DomainError) -> tuple[dict[str, str], str]:
    return ({exc.field: exc.message}, "") if exc.field else ({}, exc.message)


class ProfileEditState(AuthState):
    display_name: str = ""
    bio: str = ""
    languages: list[str] = []
    timezone: str = "UTC"
    public_url: str = ""
    avatar_url: str = ""
    initials: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    avatar_error: str = ""
    saving: bool = False

    @rx.var(cache=True)
    def timezone_options(self) -> list[str]:
        return all_timezones()

    @rx.var(cache=True)
    def language_options(self) -> list[str]:
        return list(LANGUAGES)

    @rx.event
    def load(self) -> None:
        self.errors, self.form_error, self.avatar_error = {}, "", ""
        with read_session() as db:
            user = self._current_user(db)
            if user is None:
                return
            self.display_name, self.bio = user.display_name, user.bio
            self.languages, self.timezone = list(user.languages), user.timezone
            self.public_url = routes.profile(user.handle)
            self.avatar_url = routes.avatar(user.avatar_path)
            self.initials = initials(user.display_name)

    @rx.event
    def set_display_name(self, value: str) -> None:
        self.display_name = value[:200]

    @rx.event
    def set_bio(self, value: str) -> None:
        self.bio = value[:MAX_FIELD]

    @rx.event
    def set_timezone(self, value: str) -> None:
        self.timezone = value[:64]

    @rx.event
    def toggle_language(self, name: str) -> None:
        self.languages = toggled(self.languages, name)

    @rx.event
    def save(self) -> Any:
        self.errors, self.form_error = {}, ""

        def on_error(exc: DomainError) -> None:
            self.errors, self.form_error = _split(exc)

        user = self._run(
            lambda db, actor: profiles.do_update_profile(
                db,
                actor=actor,
                display_name=self.display_name,
                bio=self.bio,
                languages=self.languages,
                timezone=self.timezone,
            ),
            on_error=on_error,
        )
        if user is None:
            return None
        self._show_viewer(user)
        return [rx.toast.success("Profile saved."), AvailabilityEditorState.load]

    @rx.event
    def set_avatar_rejected(self, _rejected: list[dict[str, Any]]) -> None:
        self.avatar_error = "That file can't be used: choose one PNG, JPEG, WebP or GIF image."

    @rx.event
    async def upload_avatar(self, files: list[rx.UploadFile]) -> Any:
        self.avatar_error = ""
        if not files:
            self.avatar_error = "Choose an image file."
            return None
        limit = get_settings().avatar_max_bytes
        # Read one byte past the limit: the service refuses oversized files by their bytes.
        data = await files[0].read(limit + 1)
        with read_session() as db:  # decode nothing for a visitor
            if self._current_user(db) is None:
                self.avatar_error = "Your session has ended. Please log in again."
                return None
        # Decoding a large photo takes hundreds of ms: a thread, never the event loop.
        try:
            clean = await asyncio.to_thread(avatars.prepare_avatar, data)
        except DomainError as exc:
            self.avatar_error = exc.message
            return None

        def on_error(exc: DomainError) -> None:
            self.avatar_error = exc.message

        # Writing the file (S3 with a remote store) is slow too: a thread, before the
        # short write transaction that records it.
        try:
            key = await asyncio.to_thread(avatars.save_avatar_file, clean, registry.storage())
        except Exception:
            log.exception("storing an avatar failed")
            self.avatar_error = GENERIC_ERROR
            return None
        path = self._run(
            lambda db, actor: avatars.do_set_avatar(db, actor=actor, stored_key=key),
            on_error=on_error,
        )
        if path is None:
            return None
        self.avatar_url = self.viewer_avatar = routes.avatar(path)
        return rx.toast.success("Photo updated.")


class SkillEditorState(AuthState):
    teaches: list[SkillVM] = []
    learns: list[SkillVM] = []
    category_options: list[Option] = []
    loaded: bool = False
    load_error: str = ""
    # The dialog.
    dialog_open: bool = False
    kind: str = SkillKind.TEACH
    editing_id: int = 0
    f_category: str = ""
    f_level: str = "beginner"
    f_title: str = ""
    f_description: str = ""
    f_tags: list[str] = []
    tag_draft: str = ""
    tag_suggestions: list[str] = []
    errors: dict[str, str] = {}
    form_error: str = ""
    # Removal needs a confirmation.
    confirm_id: int = 0
    confirm_title: str = ""

    @rx.var(cache=True)
    def level_options(self) -> list[Option]:
        return [Option(lv, lv.capitalize()) for lv in profiles.LEVELS]

    @rx.event
    def load(self) -> None:
        self.loaded, self.load_error = False, ""
        try:
            with read_session() as db:
                user = self._current_user(db)
                if user is None:
                    return
                skills = profiles.skills_of(db, user_id=user.id or 0)
                self.category_options = [
                    Option(c.slug, c.name) for c in categories.list_categories(db)
                ]
        except Exception:
            log.exception("skill editor load")
            self.load_error = "We couldn't load your skills just now. Please reload the page."
            return
        self.teaches = [skill_vm(s) for s in skills if s.kind == SkillKind.TEACH]
        self.learns = [skill_vm(s) for s in skills if s.kind == SkillKind.LEARN]
        self.loaded = True

    def _fill(self, *, kind: str, skill: SkillVM | None) -> None:
        self.kind, self.editing_id = kind, skill.id if skill else 0
        self.f_category = skill.category_slug if skill else ""
        self.f_level = skill.level.lower() if skill else "beginner"
        self.f_title = skill.title if skill else ""
        self.f_description = skill.description if skill else ""
        self.f_tags = list(skill.tags) if skill else []
        self.tag_draft, self.tag_suggestions, self.errors, self.form_error = "", [], {}, ""
        self.dialog_open = True

    @rx.event
    def open_new(self, kind: str) -> None:
        self._fill(kind=SkillKind.LEARN if kind == SkillKind.LEARN else SkillKind.TEACH, skill=None)

    @rx.event
    def open_edit(self, skill_id: int) -> None:
        for kind, skills in ((SkillKind.TEACH, self.teaches), (SkillKind.LEARN, self.learns)):
            for skill in skills:
                if skill.id == skill_id:
                    self._fill(kind=kind, skill=skill)
                    return

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value

    @rx.event
    def set_f_category(self, value: str) -> None:
        self.f_category = value[:40]

    @rx.event
    def set_f_level(self, value: str) -> None:
        self.f_level = value[:16]

    @rx.event
    def set_f_title(self, value: str) -> None:
        self.f_title = value[:200]

    @rx.event
    def set_f_description(self, value: str) -> None:
        self.f_description = value[:MAX_FIELD]

    @rx.event
    def set_tag_draft(self, value: str) -> Any:
        if "," in value:  # typing a comma finishes a tag
            # Reflex types `@rx.event` methods on the class as its namespace object.
            return SkillEditorState.add_tag(value.replace(",", ""))  # type: ignore[operator]
        self.tag_draft = value[:40]
        try:
            with read_session() as db:
                found = profiles.suggest_tags(db, self.tag_draft, 6)
        except Exception:
            log.exception("tag suggestions")
            found = []
        self.tag_suggestions = [t for t in found if t not in self.f_tags]
        return None

    @rx.event
    def tag_key(self, key: str) -> Any:
        if key == "Enter":
            return SkillEditorState.add_tag(self.tag_draft)  # type: ignore[operator]
        return None

    @rx.event
    def add_tag(self, tag: str) -> None:
        clean = profiles.normalise_tag(tag)[:40]
        self.tag_draft, self.tag_suggestions = "", []
        if clean and clean not in self.f_tags:
            self.f_tags = [*self.f_tags, clean]

    @rx.event
    def remove_tag(self, tag: str) -> None:
        self.f_tags = [t for t in self.f_tags if t != tag]

    @rx.event
    def save(self) -> Any:
        self.errors, self.form_error = {}, ""
        tags = [*self.f_tags, self.tag_draft] if self.tag_draft.strip() else list(self.f_tags)
        editing_id, kind = self.editing_id, self.kind
        category, title, level = self.f_category, self.f_title, self.f_level
        description = self.f_description

        def act(db: Any, actor: Any) -> SkillView:
            if editing_id:  # the service checks that the skill is the actor's own
                return profiles.do_update_skill(
                    db, actor=actor, skill_id=editing_id, category_slug=category,
                    title=title, level=level, tags=tags, description=description,
                )  # fmt: skip
            return profiles.do_add_skill(
                db, actor=actor, kind=kind, category_slug=category,
                title=title, level=level, tags=tags, description=description,
            )  # fmt: skip

        def on_error(exc: DomainError) -> None:
            self.errors, self.form_error = _split(exc)

        saved = self._run(act, on_error=on_error)
        if saved is None:
            return None
        view = skill_vm(saved)
        target = self.teaches if saved.kind == SkillKind.TEACH else self.learns
        updated = [view if s.id == view.id else s for s in target]
        if not self.editing_id:
            updated.append(view)
        if saved.kind == SkillKind.TEACH:
            self.teaches = updated
        else:
            self.learns = updated
        self.dialog_open, self.tag_draft = False, ""
        return rx.toast.success("Skill saved." if self.editing_id else "Skill added.")

    @rx.event
    def ask_remove(self, skill_id: int, title: str) -> None:
        self.confirm_id, self.confirm_title = skill_id, title[:80]

    @rx.event
    def cancel_remove(self) -> None:
        self.confirm_id = 0

    @rx.event
    def set_confirm_open(self, value: bool) -> None:
        if not value:
            self.confirm_id = 0

    @rx.event
    def remove(self) -> Any:
        skill_id, self.confirm_id = self.confirm_id, 0
        errors: list[str] = []

        def act(db: Any, actor: Any) -> bool:
            profiles.do_remove_skill(db, actor=actor, skill_id=skill_id)  # checks ownership
            return True

        if self._run(act, on_error=lambda exc: errors.append(exc.message)) is None:
            return rx.toast.error(errors[0] if errors else "The skill could not be removed.")
        self.teaches = [s for s in self.teaches if s.id != skill_id]
        self.learns = [s for s in self.learns if s.id != skill_id]
        return rx.toast.success("Skill removed.")


@dataclasses.dataclass(frozen=True)
class WindowRow:
    key: int
    weekday: int
    start: str
    end: str


@dataclasses.dataclass(frozen=True)
class EditDay:
    weekday: int
    name: str
    rows: list[WindowRow]


TIMES = [format_minute(m) for m in range(0, 24 * 60 + 1, 15)]


class AvailabilityEditorState(AuthState):
    windows: list[WindowRow] = []
    zone: str = "UTC"
    error: str = ""
    loaded: bool = False
    dirty: bool = False
    # Onboarding's last step is done: its windows are saved. The onboarding page shows its
    # "all set" card on this (states do not reach into another page's state).
    finished: bool = False
    _next_key: int = 0

    @rx.var(cache=True)
    def start_options(self) -> list[str]:
        return TIMES[:-1]

    @rx.var(cache=True)
    def end_options(self) -> list[str]:
        return TIMES[1:]

    @rx.var
    def days(self) -> list[EditDay]:
        return [
            EditDay(i, name, [w for w in self.windows if w.weekday == i])
            for i, name in enumerate(WEEKDAYS)
        ]

    def _row(self, weekday: int, start: str, end: str) -> WindowRow:
        self._next_key += 1
        return WindowRow(self._next_key, weekday, start, end)

    @rx.event
    def load(self) -> None:
        self.error, self.dirty, self.loaded, self.finished = "", False, False, False
        try:
            with read_session() as db:
                user = self._current_user(db)
                if user is None:
                    return
                windows, _zone = availability.windows_for(db, user.id or 0)
                self.zone = user.timezone
        except Exception:
            log.exception("availability editor load")
            self.error = "We couldn't load your availability just now. Please reload the page."
            return
        self.windows = [
            self._row(w.weekday, format_minute(w.start_minute), format_minute(w.end_minute))
            for w in windows
        ]
        self.loaded = True

    @rx.event
    def add_window(self, weekday: int) -> None:
        if not 0 <= weekday <= 6:
            return
        same_day = [w for w in self.windows if w.weekday == weekday]
        start, end = "09:00", "12:00"
        if same_day:
            last = max(TIMES.index(w.end) if w.end in TIMES else 0 for w in same_day)
            start_i = min(last + 4, len(TIMES) - 5)
            start, end = TIMES[start_i], TIMES[min(start_i + 8, len(TIMES) - 1)]
        self.windows = [*self.windows, self._row(weekday, start, end)]
        self.dirty = True

    @rx.event
    def remove_window(self, key: int) -> None:
        self.windows = [w for w in self.windows if w.key != key]
        self.dirty = True

    @rx.event
    def set_start(self, key: int, value: str) -> None:
        if value in TIMES:
            self.windows = [
                dataclasses.replace(w, start=value) if w.key == key else w for w in self.windows
            ]
            self.dirty = True

    @rx.event
    def set_end(self, key: int, value: str) -> None:
        if value in TIMES:
            self.windows = [
                dataclasses.replace(w, end=value) if w.key == key else w for w in self.windows
            ]
            self.dirty = True

    @rx.event
    def save(self) -> Any:
        self.error = ""

        def on_error(exc: DomainError) -> None:
            self.error = exc.message

        rows = [(w.weekday, w.start, w.end) for w in self.windows]
        saved = self._run(
            lambda db, actor: availability.do_set_availability(db, actor=actor, windows=rows),
            on_error=on_error,
        )
        if saved is None:
            return None
        self.dirty = False
        return rx.toast.success("Availability saved.")

    @rx.event
    def discard(self) -> None:
        """Drop unsaved edits: back to what is stored."""
        self.load()  # type: ignore[operator]  # Reflex types handlers as EventNamespace

    @rx.event
    def save_and_finish(self) -> None:
        """Onboarding's Finish: what is on screen is saved first (a member who pressed
        Finish expects their windows to count); a failed save keeps them on the step."""
        if self.dirty:
            self.save()  # type: ignore[operator]  # Reflex types handlers as EventNamespace
            if self.dirty:
                return
        self.finished = True
