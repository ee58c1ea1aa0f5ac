"""Settings: whom I blocked (with Unblock), my reports' states, warnings from admins, my
data (download as JSON) and deleting my account."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import reflex as rx

from bartr import routes
from bartr.adapters import registry
from bartr.db import read_session, unit_of_work
from bartr.services import account_lifecycle, accounts, blocks, moderation_actions, reports
from bartr.services.credits import credits_phrase
from bartr.services.errors import AuthenticationFailed, DomainError
from bartr.state.auth import GENERIC_ERROR, AuthState, log, post_to

EXPORT_FILENAME = "bartr-my-data.json"


def _date(value: Any) -> str:
    return f"{value.day} {value:%b %Y}"


class SettingsState(AuthState):
    blocked: list[dict[str, str]] = []
    my_reports: list[dict[str, str]] = []
    warnings: list[dict[str, str]] = []
    loaded: bool = False
    error: str = ""
    delete_open: bool = False
    delete_lines: list[str] = []
    delete_confirmation: str = ""
    delete_blocked: str = ""
    delete_error: str = ""
    deleting: bool = False

    def _reload(self, db: Any, user: Any) -> None:
        self.blocked = [
            {
                "id": str(b.user_id),
                "name": b.display_name,
                "handle": b.handle,
                "path": routes.profile(b.handle),
                "since": _date(b.blocked_at),
            }
            for b in blocks.list_blocked(db, actor=user)
        ]
        self.my_reports = [
            {
                "id": str(r.id),
                "what": r.what,
                "reason": r.reason,
                "status": r.status,
                "tone": {"Received": "amber", "Action taken": "green"}.get(r.status, "gray"),
                "date": _date(r.created_at),
            }
            for r in reports.my_reports(db, actor=user)
        ]
        self.warnings = [
            {
                "id": str(w.id),
                "message": w.message,
                "date": _date(w.created_at),
                "seen": "1" if w.seen else "",
            }
            for w in moderation_actions.my_warnings(db, actor=user)
        ]
        self.loaded = True

    @rx.event
    def load(self) -> None:
        self.error = ""
        self._run(self._reload, on_error=lambda e: setattr(self, "error", e.message))

    @rx.event
    def unblock(self, user_id: int) -> None:
        self.error = ""

        def act(db: Any, user: Any) -> None:
            blocks.do_unblock(db, actor=user, user_id=user_id)
            self._reload(db, user)

        self._run(act, on_error=lambda e: setattr(self, "error", e.message))

    @rx.event
    def acknowledge(self, warning_id: int) -> None:
        def act(db: Any, user: Any) -> None:
            moderation_actions.do_acknowledge_warning(db, actor=user, warning_id=warning_id)
            self._reload(db, user)

        self._run(act, on_error=lambda e: setattr(self, "error", e.message))

    # --- my data -------------------------------------------------------------------
    @rx.event
    def download_data(self) -> Any:
        self.error = ""
        data = self._run(
            lambda db, user: account_lifecycle.export_data(db, actor=user),
            on_error=lambda e: setattr(self, "error", e.message),
        )
        if data is None:
            return None
        text = json.dumps(data, ensure_ascii=False, indent=2)
        return rx.download(data=text, filename=EXPORT_FILENAME, mime_type="application/json")

    # --- deleting the account --------------------------------------------------------
    @rx.event
    def open_delete(self) -> None:
        self.delete_error = ""

        def act(db: Any, user: Any) -> account_lifecycle.DeletionPreview:
            return account_lifecycle.deletion_preview(db, actor=user)

        preview = self._run(act, on_error=lambda e: setattr(self, "error", e.message))
        if preview is None:
            return
        lines = [f"Your {credits_phrase(preview.available)} available are forfeited."]
        if preview.open_requests:
            lines.append(
                f"{preview.open_requests} open request(s) are closed; held credits go back "
                "to the learner."
            )
        if preview.scheduled:
            lines.append(
                f"{preview.scheduled} scheduled session(s) are cancelled by you under the "
                "cancellation policy."
            )
        lines.append(
            "Your name, bio, photo, skills and availability are erased; reviews you wrote "
            "stay as “Former member”."
        )
        self.delete_lines = lines
        self.delete_confirmation = preview.confirmation
        self.delete_blocked = (
            "Wait until session "
            + ", ".join(f"#{i}" for i in preview.blocking)
            + " is settled, then come back."
            if preview.blocking
            else ""
        )
        self.delete_open = True

    @rx.event
    def set_delete_open(self, value: bool) -> None:
        self.delete_open = bool(value) and not self.deleting

    @rx.event
    async def delete_account(self, form: dict[str, Any]) -> Any:
        """Checking the password is slow (bcrypt): it runs in a thread, before the write
        transaction opens (which then only checks the password hash is the one checked)."""
        if self.deleting:
            return None
        password = str(form.get("password") or "")[: accounts.MAX_PASSWORD + 1]
        confirmed = bool(form.get("confirm"))
        session_key = self._session_key()

        def work() -> account_lifecycle.DeletionOutcome:
            with read_session() as db:
                reader = accounts.user_for_token_hash(db, session_key)
            if reader is None:
                raise AuthenticationFailed("Your session has ended. Please log in again.")
            if not account_lifecycle.password_is_right(reader.password_hash, password):
                raise AuthenticationFailed("That password is not right.")
            with unit_of_work() as db:
                user = accounts.user_for_token_hash(db, session_key)
                if user is None:
                    raise AuthenticationFailed("Your session has ended. Please log in again.")
                preview = account_lifecycle.deletion_preview(db, actor=user)
                return account_lifecycle.do_delete_account(
                    db,
                    actor=user,
                    password=password,
                    confirmation=preview.confirmation if confirmed else "",
                    checked_hash=reader.password_hash,
                )

        self.deleting, self.delete_error = True, ""
        try:
            outcome = await asyncio.to_thread(work)
        except DomainError as exc:
            self.deleting, self.delete_error = False, exc.message
            return None
        except Exception:
            log.exception("account deletion failed")
            self.deleting, self.delete_error = False, GENERIC_ERROR
            return None
        if outcome.avatar_key:
            try:
                await asyncio.to_thread(registry.storage().delete, outcome.avatar_key)
            except Exception:
                log.exception("removing a deleted member's avatar failed")
        self.deleting, self.delete_open = False, False
        self._show_viewer(None)
        return post_to(routes.API_LOGOUT)
