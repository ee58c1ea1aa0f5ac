"""One course (/courses/[course_id]): its files for those it is open to, its editor for its teacher.

Thin by design: each handler resolves the member from the token, calls one service and
shows the result. The upload is a background handler fed by Reflex's chunk iterator:
chunks go from the socket straight into FileStorage (services/course_files.py), never
into Reflex's public upload folder and never whole in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Iterator
from typing import Any

import reflex as rx

from bartr import routes
from bartr.adapters import registry
from bartr.db import read_session, unit_of_work
from bartr.services import accounts, course_files, course_items, courses
from bartr.services.courses import CourseView
from bartr.services.errors import DomainError, NotFound
from bartr.state.auth import GENERIC_ERROR, AuthState, log

UPLOAD_ID = "course-files"


@dataclasses.dataclass(frozen=True)
class ItemVM:
    id: int
    kind: str
    title: str
    name: str
    size: str
    src: str  # "" while locked
    deleted: bool


class CoursePageState(AuthState):
    loading: bool = True
    load_error: str = ""
    cid: int = 0  # not `course_id`: the dynamic route argument has that name
    title: str = ""
    description: str = ""
    skill_title: str = ""
    teacher_name: str = ""
    teacher_url: str = ""
    message_url: str = ""
    unlocked: bool = False
    is_teacher: bool = False
    is_admin_view: bool = False
    deleted: bool = False
    lock_reason: str = ""
    items: list[ItemVM] = []
    current_id: int = 0
    # Editing (teacher)
    f_title: str = ""
    f_description: str = ""
    form_error: str = ""
    confirm_delete_course: bool = False
    # Upload
    uploading: bool = False
    upload_progress: int = 0
    upload_error: str = ""
    upload_note: str = ""

    @rx.var
    def current(self) -> ItemVM | None:
        return next((i for i in self.items if i.id == self.current_id), None)

    def _id_from_url(self) -> int:
        raw = (self.router.url.path or "").rstrip("/").rsplit("/", 1)[-1]
        return int(raw) if raw.isdigit() and len(raw) < 12 else 0

    def _show(self, view: CourseView) -> None:
        self.cid, self.title, self.description = view.id, view.title, view.description
        self.skill_title, self.teacher_name = view.skill_title, view.teacher_name
        self.teacher_url = routes.profile(view.teacher_handle)
        self.message_url = routes.message_member(view.teacher_handle)
        self.unlocked, self.is_teacher = view.unlocked, view.is_teacher
        self.is_admin_view, self.deleted = view.is_admin and not view.is_teacher, view.deleted
        self.lock_reason = view.lock_reason
        self.items = [
            ItemVM(
                id=i.id,
                kind=i.kind,
                title=i.title,
                name=i.original_name,
                size=i.size_label,
                src=routes.course_file(i.id) if view.unlocked else "",
                deleted=i.deleted,
            )
            for i in view.items
        ]
        if self.current_id not in {i.id for i in self.items}:
            self.current_id = 0

    def _reload(self) -> None:
        with read_session() as db:
            viewer = self._current_user(db)
            self._show(courses.course_view(db, viewer=viewer, course_id=self.cid))

    @rx.event
    def load(self) -> Iterator[Any]:
        self.loading, self.load_error, self.current_id = True, "", 0
        self.upload_error = self.upload_note = self.form_error = ""
        yield
        self.cid = self._id_from_url()
        try:
            self._reload()
        except NotFound as exc:
            self.load_error = exc.message
        except Exception:
            log.exception("course page")
            self.load_error = GENERIC_ERROR
        self.f_title, self.f_description = self.title, self.description
        self.loading = False

    @rx.event
    def open_item(self, item_id: int) -> None:
        if self.unlocked and any(i.id == item_id for i in self.items):
            self.current_id = item_id

    @rx.event
    def close_item(self) -> None:
        self.current_id = 0

    def _act(self, action: Any, done: str) -> Any:
        def on_error(exc: DomainError) -> None:
            self.form_error = exc.message

        self.form_error = ""
        if self._run(action, on_error=on_error) is None and self.form_error:
            return rx.toast.error(self.form_error)
        self._reload()
        return rx.toast.success(done) if done else None

    @rx.event
    def set_f_title(self, value: str) -> None:
        self.f_title = value

    @rx.event
    def set_f_description(self, value: str) -> None:
        self.f_description = value

    @rx.event
    def save_details(self) -> Any:
        cid, title, text = self.cid, self.f_title, self.f_description
        return self._act(
            lambda db, u: courses.do_update_course(
                db, actor=u, course_id=cid, title=title, description=text
            ),
            "Course saved.",
        )

    @rx.event
    def move(self, item_id: int, offset: int) -> Any:
        return self._act(
            lambda db, u: course_items.do_move_item(db, actor=u, item_id=item_id, offset=offset),
            "",
        )

    @rx.event
    def delete_item(self, item_id: int) -> Any:
        return self._act(
            lambda db, u: course_items.do_delete_item(db, actor=u, item_id=item_id),
            "File removed. An admin can restore it if this was a mistake.",
        )

    @rx.event
    def set_confirm_delete_course(self, value: bool) -> None:
        self.confirm_delete_course = value

    @rx.event
    def delete_course(self) -> Any:
        cid = self.cid
        self.confirm_delete_course = False
        done = self._run(
            lambda db, u: courses.do_delete_course(db, actor=u, course_id=cid),
            on_error=lambda e: setattr(self, "form_error", e.message),
        )
        if done is None:
            return rx.toast.error(self.form_error or GENERIC_ERROR)
        return [rx.toast.success("Course deleted."), rx.redirect(routes.COURSES)]

    # --- upload ---------------------------------------------------------------------------
    @rx.event
    def on_progress(self, progress: dict[str, Any]) -> None:
        self.upload_progress = min(100, int(float(progress.get("progress", 0) or 0) * 100))

    @rx.event
    def upload_rejected(self, _rejected: list[dict[str, Any]]) -> None:
        self.upload_error = "Use PDF notes or MP4 / WebM videos within the size limits."

    @rx.event(background=True)
    async def upload(self, chunks: rx.UploadChunkIterator) -> Any:
        async with self:
            token, course_id = self._session_key(), self.cid
            self.uploading, self.upload_error, self.upload_note = True, "", ""
        loop = asyncio.get_running_loop()
        try:
            added = await asyncio.to_thread(_receive, loop, chunks, token, course_id)
            note, error = f"Added {added} file{'s' if added != 1 else ''}.", ""
        except DomainError as exc:
            note, error = "", exc.message
        except Exception:
            log.exception("course upload")
            note, error = "", GENERIC_ERROR
        async with self:
            self.uploading, self.upload_progress = False, 0
            self.upload_note, self.upload_error = note, error
            with contextlib.suppress(DomainError):
                self._reload()
        return rx.clear_selected_files(UPLOAD_ID)


def _receive(loop: asyncio.AbstractEventLoop, chunks: Any, token: str, course_id: int) -> int:
    """Runs in a worker thread: stores each uploaded file as it streams in, then records it."""
    with read_session() as db:
        course_items.check_can_upload(
            db, actor=accounts.user_for_token_hash(db, token), course_id=course_id
        )

    def pull() -> Any:
        async def step() -> Any:
            try:
                return await anext(chunks)
            except StopAsyncIteration:
                return None

        return asyncio.run_coroutine_threadsafe(step(), loop).result()

    storage = registry.storage()
    pending = pull()
    added = 0
    while pending is not None:
        first, pending = pending, None

        def one_file(first: Any = first) -> Iterator[bytes]:
            nonlocal pending
            yield first.data
            while (chunk := pull()) is not None:
                if chunk.filename != first.filename or chunk.offset == 0:
                    pending = chunk
                    return
                yield chunk.data

        stored = course_files.store_upload(
            storage, one_file(), course_id=course_id, filename=first.filename
        )
        try:
            with unit_of_work() as db:
                actor = accounts.user_for_token_hash(db, token)
                if actor is None:
                    raise NotFound("Your session has ended. Please log in again.")
                course_items.do_add_item(db, actor=actor, course_id=course_id, stored=stored)
        except BaseException:
            storage.delete(stored.key)
            raise
        added += 1
    return added
