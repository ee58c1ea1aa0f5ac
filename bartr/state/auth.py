"""The base state: who is acting, resolved on the server from the session token.

Every event re-reads the member from the token (the token is the only thing the browser
holds; the user id lives in a backend var). Any handler can be called over the socket,
so handlers call `_require_user(db)` rather than trusting what the page showed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx
from sqlmodel import Session

from bartr import routes
from bartr.db import read_session, unit_of_work
from bartr.models.accounts import User
from bartr.services import accounts
from bartr.services.credits import format_credits
from bartr.services.errors import AuthenticationFailed, DomainError
from bartr.settings import get_settings

log = logging.getLogger("bartr.state")
T = TypeVar("T")

GENERIC_ERROR = "Something went wrong on our side. Nothing was changed; please try again."
SESSION_COOKIE = "bartr_session"


class AuthState(rx.State):
    token: str = rx.Cookie(
        "",
        name=SESSION_COOKIE,
        path="/",
        same_site="strict",
        max_age=get_settings().session_ttl_hours * 3600,
    )
    # What the header shows. Never used to authorise anything.
    logged_in: bool = False
    auth_checked: bool = False
    viewer_name: str = ""
    viewer_handle: str = ""
    viewer_avatar: str = ""
    viewer_timezone: str = "UTC"
    is_admin: bool = False
    balance_label: str = ""
    # The "confirm your email" banner (bartr/state/account_email.py sends the link again).
    email_unverified: bool = False

    _user_id: int | None = None

    # --- resolving the actor -------------------------------------------------------
    def _current_user(self, db: Session) -> User | None:
        user = accounts.user_for_token(db, self.token)
        self._user_id = user.id if user else None
        self._show_viewer(user)
        return user

    def _require_user(self, db: Session) -> User:
        user = self._current_user(db)
        if user is None:
            raise AuthenticationFailed("Your session has ended. Please log in again.")
        return user

    def _show_viewer(self, user: User | None) -> None:
        self.logged_in = user is not None
        self.auth_checked = True
        self.viewer_name = user.display_name if user else ""
        self.viewer_handle = user.handle if user else ""
        self.viewer_avatar = routes.avatar(user.avatar_path) if user else ""
        self.viewer_timezone = user.timezone if user else "UTC"
        self.is_admin = bool(user and user.is_admin)
        self.email_unverified = bool(user and user.email_verified_at is None)

    def _refresh_balance(self, db: Session, user: User | None) -> None:
        if user is None:
            self.balance_label = ""
            return
        from bartr.services import ledger

        self.balance_label = format_credits(ledger.available_balance(db, user.id or 0))

    def _path(self) -> str:
        url = self.router.url
        path = url.path or "/"
        query = getattr(url, "query", "")
        return f"{path}?{query}" if query else path

    # --- running an action -----------------------------------------------------------
    def _run(
        self, action: Callable[[Session, User], T], *, on_error: Callable[[DomainError], None]
    ) -> T | None:
        """One unit of work as the logged-in member; domain errors go to `on_error`."""
        try:
            with unit_of_work() as db:
                user = self._require_user(db)
                return action(db, user)
        except DomainError as exc:
            on_error(exc)
        except Exception:
            log.exception("unexpected error in %s", type(self).__name__)
            on_error(DomainError(GENERIC_ERROR))
        return None

    # --- page guards -------------------------------------------------------------------
    @rx.event
    def check_login(self) -> Any:
        """on_load of public pages: know who is looking, without forcing a login."""
        with read_session() as db:
            user = self._current_user(db)
            self._refresh_balance(db, user)

    @rx.event
    def require_login(self) -> Any:
        """on_load of member pages: send visitors to log in and come back after."""
        with read_session() as db:
            user = self._current_user(db)
            self._refresh_balance(db, user)
        if user is None:
            return rx.redirect(routes.login(self._path()))
        if not user.is_onboarded and self.router.url.path != routes.ONBOARDING:
            return rx.redirect(routes.ONBOARDING)
        return None

    @rx.event
    def require_admin(self) -> Any:
        with read_session() as db:
            user = self._current_user(db)
        if user is None:
            return rx.redirect(routes.login(self._path()))
        if not user.is_admin:
            return rx.redirect(routes.HOME)
        return None

    @rx.event
    def log_out(self) -> Any:
        with unit_of_work() as db:
            accounts.do_logout(db, token=self.token)
        self.token = ""
        self._show_viewer(None)
        return [rx.remove_cookie(SESSION_COOKIE, {"path": "/"}), rx.redirect(routes.HOME)]

    @rx.event
    def log_out_everywhere(self) -> Any:
        count = 0

        def act(db: Session, user: User) -> int:
            return accounts.do_logout_everywhere(db, actor=user)

        count = self._run(act, on_error=lambda e: None) or 0
        self.token = ""
        self._show_viewer(None)
        return [
            rx.remove_cookie(SESSION_COOKIE, {"path": "/"}),
            rx.toast.success(f"Logged out of {count} session{'s' if count != 1 else ''}."),
            rx.redirect(routes.LOGIN),
        ]
